"""The README's two commands are the ones CI and a newcomer run."""
import re

from conftest import ROOT


def readme_commands():
    return re.findall(r"```bash\n(.+?)\n```", (ROOT / "README.md").read_text(encoding="utf-8"))


def test_readme_opens_with_the_two_commands():
    start, test = readme_commands()[:2]
    assert start == "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/jupyter lab workbooks/"
    assert test.startswith('python3 -m venv .venv && .venv/bin/pip install -e ".[test]"')
    assert test.endswith("python -m pytest")


def test_ci_runs_the_readme_test_command():
    test = readme_commands()[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci[-1] == test

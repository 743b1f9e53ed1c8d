"""The README: its two commands are the ones CI and a newcomer run; it lists every workbook
and says where the installed commands are."""
import re

from autograder.course import assignments
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


def test_readme_lists_every_workbook_in_order():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\d\d_\w+)` \| (.+) \|$", readme, re.MULTILINE)
    assert [workbook for workbook, _ in rows] == assignments()
    assert all(len(what.split()) >= 8 for _, what in rows)  # what each one builds, not just a title


def test_readme_says_where_the_installed_commands_are():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`.venv/bin/backprop-grade`" in readme and "source .venv/bin/activate" in readme

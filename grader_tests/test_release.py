"""The release notebooks are exactly what nbgrader generates from the master notebooks."""
import json
import shutil

from autograder.course import WORKBOOKS_DIR
from autograder.release import release
from conftest import backprop_grade


def test_committed_workbooks_match_the_sources():
    run = backprop_grade("release", "--check")
    assert run.returncode == 0, run.stderr
    assert "up to date" in run.stdout


def test_check_reports_an_edited_a_missing_and_an_extra_workbook(tmp_path):
    copy = tmp_path / "workbooks"
    shutil.copytree(WORKBOOKS_DIR, copy)
    [first, *rest] = sorted(copy.glob("*.ipynb"))
    edited = json.loads(first.read_text(encoding="utf-8"))
    edited["cells"][0]["source"] = "hand-edited"
    first.write_text(json.dumps(edited), encoding="utf-8")
    (copy / "99_extra.ipynb").write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    if rest:
        rest[-1].unlink()

    stale = release(check=True, workbooks_dir=copy)

    assert set(stale) == {first.name, "99_extra.ipynb", *([rest[-1].name] if rest else [])}
    assert release(check=True, workbooks_dir=WORKBOOKS_DIR) == []


def test_release_notebooks_are_stored_without_outputs():
    for path in WORKBOOKS_DIR.glob("*.ipynb"):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, path.name

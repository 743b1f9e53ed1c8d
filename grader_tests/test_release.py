"""The release notebooks are exactly what nbgrader generates from the master notebooks."""
import ast
import json
import re
import shutil

import pytest
from nbgrader.validator import Validator

from autograder.course import WORKBOOKS_DIR, assignments, autograded_cells, master_notebook, nbgrader_meta
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


def hand_graded_points():
    """(points graded by hand, all points) over the master notebooks: a hand-graded cell is a
    graded cell that the student writes (a written answer)."""
    graded = [nbgrader_meta(cell) for a in assignments() for cell in master_notebook(a).cells
              if nbgrader_meta(cell).get("grade")]
    return sum(m["points"] for m in graded if m.get("solution")), sum(m["points"] for m in graded)


def test_at_most_a_quarter_of_the_points_are_graded_by_hand():
    hand, total = hand_graded_points()
    print(f"graded by hand: {hand:g} of {total:g} points = {hand / total:.1%}")
    assert hand / total <= 0.25, f"{hand:g} of {total:g} points are graded by hand, more than a quarter"


def answer_names(assignment_id):
    """The names that the master's answer cells (solution cells that only assign) assign."""
    names = set()
    for cell in master_notebook(assignment_id).cells:
        if cell.cell_type == "code" and nbgrader_meta(cell).get("solution"):
            body = ast.parse(cell.source).body
            if body and all(isinstance(node, ast.Assign) for node in body):
                names |= {target.id for node in body for target in node.targets}
    return names


@pytest.mark.parametrize("assignment_id", assignments())
def test_blank_workbook_fails_every_test_only_through_the_stubs(tmp_path, assignment_id):
    """What `nbgrader validate --invert` checks (no test passes on the blank workbook), and
    more: every test fails with the stubs' NotImplementedError (or, for a question answered by
    assigning a name, because the stub left that name unassigned), not with an error of ours."""
    shutil.copy(WORKBOOKS_DIR / f"{assignment_id}.ipynb", tmp_path)

    results = Validator().validate(str(tmp_path / f"{assignment_id}.ipynb"))

    assert set(results) == {"failed"}
    tests = [f for f in results["failed"] if f["raw_error"] != "You did not provide a response."]
    assert len(tests) == len(autograded_cells(assignment_id))  # the rest are the free-text answers
    unassigned = {f"NameError: name '{name}' is not defined" for name in answer_names(assignment_id)}
    for failure in tests:
        last = re.sub(r"\x1b\[[0-9;]*m", "", failure["raw_error"].strip().splitlines()[-1])  # no colours
        assert "NotImplementedError" in last or any(u in last for u in unassigned), failure

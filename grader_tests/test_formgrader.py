"""Free-text answers graded by hand in nbgrader's formgrader, on the folder `backprop-grade grade` wrote.

A class of 01_sigmoid is graded (one student answers everything, with the reference code, one
has a naive sigmoid); its output folder is then opened as an nbgrader course through nbgrader's own
API, as formgrader opens it, and through formgrader's own handlers in a Jupyter server. A grader
scores free-text answers with the Gradebook API, as formgrader's grade handler does; the scores
reach the report's lms.csv and `nbgrader export`, and survive grading again after a late
submission and a resubmission.
"""
import json
import subprocess
import sys
import urllib.parse
import urllib.request

import nbformat
import pytest

from autograder.course import nbgrader_api, nbgrader_meta, source_notebook
from conftest import backprop_grade, complete_notebook, read_csv, release_notebook, submit
from jupyterlab import jupyterlab

pytestmark = pytest.mark.slow

ASSIGNMENT = "01_sigmoid"
NAIVE_SIGMOID = "def sigmoid(z):\n    return np.exp(z) / (1 + np.exp(z))\n"
ANSWER = "Ada says: exp(z) overflows to inf for z above 709.78, and inf / inf is nan instead of 1."


def free_text_cells():
    """The grade ids of the master notebook's hand-graded answers."""
    cells = nbformat.read(source_notebook(ASSIGNMENT), as_version=4).cells
    return [meta["grade_id"] for meta in map(nbgrader_meta, cells) if meta.get("grade") and meta.get("solution")]


def grade(root):
    run = backprop_grade("grade", root / "submitted", "--out", root / "out", "--jobs", 2)
    assert run.returncode == 0, run.stderr
    return run


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The graded class; returns its root, with submitted/ and out/."""
    root = tmp_path_factory.mktemp("formgrader-class")
    submit(root / "submitted", "complete", ASSIGNMENT, complete_notebook(ASSIGNMENT, q_overflow=ANSWER))
    submit(root / "submitted", "naive", ASSIGNMENT, complete_notebook(ASSIGNMENT, sigmoid=NAIVE_SIGMOID))
    grade(root)
    return root


def autograded_scores(out, student_id):
    """{grade_id: score} of a student's test cells in grades.csv."""
    return {row["grade_id"]: float(row["score"]) for row in read_csv(out / "grades.csv")
            if row["student_id"] == student_id and row["assignment_id"] == ASSIGNMENT}


def lms_scores(out):
    """{student_id: (the assignment's score, the total)} in the report's lms.csv."""
    return {row["student_id"]: (float(row[ASSIGNMENT]), float(row["total"]))
            for row in read_csv(out / "report" / "lms.csv")}


def test_formgrader_lists_the_graded_submissions(graded):
    api = nbgrader_api(graded / "out")
    assert [a["name"] for a in api.get_assignments()] == [ASSIGNMENT]
    submissions = {s["student"]: s for s in api.get_submissions(ASSIGNMENT)}
    assert {"complete", "naive"} <= set(submissions)
    assert all(s["autograded"] and s["needs_manual_grade"] for s in submissions.values())
    # formgrader's manual grading list: the submitted notebooks it can open, each at an index
    notebooks = api.get_notebook_submissions(ASSIGNMENT, ASSIGNMENT)
    assert {"complete", "naive"} <= {n["student"] for n in notebooks}
    assert all(n["index"] is not None for n in notebooks)


def test_auto_scores_are_grades_csv_and_free_text_needs_grading(graded):
    out = graded / "out"
    with nbgrader_api(out).gradebook as gradebook:
        for student in ["complete", "naive"]:
            grades = {g.name: g for g in gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student).grades}
            tests = autograded_scores(out, student)
            assert set(grades) == set(tests) | set(free_text_cells())
            for grade_id, score in tests.items():
                assert (grades[grade_id].auto_score, grades[grade_id].needs_manual_grade) == (score, False)
            for grade_id in free_text_cells():
                assert (grades[grade_id].auto_score, grades[grade_id].needs_manual_grade) == (None, True)
    assert autograded_scores(out, "naive")["test_sigmoid_stability"] == 0


def give_manual_score(gradebook, student_id, grade_id, score, comment):
    """Score a cell by hand as formgrader's GradeHandler and CommentHandler do."""
    grade = gradebook.find_grade(grade_id, ASSIGNMENT, ASSIGNMENT, student_id)
    grade.manual_score = score
    grade.needs_manual_grade = False
    gradebook.find_comment(grade_id, ASSIGNMENT, ASSIGNMENT, student_id).manual_comment = comment
    gradebook.db.commit()


def test_manual_scores_reach_the_exports_and_survive_grading_again(graded):
    out = graded / "out"
    auto = {student: sum(autograded_scores(out, student).values()) for student in ["complete", "naive"]}
    with nbgrader_api(out).gradebook as gradebook:
        give_manual_score(gradebook, "complete", "q_overflow", 2.0, "Right.")
        give_manual_score(gradebook, "naive", "q_overflow", 1.0, "Half right.")

    run = backprop_grade("report", out)
    assert run.returncode == 0, run.stderr
    assert lms_scores(out)["complete"] == (auto["complete"] + 2, auto["complete"] + 2)
    assert lms_scores(out)["naive"] == (auto["naive"] + 1, auto["naive"] + 1)
    page = (out / "report" / "index.html").read_text(encoding="utf-8")
    assert f"{2 * len(free_text_cells()) - 2} cells still to be graded by hand" in page

    grades_csv = (out / "grades.csv").read_bytes()
    export = subprocess.run([sys.executable, "-m", "nbgrader", "export"], cwd=out, capture_output=True, text=True)
    assert export.returncode == 0, export.stderr
    exported = {row["student_id"]: float(row["score"]) for row in read_csv(out / "nbgrader_grades.csv")}
    assert exported == {"complete": auto["complete"] + 2, "naive": auto["naive"] + 1}
    assert (out / "grades.csv").read_bytes() == grades_csv  # the export goes beside it, not over it

    # A late submission, left blank, and a resubmission with another answer to the graded question.
    submit(graded / "submitted", "late", ASSIGNMENT, release_notebook(ASSIGNMENT))
    submit(graded / "submitted", "naive", ASSIGNMENT,
           complete_notebook(ASSIGNMENT, sigmoid=NAIVE_SIGMOID, q_overflow="It overflows."))
    grade(graded)

    with nbgrader_api(out).gradebook as gradebook:
        kept = gradebook.find_grade("q_overflow", ASSIGNMENT, ASSIGNMENT, "complete")
        assert (kept.manual_score, kept.needs_manual_grade) == (2.0, False)
        assert gradebook.find_comment("q_overflow", ASSIGNMENT, ASSIGNMENT, "complete").manual_comment == "Right."
        changed = gradebook.find_grade("q_overflow", ASSIGNMENT, ASSIGNMENT, "naive")
        assert (changed.manual_score, changed.needs_manual_grade) == (1.0, True)  # to review, as nbgrader does
        for grade_id in free_text_cells():  # a blank answer scores 0 with no grading by hand
            blank = gradebook.find_grade(grade_id, ASSIGNMENT, ASSIGNMENT, "late")
            assert (blank.auto_score, blank.needs_manual_grade) == (0.0, False)
            assert gradebook.find_comment(grade_id, ASSIGNMENT, ASSIGNMENT, "late").auto_comment == "No response."
    assert lms_scores(out)["complete"] == (auto["complete"] + 2, auto["complete"] + 2)
    assert lms_scores(out)["late"][0] == sum(autograded_scores(out, "late").values())


def test_formgrader_serves_the_submissions_and_their_grading_page(graded, tmp_path, monkeypatch):
    out = graded / "out"
    monkeypatch.chdir(out)  # formgrader's course is the Jupyter server's working directory

    with jupyterlab(out, tmp_path) as (url, token):
        def get(path, **query):
            query = urllib.parse.urlencode({**query, "token": token})
            with urllib.request.urlopen(f"{url}/formgrader/{path}?{query}", timeout=60) as response:
                return response.read().decode("utf-8")

        submissions = json.loads(get(f"api/submissions/{ASSIGNMENT}"))
        notebooks = json.loads(get(f"api/submitted_notebooks/{ASSIGNMENT}/{ASSIGNMENT}"))
        [ada] = [n for n in notebooks if n["student"] == "complete"]
        page = get(f"submissions/{ada['id']}/")
        grades = json.loads(get("api/grades", submission_id=ada["id"]))

    assert {"complete", "naive"} <= {s["student"] for s in submissions if s["autograded"]}
    assert ANSWER in page  # the grading page shows the student's free-text answer
    assert {g["name"] for g in grades} == set(autograded_scores(out, "complete")) | set(free_text_cells())

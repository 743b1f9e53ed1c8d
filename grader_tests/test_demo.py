"""`backprop-grade demo`: its made-up class writes answers of its own, and it says where the report is."""
import re

import nbformat
import pytest

from autograder.course import assignments, master_notebook, nbgrader_meta
from autograder.demo import STUDENTS, build_class, written_questions
from conftest import backprop_grade, release_notebook

WRITERS = [s for s in STUDENTS if s != "blank"]


def cells_by_grade_id(notebook):
    return {nbgrader_meta(c)["grade_id"]: c.source for c in notebook.cells if nbgrader_meta(c).get("grade_id")}


@pytest.fixture(scope="module")
def demo_class(tmp_path_factory):
    submitted = tmp_path_factory.mktemp("demo") / "submitted"
    build_class(submitted)
    return submitted


def submission(submitted, student, assignment_id):
    return nbformat.read(submitted / student / assignment_id / f"{assignment_id}.ipynb", as_version=4)


@pytest.mark.parametrize("assignment_id", assignments())
def test_no_student_hands_in_the_model_answer_or_the_mark_scheme(demo_class, assignment_id):
    for student in STUDENTS:
        text = "\n".join(c.source for c in submission(demo_class, student, assignment_id).cells)
        assert "Model answer" not in text and "Mark scheme" not in text, (student, assignment_id)


@pytest.mark.parametrize("assignment_id", [a for a in assignments() if written_questions(a)])
def test_students_write_answers_of_their_own(demo_class, assignment_id):
    master = cells_by_grade_id(master_notebook(assignment_id))
    stub = cells_by_grade_id(release_notebook(assignment_id))
    questions = written_questions(assignment_id)
    answers = {s: cells_by_grade_id(submission(demo_class, s, assignment_id)) for s in STUDENTS}
    for grade_id in questions:
        written = [answers[s][grade_id] for s in WRITERS]
        assert len(set(written)) == len(WRITERS), f"{grade_id}: two students hand in the same text"
        assert all(len(w.split()) >= 3 and w != stub[grade_id] and w != master[grade_id] for w in written), grade_id
        assert answers["blank"][grade_id] == stub[grade_id]


def test_demo_answers_only_the_masters_questions():
    from autograder.demo_answers import WRITTEN
    asked = {g for a in assignments() for g in written_questions(a)}
    assert set(WRITTEN) == asked
    assert all(set(by_student) == set(WRITERS) for by_student in WRITTEN.values())


@pytest.mark.slow
def test_demo_grades_the_class_and_says_where_the_report_is(tmp_path):
    run = backprop_grade("demo", "--out", tmp_path / "demo")
    assert run.returncode == 0, run.stderr
    [report] = re.findall(r"^The class report: (.+)$", run.stdout, re.MULTILINE)
    page = open(report, encoding="utf-8").read()
    assert "mistakes-a" in page and "complete" in page
    feedback = (tmp_path / "demo" / "graded" / "feedback" / "complete" / "01_sigmoid" / "01_sigmoid.html").read_text()
    assert "Mark scheme" not in feedback and "z is the log-odds, ln(p / (1 - p))" in feedback

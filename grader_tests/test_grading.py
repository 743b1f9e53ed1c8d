"""The grading pipeline end to end: `backprop-grade grade` on a class of real notebooks."""
import html
import io
import re
import shutil
from pathlib import Path

import nbformat
import pytest

import autograder.grade as grading
import autograder.worker as workers
from autograder.course import assignments, source_notebook, autograded_cells
from conftest import backprop_grade, complete_notebook, read_csv, release_notebook, submit

pytestmark = pytest.mark.slow

NAIVE_SIGMOID = "def sigmoid(z):\n    return np.exp(z) / (1 + np.exp(z))\n"


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """Every workbook answered with the reference and handed in blank, plus a naive sigmoid."""
    root = tmp_path_factory.mktemp("class")
    for assignment_id in assignments():
        submit(root / "submitted", "complete", assignment_id, complete_notebook(assignment_id))
        submit(root / "submitted", "blank", assignment_id, release_notebook(assignment_id))
    submit(root / "submitted", "naive", "01_sigmoid", complete_notebook("01_sigmoid", sigmoid=NAIVE_SIGMOID))
    run = backprop_grade("grade", root / "submitted", "--out", root / "out", "--jobs", 2)
    assert run.returncode == 0, run.stderr
    return root, run


def scores(out, student_id, assignment_id):
    return {row["grade_id"]: (float(row["score"]), float(row["max_score"]))
            for row in read_csv(out / "grades.csv")
            if row["student_id"] == student_id and row["assignment_id"] == assignment_id}


def summary(out, student_id, assignment_id):
    [row] = [row for row in read_csv(out / "summary.csv")
             if row["student_id"] == student_id and row["assignment_id"] == assignment_id]
    return row


@pytest.mark.parametrize("assignment_id", assignments())
def test_reference_answers_earn_full_marks(graded_class, assignment_id):
    out = graded_class[0] / "out"
    row = summary(out, "complete", assignment_id)
    assert row["status"] == "graded", row["message"]
    assert scores(out, "complete", assignment_id) == {g: (p, p) for g, p in autograded_cells(assignment_id)}


@pytest.mark.parametrize("assignment_id", assignments())
def test_blank_release_scores_zero(graded_class, assignment_id):
    out = graded_class[0] / "out"
    assert summary(out, "blank", assignment_id)["status"] == "graded"
    assert scores(out, "blank", assignment_id) == {g: (0.0, p) for g, p in autograded_cells(assignment_id)}


def test_naive_sigmoid_loses_exactly_the_stability_points(graded_class):
    out = graded_class[0] / "out"
    expected = {g: (0.0 if g == "test_sigmoid_stability" else p, p) for g, p in autograded_cells("01_sigmoid")}
    assert scores(out, "naive", "01_sigmoid") == expected


def test_summary_adds_up_the_grades(graded_class):
    out = graded_class[0] / "out"
    for row in read_csv(out / "summary.csv"):
        cells = scores(out, row["student_id"], row["assignment_id"])
        assert float(row["score"]) == sum(s for s, _ in cells.values())
        assert float(row["max_score"]) == sum(m for _, m in cells.values())


def hidden_test_lines(assignment_id):
    """Every line of the master notebook's hidden tests."""
    lines = []
    for cell in nbformat.read(source_notebook(assignment_id), as_version=4).cells:
        lines += re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S)
    return [line.strip() for block in lines for line in block.splitlines() if len(line.strip()) > 12]


def test_feedback_shows_hints_but_never_hidden_tests(graded_class):
    out = graded_class[0] / "out"
    pages = sorted((out / "feedback").glob("*/*/*.html"))
    assert len(pages) == len(read_csv(out / "summary.csv"))
    for page in pages:
        text = html.unescape(page.read_text(encoding="utf-8"))
        assignment_id = page.parent.name
        assert "HIDDEN TESTS" not in text
        leaked = [line for line in hidden_test_lines(assignment_id) if line in text]
        assert not leaked, f"{page} shows hidden test code: {leaked[:3]}"
    naive = html.unescape((out / "feedback/naive/01_sigmoid/01_sigmoid.html").read_text(encoding="utf-8"))
    assert "sigmoid(1000) overflowed" in naive


HANG = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n"
CRASH = "import os\nos._exit(1)\n"


def test_broken_submissions_get_a_reason_and_the_rest_are_graded(tmp_path):
    submitted = tmp_path / "submitted"
    submit(submitted, "good", "01_sigmoid", complete_notebook("01_sigmoid"))
    submit(submitted, "garbage", "01_sigmoid", b"{ this is not json")
    submit(submitted, "hang", "01_sigmoid", complete_notebook("01_sigmoid", relu=HANG))
    submit(submitted, "crash", "01_sigmoid", complete_notebook("01_sigmoid", logit=CRASH))
    (submitted / "renamed" / "01_sigmoid").mkdir(parents=True)
    nbformat.write(complete_notebook("01_sigmoid"), submitted / "renamed" / "01_sigmoid" / "mine.ipynb")

    run = backprop_grade("grade", submitted, "--out", tmp_path / "out", "--jobs", 2, "--timeout", 40)

    assert run.returncode == 0, run.stderr
    rows = {row["student_id"]: row for row in read_csv(tmp_path / "out" / "summary.csv")}
    assert rows["good"]["status"] == "graded" and rows["good"]["score"] == rows["good"]["max_score"]
    assert rows["garbage"]["status"] == "invalid" and "not a readable notebook" in rows["garbage"]["message"]
    assert rows["hang"]["status"] == "timeout" and "40 s" in rows["hang"]["message"]
    assert rows["crash"]["status"] == "crashed" and "DeadKernelError" in rows["crash"]["message"]
    assert rows["renamed"]["status"] == "missing" and "01_sigmoid.ipynb" in rows["renamed"]["message"]
    grades = read_csv(tmp_path / "out" / "grades.csv")
    order = [g for g, _ in autograded_cells("01_sigmoid")]
    kept = {"garbage": 0, "renamed": 0,  # cells graded before the crash or the hang keep their points
            "crash": order.index("test_logit"), "hang": order.index("test_relu")}
    for student, honest in kept.items():
        mine = [r for r in grades if r["student_id"] == student]
        assert [r["grade_id"] for r in mine] == order
        assert [r["score"] == r["max_score"] for r in mine] == [i < honest for i in range(len(order))], student


def test_a_worker_grades_one_submission_after_another_and_a_hang_costs_only_its_own(tmp_path, monkeypatch):
    graded_by = []  # (student, worker pid), in the order the workers were asked

    socket_folders, address_space = [], []

    class RecordingWorker(workers.Worker):
        def grade(self, request, timeout):
            graded_by.append((request["student_id"], self.process.pid))
            socket_folders.append(Path(self.socket_dir))
            ended = super().grade(request, timeout)
            if ended == "done":
                limits = Path(f"/proc/{self.process.pid}/limits").read_text()
                address_space.append(int(re.search(r"Max address space\s+(\d+)", limits).group(1)))
            return ended

    monkeypatch.setattr(workers, "Worker", RecordingWorker)
    for student in ["a-good", "c-good", "d-good"]:
        submit(tmp_path / "submitted", student, "01_sigmoid", complete_notebook("01_sigmoid"))
    submit(tmp_path / "submitted", "b-hang", "01_sigmoid", complete_notebook("01_sigmoid", relu=HANG))

    grading.grade(tmp_path / "submitted", tmp_path / "out", jobs=1, timeout=40, stream=io.StringIO())

    rows = {row["student_id"]: row for row in read_csv(tmp_path / "out" / "summary.csv")}
    assert {student: row["status"] for student, row in rows.items()} == \
        {"a-good": "graded", "b-hang": "timeout", "c-good": "graded", "d-good": "graded"}
    assert all(rows[s]["score"] == rows[s]["max_score"] for s in ["a-good", "c-good", "d-good"])
    [(a, first), (b, hung), (c, fresh), (d, same)] = graded_by
    assert (a, b, c, d) == ("a-good", "b-hang", "c-good", "d-good")
    assert first == hung != fresh == same  # the worker that hung was replaced; the others graded two each
    assert (tmp_path / "out/autograded/c-good/01_sigmoid/01_sigmoid.ipynb").is_file()
    assert not (tmp_path / "out/autograded/b-hang").exists()
    assert not any(folder.exists() for folder in socket_folders)  # the hung kernel's too, though its worker was killed
    assert address_space and set(address_space) == {workers.MEMORY_BYTES}  # what a submission makes a worker allocate


def test_a_second_run_regrades_only_what_changed(graded_class, tmp_path):
    root, _ = graded_class
    shutil.copytree(root / "submitted", tmp_path / "submitted")
    shutil.copytree(root / "out", tmp_path / "out")
    submit(tmp_path / "submitted", "blank", "01_sigmoid", complete_notebook("01_sigmoid"))

    run = backprop_grade("grade", tmp_path / "submitted", "--out", tmp_path / "out")

    assert run.returncode == 0, run.stderr
    lines = [line for line in run.stderr.splitlines() if line.startswith("[")]
    assert len(lines) == len(read_csv(root / "out" / "summary.csv"))
    assert [line for line in lines if not line.endswith("(reused)")] == \
        [line for line in lines if "blank/01_sigmoid" in line]
    assert summary(tmp_path / "out", "blank", "01_sigmoid")["score"] == \
        summary(tmp_path / "out", "blank", "01_sigmoid")["max_score"]


def test_grade_rejects_a_folder_that_does_not_exist(tmp_path):
    run = backprop_grade("grade", tmp_path / "nowhere", "--out", tmp_path / "out")
    assert run.returncode == 2
    assert "is not a folder" in run.stderr

"""The cache of `backprop-grade grade` (OUT/.cache): only graded outcomes are reused, and a change to
anything that decides a grade means grading again."""
import io
import shutil

import pytest

import autograder.grade as grading
from autograder.course import source_notebook
from conftest import backprop_grade, complete_notebook, read_csv, submit
from test_grading import CRASH, HANG, NAIVE_SIGMOID

pytestmark = pytest.mark.slow


def graded_afresh(stderr):
    """The submissions (student/assignment) a run graded rather than reused, from its progress lines."""
    return sorted(line.split("] ", 1)[1].split(":", 1)[0] for line in stderr.splitlines()
                  if line.startswith("[") and not line.endswith("(reused)"))


def test_only_graded_outcomes_are_reused(tmp_path):
    submitted, out = tmp_path / "submitted", tmp_path / "out"
    submit(submitted, "good", "01_sigmoid", complete_notebook("01_sigmoid"))
    submit(submitted, "hang", "01_sigmoid", complete_notebook("01_sigmoid", relu=HANG))
    submit(submitted, "crash", "01_sigmoid", complete_notebook("01_sigmoid", logit=CRASH))

    runs = [backprop_grade("grade", submitted, "--out", out, "--jobs", 2, "--timeout", 10) for _ in range(2)]

    assert [run.returncode for run in runs] == [0, 0], runs[-1].stderr
    assert graded_afresh(runs[0].stderr) == ["crash/01_sigmoid", "good/01_sigmoid", "hang/01_sigmoid"]
    assert graded_afresh(runs[1].stderr) == ["crash/01_sigmoid", "hang/01_sigmoid"]
    statuses = {row["student_id"]: row["status"] for row in read_csv(out / "summary.csv")}
    assert statuses == {"good": "graded", "hang": "timeout", "crash": "crashed"}


def edited_copy(original, folder, edit):
    """A copy of the file or package folder `original` in `folder`, with `edit` applied to the copy."""
    copy = folder / original.name
    (shutil.copytree if original.is_dir() else shutil.copy)(original, copy)
    edit(copy)
    return copy


def add_comment(path):
    with open(path, "a", encoding="utf-8") as f:
        f.write("\n# changed\n")


def test_a_change_to_anything_that_decides_a_grade_means_a_regrade(tmp_path, monkeypatch):
    submitted, out = tmp_path / "submitted", tmp_path / "out"
    submit(submitted, "alice", "01_sigmoid", complete_notebook("01_sigmoid"))
    timeout = 60.0

    def run():
        stream = io.StringIO()
        grading.grade(submitted, out, timeout=timeout, stream=stream)
        return graded_afresh(stream.getvalue())

    def change_submission():
        submit(submitted, "alice", "01_sigmoid", complete_notebook("01_sigmoid", sigmoid=NAIVE_SIGMOID))

    def change_master():
        master = edited_copy(source_notebook("01_sigmoid"), tmp_path, add_comment)
        monkeypatch.setattr(grading, "source_notebook", lambda assignment_id: master)

    def change_package(name, file):
        folder = edited_copy(grading.package_dir(name), tmp_path, lambda copy: add_comment(copy / file))
        package_dir = grading.package_dir
        monkeypatch.setattr(grading, "package_dir", lambda n: folder if n == name else package_dir(n))

    def change_timeout():
        nonlocal timeout
        timeout = 90.0

    changes = {
        "the submission": change_submission,
        "its master notebook": change_master,
        "the reference package": lambda: change_package("solutions", "activations.py"),
        "the checks": lambda: change_package("workbook_tools", "checks/activations.py"),
        "the grader's code": lambda: change_package("autograder", "preprocessors/progressexecute.py"),
        "--timeout": change_timeout,
    }
    assert run() == ["alice/01_sigmoid"]
    assert run() == [], "nothing changed: the graded outcome is reused"
    for what, change in changes.items():
        change()
        assert run() == ["alice/01_sigmoid"], f"a change to {what} did not mean a regrade"

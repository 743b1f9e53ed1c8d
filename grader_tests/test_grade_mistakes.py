"""The usual mistakes with `backprop-grade grade` get a clear message and exit 2, with nothing written."""
import shutil

import pytest

from autograder.course import assignments
from conftest import backprop_grade, complete_notebook, submit

LAYOUT = "<student_id>/<assignment_id>/<assignment_id>.ipynb"


def files_in(folder):
    return sorted(path.relative_to(folder) for path in folder.rglob("*"))


@pytest.fixture
def submitted(tmp_path):
    """A folder in nbgrader's submitted layout, holding one submission."""
    submit(tmp_path / "submitted", "alice", "01_sigmoid", complete_notebook("01_sigmoid"))
    return tmp_path / "submitted"


def refused(*args):
    """Run `backprop-grade grade ARGS`, expecting a usage mistake: exit 2; returns its message."""
    run = backprop_grade("grade", *args)
    assert run.returncode == 2, run.stderr
    return run.stderr


def test_a_zip_is_sent_to_collect_first(tmp_path, submitted):
    archive = shutil.make_archive(str(tmp_path / "lms"), "zip", submitted)
    message = refused(archive, "--out", tmp_path / "out")
    assert "zip file" in message and f"backprop-grade collect {archive} --out SUBMITTED" in message
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("layout", ["unzipped LMS download", "empty", "one level short"])
def test_a_folder_without_the_submitted_layout_is_explained(tmp_path, layout):
    folder = tmp_path / "downloaded"
    folder.mkdir()
    if layout == "unzipped LMS download":
        for name in ["smithjane_12345_67890_01_sigmoid.ipynb", "doejohn_LATE_23456_78901_01_sigmoid.ipynb"]:
            (folder / name).write_text("{}", encoding="utf-8")
    if layout == "one level short":
        (folder / "alice").mkdir()
        (folder / "alice" / "01_sigmoid.ipynb").write_text("{}", encoding="utf-8")
    before = files_in(folder)

    message = refused(folder, "--out", tmp_path / "out")

    assert f"no submissions in {folder}" in message and f"{folder}/{LAYOUT}" in message
    assert ", ".join(assignments()) in message and "backprop-grade collect LMS.zip --out SUBMITTED" in message
    assert not (tmp_path / "out").exists() and files_in(folder) == before


@pytest.mark.parametrize("out", ["submitted", "submitted/grades", "submitted/alice/01_sigmoid"])
def test_out_must_not_be_the_submissions_or_inside_them(tmp_path, submitted, out):
    before = files_in(submitted)
    message = refused(submitted, "--out", tmp_path / out)
    assert f"--out {(tmp_path / out).resolve()} is" in message and "choose a folder outside it" in message
    assert files_in(submitted) == before


def test_the_submissions_must_not_be_inside_out(tmp_path):
    submit(tmp_path / "out" / "submitted", "alice", "01_sigmoid", complete_notebook("01_sigmoid"))
    before = files_in(tmp_path / "out")
    message = refused(tmp_path / "out" / "submitted", "--out", tmp_path / "out")
    assert "are inside --out" in message and "choose another --out" in message
    assert files_in(tmp_path / "out") == before

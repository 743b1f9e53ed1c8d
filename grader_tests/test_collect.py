"""`backprop-grade collect`: LMS zip downloads sorted into nbgrader's submitted layout, nothing lost."""
import re
import subprocess
import sys
import zipfile

import nbformat
import pytest

from autograder.collect import assignment_of, safe_id
from conftest import ROOT, backprop_grade, read_csv

KNOWN = ["00_shapes", "01_sigmoid", "02_forward_pass"]


def notebook(tag):
    """A small notebook whose metadata says which file of the zip it came from."""
    return nbformat.writes(nbformat.v4.new_notebook(metadata={"tag": tag})).encode()


def make_zip(path, files):
    """Write `files` ({entry name: (bytes, date_time)}) and a folder entry into a zip."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("Ada Lovelace_301_assignsubmission_file_/"), b"")
        for name, (data, date_time) in files.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=date_time), data)
    return path


DAY1, DAY2, DAY3 = (2024, 3, 1, 9, 0, 0), (2024, 3, 2, 9, 0, 0), (2024, 3, 3, 9, 0, 0)
LMS_FILES = {
    # Canvas: a resubmission (higher submission id, older zip date: the id decides), and a late one.
    "smithjohn_1234_5001_01_sigmoid.ipynb": (notebook("canvas-first"), DAY3),
    "smithjohn_1234_5002_01_sigmoid-1.ipynb": (notebook("canvas-resubmitted"), DAY1),
    "doejane_LATE_5678_5003_01_sigmoid.ipynb": (notebook("canvas-late"), DAY1),
    # Moodle: a folder per student, and the same flattened.
    "Ada Lovelace_301_assignsubmission_file_/01_sigmoid.ipynb": (notebook("moodle-folder"), DAY1),
    "Alan Turing_302_assignsubmission_file_01_sigmoid (1).ipynb": (notebook("moodle-flat"), DAY1),
    "Alan Turing_302_assignsubmission_onlinetext_onlinetext.html": (b"<p>see attached</p>", DAY1),
    # Blackboard: two attempts and the attempt's receipt.
    "Workbook 01_ghopper_attempt_2024-03-02-10-00-00_01_sigmoid.ipynb": (notebook("bb-second"), DAY1),
    "Workbook 01_ghopper_attempt_2024-03-01-10-00-00_01_sigmoid.ipynb": (notebook("bb-first"), DAY3),
    "Workbook 01_ghopper_attempt_2024-03-02-10-00-00.txt": (b"Name: Grace Hopper", DAY1),
    # Plain folders: two assignments, a weird name, a non-notebook, an unknown assignment.
    "kat/00_shapes.ipynb": (notebook("plain-shapes"), DAY1),
    "kat/01_sigmoid.ipynb": (notebook("plain-sigmoid"), DAY1),
    "kat/notes.pdf": (b"%PDF-1.4", DAY1),
    "kat/homework.ipynb": (notebook("plain-unknown"), DAY1),
    "O'Brien, Pat [2]/02_forward_pass.ipynb": (notebook("weird-name"), DAY1),
    # Two students whose ids become the same folder name.
    "Pat Lee/01_sigmoid.ipynb": (notebook("pat-lee-space"), DAY1),
    "Pat_Lee/01_sigmoid.ipynb": (notebook("pat-lee-underscore"), DAY1),
    # Matches no pattern; macOS metadata.
    "loose.ipynb": (notebook("loose"), DAY1),
    "__MACOSX/kat/._01_sigmoid.ipynb": (b"\x00\x05\x16\x07", DAY1),
}
PLACED = {
    "1234/01_sigmoid": "canvas-resubmitted",
    "5678/01_sigmoid": "canvas-late",
    "301/01_sigmoid": "moodle-folder",
    "302/01_sigmoid": "moodle-flat",
    "ghopper/01_sigmoid": "bb-second",
    "kat/00_shapes": "plain-shapes",
    "kat/01_sigmoid": "plain-sigmoid",
    "O_Brien_Pat_2/02_forward_pass": "weird-name",
}
SUPERSEDED = ["smithjohn_1234_5001_01_sigmoid.ipynb",
              "Workbook 01_ghopper_attempt_2024-03-01-10-00-00_01_sigmoid.ipynb"]
UNPLACED = ["Alan Turing_302_assignsubmission_onlinetext_onlinetext.html",
            "Workbook 01_ghopper_attempt_2024-03-02-10-00-00.txt", "kat/notes.pdf", "kat/homework.ipynb",
            "loose.ipynb", "__MACOSX/kat/._01_sigmoid.ipynb", "Pat Lee/01_sigmoid.ipynb",
            "Pat_Lee/01_sigmoid.ipynb"]


def tags(submitted):
    """{"<student>/<assignment>": tag} of every notebook in nbgrader's layout."""
    found = {}
    for path in submitted.glob("*/*/*"):
        assert path.name == f"{path.parent.name}.ipynb", path
        found[f"{path.parent.parent.name}/{path.parent.name}"] = nbformat.read(path, as_version=4).metadata["tag"]
    return found


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    root = tmp_path_factory.mktemp("collect")
    archive = make_zip(root / "download.zip", LMS_FILES)
    run = backprop_grade("collect", archive, "--out", root / "submitted")
    assert run.returncode == 0, run.stderr
    return root, run


def test_each_lms_pattern_lands_in_nbgrader_layout(collected):
    root, _ = collected
    assert tags(root / "submitted") == PLACED


def test_the_latest_resubmission_is_kept_and_the_older_reported(collected):
    root, run = collected
    report = {row["entry"]: row for row in read_csv(root / "collect_report.csv")}
    assert sorted(e for e, row in report.items() if row["outcome"] == "superseded") == sorted(SUPERSEDED)
    assert "1234/01_sigmoid: smithjohn_1234_5001_01_sigmoid.ipynb" in run.stdout
    assert "ghopper/01_sigmoid: Workbook 01_ghopper_attempt_2024-03-01-10-00-00_01_sigmoid.ipynb" in run.stdout


def test_files_that_cannot_be_placed_are_copied_and_listed(collected):
    root, run = collected
    report = {row["entry"]: row for row in read_csv(root / "collect_report.csv")}
    assert sorted(e for e, row in report.items() if row["outcome"] == "unplaced") == sorted(UNPLACED)
    for entry in UNPLACED:
        assert f"  {entry}: {report[entry]['note']}" in run.stdout
        assert (root / "unplaced" / entry).read_bytes() == LMS_FILES[entry][0]
    assert report["kat/notes.pdf"]["note"] == "not a notebook: notes.pdf"
    assert report["kat/homework.ipynb"]["note"].startswith("homework.ipynb names no known assignment")
    assert report["loose.ipynb"]["note"].startswith("the path matches no file-name pattern")
    assert report["Pat_Lee/01_sigmoid.ipynb"]["note"].startswith(
        'the student ids "Pat Lee" and "Pat_Lee" both become Pat_Lee')


def test_every_file_of_the_zip_is_accounted_for(collected):
    root, _ = collected
    report = read_csv(root / "collect_report.csv")
    assert sorted(row["entry"] for row in report) == sorted(LMS_FILES)
    for row in report:
        where = root / row["destination"]
        assert where.read_bytes() == LMS_FILES[row["entry"]][0], row
        assert (row["outcome"] == "placed") == (root / "submitted" in where.parents)


def test_unsafe_student_ids_are_renamed_and_said_so(collected):
    _, run = collected
    assert """  "O'Brien, Pat [2]" -> O_Brien_Pat_2""" in run.stdout


def test_own_pattern_and_default_assignment(tmp_path):
    archive = make_zip(tmp_path / "class.zip", {
        "class/alice/my work.ipynb": (notebook("alice"), DAY1),
        "class/bob/01_sigmoid.ipynb": (notebook("bob"), DAY1),
    })
    run = backprop_grade("collect", archive, "--out", tmp_path / "submitted", "--unplaced", tmp_path / "left",
                         "--pattern", r"class/(?P<student_id>[^/]+)/(?P<file>[^/]+)", "--assignment", "00_shapes")
    assert run.returncode == 0, run.stderr
    # The file name names the assignment when it can; --assignment covers the rest.
    assert tags(tmp_path / "submitted") == {"alice/00_shapes": "alice", "bob/01_sigmoid": "bob"}
    assert "Placed 2 notebooks of 2 students" in run.stdout and not (tmp_path / "left").exists()


@pytest.mark.parametrize("args, message", [
    (["--pattern", "(?P<name>.*)"], "has no named group (?P<student_id>...)"),
    (["--assignment", "99_nothing"], "99_nothing is not an assignment of this course"),
])
def test_bad_options_are_refused_with_a_reason(tmp_path, args, message):
    archive = make_zip(tmp_path / "a.zip", {"kat/01_sigmoid.ipynb": (notebook("kat"), DAY1)})
    run = backprop_grade("collect", archive, "--out", tmp_path / "submitted", *args)
    assert run.returncode == 2 and message in run.stderr
    assert not (tmp_path / "submitted").exists()


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    (tmp_path / "grades.zip").write_text("not a zip")
    run = backprop_grade("collect", tmp_path / "grades.zip", "--out", tmp_path / "submitted")
    assert run.returncode == 2 and "is not a zip file" in run.stderr


def test_a_missing_zip_is_refused_before_the_slow_imports(tmp_path):
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "autograder", "collect", tmp_path / "LMS.zip",
                          "--out", tmp_path / "submitted"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2
    assert f"{tmp_path / 'LMS.zip'}: no such file. Give the path of the zip of submissions" in run.stderr
    imported = re.findall(r"^import time:.*\| +([\w.]+)$", run.stderr, re.MULTILINE)
    assert "argparse" in imported and not [m for m in imported if m.split(".")[0] in ("nbformat", "nbgrader")]
    assert not (tmp_path / "submitted").exists()


@pytest.mark.parametrize("name, assignment", [
    ("01_sigmoid.ipynb", "01_sigmoid"), ("01_sigmoid (1).ipynb", "01_sigmoid"), ("01_sigmoid-2.ipynb", "01_sigmoid"),
    ("01_Sigmoid_3.ipynb", "01_sigmoid"), ("00_shapes(2).ipynb", "00_shapes"), ("sigmoid.ipynb", None),
    ("01_sigmoid_final.ipynb", None),
])
def test_assignment_from_file_name(name, assignment):
    assert assignment_of(name, KNOWN) == assignment


@pytest.mark.parametrize("raw, safe", [
    ("1234", "1234"), ("jane.doe-2_x", "jane.doe-2_x"), ("José Ñúñez", "Jose_Nunez"), ("a:b,c[d]", "a_b_c_d"),
    ("../etc", "etc"), ("[]", ""),
])
def test_student_ids_become_safe_folder_names(raw, safe):
    assert safe_id(raw) == safe

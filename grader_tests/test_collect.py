"""`backprop-grade collect`: LMS zip downloads sorted into nbgrader's submitted layout, nothing lost,
no student placed as another whatever they name their files, and no zip able to stop or flood it."""
import json
import os
import re
import subprocess
import sys
import warnings
import zipfile

import nbformat
import pytest

from autograder.collect import assignment_of, safe_id
from conftest import ROOT, backprop_grade, read_csv

KNOWN = ["00_shapes", "01_sigmoid", "02_forward_pass"]


def notebook(tag, padding=""):
    """A small notebook whose metadata says which file of the zip it came from."""
    return nbformat.writes(nbformat.v4.new_notebook(metadata={"tag": tag, "padding": padding})).encode()


def make_zip(path, files, folders=(), compression=zipfile.ZIP_DEFLATED):
    """Write `folders` (entry names ending in '/') and `files` ({entry name: (bytes, date_time)}, or a
    list of such pairs to hold one name twice), in that order, into a zip."""
    with zipfile.ZipFile(path, "w", compression) as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns of the duplicate names some tests want
        for folder in folders:
            zf.writestr(zipfile.ZipInfo(folder), b"")
        for name, (data, date_time) in (files.items() if isinstance(files, dict) else files):
            zf.writestr(zipfile.ZipInfo(name, date_time=date_time), data, compression)
    return path


def tags(submitted):
    """{"<student>/<assignment>": tag} of every notebook in nbgrader's layout."""
    found = {}
    for folder in submitted.glob("*/*"):
        assert sorted(p.name for p in folder.iterdir()) == sorted([f"{folder.name}.ipynb", "collect.json"]), folder
        found[f"{folder.parent.name}/{folder.name}"] = nbformat.read(
            folder / f"{folder.name}.ipynb", as_version=4).metadata["tag"]
    return found


def report_of(root):
    """{entry: row} of collect_report.csv (for zips without duplicate names)."""
    return {row["entry"]: row for row in read_csv(root / "collect_report.csv")}


DAY1, DAY2, DAY3 = (2024, 3, 1, 9, 0, 0), (2024, 3, 2, 9, 0, 0), (2024, 3, 3, 9, 0, 0)
LMS_FILES = {
    # Canvas: a resubmission (higher file id, older zip date: the id decides), a late one as older
    # Canvas writes it and one as Canvas writes it now.
    "smithjohn_1234_5001_01_sigmoid.ipynb": (notebook("canvas-first"), DAY3),
    "smithjohn_1234_5002_01_sigmoid-1.ipynb": (notebook("canvas-resubmitted"), DAY1),
    "doejane_LATE_5678_5003_01_sigmoid.ipynb": (notebook("canvas-late"), DAY1),
    "roedick_late_4321_5004_00_shapes.ipynb": (notebook("canvas-late-lowercase"), DAY1),
    # Moodle: a folder per student (with a folder of the student's own in it), and the same flattened.
    "Ada Lovelace_301_assignsubmission_file_/01_sigmoid.ipynb": (notebook("moodle-folder"), DAY1),
    "Grace Murray_303_assignsubmission_file_/my work/02_forward_pass.ipynb": (notebook("moodle-subfolder"), DAY1),
    "Alan Turing_302_assignsubmission_file_01_sigmoid (1).ipynb": (notebook("moodle-flat"), DAY1),
    "Alan Turing_302_assignsubmission_onlinetext_onlinetext.html": (b"<p>see attached</p>", DAY1),
    # Blackboard: two attempts and the attempt's receipt; an assignment name with underscores.
    "Workbook 01_ghopper_attempt_2024-03-02-10-00-00_01_sigmoid.ipynb": (notebook("bb-second"), DAY1),
    "Workbook 01_ghopper_attempt_2024-03-01-10-00-00_01_sigmoid.ipynb": (notebook("bb-first"), DAY3),
    "Workbook 01_ghopper_attempt_2024-03-02-10-00-00.txt": (b"Name: Grace Hopper", DAY1),
    "HW_0_khopper_attempt_2024-03-01-10-00-00_00_shapes.ipynb": (notebook("bb-underscores"), DAY1),
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
    "4321/00_shapes": "canvas-late-lowercase",
    "301/01_sigmoid": "moodle-folder",
    "303/02_forward_pass": "moodle-subfolder",
    "302/01_sigmoid": "moodle-flat",
    "ghopper/01_sigmoid": "bb-second",
    "khopper/00_shapes": "bb-underscores",
    "kat/00_shapes": "plain-shapes",
    "kat/01_sigmoid": "plain-sigmoid",
    "O_Brien_Pat_2/02_forward_pass": "weird-name",
}
NAMES = {"1234": "smithjohn", "5678": "doejane", "4321": "roedick", "301": "Ada Lovelace", "302": "Alan Turing",
         "303": "Grace Murray"}
LATE = {"5678", "4321"}
SUPERSEDED = ["smithjohn_1234_5001_01_sigmoid.ipynb",
              "Workbook 01_ghopper_attempt_2024-03-01-10-00-00_01_sigmoid.ipynb"]
UNPLACED = ["Alan Turing_302_assignsubmission_onlinetext_onlinetext.html",
            "Workbook 01_ghopper_attempt_2024-03-02-10-00-00.txt", "kat/notes.pdf", "kat/homework.ipynb",
            "loose.ipynb", "__MACOSX/kat/._01_sigmoid.ipynb", "Pat Lee/01_sigmoid.ipynb",
            "Pat_Lee/01_sigmoid.ipynb"]


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    root = tmp_path_factory.mktemp("collect")
    archive = make_zip(root / "download.zip", LMS_FILES, folders=["Ada Lovelace_301_assignsubmission_file_/"])
    run = backprop_grade("collect", archive, "--out", root / "submitted")
    assert run.returncode == 0, run.stderr
    return root, run


def test_each_lms_pattern_lands_in_nbgrader_layout(collected):
    root, _ = collected
    assert tags(root / "submitted") == PLACED


def test_the_latest_resubmission_is_kept_and_the_older_reported(collected):
    root, run = collected
    report = report_of(root)
    assert sorted(e for e, row in report.items() if row["outcome"] == "superseded") == sorted(SUPERSEDED)
    assert "1234/01_sigmoid: smithjohn_1234_5001_01_sigmoid.ipynb" in run.stdout
    assert "ghopper/01_sigmoid: Workbook 01_ghopper_attempt_2024-03-01-10-00-00_01_sigmoid.ipynb" in run.stdout


def test_files_that_cannot_be_placed_are_copied_and_listed(collected):
    root, run = collected
    report = report_of(root)
    assert sorted(e for e, row in report.items() if row["outcome"] == "unplaced") == sorted(UNPLACED)
    for entry in UNPLACED:
        assert f"  {entry}: {report[entry]['note']}" in run.stdout
        assert (root / "unplaced" / entry).read_bytes() == LMS_FILES[entry][0]
    assert report["kat/notes.pdf"]["note"] == "not a notebook: notes.pdf"
    assert report["kat/homework.ipynb"]["note"].startswith("homework.ipynb names no known assignment")
    assert report["loose.ipynb"]["note"].startswith("the path matches no file-name pattern")
    assert report["Pat_Lee/01_sigmoid.ipynb"]["note"].startswith(
        'files from "Pat Lee" and "Pat_Lee" would all go to student Pat_Lee; none was placed')


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


def test_the_students_name_and_the_late_marker_are_kept(collected):
    root, run = collected
    for row in read_csv(root / "collect_report.csv"):
        if row["outcome"] in ("placed", "superseded"):
            assert row["name"] == NAMES.get(row["student_id"], ""), row
            assert row["late"] == ("yes" if row["student_id"] in LATE else ""), row
    for folder in (root / "submitted").glob("*/*"):
        student_id = folder.parent.name
        [entry] = [e for e, row in report_of(root).items() if row["destination"] == str(folder / f"{folder.name}.ipynb")]
        assert json.loads((folder / "collect.json").read_text(encoding="utf-8")) == {
            "name": NAMES.get(student_id), "late": student_id in LATE, "entry": entry}
    assert "Placed 11 notebooks of 10 students" in run.stdout and "2 of them marked late" in run.stdout


# Each file a hostile student uploads is named so that the old patterns placed it as (or at least
# attributed it to) another student: "victim" is that student's real file, whose tag must stay placed.
VICTIMS = {
    "victim_1111_1000_01_sigmoid.ipynb": ("1111/01_sigmoid", "canvas-victim"),
    "Victor Tim_2222_assignsubmission_file_/01_sigmoid.ipynb": ("2222/01_sigmoid", "moodle-victim"),
    "Workbook 01_vtim_attempt_2024-03-01-10-00-00_01_sigmoid.ipynb": ("vtim/01_sigmoid", "bb-victim"),
}
HOSTILE = {
    # Blackboard: a second "_attempt_<date>" in the file name, with a later date.
    "Workbook 01_mallory_attempt_2024-03-02-10-00-00_x_vtim_attempt_2099-12-31-23-59-59_01_sigmoid.ipynb":
        ("unplaced", "mallory", "names no known assignment"),
    # Moodle, flattened: a second "_<id>_assignsubmission_file_" in the file name.
    "Mallory Evil_5555_assignsubmission_file_x_2222_assignsubmission_file_01_sigmoid.ipynb":
        ("unplaced", "5555", "names no known assignment"),
    # Moodle, folders: a folder of the student's own named like the victim's.
    "Mallory Evil_5555_assignsubmission_file_/Victor Tim_2222_assignsubmission_file_/01_sigmoid.ipynb":
        ("placed", "5555", ""),
    # Canvas: a file name that reads as Blackboard, and one that reads as Moodle.
    "mallory_6666_7002_x_1111_attempt_2099-12-31-23-59-59_01_sigmoid.ipynb":
        ("unplaced", "", 'reads as Canvas student "6666" and as Blackboard student "1111"'),
    "mallory_6666_7003_x_1111_assignsubmission_file_01_sigmoid.ipynb":
        ("unplaced", "6666", "names no known assignment"),
    # Canvas: backslashes (read as folders) making a Canvas name inside a folder of the attacker's.
    "mallory_6666_7004_\\x_1111_9999_01_sigmoid.ipynb": ("unplaced", "mallory_6666_7004", "names no known"),
    # Canvas: climbing out with '..'.
    "mallory_6666_7005_..\\..\\1111\\01_sigmoid.ipynb": ("unplaced", "", "absolute or has an empty, '.' or '..'"),
    # A file name that would clear the instructor's terminal when printed.
    "mallory_6666_7006_\x1b[2J\x1b[H01_sigmoid.ipynb": ("unplaced", "6666", "names no known assignment"),
}
# Two senders for one student folder: none of their files is placed.
SHARED = {
    "smithjohn_1234_5001_01_sigmoid.ipynb": "canvas-smith",
    "doejane_1234_5002_01_sigmoid.ipynb": "canvas-doe",
    "Ada Lovelace_301_assignsubmission_file_/01_sigmoid.ipynb": "moodle-ada",
    "Eve Adams_301_assignsubmission_file_/01_sigmoid.ipynb": "moodle-eve",
    "HW 1_john_smith_attempt_2024-03-01-10-00-00_01_sigmoid.ipynb": "bb-john-smith",
    "HW 1_jane_smith_attempt_2024-03-02-10-00-00_01_sigmoid.ipynb": "bb-jane-smith",
}
# One sender, late in one assignment and on time in another: one student, both placed.
ONE_SENDER = {"kimlee_4444_6001_00_shapes.ipynb": ("4444/00_shapes", "kim-shapes"),
              "kimlee_late_4444_6002_01_sigmoid.ipynb": ("4444/01_sigmoid", "kim-sigmoid-late")}


HOSTILE_TAGS = {name: f"hostile-{n}" for n, name in enumerate(HOSTILE)}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    files = {name: (notebook(tag), DAY1) for name, (_, tag) in VICTIMS.items()}
    files.update({name: (notebook(HOSTILE_TAGS[name]), DAY3) for name in HOSTILE})
    files.update({name: (notebook(tag), DAY1) for name, tag in SHARED.items()})
    files.update({name: (notebook(tag), DAY1) for name, (_, tag) in ONE_SENDER.items()})
    run = backprop_grade("collect", make_zip(root / "download.zip", files), "--out", root / "submitted")
    assert run.returncode == 0, run.stderr
    return root, run


def test_no_file_name_places_a_file_under_another_student(hostile):
    root, _ = hostile
    placed = tags(root / "submitted")
    for folder, tag in VICTIMS.values():
        assert placed[folder] == tag
    victims = {folder.split("/")[0] for folder, _ in VICTIMS.values()}
    report = report_of(root)
    for name, (outcome, student_id, note) in HOSTILE.items():
        row = report[name]
        assert row["student_id"] not in victims, row
        assert (row["outcome"], row["student_id"]) == (outcome, student_id), row
        assert note in row["note"], row
        if outcome == "placed":  # under the attacker's own id
            assert placed[f"{student_id}/01_sigmoid"] == HOSTILE_TAGS[name]


def test_a_hostile_file_name_cannot_take_over_the_terminal(hostile):
    _, run = hostile
    assert "\x1b" not in run.stdout
    assert r"mallory_6666_7006_\x1b[2J\x1b[H01_sigmoid.ipynb" in run.stdout


def test_files_of_two_senders_for_one_student_are_all_unplaced(hostile):
    root, run = hostile
    report, placed = report_of(root), tags(root / "submitted")
    for name in SHARED:
        assert report[name]["outcome"] == "unplaced", report[name]
        assert "none was placed" in report[name]["note"] and f"  {name}: " in run.stdout
    assert '"HW 1_jane_smith" and "HW 1_john_smith" would all go to student smith' in report[
        "HW 1_john_smith_attempt_2024-03-01-10-00-00_01_sigmoid.ipynb"]["note"]
    assert not {"1234", "301", "smith"} & {folder.split("/")[0] for folder in placed}
    for name, (folder, tag) in ONE_SENDER.items():
        assert placed[folder] == tag


def test_name_conflicts_in_the_zip_are_reported_and_collect_carries_on(tmp_path):
    entries = [
        ("dave/notes", (b"notes", DAY1)),
        ("dave/notes/01_sigmoid.ipynb", (notebook("dave-inside"), DAY1)),
        ("erin/01_sigmoid.ipynb", (notebook("erin-1"), DAY1)),
        ("erin/01_sigmoid.ipynb", (notebook("erin-2"), DAY2)),
        ("/abs/01_sigmoid.ipynb", (notebook("absolute"), DAY1)),
        ("../escape/01_sigmoid.ipynb", (notebook("escape"), DAY1)),
        ("kat/../kat/01_sigmoid.ipynb", (notebook("dotdot"), DAY1)),
        ("ivy/01_sigmoid.ipynb", (notebook("ivy-file"), DAY1)),
        ("ivy/01_sigmoid.ipynb/readme.txt", (b"a folder named like a notebook", DAY1)),
        ("hal/01_sigmoid.ipynb", (notebook("hal"), DAY1)),
        ("jim/" + "a" * 300 + ".txt", (b"a name too long for the disk", DAY1)),
        ("gus\\01_sigmoid.ipynb", (notebook("gus-backslash"), DAY1)),
        ("fay/01_sigmoid.ipynb", (notebook("fay"), DAY1)),
    ]
    archive = make_zip(tmp_path / "odd.zip", entries, folders=["dave/notes/"], compression=zipfile.ZIP_STORED)
    broken = archive.read_bytes().replace(b'"tag": "hal"', b'"tag": "hXl"')  # hal's CRC no longer matches
    assert broken != archive.read_bytes()
    archive.write_bytes(broken)

    run = backprop_grade("collect", archive, "--out", tmp_path / "out" / "submitted")

    assert run.returncode == 0, run.stderr
    assert tags(tmp_path / "out" / "submitted") == {"fay/01_sigmoid": "fay", "gus/01_sigmoid": "gus-backslash"}
    rows = read_csv(tmp_path / "out" / "collect_report.csv")
    assert [row["entry"] for row in rows] == [name for name, _ in entries]
    notes = [(row["outcome"], row["note"]) for row in rows]
    assert notes[0] == ("unplaced", "the zip holds both a file and a folder named dave/notes")
    assert notes[1] == ("unplaced", "the path matches no file-name pattern (add one with --pattern)")
    assert notes[2] == notes[3] == ("unplaced", "the zip holds 2 files named erin/01_sigmoid.ipynb; none was placed")
    for outcome, note in notes[4:7]:
        assert (outcome, note) == ("unplaced", "the path in the zip is absolute or has an empty, '.' or '..' part")
    assert notes[7] == ("unplaced", "the zip holds both a file and a folder named ivy/01_sigmoid.ipynb")
    assert notes[9][0] == "skipped" and notes[9][1].startswith("could not be extracted: BadZipFile: Bad CRC-32")
    assert notes[10][0] == "skipped" and "File name too long" in notes[10][1]
    # Unplaced files keep their paths, renamed where a file and a folder clash, and stay inside unplaced/.
    unplaced = tmp_path / "out" / "unplaced"
    assert [row["destination"] for row in rows[:2]] == [str(unplaced / "dave" / "notes"),
                                                        str(unplaced / "dave" / "notes~2" / "01_sigmoid.ipynb")]
    assert rows[8]["destination"] == str(unplaced / "ivy" / "01_sigmoid~2.ipynb" / "readme.txt")
    assert not (tmp_path / "escape").exists() and not (tmp_path / "out" / "escape").exists()
    assert {p.name for p in unplaced.iterdir()} == {"dave", "erin", "abs", "escape", "kat", "ivy"}
    assert not (tmp_path / "out" / "unplaced" / "hal").exists()  # a broken file leaves nothing behind
    assert "Traceback" not in run.stderr and "Did not extract 2 files:" in run.stdout


def test_extraction_is_capped_and_what_was_skipped_reported(tmp_path):
    filler = {name: notebook(name, os.urandom(300_000).hex()) for name in ["ann", "ben", "cat"]}  # 0.6 MB each
    archive = make_zip(tmp_path / "bomb.zip", {
        "aaa/readme.txt": (os.urandom(200_000).hex().encode(), DAY1),  # 0.4 MB, not a notebook
        "bomb/01_sigmoid.ipynb": (bytes(20_000_000), DAY1),  # 20 MB of zeros in a few KB
        "zeros/01_sigmoid.ipynb": (bytes(5_000_000), DAY1),  # 5 MB of zeros: under --max-file-mb, but a bomb
        **{f"{name}/01_sigmoid.ipynb": (data, DAY1) for name, data in filler.items()},
    })
    assert archive.stat().st_size < 2_000_000  # and 27 MB once extracted

    run = backprop_grade("collect", archive, "--out", tmp_path / "submitted", "--max-file-mb", 10,
                         "--max-total-mb", 1.5)

    assert run.returncode == 0, run.stderr
    report = report_of(tmp_path)
    assert {e: row["outcome"] for e, row in report.items()} == {
        "aaa/readme.txt": "skipped", "bomb/01_sigmoid.ipynb": "skipped", "zeros/01_sigmoid.ipynb": "skipped",
        "ann/01_sigmoid.ipynb": "placed", "ben/01_sigmoid.ipynb": "placed", "cat/01_sigmoid.ipynb": "skipped"}
    assert report["bomb/01_sigmoid.ipynb"]["note"] == (
        "not extracted: 20 MB uncompressed, over the 10 MB a file may have (--max-file-mb)")
    assert re.fullmatch(r"not extracted: compressed \d+ to 1, more than --max-ratio 200 allows \(a zip bomb\?\)",
                        report["zeros/01_sigmoid.ipynb"]["note"])
    for entry in ["aaa/readme.txt", "cat/01_sigmoid.ipynb"]:
        assert report[entry]["note"] == "not extracted: the 1.5 MB the whole zip may expand to (--max-total-mb) were used up"
        assert report[entry]["destination"] == ""
    written = sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file() and p != archive)
    assert written < 1_500_000
    assert "Did not extract 4 files:" in run.stdout and "  bomb/01_sigmoid.ipynb: not extracted: 20 MB" in run.stdout


@pytest.mark.slow
def test_grade_reads_the_late_marker_collect_recorded(tmp_path):
    archive = make_zip(tmp_path / "canvas.zip", {
        "doejane_LATE_5678_5003_01_sigmoid.ipynb": (b"not a notebook", DAY1),
        "smithjohn_1234_5001_01_sigmoid.ipynb": (b"not a notebook", DAY1),
    })
    assert backprop_grade("collect", archive, "--out", tmp_path / "submitted").returncode == 0
    run = backprop_grade("grade", tmp_path / "submitted", "--out", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    rows = read_csv(tmp_path / "out" / "summary.csv")
    assert "late" in rows[0]
    assert {row["student_id"]: (row["status"], row["late"]) for row in rows} == {
        "5678": ("invalid", "yes"), "1234": ("invalid", "")}


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
    (["--max-ratio", "0"], "expected a positive number, got 0"),
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

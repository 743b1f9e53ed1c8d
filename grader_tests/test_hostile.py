"""Hostile submissions: the sandbox holds, honest parts keep their points, the class is graded.

Each student answers 01_sigmoid with the reference, except that one solution cell
(`relu`, worth test_relu's point) also does something hostile. The hostile act
must not raise the score, must cost at most relu's own point (or, for cases that
stop the notebook, the cells after it), and must leave no trace outside. Cheats
come with a wrong relu: a cheat that worked would earn test_relu's point.
"""
import os

import pytest

from autograder import sandbox
from solutions import activations
from autograder.course import SOURCE_DIR, autograded_cells
from conftest import ROOT, backprop_grade, complete_notebook, read_csv, submit

pytestmark = [pytest.mark.slow, pytest.mark.sandbox,
              pytest.mark.skipif(not sandbox.available() and not os.environ.get("CI"),
                                 reason="needs bubblewrap (apt-get install bubblewrap); CI always runs these")]

RELU = "def relu(z):\n    return np.maximum(0.0, np.asarray(z, dtype=float))\n"
WRONG_RELU = "def relu(z):\n    return np.abs(z)\n"
HIDDEN = [SOURCE_DIR, ROOT / "solutions", ROOT / "grader_tests", ROOT / ".git"]
ATTACKS = {
    # reading what must stay hidden: the master notebooks with the hidden tests, the reference
    # package, the grader's tests (the catalogue of answers) and the repository's history
    "read-hidden": f"import os\nfor path in {list(map(str, HIDDEN))!r}:\n"
                   "    assert not os.path.exists(path) or os.listdir(path) == [], path + ' is visible'\n",
    # reaching the network
    "network": "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 53), timeout=3)\n"
               "    raise AssertionError('network reachable')\nexcept OSError:\n    pass\n",
    # writing outside its own folder
    "write-outside": f"try:\n    open({str(SOURCE_DIR.parent / 'pwned.txt')!r}, 'w')\n"
                     "    raise AssertionError('wrote outside its folder')\nexcept OSError:\n    pass\n",
    # a memory bomb: stopped by the memory limit, the rest of the notebook carries on
    "memory-bomb": "try:\n    hog = bytearray(8 * 2**30)\nexcept MemoryError:\n    pass\n",
    # a flood of disk writes: the private TMPDIR, its working folder, is a 256 MB tmpfs
    "disk-flood": "import os, tempfile\nfiles = 0\ntry:\n    for i in range(100):\n"
                  "        with open(os.path.join(tempfile.gettempdir(), f'flood{i}'), 'wb') as f:\n"
                  "            f.write(bytes(2**26))\n        files += 1\nexcept OSError:\n    pass\n"
                  "assert files < 5, f'wrote {files} files of 64 MB'\n",
    # a flood of output
    "output-flood": "for i in range(300_000):\n    print('spam spam spam spam spam spam', i)\n",
    # many processes, left running
    "fork-many": "import subprocess\nchildren = []\ntry:\n    for i in range(500):\n"
                 "        children.append(subprocess.Popen(['sleep', '600']))\nexcept OSError:\n    pass\n",
    # overriding how errors are shown (nbgrader #1324)
    "hide-tracebacks": "from IPython import get_ipython\nget_ipython().showtraceback = lambda *a, **k: None\n"
                       "raise RuntimeError('this error must still cost the relu point')\n",
}
# Cases whose hostile act is harmless to the honest code keep every point.
FULL_MARKS = {"read-hidden", "network", "write-outside", "memory-bomb", "disk-flood", "output-flood", "fork-many"}
# Cheats: none may earn relu's point, which only a right relu earns.
CHEATS = {
    "patch-numpy": "import numpy\nnumpy.allclose = numpy.array_equal = lambda *a, **k: True\n"
                   "numpy.isclose = lambda a, b, *r, **k: numpy.ones(numpy.shape(a), bool)\n"
                   "numpy.testing.assert_allclose = numpy.testing.assert_array_equal = lambda *a, **k: None\n"
                   + WRONG_RELU,
    "patch-builtins": "import builtins\nbuiltins.all = lambda *a: True\nbuiltins.any = lambda *a: False\n" + WRONG_RELU,
    "redefine-helpers": "import workbook_tools.checks.asserts as A, workbook_tools.checks.activations as C\n"
                        "for module in (A, C):\n    for name in dir(module):\n"
                        "        if callable(getattr(module, name)) and not name.startswith('_') and name != 'Hint':\n"
                        "            setattr(module, name, lambda *a, **k: None)\n" + WRONG_RELU,
    "import-reference": "from solutions.activations import relu as reference_relu\nrelu = reference_relu\n",
    "reference-by-path": f"import runpy\nrelu = runpy.run_path({activations.__file__!r})['relu']\n",
}


def test_hostile_submissions(tmp_path):
    submitted = tmp_path / "submitted"
    for student, attack in ATTACKS.items():
        submit(submitted, student, "01_sigmoid", complete_notebook("01_sigmoid", relu=attack + RELU))
    for student, cheat in CHEATS.items():
        submit(submitted, student, "01_sigmoid", complete_notebook("01_sigmoid", relu=cheat))

    run = backprop_grade("grade", submitted, "--out", tmp_path / "out", "--jobs", 2, "--timeout", 300)

    assert run.returncode == 0, run.stderr
    rows = {row["student_id"]: row for row in read_csv(tmp_path / "out" / "summary.csv")}
    grades = read_csv(tmp_path / "out" / "grades.csv")
    total = sum(points for _, points in autograded_cells("01_sigmoid"))
    for student in ATTACKS:
        assert rows[student]["status"] == "graded", (student, rows[student]["message"])
        lost = {r["grade_id"] for r in grades if r["student_id"] == student and r["score"] != r["max_score"]}
        expected = set() if student in FULL_MARKS else {"test_relu"}
        assert lost == expected, (student, lost)
        assert float(rows[student]["score"]) == total - (0 if student in FULL_MARKS else 1)
    for student in CHEATS:  # a cheat may break its own kernel further, but never earns a point
        assert rows[student]["status"] == "graded", (student, rows[student]["message"])
        relu = [r for r in grades if r["student_id"] == student and r["grade_id"] == "test_relu"]
        assert float(relu[0]["score"]) == 0, student
        assert float(rows[student]["score"]) <= total - 1, student
    assert not (SOURCE_DIR.parent / "pwned.txt").exists()
    flood = (tmp_path / "out" / "feedback" / "output-flood" / "01_sigmoid" / "01_sigmoid.html").stat().st_size
    assert flood < 2_000_000
    assert not [p for p in __import__("psutil").process_iter(["cmdline"])
                if p.info["cmdline"] and p.info["cmdline"][:2] == ["sleep", "600"]]


NAIVE_SIGMOID = "def sigmoid(z):\n    return np.exp(z) / (1 + np.exp(z))\n"
ORDER = [grade_id for grade_id, _ in autograded_cells("01_sigmoid")]
BEFORE_RELU = set(ORDER[:ORDER.index("test_relu")])  # graded before a kernel that dies in relu's cell


def _edit_cell(nb, grade_id, change):
    [cell] = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    change(nb, cell)
    return nb


def _split(nb, grade_id):
    """Split a cell in two at its middle line, as JupyterLab does: both halves keep the metadata."""
    import copy
    [cell] = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    lines = cell.source.splitlines(True)
    second = copy.deepcopy(cell)
    cell.source, second.source = "".join(lines[:len(lines) // 2]), "".join(lines[len(lines) // 2:])
    nb.cells.insert(nb.cells.index(cell) + 1, second)
    return nb


def _moved_to_end(nb, grade_ids):
    moved = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") in grade_ids]
    nb.cells = [c for c in nb.cells if c not in moved] + moved
    return nb


def _tampered():
    """{student: (notebook or bytes, expected status, test cells expected to lose points)}."""
    import copy
    import json

    naive = lambda: complete_notebook("01_sigmoid", sigmoid=NAIVE_SIGMOID)  # noqa: E731
    everything = {g for g, _ in autograded_cells("01_sigmoid")}
    v3 = json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""}, "worksheets": [{
        "metadata": {}, "cells": [{"cell_type": "code", "collapsed": False, "input": "relu = abs",
                                   "language": "python", "metadata": {}, "outputs": []}]}]})
    return {
        # test cells edited, deleted, duplicated; grade ids and points changed in the metadata
        "edited-test": (_edit_cell(naive(), "test_sigmoid_stability", lambda nb, c: setattr(c, "source", "pass")),
                        "graded", {"test_sigmoid_stability"}),
        "deleted-test": (_edit_cell(naive(), "test_sigmoid_stability", lambda nb, c: nb.cells.remove(c)),
                         "graded", {"test_sigmoid_stability"}),
        "split-test": (_split(naive(), "test_sigmoid_stability"), "graded", {"test_sigmoid_stability"}),
        "duplicated-test": (_edit_cell(complete_notebook("01_sigmoid"), "test_relu",
                                       lambda nb, c: nb.cells.insert(nb.cells.index(c), copy.deepcopy(c))),
                            "graded", set()),
        "renamed-grade-id": (_edit_cell(naive(), "test_sigmoid_stability",
                                        lambda nb, c: c.metadata.nbgrader.update(grade_id="mine")),
                             "graded", {"test_sigmoid_stability"}),
        "more-points": (_edit_cell(complete_notebook("01_sigmoid"), "test_relu",
                                   lambda nb, c: c.metadata.nbgrader.update(points=100)), "graded", set()),
        # a notebook from another assignment, and an unknown kernel
        "other-assignment": (complete_notebook("00_shapes"), "wrong-assignment", everything),
        "unknown-kernel": (_edit_cell(complete_notebook("01_sigmoid"), "setup",
                                      lambda nb, c: nb.metadata.kernelspec.update(name="no-such-kernel")),
                           "graded", set()),
        # formats
        "empty-file": (b"", "invalid", everything),
        "not-utf8": (b"\xff\xfe{\x00 \x00}", "invalid", everything),
        # hangs and crashes inside one cell
        "busy-loop": (complete_notebook("01_sigmoid", relu="while True:\n    pass\n"), "graded", {"test_relu"}),
        "long-sleep": (complete_notebook("01_sigmoid", relu="import time\ntime.sleep(10**6)\n"), "graded",
                       {"test_relu"}),
        "system-exit": (complete_notebook("01_sigmoid", relu="raise SystemExit(3)\n"), "graded", {"test_relu"}),
        "segfault": (complete_notebook("01_sigmoid", relu="import ctypes\nctypes.string_at(0)\n"), "crashed",
                     everything - BEFORE_RELU),
        "os-exit": (complete_notebook("01_sigmoid", relu="import os\nos._exit(1)\n"), "crashed", everything - BEFORE_RELU),
        # what the kernel sees when the system kills it for memory
        "oom-killed": (complete_notebook("01_sigmoid", relu="import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"),
                       "crashed", everything - BEFORE_RELU),
        # hard-coding the visible checks' answers does not pass the hidden tests
        "hard-coded": (complete_notebook("01_sigmoid", relu="def relu(z):\n    return np.array([[0.0, 0.0], [0.5, 3.0]])\n"),
                       "graded", {"test_relu"}),
        "nbformat-3": (v3.encode(), "wrong-assignment", everything),
        # sigmoid's tests moved after test_sigmoid_derivative, where the reference sigmoid stood in for
        # the student's during the calls: it must not linger and grade the student's sigmoid
        "reordered-tests": (_moved_to_end(complete_notebook("01_sigmoid", sigmoid="def sigmoid(z):\n    return z\n"),
                                          ["test_sigmoid", "test_sigmoid_stability"]),
                            "graded", {"test_sigmoid", "test_sigmoid_stability"}),
    }


def test_tampered_broken_and_hanging_submissions(tmp_path):
    cases = _tampered()
    for student, (notebook, _, _) in cases.items():
        submit(tmp_path / "submitted", student, "01_sigmoid", notebook)
    (tmp_path / "submitted" / "more-points" / "01_sigmoid" / "notes.ipynb").write_text("{}")  # an extra notebook

    run = backprop_grade("grade", tmp_path / "submitted", "--out", tmp_path / "out", "--jobs", 2, "--timeout", 300)

    assert run.returncode == 0, run.stderr
    rows = {row["student_id"]: row for row in read_csv(tmp_path / "out" / "summary.csv")}
    grades = read_csv(tmp_path / "out" / "grades.csv")
    for student, (_, status, lost) in cases.items():
        assert rows[student]["status"] == status, (student, rows[student]["message"])
        assert rows[student]["message"] or status == "graded"
        mine = [r for r in grades if r["student_id"] == student]
        assert [r["grade_id"] for r in mine] == [g for g, _ in autograded_cells("01_sigmoid")]
        assert {r["grade_id"] for r in mine if r["score"] != r["max_score"]} == lost, student


# Hostile answers to the questions with one right answer: each costs its own question, nothing else.
HOSTILE_ANSWERS = {  # student: (solution cell, its source, the test cell that loses, its hint's start)
    "long-text": ("board_backward", "wrong_lines = '9' * 5000\ngradient_factor = 0.2256\n",
                  "test_board_backward", "Hint: wrong_lines is a text of 5000 characters"),
    "huge-number": ("board_forward", "wrong_steps = {2, 4, 6, 7}\ncorrect_cost = 10 ** 400\n",
                    "test_board_forward", "Hint: correct_cost = inf is no answer"),
    "nan": ("board_forward", "wrong_steps = {2, 4, 6, 7}\ncorrect_cost = float('nan')\n",
            "test_board_forward", "Hint: correct_cost = nan is no answer"),
    "odd-set": ("board_backward", "wrong_lines = {(7, 8), 'x', 2.5}\ngradient_factor = 0.2256\n",
                "test_board_backward", "Hint: wrong_lines = "),
}


def test_hostile_answers_cost_only_their_question(tmp_path):
    for student, (cell, source, _, _) in HOSTILE_ANSWERS.items():
        submit(tmp_path / "submitted", student, "04_backprop", complete_notebook("04_backprop", **{cell: source}))

    run = backprop_grade("grade", tmp_path / "submitted", "--out", tmp_path / "out", "--jobs", 2, "--timeout", 300)

    assert run.returncode == 0, run.stderr
    rows = {row["student_id"]: row for row in read_csv(tmp_path / "out" / "summary.csv")}
    grades = read_csv(tmp_path / "out" / "grades.csv")
    for student, (_, _, test, hint) in HOSTILE_ANSWERS.items():
        assert rows[student]["status"] == "graded", rows[student]
        lost = {r["grade_id"]: r["message"] for r in grades
                if r["student_id"] == student and r["score"] != r["max_score"]}
        assert set(lost) == {test}, (student, lost)
        assert lost[test].startswith(hint), (student, lost)

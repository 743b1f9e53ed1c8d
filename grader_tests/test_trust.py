"""Issue #12's proof: nothing the kernel says counts, except the plain data its functions return.

Every class of attack on the grader is tried twice in 01_sigmoid: from the blank workbook, which
must stay at 0, and from an honest submission with one mistake (a wrong relu), which must keep
exactly its points (everything but test_relu). The attack sits in a cell of its own right after
the setup cell, so it is in force for every test cell.
"""
import copy
import inspect
import json
import re

import nbformat
import pytest

from autograder import sandbox
from autograder.course import autograded_cells
from conftest import backprop_grade, complete_notebook, read_csv, release_notebook, submit
from solutions import activations

pytestmark = [pytest.mark.slow, pytest.mark.sandbox,
              pytest.mark.skipif(not sandbox.available() and not __import__("os").environ.get("CI"),
                                 reason="needs bubblewrap (apt-get install bubblewrap); CI always runs these")]

WRONG_RELU = "def relu(z):\n    return np.abs(z)\n"
ATTACKS = {
    # hooks that emit outputs or results into every cell, test cells included
    "pre-run-displayhook": "get_ipython().events.register('pre_run_cell', "
                           "lambda *a: get_ipython().displayhook('ok'))\n",
    "post-run-outputs": "from IPython.display import display\n"
                        "def _after(result):\n    print('passed')\n    display({'text/plain': '13'}, raw=True)\n"
                        "    get_ipython().displayhook('full marks')\n"
                        "get_ipython().events.register('post_run_cell', _after)\n",
    "displayhook-replaced": "import sys\nclass Hook:\n    def __call__(self, value):\n        print('ok')\n"
                            "sys.displayhook = Hook()\nget_ipython().displayhook.finish_displayhook = lambda: None\n",
    "stdout-replaced": "import sys, io\nclass Out(io.StringIO):\n    def write(self, text):\n"
                       "        return sys.__stdout__.write('passed ' + text)\nsys.stdout = sys.stderr = Out()\n",
    # the visible checks and their helpers patched in the kernel
    "patched-checks": "import workbook_tools.checks.asserts as A, workbook_tools.checks.activations as C\n"
                      "for module in (A, C):\n    for name in dir(module):\n"
                      "        if callable(getattr(module, name)) and not name.startswith('__'):\n"
                      "            setattr(module, name, lambda *a, **k: 'ok')\ncheck = C\n",
    # a kernel whose every execute reply says ok, and that never shows an error
    # the kernel's end of the protocol patched to answer names the test did not ask for
    "names-injected": "import sys\ndef _patch(*args):\n    wire = sys.modules.get('backprop_wire')\n"
                      "    if wire and not hasattr(wire, 'patched'):\n        lookup = wire._lookup\n"
                      "        def more(namespace, names):\n            answer = lookup(namespace, names)\n"
                      "            for name in ('range', 'len', 'float', 'np', 'check', 'agrees', 'expect', 'ref'):\n"
                      "                answer['names'][name] = {'value': {'list': []}}\n            return answer\n"
                      "        wire._lookup, wire.patched = more, True\n"
                      "get_ipython().events.register('pre_run_cell', _patch)\n",
    "replies-ok": "import asyncio\nkernel = get_ipython().kernel\n_execute = kernel.do_execute\n"
                  "async def do_execute(*args, **kwargs):\n    reply = _execute(*args, **kwargs)\n"
                  "    if asyncio.iscoroutine(reply):\n        reply = await reply\n"
                  "    return {**reply, 'status': 'ok'}\nkernel.do_execute = do_execute\n"
                  "get_ipython().showtraceback = lambda *a, **k: None\n",
}
# A student cell that carries hidden-test markers is the student's code: the grader never runs it.
HIDDEN_BLOCK = "### BEGIN HIDDEN TESTS\ntry:\n    open({proof!r}, 'w').write('the grader ran it')\n" \
               "except OSError:\n    pass\n### END HIDDEN TESTS\n"
# Everything the kernel is sent or runs, recorded and printed into the feedback at the end.
CAPTURE = ("import gc\n_seen = []\nget_ipython().events.register('pre_run_cell', lambda info: _seen.append(info.raw_cell))\n")
CAPTURE_REPORT = ("import sys, inspect, gc, glob, os\n"
                  "print('FILES:', {p: open(p, errors='replace').read() for p in glob.glob('**/*.ipynb', recursive=True)\n"
                  "      + glob.glob('/tmp/**/*.ipynb', recursive=True)}, os.getcwd())\n"
                  "wire = sys.modules.get('backprop_wire')\n"
                  "print('CELLS:', _seen)\nprint('HISTORY:', In)\n"
                  "print('FUNCTIONS:', [inspect.getsource(f) for f in gc.get_objects()\n"
                  "      if inspect.isfunction(f) and f.__module__ not in (None, '__main__')\n"
                  "      and 'solutions' in (inspect.getfile(f) or '')])\n")


def _malformed():
    """{name: change(notebook)}: each kind of metadata of the wrong type."""
    def on_cell(grade_id, change):
        def apply(nb):
            [cell] = [c for c in nb.cells if isinstance(c.metadata.get("nbgrader"), dict)
                      and c.metadata.nbgrader.get("grade_id") == grade_id]
            change(cell)
        return apply
    return {
        "nbgrader-a-string": on_cell("test_relu", lambda c: c.metadata.update(nbgrader="x")),
        "grade-id-a-list": on_cell("test_relu", lambda c: c.metadata.nbgrader.update(grade_id=["test_relu"])),
        "points-a-string": on_cell("test_logit", lambda c: c.metadata.nbgrader.update(points="100")),
        "solution-a-string": on_cell("relu", lambda c: c.metadata.nbgrader.update(solution="yes")),
        "locked-and-points": on_cell("test_relu", lambda c: c.metadata.nbgrader.update(locked=False, points=50)),
        "cell-id-a-list": on_cell("test_sigmoid", lambda c: c.update(id=["x"])),
        "kernelspec-a-string": lambda nb: nb.metadata.update(kernelspec="python3"),
        "language-info-a-number": lambda nb: nb.metadata.update(language_info=5),
    }


def _with_cell(nb, source):
    nb = copy.deepcopy(nb)
    nb.cells.insert(2, nbformat.v4.new_code_cell(source))
    return nb


def _submissions(proof):
    """{student: notebook}: each attack from a blank ('blank-...') and from an honest submission."""
    starts = {"blank": release_notebook("01_sigmoid"),
              "honest": complete_notebook("01_sigmoid", relu=WRONG_RELU)}
    notebooks = {}
    for start, nb in starts.items():
        for name, attack in ATTACKS.items():
            notebooks[f"{start}-{name}"] = _with_cell(nb, attack)
        notebooks[f"{start}-hidden-block"] = _with_cell(nb, HIDDEN_BLOCK.format(proof=str(proof)))
        captured = _with_cell(nb, CAPTURE)
        captured.cells.append(nbformat.v4.new_code_cell(CAPTURE_REPORT))
        notebooks[f"{start}-capture"] = captured
        for name, change in _malformed().items():
            notebooks[f"{start}-{name}"] = copy.deepcopy(nb)
            change(notebooks[f"{start}-{name}"])
    return notebooks


def _reference_code_lines():
    """The code lines of the reference sigmoid, which 01's tests stand in (its docstring left out)."""
    source = inspect.getsource(activations.sigmoid).split('"""')[-1]
    lines = [line.strip() for line in source.splitlines() if len(line.strip()) > 12]
    assert lines
    return lines


def test_no_attack_on_the_grader_earns_a_point(tmp_path):
    proof = tmp_path / "written-by-the-grader"
    notebooks = _submissions(proof)
    for student, nb in notebooks.items():
        submit(tmp_path / "submitted", student, "01_sigmoid", json.dumps(nb).encode())  # as written, valid or not

    run = backprop_grade("grade", tmp_path / "submitted", "--out", tmp_path / "out", "--jobs", 2, "--timeout", 300)

    assert run.returncode == 0, run.stderr
    rows = {row["student_id"]: row for row in read_csv(tmp_path / "out" / "summary.csv")}
    grades = read_csv(tmp_path / "out" / "grades.csv")
    cells = [g for g, _ in autograded_cells("01_sigmoid")]
    total = sum(points for _, points in autograded_cells("01_sigmoid"))
    for student in notebooks:
        row = rows[student]
        assert row["status"] in ("graded", "invalid"), (student, row)
        if student.startswith("blank-"):
            assert float(row["score"]) == 0, (student, row)
        else:
            assert row["status"] == "graded", (student, row)
            lost = {r["grade_id"] for r in grades if r["student_id"] == student and r["score"] != r["max_score"]}
            assert lost == {"test_relu"}, (student, lost)
            assert float(row["score"]) == total - 1, (student, row)
        assert [r["grade_id"] for r in grades if r["student_id"] == student] == cells
    assert not proof.exists()
    for start in ("blank", "honest"):  # the kernel printed all it was sent: no hidden test, no reference
        page = (tmp_path / "out" / "feedback" / f"{start}-capture" / "01_sigmoid" / "01_sigmoid.html").read_text()
        assert "CELLS:" in page and "FUNCTIONS:" in page
        outputs = _outputs(tmp_path / "out" / "autograded" / f"{start}-capture" / "01_sigmoid" / "01_sigmoid.ipynb")
        assert "backprop_wire" in outputs  # it did capture what the grader ran in it
        assert "BEGIN HIDDEN TESTS" not in outputs and "default_rng(105)" not in outputs
    blank = _outputs(tmp_path / "out" / "autograded" / "blank-capture" / "01_sigmoid" / "01_sigmoid.ipynb")
    for line in _reference_code_lines():  # (the honest notebook holds its own sigmoid, much like the reference)
        assert line not in blank, line


def test_malformed_metadata_is_reported_with_its_own_row(tmp_path):
    honest = complete_notebook("01_sigmoid", relu=WRONG_RELU)
    change = _malformed()["nbgrader-a-string"]
    change(honest)
    submit(tmp_path / "submitted", "malformed", "01_sigmoid", json.dumps(honest).encode())
    submit(tmp_path / "submitted", "fine", "01_sigmoid", complete_notebook("01_sigmoid"))

    run = backprop_grade("grade", tmp_path / "submitted", "--out", tmp_path / "out", "--timeout", 300)

    assert run.returncode == 0, run.stderr
    rows = {row["student_id"]: row for row in read_csv(tmp_path / "out" / "summary.csv")}
    assert rows["fine"]["status"] == "graded" and rows["fine"]["score"] == rows["fine"]["max_score"]
    assert rows["malformed"]["status"] == "graded"
    assert re.search(r"cell \d+'s nbgrader metadata named no cell", rows["malformed"]["message"])


def _outputs(path):
    """The text of every output of a notebook."""
    nb = json.loads(path.read_text())
    return json.dumps([c.get("outputs", []) for c in nb["cells"]])



LOOPY = ("def preactivations(X, W, b):\n    Z = np.zeros((X.shape[0], W.shape[1]))\n"
         "    for n in range(X.shape[0]):\n        Z[n] = X[n] @ W + b\n    return Z\n")
VECTORISED = "def preactivations(X, W, b):\n    return X @ W + b\n"
HIDDEN_LOOPS = {  # a looping preactivations (right values), and a vectorised def the grader might be shown instead
    "decorated": "def _swap(f):\n    return loopy\n" + LOOPY.replace("preactivations", "loopy") + "@_swap\n" + VECTORISED,
    "globals": LOOPY.replace("preactivations", "loopy") + VECTORISED + "globals()['preactivations'] = loopy\n",
    "failed-cell": LOOPY + "1 / 0\n" + VECTORISED,
    "cell-magic": VECTORISED + "get_ipython().run_cell_magic('capture', '', " + repr(LOOPY) + ")\n",
}


def test_a_loop_cannot_hide_from_the_form_rule(tmp_path):
    """Each way of showing the grader a vectorised def while the kernel calls a loop costs
    exactly the no-loop point; so does a vectorised def in a cell the grader skips."""
    cases = {name: complete_notebook("00_shapes", preactivations=code) for name, code in HIDDEN_LOOPS.items()}
    skipped = complete_notebook("00_shapes", preactivations=LOOPY)
    [cell] = [c for c in skipped.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "preactivations"]
    hidden = nbformat.v4.new_code_cell(VECTORISED, metadata={"tags": ["skip-when-grading"]})
    skipped.cells.insert(skipped.cells.index(cell) + 1, hidden)
    cases["skipped-cell"] = skipped
    cases["control-vectorised"] = complete_notebook("00_shapes", preactivations=VECTORISED)
    for student, nb in cases.items():
        submit(tmp_path / "submitted", student, "00_shapes", nb)

    run = backprop_grade("grade", tmp_path / "submitted", "--out", tmp_path / "out", "--jobs", 2, "--timeout", 300)

    assert run.returncode == 0, run.stderr
    grades = read_csv(tmp_path / "out" / "grades.csv")
    for student in cases:
        lost = {r["grade_id"] for r in grades if r["student_id"] == student and r["score"] != r["max_score"]}
        assert lost == (set() if student.startswith("control") else {"test_preactivations_no_loop"}), (student, lost)


def test_a_submission_cannot_change_the_tests_of_the_next(tmp_path):
    """A forward that writes into the arrays the checks pass it (their own data), graded just
    before an honest submission by the same worker, changes nothing for the honest one."""
    vandal = ("def forward(X, params):\n    result = _given_forward(X, params)\n    X[...] = 0\n"
              "    for value in params.values():\n        value[...] = 7\n    return result\n")
    nb = complete_notebook("04_backprop")
    [given] = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "given_functions"]
    nb.cells.insert(nb.cells.index(given) + 1,
                    nbformat.v4.new_code_cell("_given_forward = forward\n" + vandal))
    submit(tmp_path / "submitted", "a-vandal", "04_backprop", nb)
    submit(tmp_path / "submitted", "b-honest", "04_backprop", complete_notebook("04_backprop"))

    run = backprop_grade("grade", tmp_path / "submitted", "--out", tmp_path / "out", "--jobs", 1, "--timeout", 300)

    assert run.returncode == 0, run.stderr
    rows = {row["student_id"]: row for row in read_csv(tmp_path / "out" / "summary.csv")}
    assert rows["b-honest"]["score"] == rows["b-honest"]["max_score"], rows["b-honest"]
    assert float(rows["a-vandal"]["score"]) < float(rows["a-vandal"]["max_score"])  # it did corrupt its own


# The kernel's socket folder (its connection file's), which the kernel owns inside its sandbox.
SOCKET_FOLDER = "import os, sys\n_folder = os.path.dirname([a for a in sys.argv if a.endswith('.json')][0])\n"
SPOILERS = {
    "a1-read-only": SOCKET_FOLDER + "os.chmod(_folder, 0o500)\n",
    # a default access list: every file made there later, the next kernel's sockets too, has mode 000
    "a2-default-acl": SOCKET_FOLDER + "import struct\nos.setxattr(_folder, 'system.posix_acl_default', "
                      "struct.pack('<I', 2) + b''.join(struct.pack('<HHI', tag, 0, 2**32 - 1) for tag in (1, 4, 32)))\n",
    "a3-deep-folders": SOCKET_FOLDER + "os.chdir(_folder)\n"
                       "for _ in range(3000):\n    os.mkdir('d')\n    os.chdir('d')\n",
}


def test_a_kernel_cannot_spoil_the_socket_folder_of_the_next(tmp_path):
    """A kernel that makes its socket folder read-only, gives it a default access list that
    shuts everyone out of the files made there, or leaves folders nested deeper than Python's
    recursion limit, spoils nothing, neither its own grading nor that of the next submissions
    the same worker grades: each of them, honest, earns full marks."""
    honest = complete_notebook("01_sigmoid")
    for student, attack in SPOILERS.items():  # in the last cell: the spoiler's own tests have run
        spoiler = copy.deepcopy(honest)
        spoiler.cells.append(nbformat.v4.new_code_cell(attack))
        submit(tmp_path / "submitted", student, "01_sigmoid", spoiler)
    submit(tmp_path / "submitted", "b-honest", "01_sigmoid", honest)

    run = backprop_grade("grade", tmp_path / "submitted", "--out", tmp_path / "out", "--jobs", 1, "--timeout", 300)

    assert run.returncode == 0, run.stderr
    rows = {row["student_id"]: row for row in read_csv(tmp_path / "out" / "summary.csv")}
    for student in [*SPOILERS, "b-honest"]:  # graded in this order, one after the other
        assert rows[student]["status"] == "graded", rows[student]
        assert rows[student]["score"] == rows[student]["max_score"], rows[student]

"""What a student sees when a workbook's visible checks run, in a real kernel on the release notebooks.

A passing check prints one line (the function, that the visible checks passed, that more tests
run at grading); a failing one shows `Hint: ...` alone, nothing of the checks' code; a blank
exercise stops with a NotImplementedError that names the function still to write. Outside a
notebook (the grader runs the same checks, autograder/referee.py) a passing check prints nothing.
"""
import ast
import re

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.course import WORKBOOKS_DIR, assignments, nbgrader_meta
from conftest import complete_notebook, release_notebook
from solutions import activations as ref
from workbook_tools.checks import activations
from workbook_tools.checks.asserts import passed_line

ANSI = re.compile(r"\x1b\[[0-9;]*m")
VISIBLE_CHECK = re.compile(r"^check\.(\w+)\((\w+)", re.MULTILINE)
STUB = re.compile(r'raise NotImplementedError\("(\w+) is not written yet: replace this line with your code"\)')
# A mistake of the catalogue, whose hint the check gives.
PRECEDENCE = "def sigmoid_naive(z):\n    return np.exp(z) / 1 + np.exp(z)\n"


def executed(nb):
    """The notebook `nb` run top to bottom in a fresh kernel, errors and all, from workbooks/."""
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(WORKBOOKS_DIR)}}).execute()
    return nb


def graded_cells(nb):
    """{grade_id: cell} of the notebook's autograded test cells."""
    return {nbgrader_meta(cell)["grade_id"]: cell for cell in nb.cells
            if nbgrader_meta(cell).get("grade") and not nbgrader_meta(cell).get("solution")}


def visible_checks(cell):
    """[(check name, the student's function or first answer it checks)] of a test cell."""
    return VISIBLE_CHECK.findall(cell.source)


@pytest.fixture(scope="module")
def sigmoid_workbook():
    """01_sigmoid answered with the reference, but sigmoid_naive wrong and logit left blank."""
    [blank] = [c for c in release_notebook("01_sigmoid").cells if nbgrader_meta(c).get("grade_id") == "logit"]
    nb = complete_notebook("01_sigmoid", sigmoid_naive=PRECEDENCE, logit=blank.source)
    return graded_cells(executed(nb))


def test_a_passing_check_prints_one_line_naming_its_function(sigmoid_workbook):
    [output] = sigmoid_workbook["test_odds_to_probability"].outputs
    assert (output.output_type, output.name) == ("stream", "stdout")
    assert output.text == ("✓ odds_to_probability: the visible checks passed. "
                           "More tests run when your work is graded.\n")
    [output] = sigmoid_workbook["test_sigmoid_stability"].outputs
    assert output.text == ("✓ sigmoid (stability): the visible checks passed. "
                           "More tests run when your work is graded.\n")


def test_a_failing_check_shows_its_hint_alone(sigmoid_workbook):
    [output] = sigmoid_workbook["test_sigmoid_naive"].outputs
    assert (output.output_type, output.ename) == ("error", "Hint")
    assert output.evalue.startswith("sigmoid_naive(0) is 2, not 0.5, a matter of parentheses")
    assert [ANSI.sub("", line) for line in output.traceback] == [f"Hint: {output.evalue}"]


def test_a_blank_exercise_stops_with_the_name_of_the_function_to_write(sigmoid_workbook):
    [output] = sigmoid_workbook["test_logit"].outputs
    assert (output.output_type, output.ename) == ("error", "NotImplementedError")
    assert output.evalue == "logit is not written yet: replace this line with your code"


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", assignments())
def test_every_visible_check_says_it_passed_on_the_reference(assignment_id):
    nb = executed(complete_notebook(assignment_id))
    functions = {n.name for c in nb.cells if c.cell_type == "code"
                 for n in ast.parse(c.source).body if isinstance(n, ast.FunctionDef)}
    for grade_id, cell in graded_cells(nb).items():
        [(check, checked)] = visible_checks(cell)
        named = checked if checked in functions else check  # a question's answers: the question
        printed = [o for o in cell.outputs if o.output_type == "stream" and o.name == "stdout"]
        assert printed == cell.outputs, grade_id  # nothing but what it printed (one line, maybe in two parts)
        assert "".join(o.text for o in printed) == passed_line(check, named) + "\n", grade_id


@pytest.mark.parametrize("assignment_id", assignments())
def test_every_stub_names_the_function_it_stands_in_for(assignment_id):
    stubs = 0
    for cell in release_notebook(assignment_id).cells:
        if cell.cell_type == "code" and nbgrader_meta(cell).get("solution"):
            definitions = [n.name for n in ast.parse(cell.source).body if isinstance(n, ast.FunctionDef)]
            named = definitions or [nbgrader_meta(cell)["grade_id"]]  # an answer cell: its question
            assert STUB.findall(cell.source) == named, cell.source
            assert "NotImplementedError()" not in cell.source
            stubs += 1
    assert stubs


@pytest.mark.parametrize("assignment_id", assignments())
def test_every_check_a_workbook_calls_is_a_visible_check(assignment_id):
    """What the slow test proves in a kernel, for each check: it is wrapped to say it passed."""
    nb = nbformat.read(WORKBOOKS_DIR / f"{assignment_id}.ipynb", as_version=4)
    [setup] = [c.source for c in nb.cells if nbgrader_meta(c).get("grade_id") == "setup"]
    namespace = {}
    exec(setup, namespace)
    for cell in graded_cells(nb).values():
        for check, _ in visible_checks(cell):
            assert hasattr(getattr(namespace["check"], check), "__wrapped__"), check


def test_outside_a_notebook_a_passing_check_prints_nothing(capsys):
    activations.sigmoid(ref.sigmoid)
    activations.sigmoid_stability(ref.sigmoid)
    assert capsys.readouterr() == ("", "")

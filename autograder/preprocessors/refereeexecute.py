"""ProgressExecute, with every test cell run by the referee in the grader (autograder/referee.py).

The test cells are the master's, known by grade id from the gradebook; a cell of
the submission is run as a test only when it holds one of those grade ids, and
then the master's source is run, whatever the cell says. Every other cell runs
in the student's kernel as it is, markers and all: it is the student's code.

A test cell's outputs are the referee's verdict alone: a line saying it passed,
or one error output with the check's message (its hint) and nothing of the test's
code. Its nbgrader metadata is the master's, so nbgrader scores that verdict with
the master's points.
"""
from nbformat.v4 import new_code_cell, new_output
from nbgrader.api import Gradebook
from traitlets import Unicode

from ..referee import Referee
from .progressexecute import ProgressExecute

MAX_MESSAGE_CHARS = 2000


class RefereeExecute(ProgressExecute):
    """Execute whose test cells are judged in the grader."""

    socket_dir = Unicode(help="the kernel's socket folder, where the referee's socket goes").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        tests, setup, self.test_metadata = _master_cells(resources["nbgrader"])
        self.referee = Referee(tests, setup, self.socket_dir, self.timeout)
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id not in self.referee.tests:
            cell, resources = super().preprocess_cell(cell, resources, index)
            if cell.cell_type == "code" and self.skip_cells_with_tag not in cell.metadata.get("tags", []):
                failed = any(output.output_type == "error" for output in cell.outputs)
                self.referee.definitions.ran(cell.source, succeeded=not failed)
            return cell, resources
        cell.cell_type, cell.metadata.nbgrader = "code", self.test_metadata[grade_id]
        cell.outputs = verdict(grade_id, self.referee.judge(grade_id, KernelCell(self, index)))
        cell.execution_count = None
        self.record(cell)
        return cell, resources


class KernelCell:
    """Runs the referee's code in the student's kernel in place of one notebook cell,
    keeping none of its outputs and leaving the notebook's cell as it was."""

    def __init__(self, executor, index):
        self.executor, self.index = executor, index

    def run(self, code):
        cell = self.executor.nb.cells[self.index]
        try:
            ProgressExecute.execute_cell(self.executor, new_code_cell(code), self.index, store_history=False)
        finally:
            self.executor.nb.cells[self.index] = cell  # nbclient stores each cell it executes in the notebook


def verdict(grade_id, failure):
    """A test cell's outputs: that it passed, or the message of what failed it (its start,
    if the student's code made it long)."""
    if failure is None:
        return [new_output("stream", name="stdout", text=f"{grade_id}: passed\n")]
    name, message = type(failure).__name__, str(failure)
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[:MAX_MESSAGE_CHARS] + " ..."
    return [new_output("error", ename=name, evalue=message, traceback=[f"{name}: {message}"])]


def _master_cells(info):
    """From the gradebook: the test cells' sources {grade_id: source}, the sources of the other
    locked code cells (setup), and each test cell's nbgrader metadata."""
    with Gradebook(info["db_url"]) as gradebook:
        notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
        answers = {cell.name for cell in notebook.solution_cells}
        graded = {cell.name: cell.max_score for cell in notebook.grade_cells
                  if cell.cell_type == "code" and cell.name not in answers}
        tests = {cell.name: cell.source for cell in notebook.source_cells if cell.name in graded}
        setup = [cell.source for cell in notebook.source_cells
                 if cell.locked and cell.cell_type == "code" and cell.name not in graded]
        metadata = {cell.name: {"grade": True, "grade_id": cell.name, "locked": True, "solution": False,
                                "points": graded[cell.name], "schema_version": 3, "checksum": cell.checksum}
                    for cell in notebook.source_cells if cell.name in graded}
    return tests, setup, metadata

"""Feedback shows each test cell's visible part only, and only the master's test cells are touched.

The test cells are known by grade id from the gradebook, and their visible part is
cut from the master's source, never from the cell: text that looks like a hidden-test
marker in a student's own cell is the student's, shown as written. The test cells'
outputs are already the referee's verdicts, with nothing of the hidden code
(autograder/preprocessors/refereeexecute.py).
"""
import re

from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

HIDDEN_TESTS = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n.*?^[ \t]*### END HIDDEN TESTS[ \t]*(\n|\Z)",
                          re.DOTALL | re.MULTILINE)


class HideHiddenTests(NbGraderPreprocessor):
    """Give every test cell the visible part of the master's source."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
            tests = {cell.name for cell in notebook.grade_cells if cell.cell_type == "code"}
            self.visible = {cell.name: visible_part(cell.source) for cell in notebook.source_cells
                            if cell.name in tests and cell.locked}
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in self.visible:
            cell.source = self.visible[grade_id]
        return cell, resources


def visible_part(source):
    """A test cell's source without its hidden tests."""
    return HIDDEN_TESTS.sub("", source).strip("\n")

"""Cut the tracebacks of cells with hidden tests down to their message.

nbgrader's ClearHiddenTests removes hidden-test code from the feedback, but a
failing hidden test's traceback still quotes the line that failed. Run this step
before ClearHiddenTests: the student keeps the hint (the exception's message)
and never sees the hidden code.
"""
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode


class HideHiddenTracebacks(NbGraderPreprocessor):
    """Replace each error traceback in a hidden-test cell by `ename: evalue`."""

    begin_test_delimeter = Unicode("BEGIN HIDDEN TESTS").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and self.begin_test_delimeter in cell.source:
            for output in cell.outputs:
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources

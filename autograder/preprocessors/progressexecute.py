"""nbgrader's Execute, plus a progress file and a cap on each cell's output.

As soon as a test cell is judged (RefereeExecute), its result is appended to
`progress_file`: one JSON line, grade_id, score, max_score and message (what failed
it, as "Name: message", or "" when it passed). backprop-grade takes the scores from
these lines, so when a notebook is cut short (the wall-time cap, a kernel that dies,
a grader that crashes), the cells that ran keep their points, the rest score zero.

A cell that prints more than `max_output_chars` keeps the beginning of its output
and a note; the rest is dropped as it arrives, so a flood of output cannot
exhaust the grader's memory.
"""
import json

from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from nbgrader.utils import determine_grade
from traitlets import Integer, Unicode

TRUNCATED = "\n... output truncated by the grader ...\n"


class ProgressExecute(Execute):
    """Execute with a cap on each cell's output, and `record(cell)`, which appends a graded
    cell's result to the progress file as soon as it is known."""

    progress_file = Unicode("", help="append each graded cell's score here (JSON lines)").tag(config=True)
    max_output_chars = Integer(200_000, help="output kept per cell").tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._output_chars = {}  # cell index -> characters of output received

    def record(self, cell):
        """Append a graded cell's score and message to the progress file."""
        if self.progress_file:
            score, max_score = determine_grade(cell)
            errors = [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]
            with open(self.progress_file, "a", encoding="utf-8") as progress:
                progress.write(json.dumps({"grade_id": cell.metadata.nbgrader["grade_id"], "score": score,
                                           "max_score": max_score, "message": (errors or [""])[0]}) + "\n")

    def output(self, outs, msg, display_id, cell_index):
        kept = self._output_chars.get(cell_index, 0)
        if kept > self.max_output_chars:
            return None
        self._output_chars[cell_index] = kept + len(json.dumps(msg["content"]))
        if self._output_chars[cell_index] > self.max_output_chars:
            outs.append(new_output("stream", name="stdout", text=TRUNCATED))
            return None
        return super().output(outs, msg, display_id, cell_index)

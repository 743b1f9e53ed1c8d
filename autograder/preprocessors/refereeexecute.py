"""ProgressExecute, with the hidden tests run by the referee outside the kernel.

A test cell with hidden tests runs part by part (autograder/referee.py): visible
parts in the student's kernel, hidden parts in the grader. The cell fails at the
first part that fails, as it would have if it had run whole: an error in a visible
part is the kernel's own error output; a failed hidden part adds an error output
that gives the check's message and nothing of the hidden code. Cells without hidden
tests run as nbgrader runs them.
"""
from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_code_cell, new_output

from ..referee import Referee, split
from .progressexecute import ProgressExecute


class RefereeExecute(ProgressExecute):
    """Execute whose test cells' hidden parts run in the grader."""

    def preprocess(self, nb, resources=None, km=None):
        self._calling = False  # True while the referee's own code runs in the kernel
        return super().preprocess(nb, resources, km)

    def start_new_kernel(self, **kwargs):
        """Start the kernel (nbgrader does, through nbclient's synchronous setup_kernel), and a
        referee whose socket is in the kernel's socket folder."""
        super().start_new_kernel(**kwargs)
        self.referee = Referee(self._call, self.timeout, self.km.socket_dir)

    def execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        parts = split(cell.source) if cell.cell_type == "code" else []
        if not any(hidden for hidden, _ in parts):
            return super().execute_cell(cell, cell_index, execution_count, store_history)
        namespace = self.referee.namespace("\n".join(code for hidden, code in parts if hidden))
        self._index, outputs = cell_index, []
        for hidden, code in parts:
            if hidden:
                try:
                    self.referee.run_hidden(code, namespace)
                except DeadKernelError:
                    raise
                except Exception as error:  # a failed hidden test fails the cell, with its message
                    outputs.append(new_output("error", ename=type(error).__name__, evalue=str(error),
                                              traceback=[f"{type(error).__name__}: {error}"]))
            else:
                outputs += self._run_apart(code, store_history)
            if any(output.output_type == "error" for output in outputs):
                break
        cell.outputs = outputs
        return cell

    def _call(self, code):
        """Run the referee's code in the kernel; its outputs (only errors are kept)."""
        self._calling = True
        try:
            return self._run_apart(code, store_history=False)
        finally:
            self._calling = False

    def _run_apart(self, code, store_history):
        """Run `code` in the kernel as a cell of its own, leaving the notebook's cell in place
        (nbclient stores each executed cell in the notebook)."""
        cell = self.nb.cells[self._index]
        part = new_code_cell(code)
        try:
            super().execute_cell(part, self._index, store_history=store_history)
        finally:
            self.nb.cells[self._index] = cell
        return part.outputs

    def output(self, outs, msg, display_id, cell_index):
        if self._calling and msg["msg_type"] != "error":
            return None
        return super().output(outs, msg, display_id, cell_index)

"""Turn cells that claim no grade id, or one the assignment does not have, into plain cells.

With add_missing_cells = True, nbgrader 0.9.6's OverwriteCells fails on a cell
whose nbgrader metadata has no grade id, and one tampered cell then costs the
student the whole notebook (KeyError 'grade_id'). Such cells arise from a
duplicated test cell (DeduplicateIds leaves `nbgrader: {}` on the copy) or from a
grade id renamed by hand (OverwriteCells deletes the unknown id itself). Run this
step after DeduplicateIds and before OverwriteCells: these cells become ordinary
cells, and OverwriteCells puts the real ones back from the gradebook.
"""
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor


class ForgetUnknownCells(NbGraderPreprocessor):
    """Remove nbgrader metadata that names no grade id of this notebook."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
            self.known = {cell.name for cell in notebook.source_cells}
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if "nbgrader" in cell.metadata and cell.metadata.nbgrader.get("grade_id") not in self.known:
            self.log.warning("Cell %d claims grade id %r, which %s does not have: graded as a plain cell",
                             index, cell.metadata.nbgrader.get("grade_id"), resources["nbgrader"]["notebook"])
            del cell.metadata["nbgrader"]
        return cell, resources

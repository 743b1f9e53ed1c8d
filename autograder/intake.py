"""A submission's notebook as nbgrader may take it: the master decides what each cell is.

A student's notebook file is untrusted data. Its nbgrader metadata only says
which of the master's cells a cell claims to be (its grade id), and even that
claim is checked: a cell that claims a grade id of the master gets the master's
nbgrader metadata, whatever its own said (points, locked, grade, solution); a
second cell claiming the same id, a claim the master does not know, and metadata
of the wrong type (not a dict, a grade id that is not a string) become ordinary
cells. The master's test cells missing then are put back by nbgrader
(OverwriteCells.add_missing_cells), so such a notebook is graded from the
master's cells. Cell ids and notebook metadata of the wrong type are replaced.

`take(raw, master)`, `raw` the file's bytes, returns (notebook, notes) or raises NotGradable with the
reason; notes say what was replaced, for the summary.
"""
import json
import re
import uuid

import nbformat

from .course import nbgrader_meta

CELL_ID = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")
NOTEBOOK_METADATA = {"kernelspec": dict, "language_info": dict}
GRADING_KEYS = ("grade", "grade_id", "locked", "points", "solution")  # what a changed claim is noted for


class NotGradable(ValueError):
    """A file that is no notebook nbgrader could grade."""


def take(raw, master):
    """The notebook file `raw` (bytes), its claims checked against the `master` notebook."""
    try:
        data = json.loads(raw.decode("utf-8"))
        notes = _cell_ids(data)  # before nbformat reads it: it fails on an id that is not a string
        notebook = nbformat.reads(json.dumps(data), as_version=4)
    except Exception as error:  # any unreadable file is reported, whatever the parser says
        raise NotGradable(f"not a readable notebook: {type(error).__name__}: {error}".splitlines()[0]) from None
    if not isinstance(notebook.get("cells"), list) or not isinstance(notebook.get("metadata"), dict):
        raise NotGradable("not a readable notebook: it has no list of cells")
    notes += _notebook_metadata(notebook)
    claims = {meta["grade_id"]: meta for meta in map(nbgrader_meta, master.cells) if "grade_id" in meta}
    claimed = set()
    for index, cell in enumerate(notebook.cells):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw") \
                or not isinstance(cell.get("source"), str):
            raise NotGradable(f"not a readable notebook: cell {index} is not a notebook cell")
        if not isinstance(cell.get("metadata"), dict):
            cell["metadata"] = nbformat.NotebookNode()
            notes.append(f"cell {index}'s metadata was not a dict")
        notes += _claim(cell, index, claims, claimed)
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        raise NotGradable(f"not a valid notebook: {error.message}") from None
    return notebook, notes


def _notebook_metadata(notebook):
    notes = []
    for key, kind in NOTEBOOK_METADATA.items():
        if key in notebook.metadata and not isinstance(notebook.metadata[key], kind):
            del notebook.metadata[key]
            notes.append(f"the notebook's {key} was not a {kind.__name__}")
    return notes


def _cell_ids(data):
    """Give each cell of the JSON `data` whose id is malformed or taken a fresh one."""
    cells = data.get("cells") if isinstance(data, dict) else None
    notes, seen = [], set()
    for index, cell in enumerate(cells if isinstance(cells, list) else []):
        if not isinstance(cell, dict) or "id" not in cell:
            continue
        ident = cell["id"]
        if isinstance(ident, str) and CELL_ID.match(ident) and ident not in seen:
            seen.add(ident)
            continue
        cell["id"] = uuid.uuid4().hex[:16]
        seen.add(cell["id"])
        notes.append(f"cell {index}'s id was malformed or repeated")
    return notes


def _claim(cell, index, claims, claimed):
    """Give a cell that claims a master cell the master's nbgrader metadata; drop any other claim."""
    if "nbgrader" not in cell["metadata"]:
        return []
    meta = cell["metadata"]["nbgrader"]
    grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
    if isinstance(grade_id, str) and grade_id in claims and grade_id not in claimed:
        claimed.add(grade_id)
        changed = {k for k in GRADING_KEYS if meta.get(k) != claims[grade_id].get(k)}
        cell["metadata"]["nbgrader"] = nbformat.from_dict(claims[grade_id])
        return [f"cell {index} ({grade_id}) had its nbgrader {', '.join(sorted(changed))} changed"] if changed else []
    del cell["metadata"]["nbgrader"]
    if isinstance(grade_id, str) and grade_id in claims:
        return []  # a copy of a cell that is already in the notebook: an ordinary cell, as nbgrader would have it
    return [f"cell {index}'s nbgrader metadata named no cell of this assignment ({json.dumps(meta)[:60]})"]

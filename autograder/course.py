"""The course on disk: its assignments, their graded cells and scratch nbgrader courses.

nbgrader writes a gradebook and release folders into its course directory, so
every command works on a scratch copy (`scratch_course`) and the repository
only ever holds the master notebooks and the release notebooks.
"""
import functools
import re
import shutil
from pathlib import Path

import alembic.config
import alembic.script
import nbformat
import nbgrader.api
import nbgrader.dbutil
from nbgrader.apps import NbGraderAPI
from traitlets.config.loader import PyFileConfigLoader

PACKAGE_DIR = Path(__file__).resolve().parent
SOURCE_DIR = PACKAGE_DIR / "source"
CONFIG_FILE = PACKAGE_DIR / "nbgrader_config.py"
WORKBOOKS_DIR = PACKAGE_DIR.parent / "workbooks"

SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*(\n|\Z)", re.MULTILINE)


def assignments():
    """The assignment ids, in course order: the folders of source/ holding <id>/<id>.ipynb."""
    return sorted(p.parent.name for p in SOURCE_DIR.glob("*/*.ipynb") if p.stem == p.parent.name)


def source_notebook(assignment_id):
    """The master notebook of an assignment."""
    return SOURCE_DIR / assignment_id / f"{assignment_id}.ipynb"


@functools.cache
def master_notebook(assignment_id):
    """The master notebook of an assignment, read once (do not change it)."""
    return nbformat.read(source_notebook(assignment_id), as_version=4)


def nbgrader_meta(cell):
    """A cell's nbgrader metadata ({} for an ordinary cell)."""
    return cell.metadata.get("nbgrader", {})


def autograded_cells(assignment_id):
    """The autograded test cells of an assignment, in order: [(grade_id, points)]."""
    nb = nbformat.read(source_notebook(assignment_id), as_version=4)
    return [(meta["grade_id"], float(meta["points"]))
            for meta in map(nbgrader_meta, nb.cells)
            if meta.get("grade") and not meta.get("solution")]


def reference_answers(assignment_id):
    """{grade_id: code} of every solution cell of the master notebook, markers removed."""
    master = nbformat.read(source_notebook(assignment_id), as_version=4)
    return {nbgrader_meta(c)["grade_id"]: SOLUTION_MARKERS.sub("", c.source)
            for c in master.cells if nbgrader_meta(c).get("solution")}


def with_answers(nb, answers):
    """A copy of notebook `nb` whose cells named in `answers` ({grade_id: source}) hold those sources."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def scratch_course(root, assignment_ids):
    """Build an nbgrader course in `root` holding the given assignments, generated
    (gradebook and release) from the master notebooks. Returns its NbGraderAPI."""
    root = Path(root)
    shutil.copy(CONFIG_FILE, root / "nbgrader_config.py")
    for assignment_id in assignment_ids:
        shutil.copytree(SOURCE_DIR / assignment_id, root / "source" / assignment_id)
    api = nbgrader_api(root)
    for assignment_id in assignment_ids:
        check(api.generate_assignment(assignment_id, force=True), f"generate_assignment {assignment_id}")
    return api


def nbgrader_api(root, overrides=None):
    """nbgrader's API on the course in `root`, configured by its nbgrader_config.py
    and then by `overrides` (a traitlets Config), if given."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    if overrides is not None:
        config.merge(overrides)
    return NbGraderAPI(config=config)


def gradebook_schema_revision():
    """The revision nbgrader stamps on a new gradebook: the head of its alembic migrations.
    nbgrader asks the `alembic` command for it (nbgrader.api.get_alembic_version), a few
    seconds of start-up per gradebook, and a command that is not on PATH when a virtual
    environment's scripts are called without activating it; alembic's API answers at once."""
    config = alembic.config.Config()
    config.set_main_option("script_location", nbgrader.dbutil.ALEMBIC_DIR)
    return alembic.script.ScriptDirectory.from_config(config).get_current_head()


nbgrader.api.get_alembic_version = gradebook_schema_revision


def check(result, what):
    """Raise with nbgrader's own log when one of its API calls failed."""
    if not result["success"]:
        raise RuntimeError(f"nbgrader {what} failed:\n{result.get('error') or result.get('log')}")

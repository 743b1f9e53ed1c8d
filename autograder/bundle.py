"""`backprop-grade bundle`: the student bundle, a folder to hand out or to publish.

OUT gets

- workbooks/: the release notebooks of every assignment (stubs in place of the solutions,
  no hidden tests), copied from the repository's workbooks/;
- workbook_tools/: the package the release notebooks import (checks with hints, data,
  widgets), which never imports `solutions`;
- jupyter-config/: the students' JupyterLab settings (no news question, none of nbgrader's
  instructor panels, starts as root), which the install puts into the environment's Jupyter paths;
- pyproject.toml: installs workbook_tools as `backprop-workbook-student`, with the course's
  own runtime dependencies and JupyterLab settings (those of the repository's pyproject.toml);
- binder/: the course's Binder configuration (Python 3.11, `pip install .`);
- README.md: how to install and open the workbooks.

Nothing else is copied: no solutions/, no master notebooks, no grading code.

nbgrader stays among the dependencies, although students never grade: its Validate button
(and `nbgrader validate`) runs a notebook in a fresh kernel from top to bottom, as grading
will, and so catches the answers that only worked because cells were run out of order,
which the visible checks cannot see. The price is small: six more packages (SQLAlchemy,
Alembic, Mako, notebook, rapidfuzz, setuptools); nbgrader's instructor menus (Formgrader,
Create Assignment) are turned off by jupyter-config/.
"""
import json
import shutil
import tomllib
from pathlib import Path

import nbformat

from .course import PACKAGE_DIR, WORKBOOKS_DIR, assignments

REPOSITORY = PACKAGE_DIR.parent
NAME = "backprop-workbook-student"


def bundle(out):
    """Write the student bundle into the folder `out`, which must be new or empty."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty: give a new folder for the bundle.")
    missing = [a for a in assignments() if not (WORKBOOKS_DIR / f"{a}.ipynb").is_file()]
    if missing:
        raise FileNotFoundError(f"{WORKBOOKS_DIR} has no release notebook for {', '.join(missing)}: "
                                "run `backprop-grade release` first.")
    (out / "workbooks").mkdir(parents=True)
    for assignment_id in assignments():
        shutil.copy(WORKBOOKS_DIR / f"{assignment_id}.ipynb", out / "workbooks")
    shutil.copytree(REPOSITORY / "workbook_tools", out / "workbook_tools",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copytree(REPOSITORY / "binder", out / "binder")
    shutil.copytree(REPOSITORY / "jupyter-config", out / "jupyter-config")
    (out / "pyproject.toml").write_text(pyproject(), encoding="utf-8")
    (out / "README.md").write_text(readme(), encoding="utf-8")
    return out


def pyproject():
    """The bundle's pyproject.toml: workbook_tools, with the course's runtime dependencies and
    JupyterLab settings."""
    config = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    course = config["project"]
    dependencies = "".join(f"    {json.dumps(d)},\n" for d in course["dependencies"])
    shared_data = "".join(f"{json.dumps(source)} = {json.dumps(target)}\n" for source, target
                          in config["tool"]["hatch"]["build"]["targets"]["wheel"]["shared-data"].items())
    return f"""[build-system]
requires = {json.dumps(config["build-system"]["requires"])}
build-backend = {json.dumps(config["build-system"]["build-backend"])}

[project]
name = "{NAME}"
version = {json.dumps(course["version"])}
description = "The Backprop Workbook for students: the workbooks' checks with hints, the digits and the widgets."
readme = "README.md"
requires-python = {json.dumps(course["requires-python"])}
dependencies = [
{dependencies}]

[tool.hatch.build.targets.wheel]
packages = ["workbook_tools"]

[tool.hatch.build.targets.wheel.shared-data]
{shared_data}"""


def readme():
    """The students' README: install, open, and the list of workbooks."""
    rows = "".join(f"| `workbooks/{a}.ipynb` | {_title(a)} |\n" for a in assignments())
    return f"""# Backprop Workbook

A neural network's forward pass and backpropagation in numpy, from array shapes to a trained
digit classifier, one Jupyter workbook at a time.

Install and open the workbooks (needs Python 3.11 or newer; run from this folder):

```bash
python3 -m venv .venv && .venv/bin/pip install .
.venv/bin/jupyter lab workbooks/
```

On Windows: `py -m venv .venv`, `.venv\\Scripts\\pip install .`, then `.venv\\Scripts\\jupyter lab workbooks`.

| workbook | topic |
| --- | --- |
{rows}
Open them in order; each one stands alone when run top to bottom. Replace the
`raise NotImplementedError(...)` line with your code and run the locked cell below it: a check
that passes says so in one line; when an answer is wrong, it shows a hint that says what it
thinks went wrong. Passing the visible checks is a good sign,
not the grade: more tests, on other inputs, run when your work is graded.

Before you hand a workbook in, press **Validate** in the notebook's toolbar: it runs the whole
notebook from the top in a fresh kernel, as grading will. Hand in the `.ipynb` file under its
own name.

No installation at all: put this folder in a public Git repository and open it on
[mybinder.org](https://mybinder.org); `binder/` tells Binder what to install.
"""


def _title(assignment_id):
    """The first heading of a release notebook, without its '#'."""
    notebook = nbformat.read(WORKBOOKS_DIR / f"{assignment_id}.ipynb", as_version=4)
    headings = (line[2:].strip() for cell in notebook.cells if cell.cell_type == "markdown"
                for line in cell.source.splitlines() if line.startswith("# "))
    return next(headings, assignment_id)

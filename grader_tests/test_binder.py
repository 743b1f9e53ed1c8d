"""Binder: repo2docker builds from binder/, and what binder/ installs runs every workbook."""
import json
import subprocess
import sys
import venv

import nbformat
import pytest

from autograder.course import assignments
from conftest import ROOT, complete_notebook
from jupyterlab import jupyterlab
from test_first_screen import check_course_jupyterlab

pytestmark = pytest.mark.slow

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def test_repo2docker_builds_from_the_binder_folder():
    run = subprocess.run([sys.executable, "-m", "repo2docker", "--no-build", "--debug", str(ROOT)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    log = run.stdout + run.stderr
    assert "Building conda environment for python=3.11" in log  # binder/runtime.txt
    assert "COPY --chown=0:0 src/binder/requirements.txt" in log
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in log
    assert "environment.yml" not in log and "install -e" not in log


def test_readme_badge_opens_the_first_workbook_in_jupyterlab():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "https://mybinder.org/badge_logo.svg" in readme
    assert "?urlpath=lab/tree/workbooks/00_shapes.ipynb" in readme
    assert (ROOT / "workbooks" / "00_shapes.ipynb").exists()


@pytest.fixture(scope="module")
def binder_python(tmp_path_factory):
    """A fresh virtual environment with exactly what binder/requirements.txt asks for,
    installed from the repository root as repo2docker does."""
    env = tmp_path_factory.mktemp("binder-env")
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    run = subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", "binder/requirements.txt"],
                         cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stderr[-3000:]
    return python


@pytest.mark.parametrize("assignment_id", assignments())
def test_binder_environment_runs_the_answered_workbook(binder_python, tmp_path, assignment_id):
    notebook = tmp_path / f"{assignment_id}.ipynb"
    nbformat.write(complete_notebook(assignment_id), notebook)

    run = subprocess.run([str(binder_python), "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                          "--inplace", "--ExecutePreprocessor.timeout=300", str(notebook)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=900)

    assert run.returncode == 0, run.stderr[-3000:]
    outputs = [o for cell in nbformat.read(notebook, as_version=4).cells for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"]
    source = notebook.read_text(encoding="utf-8")
    widgets_used = sum(f"{name}(" in source for name in ["SigmoidExplorer", "LossExplorer", "TrainingCurves"])
    shown = [o for o in outputs if WIDGET_VIEW in o.get("data", {})]
    assert len(shown) == widgets_used
    # The installed course is the one the notebook ran against, not this checkout.
    where = subprocess.run([str(binder_python), "-c", "import workbook_tools; print(workbook_tools.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True)
    assert str(ROOT) not in where.stdout and "site-packages" in where.stdout, json.dumps(where.stdout)


def test_binder_environment_gives_students_their_jupyterlab(binder_python, tmp_path):
    """What Binder installs (binder/requirements.txt: the course, `pip install .`) brings the course's
    JupyterLab settings: no news question, no nbgrader instructor panels, Validate kept."""
    with jupyterlab(ROOT / "workbooks", tmp_path, python=binder_python) as (url, token):
        check_course_jupyterlab(url, token)

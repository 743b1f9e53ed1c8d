"""`backprop-grade bundle`: the student bundle holds no answers, installs alone and runs every workbook."""
import ast
import re
import subprocess
import tomllib
import venv
from pathlib import Path

import nbformat
import pytest

import solutions
from autograder.course import assignments
from conftest import backprop_grade, complete_notebook
from jupyterlab import jupyterlab
from test_first_screen import check_course_jupyterlab

pytestmark = pytest.mark.slow

MARKERS = ["BEGIN HIDDEN TESTS", "BEGIN SOLUTION", "from solutions", "import solutions"]
# Lines that give no answer away: returning variables, seeding a generator, storing what a
# function returns for plain names (`P = forward(X, params)["P"]` uses an answer, it is not one).
GENERIC = re.compile(r"return [\w, ()]+|\w+ = np\.random\.default_rng\(\d*\)|\w+ = \w+\([\w, ]*\)(\[\"\w+\"\])?")


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "out"
    run = backprop_grade("bundle", out)
    assert run.returncode == 0, run.stderr
    return out


def solution_lines():
    """{line: {"module.function", ...}} of the telling lines of every function body in the
    solutions package (docstrings left out)."""
    lines = {}
    for path in sorted(Path(solutions.__file__).parent.glob("*.py")):
        source = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(source))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = node.body[1:] if ast.get_docstring(node) is not None else node.body
                for line in source[body[0].lineno - 1:node.end_lineno] if body else []:
                    if len(line.strip()) >= 25 and not GENERIC.fullmatch(line.strip()):
                        lines.setdefault(line.strip(), set()).add(f"{path.stem}.{node.name}")
    return lines


# The reference module of each workbook's graded functions.
MODULES = {"00_shapes": "shapes", "01_sigmoid": "activations", "02_forward_pass": "forward_pass",
           "03_cross_entropy": "cross_entropy", "04_backprop": "backprop", "05_training": "training"}


def bundle_texts(out):
    """{(path, part): (text, modules whose answers it may show)}. A workbook is split into its
    code cells: the curriculum has a later workbook give an earlier one's answers in read-only
    cells ("You built forward in 02_forward_pass"), so those cells may show the earlier
    workbooks' reference code, and nothing else may show any. Markdown is left out: it states
    the formulas being taught (dZ = dA * A * (1 - A)), which is the lesson, not the answer."""
    texts = {}
    for path in out.rglob("*"):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix != ".ipynb":
            texts[(path, "")] = (text, set())
            continue
        earlier = set(list(MODULES.values())[:list(MODULES).index(path.stem)])
        for i, cell in enumerate(nbformat.reads(text, as_version=4).cells):
            meta = cell.metadata.get("nbgrader", {})
            given = meta.get("locked") and not meta.get("grade") and not meta.get("solution")
            if cell.cell_type == "code":
                texts[(path, f"cell {i}")] = (cell.source, earlier if given else set())
    return texts


def test_bundle_layout(bundled):
    assert sorted(p.name for p in (bundled / "workbooks").iterdir()) == [f"{a}.ipynb" for a in assignments()]
    assert (bundled / "workbook_tools" / "checks" / "asserts.py").is_file()
    assert (bundled / "binder" / "requirements.txt").read_text(encoding="utf-8").strip().endswith(".")
    project = tomllib.loads((bundled / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == "backprop-workbook-student"
    assert {re.split(r"[<>=]", d)[0] for d in project["dependencies"]} >= {
        "numpy", "matplotlib", "ipywidgets", "jupyterlab", "scikit-learn", "nbgrader"}
    readme = (bundled / "README.md").read_text(encoding="utf-8")
    assert "python3 -m venv .venv && .venv/bin/pip install ." in readme and ".venv/bin/jupyter lab workbooks/" in readme


def test_bundle_holds_no_answers(bundled):
    folders = {p.name for p in bundled.rglob("*") if p.is_dir()}
    assert not folders & {"solutions", "autograder"}
    lines = solution_lines()
    assert len(lines) > 50  # the reference really was read
    assert set(MODULES) == set(assignments())
    texts = bundle_texts(bundled)
    for path in bundled.rglob("*.ipynb"):
        raw = path.read_text(encoding="utf-8")
        assert not [m for m in MARKERS if m in raw], path
    leaked = sorted({f"{path.relative_to(bundled)} {part}: {' '.join(sorted(owners))}"
                     for (path, part), (text, allowed) in texts.items()
                     for line, owners in lines.items()
                     if line in text and not {owner.split(".")[0] for owner in owners} & allowed})
    assert not leaked, "reference code in the bundle (file: solutions function):\n" + "\n".join(leaked)


def test_bundle_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    run = backprop_grade("bundle", tmp_path)
    assert run.returncode == 1 and "is not empty" in run.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


@pytest.fixture(scope="module")
def student_python(bundled, tmp_path_factory):
    """A fresh virtual environment with the bundle installed, as a student would."""
    env = tmp_path_factory.mktemp("student-env")
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    run = subprocess.run([str(python), "-m", "pip", "install", "-q", str(bundled)],
                         cwd=env, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stderr[-3000:]
    return python


@pytest.mark.parametrize("assignment_id", assignments())
def test_bundle_runs_the_answered_workbook(student_python, tmp_path, assignment_id):
    notebook = tmp_path / f"{assignment_id}.ipynb"
    nbformat.write(complete_notebook(assignment_id), notebook)

    run = subprocess.run([str(student_python), "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                          "--inplace", "--ExecutePreprocessor.timeout=300", str(notebook)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=900)

    assert run.returncode == 0, run.stderr[-3000:]
    outputs = [o for cell in nbformat.read(notebook, as_version=4).cells for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"]


def test_nbgrader_validate_works_for_students(student_python, tmp_path):
    nbformat.write(complete_notebook("01_sigmoid"), tmp_path / "01_sigmoid.ipynb")
    run = subprocess.run([str(student_python), "-m", "nbgrader", "validate", "01_sigmoid.ipynb"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert "Success! Your notebook passes all the tests." in run.stdout, run.stdout + run.stderr[-2000:]


def test_the_bundle_environment_has_no_solutions(student_python, tmp_path):
    run = subprocess.run([str(student_python), "-c", "import workbook_tools; print(workbook_tools.__file__)"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert "site-packages" in run.stdout, run.stderr
    run = subprocess.run([str(student_python), "-c", "import solutions"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode != 0 and "No module named 'solutions'" in run.stderr


def test_the_bundle_environment_gives_students_their_jupyterlab(student_python, bundled, tmp_path):
    """No news question, no nbgrader instructor panels, Validate kept; started as root, if root."""
    with jupyterlab(bundled / "workbooks", tmp_path, python=student_python) as (url, token):
        check_course_jupyterlab(url, token)

"""Shared helpers of the grader tests: release notebooks, submissions and the CLI."""
import csv
import subprocess
import sys
from pathlib import Path

import nbformat
from autograder.course import WORKBOOKS_DIR, reference_answers, with_answers

ROOT = Path(__file__).resolve().parent.parent


def release_notebook(assignment_id):
    return nbformat.read(WORKBOOKS_DIR / f"{assignment_id}.ipynb", as_version=4)


def complete_notebook(assignment_id, **mistakes):
    """The release notebook answered with the reference, except the solution cells in `mistakes`."""
    answered = with_answers(release_notebook(assignment_id), reference_answers(assignment_id))
    return with_answers(answered, mistakes)


def submit(submitted, student_id, assignment_id, notebook):
    """Put a notebook (or raw bytes) where nbgrader's submitted layout expects it."""
    folder = Path(submitted, student_id, assignment_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{assignment_id}.ipynb"
    if isinstance(notebook, bytes):
        path.write_bytes(notebook)
    else:
        nbformat.write(notebook, path)
    return path


def backprop_grade(*args, timeout=1800):
    """Run `python -m autograder ARGS` as an instructor would; returns the CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))

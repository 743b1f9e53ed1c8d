"""`backprop-grade demo`: grade a small made-up class and print its scores.

The class is built from the shipped workbooks: one student answers everything
as the master notebooks do, one hands in the blank workbook, and two make
classic mistakes. It shows the whole pipeline on a machine with nothing set up.
"""
import csv
from collections import defaultdict
from pathlib import Path

import nbformat

from .course import WORKBOOKS_DIR, assignments, autograded_cells, reference_answers, with_answers
from .grade import grade

# Classic mistakes, as replacement solution cells: {assignment: {student: {grade_id: code}}}.
MISTAKES = {
    "01_sigmoid": {
        "mistakes-a": {
            "sigmoid": "def sigmoid(z):\n    return np.exp(z) / (1 + np.exp(z))\n",
        },
        "mistakes-b": {
            "logit": "def logit(p):\n    return np.log10(p / (1 - p))\n",
            "sigmoid_derivative": "def sigmoid_derivative(z):\n    return z * (1 - z)\n",
        },
    },
}
STUDENTS = ["complete", "blank", "mistakes-a", "mistakes-b"]


def build_class(submitted):
    """Write the demo class in nbgrader's submitted layout under `submitted`."""
    for assignment_id in assignments():
        release = nbformat.read(WORKBOOKS_DIR / f"{assignment_id}.ipynb", as_version=4)
        complete = with_answers(release, reference_answers(assignment_id))
        notebooks = {"complete": complete, "blank": release}
        for student, mistakes in MISTAKES.get(assignment_id, {}).items():
            notebooks[student] = with_answers(complete, mistakes)
        for student, nb in notebooks.items():
            folder = Path(submitted, student, assignment_id)
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, folder / f"{assignment_id}.ipynb")


def demo(out, jobs=2, log=print):
    """Build the class in out/submitted, grade it into out/graded and print the table."""
    out = Path(out)
    build_class(out / "submitted")
    grade(out / "submitted", out / "graded", jobs=jobs, force=True, log=log)
    log(table(out / "graded"))
    log(f"\nGrades, feedback and summary are in {out / 'graded'}")


def table(graded):
    """Per assignment, one row per question and one column per student."""
    scores = defaultdict(dict)
    with open(Path(graded, "grades.csv"), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            scores[(row["assignment_id"], row["grade_id"])][row["student_id"]] = float(row["score"])
    students = sorted({s for by_student in scores.values() for s in by_student},
                      key=lambda s: (STUDENTS.index(s) if s in STUDENTS else len(STUDENTS), s))
    lines = []
    for assignment_id in sorted({a for a, _ in scores}):
        cells = autograded_cells(assignment_id)
        width = max(len(g) for g, _ in cells)
        lines.append("")
        lines.append(f"{assignment_id:<{width}}  " + "  ".join(f"{s:>10}" for s in students))
        totals = defaultdict(float)
        for grade_id, points in cells:
            row = scores[(assignment_id, grade_id)]
            for s in students:
                totals[s] += row.get(s, 0.0)
            lines.append(f"{grade_id:<{width}}  " + "  ".join(
                f"{row.get(s, 0.0):>6g}/{points:<3g}" for s in students))
        max_total = sum(p for _, p in cells)
        lines.append(f"{'total':<{width}}  " + "  ".join(f"{totals[s]:>6g}/{max_total:<3g}" for s in students))
    return "\n".join(lines)


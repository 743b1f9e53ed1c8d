"""`backprop-grade demo`: grade a small made-up class and print its scores.

The class is built from the shipped workbooks: one student answers every exercise
with the reference code, one hands in the blank workbook, and two make classic
mistakes. The written answers are the students' own (demo_answers.py), never the
master's model answer and mark scheme. It shows the whole pipeline on a machine
with nothing set up.
"""
import csv
from collections import defaultdict
from pathlib import Path

import nbformat

from .course import (WORKBOOKS_DIR, assignments, autograded_cells, master_notebook, nbgrader_meta,
                     reference_answers, with_answers)
from .demo_answers import WRITTEN
from .grade import grade

# Classic mistakes, as replacement solution cells: {assignment: {student: {grade_id: code}}}.
MISTAKES = {
    "00_shapes": {
        "mistakes-a": {  # row j of W instead of column j
            "preactivation_unit": "def preactivation_unit(x, W, b, j):\n    z_j = b[j]\n"
                                  "    for i in range(len(x)):\n        z_j += x[i] * W[j, i]\n    return z_j\n",
        },
        "mistakes-b": {  # the bias as a column: broadcasting goes wrong
            "preactivations": "def preactivations(X, W, b):\n    return X @ W + b[:, np.newaxis]\n",
        },
    },
    "01_sigmoid": {
        "mistakes-a": {  # the textbook form: exp(z) overflows
            "sigmoid": "def sigmoid(z):\n    return np.exp(z) / (1 + np.exp(z))\n",
        },
        "mistakes-b": {  # log10 for ln, and sigma' applied to z itself
            "logit": "def logit(p):\n    return np.log10(p / (1 - p))\n",
            "sigmoid_derivative": "def sigmoid_derivative(z):\n    return z * (1 - z)\n",
        },
    },
    "02_forward_pass": {
        "mistakes-a": {  # no max subtraction: overflows for large logits
            "softmax": "def softmax(Z):\n    E = np.exp(Z)\n    return E / E.sum(axis=1, keepdims=True)\n",
        },
        "mistakes-b": {  # argmax down the columns
            "predict": "def predict(X, params):\n    return np.argmax(forward(X, params)['P'], axis=0)\n",
        },
    },
    "03_cross_entropy": {
        "mistakes-a": {  # log10 for ln
            "binary_cross_entropy": "def binary_cross_entropy(y_hat, y):\n"
                                    "    return float(np.mean(-(y * np.log10(y_hat) + (1 - y) * np.log10(1 - y_hat))))\n",
        },
        "mistakes-b": {  # softmax then log: -inf for confident wrong logits
            "cross_entropy_from_logits": "def cross_entropy_from_logits(Z, Y):\n"
                                         "    return mean_cross_entropy(softmax(Z), Y)\n",
        },
    },
    "04_backprop": {
        "mistakes-a": {  # the office-hours slip: the sigmoid's slope counted twice
            "tiny_gradients": "def tiny_gradients(w, x, y):\n    w1, w2, w3, w4, w5, w6 = w\n    x1, x2 = x\n"
                              "    v = tiny_forward(w, x)\n"
                              "    d3 = (v['y_hat'] - y) * v['y_hat'] * (1 - v['y_hat'])\n"
                              "    d1 = d3 * w5 * v['z1'] * (1 - v['z1'])\n"
                              "    d2 = d3 * w6 * v['z2'] * (1 - v['z2'])\n"
                              "    return np.array([d1 * x1, d2 * x1, d1 * x2, d2 * x2, d3 * v['z1'], d3 * v['z2']])\n",
        },
        "mistakes-b": {  # no division by the batch size
            "backward": "def backward(X, Y, params, cache):\n    A1, A2, P = cache['A1'], cache['A2'], cache['P']\n"
                        "    dZ3 = P - Y\n    dZ2 = (dZ3 @ params['W3'].T) * A2 * (1 - A2)\n"
                        "    dZ1 = (dZ2 @ params['W2'].T) * A1 * (1 - A1)\n"
                        "    return {'W3': A2.T @ dZ3, 'b3': dZ3.sum(axis=0), 'W2': A1.T @ dZ2, 'b2': dZ2.sum(axis=0),\n"
                        "            'W1': X.T @ dZ1, 'b1': dZ1.sum(axis=0)}\n",
        },
    },
    "05_training": {
        "mistakes-a": {  # velocity built with + lr * grad: momentum climbs uphill
            "momentum_step": "def momentum_step(params, grads, velocity, lr, beta):\n    new_params, new_velocity = {}, {}\n"
                             "    for k in params:\n        v = beta * velocity.get(k, 0.0) + lr * grads[k]\n"
                             "        new_velocity[k] = v\n        new_params[k] = params[k] + v\n"
                             "    return new_params, new_velocity\n",
        },
        "mistakes-b": {  # the variance used as rng.normal's scale (a standard deviation)
            "init_params": "def init_params(layer_sizes, rng, scheme='xavier'):\n"
                           "    gain = {'xavier': 1.0, 'he': 2.0}[scheme]\n    params = {}\n"
                           "    for l in range(1, len(layer_sizes)):\n"
                           "        n_in, n_out = layer_sizes[l - 1], layer_sizes[l]\n"
                           "        params[f'W{l}'] = rng.normal(0.0, gain / n_in, size=(n_in, n_out))\n"
                           "        params[f'b{l}'] = np.zeros(n_out)\n    return params\n",
        },
    },
}
STUDENTS = ["complete", "blank", "mistakes-a", "mistakes-b"]


def written_questions(assignment_id):
    """The grade ids of an assignment's written answers: the master's markdown solution cells."""
    return [nbgrader_meta(c)["grade_id"] for c in master_notebook(assignment_id).cells
            if c.cell_type == "markdown" and nbgrader_meta(c).get("solution")]


def written_answers(assignment_id, student):
    """{grade_id: text} of a student's written answers (none for a question demo_answers.py lacks)."""
    return {g: WRITTEN[g][student] for g in written_questions(assignment_id) if student in WRITTEN.get(g, {})}


def build_class(submitted):
    """Write the demo class in nbgrader's submitted layout under `submitted`."""
    for assignment_id in assignments():
        release = nbformat.read(WORKBOOKS_DIR / f"{assignment_id}.ipynb", as_version=4)
        written = written_questions(assignment_id)
        code = {g: source for g, source in reference_answers(assignment_id).items() if g not in written}
        solved = with_answers(release, code)
        notebooks = {"complete": with_answers(solved, written_answers(assignment_id, "complete")), "blank": release}
        for student, mistakes in MISTAKES.get(assignment_id, {}).items():
            notebooks[student] = with_answers(solved, {**written_answers(assignment_id, student), **mistakes})
        for student, nb in notebooks.items():
            folder = Path(submitted, student, assignment_id)
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, folder / f"{assignment_id}.ipynb")


def demo(out, jobs=2):
    """Build the class in out/submitted, grade it into out/graded and print the table."""
    out = Path(out)
    build_class(out / "submitted")
    grade(out / "submitted", out / "graded", jobs=jobs, force=True)
    print(table(out / "graded"))
    graded = (out / "graded").resolve()
    print(f"\nThe class report: {graded / 'report' / 'index.html'}")
    print(f"Each student's feedback: {graded / 'feedback'}/<student>/<assignment>/<assignment>.html")
    print(f"Scores: {graded / 'grades.csv'} and {graded / 'summary.csv'}")


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


"""`backprop-grade report`: the class report and the LMS gradebook file, from grading's output.

Reads OUT/grades.csv and OUT/summary.csv, which `backprop-grade grade` wrote, and the hand
grading of the free-text answers in OUT/gradebook.db (autograder/gradebook.py), and writes

- OUT/report/index.html, one self-contained page (bar charts embedded as SVG data URIs, no
  network, no script: its Content-Security-Policy forbids any), rendered with Jinja2 from
  autograder/templates/report.html.j2 with everything autoescaped: the hardest questions, the
  mistakes most often hit, a score histogram for every autograded test cell grouped by assignment, and every student's totals with the reason for
  each submission that was not graded, and which were late (where summary.csv has `late`);
- OUT/report/lms.csv, `student_id,<assignment ids...>,total`: one row per student, the score
  of each assignment as a number (blank where the student handed nothing in) and their total.

With a gradebook, a graded submission scores what nbgrader's gradebook says (its auto scores,
the manual scores a grader gave in formgrader, which take precedence, and extra credit), and an
assignment is out of all its points, free-text answers included; the page marks the assignments
with free-text answers and counts the cells still to be graded by hand, which score 0 until they
are. A submission that was not graded is not in the gradebook and keeps its autograded score.

Every row of grades.csv counts, so a submission that could not be graded counts as zero
points on each of its questions. The mistakes are the grader's hints of failed test cells, the
`message` column of grades.csv (`Name: message`; never read from a page a student's output
could have written into): the first sentence of each hint, cut at its first ':' or ';'
(outside brackets) and with its numbers replaced by '#', so that `sigmoid(1000) is nan: ...` and `sigmoid(-1e308) is nan: ...` count as
one mistake. A failed cell that raised another error counts as `SomeError: gist`; the
stub's NotImplementedError is an unanswered question, not a mistake, and is left out.

Importing lms.csv:

- Moodle: Grades > Import > CSV file. Under "Identify user by", map `student_id` from the
  file to the user field the ids are (username, ID number or email), then map each
  assignment column to its grade item (or to "New grade item"); leave `total` unmapped
  unless you keep it as a grade item of its own.
- Canvas: Grades > Import expects the identity columns of its own export. Export the
  gradebook once, rename `student_id` to the column your ids match (`ID` for the numeric
  user ids that `backprop-grade collect` takes from Canvas file names, `SIS Login ID` for
  logins) and add the columns `Student` and `Section` from that export, or paste the
  assignment columns of lms.csv into the export, matching rows by student. Canvas creates
  an assignment for each column it does not know.
"""
import base64
import csv
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from .gradebook import gradebook_totals

HARDEST = 10   # rows of the hardest-questions table
MISTAKES = 10  # rows of the mistakes table

NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w.])")
NOT_A_MISTAKE = {"", "not graded"}  # the message of a passed cell, and of one never reached
UNANSWERED = "NotImplementedError"
# The page needs no script and nothing from the network: its own style and its SVG charts only.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

# Bar colours of the histograms: no points, some points, full points.
NONE, SOME, FULL = "#c8553d", "#e0a030", "#3a8a5c"

TEMPLATES = Environment(loader=PackageLoader("autograder", "templates"), autoescape=True,
                        undefined=StrictUndefined, trim_blocks=True)
TEMPLATES.filters["points"] = lambda points: f"{points:g}"


@dataclass
class Question:
    """An autograded test cell and the scores the class earned on it."""
    assignment_id: str
    grade_id: str
    max_score: float
    scores: list

    @property
    def mean_score(self):
        return sum(self.scores) / len(self.scores)

    @property
    def mean_fraction(self):
        return self.mean_score / self.max_score if self.max_score else 1.0

    @property
    def full_marks(self):
        return sum(score == self.max_score for score in self.scores)


@dataclass
class Mistake:
    """One mistake of one question, the students who made it and one hint that said so."""
    assignment_id: str
    grade_id: str
    text: str
    example: str
    students: set


@dataclass
class Student:
    """A student's row of the report: their summary rows by assignment, and their total."""
    student_id: str
    rows: dict = field(default_factory=dict)  # {assignment_id: summary row}

    @property
    def total(self):
        return sum(float(row["score"]) for row in self.rows.values())

    @property
    def not_graded(self):
        return sorted({row["status"] for row in self.rows.values() if row["status"] != "graded"})

    @property
    def reasons(self):
        """[(assignment_id, why it was not graded)]."""
        return [(a, row["message"]) for a, row in sorted(self.rows.items()) if row["status"] != "graded"]


def write_report(out):
    """Write OUT/report/index.html and OUT/report/lms.csv; returns the report's folder."""
    out = Path(out)
    grades, summary = _read_csv(out / "grades.csv"), _read_csv(out / "summary.csv")
    totals = gradebook_totals(out)
    if totals is not None:
        summary = with_hand_grading(summary, totals)
    questions = class_questions(grades)
    folder = out / "report"
    folder.mkdir(parents=True, exist_ok=True)
    page = render(summary, questions, class_mistakes(grades, questions), totals)
    (folder / "index.html").write_text(page, encoding="utf-8")
    write_lms_csv(folder / "lms.csv", summary)
    return folder


def with_hand_grading(summary, totals):
    """The summary rows with the gradebook's Totals: the score of each submission in the
    gradebook, each assignment's points with its free-text answers, and in `to_grade` the
    cells of the submission still to be graded by hand."""
    rows = []
    for row in summary:
        key = (row["student_id"], row["assignment_id"])
        in_gradebook = row["status"] == "graded" and key in totals.scores
        rows.append({**row, "score": totals.scores[key] if in_gradebook else row["score"],
                     "max_score": totals.max_scores.get(row["assignment_id"], row["max_score"]),
                     "to_grade": totals.to_grade[key] if in_gradebook else 0})
    return rows


def class_questions(grades):
    """Every autograded test cell in grades.csv, in course order, with the class's scores."""
    questions = {}
    for row in grades:
        key = (row["assignment_id"], row["grade_id"])
        if key not in questions:
            questions[key] = Question(*key, float(row["max_score"]), [])
        questions[key].scores.append(float(row["score"]))
    return sorted(questions.values(), key=lambda q: q.assignment_id)  # stable: cell order within


def hardest(questions):
    """The questions by the mean fraction of their points the class earned, lowest first."""
    return sorted(questions, key=lambda q: q.mean_fraction)


def class_mistakes(grades, questions):
    """The mistakes in the grader's messages of failed test cells (grades.csv), most frequent first."""
    found = {}
    for row in grades:
        if row["message"] in NOT_A_MISTAKE:
            continue
        name, _, message = row["message"].partition(": ")
        if name == UNANSWERED:
            continue
        gist = mistake(message)
        text = gist if name == "Hint" else f"{name}: {gist}" if gist else name
        key = (row["assignment_id"], row["grade_id"], text)
        found.setdefault(key, Mistake(*key, row["message"], set())).students.add(row["student_id"])
    order = {(q.assignment_id, q.grade_id): i for i, q in enumerate(questions)}
    return sorted(found.values(), key=lambda m: (-len(m.students), order[m.assignment_id, m.grade_id], m.text))


def mistake(message):
    """The gist of a hint: its first sentence, cut at the first ':' or ';' outside brackets,
    with every number replaced by '#'."""
    depth = 0
    for i, char in enumerate(message):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
        elif depth == 0 and (char in ":;" or (char == "." and message[i + 1:i + 2] in ("", " ", "\n"))):
            message = message[:i]
            break
    return " ".join(NUMBER.sub("#", message).split())


def student_totals(summary):
    """The students, sorted, each with their summary rows."""
    students = {}
    for row in sorted(summary, key=lambda r: r["student_id"]):
        students.setdefault(row["student_id"], Student(row["student_id"])).rows[row["assignment_id"]] = row
    return list(students.values())


def assignment_maxima(summary):
    """{assignment_id: max_score}, in course order."""
    return {row["assignment_id"]: float(row["max_score"])
            for row in sorted(summary, key=lambda r: r["assignment_id"])}


def write_lms_csv(path, summary):
    """One row per student: the score of each assignment (blank if not handed in) and the total."""
    maxima = assignment_maxima(summary)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student_id", *maxima, "total"])
        for student in student_totals(summary):
            scores = [float(student.rows[a]["score"]) if a in student.rows else None for a in maxima]
            writer.writerow([student.student_id, *("" if s is None else f"{s:g}" for s in scores),
                             f"{sum(s for s in scores if s is not None):g}"])


def histogram(question, class_size):
    """A small bar chart of the points the class earned on one question: an SVG data URI.
    One bar per step of points (at most 10 steps), its height the number of students."""
    steps = max(1, min(10, round(question.max_score)))
    step = question.max_score / steps
    counts = [0] * (steps + 1)
    for score in question.scores:
        counts[min(steps, max(0, math.floor(score / step + 0.5)))] += 1
    left, top, width, height = 26, 20, 206, 96  # the plot area, in pixels of a 240 x 150 figure
    slot = width / (steps + 1)
    bars = [{"count": count, "height": height * count / class_size, "x": left + slot * i + slot * 0.075,
             "width": slot * 0.85, "label_x": left + slot * (i + 0.5), "points": f"{step * i:g}",
             "colour": NONE if i == 0 else FULL if i == steps else SOME}
            for i, count in enumerate(counts)]
    svg = TEMPLATES.get_template("histogram.svg.j2").render(
        grade_id=question.grade_id, class_size=class_size, bars=bars, left=left, top=top, width=width, height=height)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def render(summary, questions, mistakes, totals=None):
    """The report page as HTML text; `totals` are the gradebook's, if there is one."""
    maxima = assignment_maxima(summary)
    earned = sum(float(r["score"]) for r in summary)
    possible = sum(float(r["max_score"]) for r in summary)
    students = student_totals(summary)
    graded = sum(r["status"] == "graded" for r in summary)
    overview = (f"{_count(len(students), 'student')}, {_count(len(maxima), 'assignment')}, "
                f"{_count(len(summary), 'submission')} ({graded} graded, {len(summary) - graded} not). "
                + (f"The class earned {100 * earned / possible:.0f}% of the points." if possible else ""))
    histograms = defaultdict(list)
    for q in questions:
        histograms[q.assignment_id].append((q, histogram(q, max(len(students), 1))))
    return TEMPLATES.get_template("report.html.j2").render(
        csp=CSP, generated=datetime.now().strftime("%Y-%m-%d %H:%M"), overview=overview,
        sources="grades.csv, summary.csv" + (" and gradebook.db" if totals is not None else ""),
        hardest=hardest(questions)[:HARDEST], mistakes=mistakes[:MISTAKES], histograms=histograms,
        students=students, maxima=maxima, totals=totals,
        hand_graded=[a for a in maxima if totals is not None and totals.hand_graded.get(a)],
        to_grade=sum(row.get("to_grade", 0) for row in summary),
        explain=any(row["status"] != "graded" for row in summary),
        show_late=any(row.get("late") == "yes" for row in summary))


def _count(n, noun):
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _read_csv(path):
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: run `backprop-grade grade` into {path.parent} first.")
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))

"""`backprop-grade report`: the class report and the LMS gradebook file, from grading's output.

Reads OUT/grades.csv, OUT/summary.csv and the feedback pages OUT/feedback/<student>/
<assignment>/<assignment>.html that `backprop-grade grade` wrote, and the hand grading of the
free-text answers in OUT/gradebook.db (autograder/gradebook.py), and writes

- OUT/report/index.html, one self-contained page (bar charts embedded as SVG data URIs, no
  network): the hardest questions, the mistakes most often hit, a score histogram for every
  autograded test cell grouped by assignment, and every student's totals with the reason for
  each submission that was not graded;
- OUT/report/lms.csv, `student_id,<assignment ids...>,total`: one row per student, the score
  of each assignment as a number (blank where the student handed nothing in) and their total.

With a gradebook, a graded submission scores what nbgrader's gradebook says (its auto scores,
the manual scores a grader gave in formgrader, which take precedence, and extra credit), and an
assignment is out of all its points, free-text answers included; the page marks the assignments
with free-text answers and counts the cells still to be graded by hand, which score 0 until they
are. A submission that was not graded is not in the gradebook and keeps its autograded score.

Every row of grades.csv counts, so a submission that could not be graded counts as zero
points on each of its questions. The mistakes are the hints of failed test cells: the first
sentence of each hint, cut at its first ':' or ';' (outside brackets) and with its numbers
replaced by '#', so that `sigmoid(1000) is nan: ...` and `sigmoid(-1e308) is nan: ...` count as
one mistake. A failed cell that raised another error counts as `SomeError: message`; the
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
import html
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from string import Template


from .gradebook import gradebook_totals

HARDEST = 10   # rows of the hardest-questions table
MISTAKES = 10  # rows of the mistakes table

EXCEPTION_LINE = re.compile(r"^(Hint|[A-Za-z_][\w.]*(?:Error|Exception|Warning|Exit)): ?(.*)$", re.MULTILINE)
NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w.])")
UNANSWERED = "NotImplementedError"

# Bar colours of the histograms: no points, some points, full points.
NONE, SOME, FULL = "#c8553d", "#e0a030", "#3a8a5c"


@dataclass
class Question:
    """An autograded test cell and the scores the class earned on it."""
    assignment_id: str
    grade_id: str
    max_score: float
    scores: list

    @property
    def mean_fraction(self):
        return sum(self.scores) / (len(self.scores) * self.max_score) if self.max_score else 1.0


@dataclass
class Mistake:
    """One mistake of one question, the students who made it and one hint that said so."""
    assignment_id: str
    grade_id: str
    text: str
    example: str
    students: set


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
    page = render(summary, questions, class_mistakes(out, summary, questions), totals)
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


def class_mistakes(out, summary, questions):
    """The mistakes in the feedback of graded submissions, most frequent first."""
    known = {(q.assignment_id, q.grade_id) for q in questions}
    found = {}
    for row in summary:
        student, assignment = row["student_id"], row["assignment_id"]
        page = Path(out, "feedback", student, assignment, f"{assignment}.html")
        if row["status"] != "graded" or not page.is_file():
            continue
        for grade_id, output in error_outputs(page.read_text(encoding="utf-8")):
            error = EXCEPTION_LINE.findall(output)
            if (assignment, grade_id) not in known or not error or error[-1][0] == UNANSWERED:
                continue
            name, message = error[-1]
            gist = mistake(message)
            text = gist if name == "Hint" else f"{name}: {gist}" if gist else name
            key = (assignment, grade_id, text)
            found.setdefault(key, Mistake(*key, f"{name}: {message}", set())).students.add(student)
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


class _ErrorOutputs(HTMLParser):
    """Collects (grade_id, text) of every error output in an nbgrader feedback page.

    A cell's grade id is the name of the anchor nbgrader puts in its heading; error outputs
    are `div.output_error` blocks whose text (ANSI colour spans stripped) is the traceback.
    """

    def __init__(self):
        super().__init__()
        self.grade_id, self.text, self.found = None, None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "div" and "cell" in classes:
            self.grade_id = None
        elif tag == "a" and attrs.get("name") and not attrs["name"].startswith("comment-") and attrs["name"] != "top":
            self.grade_id = attrs["name"]
        elif tag == "div" and "output_error" in classes:
            self.text = []

    def handle_endtag(self, tag):
        if tag == "pre" and self.text is not None:
            self.found.append((self.grade_id, "".join(self.text)))
            self.text = None

    def handle_data(self, data):
        if self.text is not None:
            self.text.append(data)


def error_outputs(page):
    """[(grade_id or None, traceback text)] of the error outputs of a feedback page."""
    parser = _ErrorOutputs()
    parser.feed(page)
    return parser.found


def student_totals(summary):
    """{student_id: {assignment_id: summary row}}, students sorted."""
    totals = defaultdict(dict)
    for row in sorted(summary, key=lambda r: r["student_id"]):
        totals[row["student_id"]][row["assignment_id"]] = row
    return totals


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
        for student, rows in student_totals(summary).items():
            scores = [float(rows[a]["score"]) if a in rows else None for a in maxima]
            writer.writerow([student, *("" if s is None else f"{s:g}" for s in scores),
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
    parts = [f'<text x="4" y="12" class="title">{_e(question.grade_id)}</text>',
             f'<line x1="{left}" y1="{top + height}" x2="{left + width}" y2="{top + height}"/>',
             f'<text x="{left - 4}" y="{top + height}" class="y">0</text>',
             f'<text x="{left - 4}" y="{top + 7}" class="y">{class_size}</text>',
             f'<text x="{left + width / 2}" y="146" class="x">points</text>']
    for i, count in enumerate(counts):
        bar = height * count / class_size
        colour = NONE if i == 0 else FULL if i == steps else SOME
        x = left + slot * i
        parts += [f'<rect class="bar" data-count="{count}" x="{x + slot * 0.075:.1f}" y="{top + height - bar:.1f}" '
                  f'width="{slot * 0.85:.1f}" height="{bar:.1f}" fill="{colour}"/>',
                  f'<text x="{x + slot / 2:.1f}" y="{top + height + 12}" class="x">{step * i:g}</text>']
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="240" height="150" viewBox="0 0 240 150">'
           '<style>text{font:8px sans-serif;fill:#333}.title{font-size:9px}.x{text-anchor:middle}'
           '.y{text-anchor:end}line{stroke:#888}</style>' + "".join(parts) + "</svg>")
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
                + (f"The class earned {_percent(earned / possible)} of the points." if possible else ""))
    return PAGE.substitute(
        css=CSS, generated=datetime.now().strftime("%Y-%m-%d %H:%M"), overview=html.escape(overview),
        sources="grades.csv, summary.csv, " + ("the feedback pages and gradebook.db" if totals is not None
                                               else "and the feedback pages"),
        hardest=_hardest_table(hardest(questions)[:HARDEST]),
        mistakes=_mistakes_table(mistakes[:MISTAKES]),
        histograms=_histograms(questions, max(len(students), 1)),
        students=_students_table(students, maxima, totals), hand_grading=_hand_grading_note(summary, totals))


def _hardest_table(questions):
    if not questions:
        return "<p class=note>No questions were graded.</p>"
    rows = "".join(
        f"<tr><td class=num>{rank}</td><td><code>{_e(q.grade_id)}</code></td><td>{_e(q.assignment_id)}</td>"
        f"<td class=num>{sum(q.scores) / len(q.scores):.2f} / {q.max_score:g}</td>"
        f"<td class=num>{_percent(q.mean_fraction)}</td><td>{_bar(q.mean_fraction)}</td>"
        f"<td class=num>{sum(s == q.max_score for s in q.scores)} / {len(q.scores)}</td></tr>"
        for rank, q in enumerate(questions, start=1))
    return ("<table id=hardest><thead><tr><th class=num>#</th><th>question</th><th>assignment</th>"
            "<th class=num>mean points</th><th class=num>mean</th><th></th><th class=num>full marks</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>")


def _mistakes_table(mistakes):
    if not mistakes:
        return "<p class=note>No hints were shown: every failed check was an unanswered question.</p>"
    rows = "".join(
        f"<tr><td class=num>{len(m.students)}</td><td><strong>{_e(m.text)}</strong>"
        f"<div class=example>{_e(m.example)}</div></td>"
        f"<td><code>{_e(m.grade_id)}</code><div class=muted>{_e(m.assignment_id)}</div></td></tr>"
        for m in mistakes)
    return ("<table id=mistakes><thead><tr><th class=num>students</th><th>mistake (one full hint below it)</th>"
            f"<th>question</th></tr></thead><tbody>{rows}</tbody></table>")


def _histograms(questions, class_size):
    by_assignment = defaultdict(list)
    for q in questions:
        by_assignment[q.assignment_id].append(q)
    sections = []
    for assignment_id, cells in by_assignment.items():
        figures = "".join(
            f'<figure><img alt="{_e(q.grade_id)}" title="{_e(q.grade_id)}: mean {_percent(q.mean_fraction)}" '
            f'src="{histogram(q, class_size)}"><figcaption>mean {_percent(q.mean_fraction)}</figcaption></figure>'
            for q in cells)
        sections.append(f"<h3>{_e(assignment_id)}</h3><div class=grid>{figures}</div>")
    return "".join(sections) or "<p class=note>No questions were graded.</p>"


def _hand_grading_note(summary, totals):
    if totals is None:
        return ""
    marked = [a for a in assignment_maxima(summary) if totals.hand_graded.get(a)]
    to_grade = sum(row["to_grade"] for row in summary)
    return ("<p class=lead id=hand-grading>"
            + (f"The assignments marked \N{LOWER RIGHT PENCIL} ({_e(', '.join(marked))}) have free-text answers, "
               "graded by hand in nbgrader's formgrader (gradebook.db): their columns, the totals and lms.csv "
               "include those scores. " if marked else "")
            + (f"{_count(to_grade, 'cell')} still to be graded by hand there, which count as 0 until they are."
               if to_grade else "Nothing is left to grade by hand.")
            + "</p>")


def _students_table(students, maxima, totals=None):
    explain = any(row["status"] != "graded" for rows in students.values() for row in rows.values())
    pencil = " \N{LOWER RIGHT PENCIL}"
    head = "".join(f"<th class=num>{_e(a)}{pencil if totals is not None and totals.hand_graded.get(a) else ''}</th>"
                   for a in maxima)
    rows = []
    for student, submissions in students.items():
        cells, reasons = [], []
        for assignment_id, max_score in maxima.items():
            row = submissions.get(assignment_id)
            if row is None:
                cells.append("<td class='num muted'>not handed in</td>")
                continue
            score = f"{float(row['score']):g} / {max_score:g}"
            if row.get("to_grade"):
                score += f" <span class=muted>({row['to_grade']} to grade)</span>"
            if row["status"] == "graded":
                cells.append(f"<td class=num>{score}</td>")
            else:
                cells.append(f"<td class=num>{score} {_badge(row['status'])}</td>")
                reasons.append(f"<li><strong>{_e(assignment_id)}</strong>: {_e(row['message'])}</li>")
        handed_in = [submissions[a] for a in maxima if a in submissions]
        total = sum(float(r["score"]) for r in handed_in)
        not_graded = sorted({r["status"] for r in handed_in if r["status"] != "graded"})
        status = " ".join(map(_badge, not_graded or ["graded"]))
        rows.append(f"<tr><td><code>{_e(student)}</code></td>{''.join(cells)}"
                    f"<td class='num total'>{total:g} / {sum(maxima.values()):g}</td><td>{status}</td>"
                    + (f"<td><ul>{''.join(reasons)}</ul></td>" if reasons else "<td></td>" if explain else "")
                    + "</tr>")
    return (f"<div class=scroll><table id=students><thead><tr><th>student</th>{head}<th class=num>total</th>"
            f"<th>status</th>{'<th>why not graded</th>' if explain else ''}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def _badge(status):
    return f"<span class='badge {_e(status)}'>{_e(status)}</span>"


def _bar(fraction):
    return f"<div class=bar><div style='width:{100 * fraction:.0f}%'></div></div>"


def _count(n, noun):
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _percent(fraction):
    return f"{100 * fraction:.0f}%"


def _e(text):
    return html.escape(str(text))


def _read_csv(path):
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: run `backprop-grade grade` into {path.parent} first.")
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


CSS = """
:root { --ink: #1f2933; --muted: #6b7785; --line: #e3e7ec; --accent: #2f6f9f; --paper: #fbfcfd; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--paper); color: var(--ink);
       font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header { background: #17324d; color: #fff; padding: 28px 0 22px; }
header p { margin: 4px 0 0; color: #c9d6e3; }
nav a { color: #fff; margin-right: 18px; font-size: 14px; opacity: .85; }
.wrap { max-width: 1180px; margin: 0 auto; padding: 0 28px; }
h1 { margin: 0; font-size: 26px; font-weight: 650; }
h2 { margin: 40px 0 6px; font-size: 20px; border-bottom: 2px solid var(--line); padding-bottom: 6px; }
h3 { margin: 26px 0 10px; font-size: 16px; color: var(--accent); }
p.lead, p.note { color: var(--muted); margin: 4px 0 14px; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line);
        border-radius: 6px; overflow: hidden; font-size: 14px; }
th { text-align: left; background: #f1f4f7; color: #3e4c59; font-weight: 600; padding: 8px 10px;
     border-bottom: 1px solid var(--line); white-space: nowrap; }
td { padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
tbody tr:nth-child(even) { background: #f8fafb; }
tbody tr:hover { background: #eef4fa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.total { font-weight: 600; }
code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: nowrap; }
.scroll { overflow-x: auto; }
.muted { color: var(--muted); font-size: 13px; }
.example { color: var(--muted); font-size: 12.5px; margin-top: 3px; }
td ul { margin: 0; padding-left: 18px; font-size: 13px; }
.bar { width: 120px; height: 9px; background: #e9edf1; border-radius: 5px; margin-top: 6px; }
.bar div { height: 100%; background: var(--accent); border-radius: 5px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 12px; }
figure { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 6px 6px 4px; }
figure img { width: 100%; display: block; }
figcaption { font-size: 12px; color: var(--muted); text-align: right; padding-right: 4px; }
.badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; font-weight: 600;
         background: #fbe3dc; color: #8a2c17; }
.badge.graded { background: #dff1e6; color: #23613d; }
.badge.missing, .badge.timeout { background: #fdf0d5; color: #7a5200; }
footer { color: var(--muted); font-size: 13px; margin: 40px 0 30px; }
"""

PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Class report</title>
<style>$css</style>
</head>
<body>
<header><div class="wrap">
<h1>Class report</h1>
<p>$overview</p>
<nav><a href="#hardest-questions">Hardest questions</a><a href="#common-mistakes">Common mistakes</a><a
href="#distributions">Score distributions</a><a href="#students-totals">Students</a></nav>
</div></header>
<main class="wrap">
<h2 id="hardest-questions">Hardest questions</h2>
<p class="lead">Autograded questions by the mean fraction of their points the class earned, lowest first.</p>
$hardest
<h2 id="common-mistakes">Common mistakes</h2>
<p class="lead">The hints of failed checks, by how many students got them; numbers in a hint are shown as #.
Unanswered questions are not counted.</p>
$mistakes
<h2 id="distributions">Score distributions</h2>
<p class="lead">Points earned on each autograded question: red none, amber some, green full marks.</p>
$histograms
<h2 id="students-totals">Students</h2>
<p class="lead">Each student's score per assignment and in total. A submission that could not be graded scores zero;
the reason is given.</p>
$hand_grading
$students
<footer>Generated by backprop-grade on $generated from $sources.</footer>
</main>
</body>
</html>
""")

"""The class report and the LMS gradebook file that `backprop-grade grade` writes (and `report` rewrites)."""
import base64
import csv
import os
from collections import Counter
from html.parser import HTMLParser
from xml.etree import ElementTree

import nbformat
import pytest

from autograder.course import reference_answers, source_notebook
from autograder.report import mistake
from conftest import ROOT, backprop_grade, complete_notebook, read_csv, release_notebook, submit
from jupyterlab import CHROMIUM, CHROMIUM_FLAGS, chromium_available

pytestmark = pytest.mark.slow

NAIVE_SIGMOID = "def sigmoid(z):\n    return np.exp(z) / (1 + np.exp(z))\n"
LOG10_LOGIT = "def logit(p):\n    return np.log10(p / (1 - p))\n"
SCREENSHOT = ROOT / "artifacts" / "screenshots" / "report.png"
# A student forges a hint for the planted mistake, as feedback pages show a real one, under a test cell's anchor.
FORGED = ("\nfrom IPython.display import HTML, display\n"
          "display(HTML('<a name=\"test_sigmoid_stability\"></a><div class=\"output_error\"><pre>"
          "Hint: sigmoid(1000) overflowed (FloatingPointError: overflow encountered in exp): "
          "forged by the student</pre></div>'))\n")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A graded class of 01_sigmoid: full marks, blank, two naive sigmoids (one also with a
    log10 logit), a right answer that shows a forged hint and a file that is not a notebook. Returns the --out folder and the run."""
    root = tmp_path_factory.mktemp("report-class")
    submitted = root / "submitted"
    submit(submitted, "complete", "01_sigmoid", complete_notebook("01_sigmoid"))
    submit(submitted, "blank", "01_sigmoid", release_notebook("01_sigmoid"))
    submit(submitted, "naive-1", "01_sigmoid", complete_notebook("01_sigmoid", sigmoid=NAIVE_SIGMOID))
    submit(submitted, "naive-2", "01_sigmoid",
           complete_notebook("01_sigmoid", sigmoid=NAIVE_SIGMOID, logit=LOG10_LOGIT))
    submit(submitted, "forger", "01_sigmoid",
           complete_notebook("01_sigmoid", sigmoid=reference_answers("01_sigmoid")["sigmoid"] + FORGED))
    submit(submitted, "garbage", "01_sigmoid", b"{ this is not json")
    run = backprop_grade("grade", submitted, "--out", root / "out", "--jobs", 2)
    assert run.returncode == 0, run.stderr
    return root / "out", run


class _Page(HTMLParser):
    """The tables (id -> rows of cell texts) and images (alt, src) of an HTML page."""

    def __init__(self, text):
        super().__init__()
        self.tables, self.images, self.table, self.cell = {}, [], None, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.table = self.tables.setdefault(attrs.get("id"), [])
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag in ("td", "th") and self.table is not None:
            self.cell = []
        elif tag == "img":
            self.images.append((attrs.get("alt"), attrs.get("src")))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.table[-1].append(" ".join(" ".join(self.cell).split()))
            self.cell = None
        elif tag == "table":
            self.table = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def page(out):
    return _Page((out / "report" / "index.html").read_text(encoding="utf-8"))


def body(table):
    """The rows of a table below its header row."""
    return table[1:]


def test_grade_writes_the_report_and_says_where(graded):
    out, run = graded
    assert (out / "report" / "index.html").is_file() and (out / "report" / "lms.csv").is_file()
    assert str(out / "report" / "index.html") in run.stdout


def test_every_question_has_an_embedded_histogram(graded):
    out, _ = graded
    questions = {row["grade_id"] for row in read_csv(out / "grades.csv")}
    images = dict(page(out).images)
    assert set(images) == questions
    answered = Counter(row["grade_id"] for row in read_csv(out / "grades.csv"))
    for grade_id, src in images.items():
        assert src.startswith("data:image/svg+xml;base64,")
        svg = ElementTree.fromstring(base64.b64decode(src.split(",", 1)[1]))
        bars = svg.findall("{http://www.w3.org/2000/svg}rect")
        assert sum(int(bar.get("data-count")) for bar in bars) == answered[grade_id]  # every score in one bar
    text = (out / "report" / "index.html").read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text and "<script" not in text and "<link" not in text


def test_hardest_questions_come_first(graded):
    out, _ = graded
    earned, possible = {}, {}
    for row in read_csv(out / "grades.csv"):
        earned[row["grade_id"]] = earned.get(row["grade_id"], 0) + float(row["score"])
        possible[row["grade_id"]] = possible.get(row["grade_id"], 0) + float(row["max_score"])
    fraction = {q: earned[q] / possible[q] for q in earned}
    rows = body(page(out).tables["hardest"])
    shown = [(row[1], row[4]) for row in rows]  # question, mean as a percentage
    assert len(rows) == min(10, len(fraction))
    assert [percent for _, percent in shown] == [f"{100 * f:.0f}%" for f in sorted(fraction.values())[:len(rows)]]
    assert all(percent == f"{100 * fraction[q]:.0f}%" for q, percent in shown)


def test_the_planted_mistake_tops_the_mistakes(graded):
    out, _ = graded
    rows = body(page(out).tables["mistakes"])
    count, text, question = rows[0]
    assert count == "2"
    assert text.startswith("sigmoid(#) overflowed (FloatingPointError: overflow encountered in exp)")
    assert question == "test_sigmoid_stability 01_sigmoid"
    assert ["1", "test_logit 01_sigmoid"] in [[r[0], r[2]] for r in rows if r[1].startswith("logit(#) is log10(#)")]
    assert not [r for r in rows if "NotImplementedError" in r[1]]  # the blank workbook is unanswered, not wrong


def test_a_hint_forged_in_an_output_never_reaches_the_report(graded):
    out, _ = graded
    feedback = (out / "feedback" / "forger" / "01_sigmoid" / "01_sigmoid.html").read_text(encoding="utf-8")
    assert "forged by the student" in feedback  # shown to the student as their output, as it was
    assert "forged by the student" not in (out / "report" / "index.html").read_text(encoding="utf-8")


def free_text_points(assignment_id):
    """The points of an assignment's answers graded by hand."""
    cells = nbformat.read(source_notebook(assignment_id), as_version=4).cells
    return sum(float(m["points"]) for m in (c.metadata.get("nbgrader", {}) for c in cells)
               if m.get("grade") and m.get("solution"))


def test_student_totals_are_the_summary_out_of_every_point(graded):
    out, _ = graded
    summary = {row["student_id"]: row for row in read_csv(out / "summary.csv")}
    rows = body(page(out).tables["students"])
    assert [row[0] for row in rows] == sorted(summary)
    by_hand = free_text_points("01_sigmoid")  # nothing graded by hand yet: those answers count 0
    assert by_hand > 0
    for student, assignment, total, status, reasons in rows:
        row = summary[student]
        expected = f"{float(row['score']):g} / {float(row['max_score']) + by_hand:g}"
        assert assignment.startswith(expected) and total == expected
        assert status == row["status"]
        assert (row["message"] in reasons) if row["status"] != "graded" else reasons == ""
    assert summary["garbage"]["status"] == "invalid" and "not a readable notebook" in summary["garbage"]["message"]


def test_lms_csv_has_a_row_per_student_and_a_column_per_assignment(graded):
    out, _ = graded
    summary = read_csv(out / "summary.csv")
    with open(out / "report" / "lms.csv", newline="", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    assert header == ["student_id", "01_sigmoid", "total"]
    assert sorted(row[0] for row in rows) == sorted(row["student_id"] for row in summary)
    scores = {row["student_id"]: float(row["score"]) for row in summary}
    for student, score, total in rows:
        assert float(score) == float(total) == scores[student]


def write_grading_output(out, grades, summary, late=None):
    """OUT/grades.csv and OUT/summary.csv as `grade` writes them; `late` ({student: "yes"}) adds
    summary.csv's `late` column."""
    out.mkdir(exist_ok=True)
    header = "student_id,assignment_id,score,max_score,status,message" + (",late" if late is not None else "")
    if late is not None:
        summary = [(*row, late.get(row[0], "")) for row in summary]
    for name, head, rows in [("grades.csv", "student_id,assignment_id,grade_id,score,max_score,message", grades),
                             ("summary.csv", header, summary)]:
        with open(out / name, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([head.split(","), *rows])


def test_report_leaves_a_blank_where_nothing_was_handed_in(tmp_path):
    out = tmp_path / "out"
    grades = [("ada", "00_shapes", "test_a", 1, 1, ""), ("ada", "00_shapes", "test_b", 0, 2, "Hint: b is wrong"),
              ("ada", "01_sigmoid", "test_c", 3, 3, ""), ("bob", "01_sigmoid", "test_c", 1.5, 3, "")]
    summary = [("ada", "00_shapes", 1, 3, "graded", ""), ("ada", "01_sigmoid", 3, 3, "graded", ""),
               ("bob", "01_sigmoid", 1.5, 3, "graded", "")]
    write_grading_output(out, grades, summary)

    run = backprop_grade("report", out)

    assert run.returncode == 0, run.stderr
    assert str(out / "report" / "lms.csv") in run.stdout
    assert read_csv(out / "report" / "lms.csv") == [
        {"student_id": "ada", "00_shapes": "1", "01_sigmoid": "3", "total": "4"},
        {"student_id": "bob", "00_shapes": "", "01_sigmoid": "1.5", "total": "1.5"}]
    students = body(page(out).tables["students"])
    assert students[1][:4] == ["bob", "not handed in", "1.5 / 3", "1.5 / 6"]


def test_report_escapes_what_it_shows_marks_late_work_and_allows_no_script(tmp_path):
    out = tmp_path / "out"
    evil = "<img src=x onerror=alert(1)>"
    grades = [(evil, "01_sigmoid", "test_c", 0, 3, f"Hint: {evil} is not a number"),
              ("bob", "01_sigmoid", "test_c", 0, 3, "not graded")]
    summary = [(evil, "01_sigmoid", 0, 3, "graded", ""), ("bob", "01_sigmoid", 0, 3, "timeout", f"ran {evil}")]
    write_grading_output(out, grades, summary, late={"bob": "yes"})

    run = backprop_grade("report", out)

    assert run.returncode == 0, run.stderr
    text = (out / "report" / "index.html").read_text(encoding="utf-8")
    assert "<img src=x" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert '<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;' in text
    shown = page(out)
    gist = evil.replace("1", "#")
    assert body(shown.tables["mistakes"]) == [["1", f"{gist} is not a number Hint: {evil} is not a number",
                                               "test_c 01_sigmoid"]]  # "not graded" is no mistake
    students = {row[0]: row for row in body(shown.tables["students"])}
    assert students["bob"][1] == "0 / 3 late timeout" and students[evil][1] == "0 / 3"
    assert students["bob"][4].endswith(f"ran {evil}")  # shown as text


def test_report_of_a_folder_without_grades_says_what_to_do(tmp_path):
    run = backprop_grade("report", tmp_path)
    assert run.returncode == 1
    assert "grades.csv does not exist: run `backprop-grade grade`" in run.stderr


@pytest.mark.parametrize("hint, gist", [
    ("sigmoid(1000) overflowed (FloatingPointError: overflow encountered in exp): exp(z) overflows for z > 709.",
     "sigmoid(#) overflowed (FloatingPointError: overflow encountered in exp)"),
    ("logit(0.75) is log10(3): use the natural log, np.log, not np.log10", "logit(#) is log10(#)"),
    ("sigmoid_derivative(0) is 0: you computed z * (1 - z). Apply the formula", "sigmoid_derivative(#) is #"),
    ("relu(an array of shape (3, 4)) has wrong values (largest error 0.5)",
     "relu(an array of shape (#, #)) has wrong values (largest error #)"),
    ("sigmoid(-1e308) is nan. Use exp(-|z|); never exp(z)", "sigmoid(#) is nan"),
])
def test_a_mistake_is_the_gist_of_its_hint(hint, gist):
    assert mistake(hint) == gist


@pytest.mark.browser
@pytest.mark.skipif(not chromium_available() and not os.environ.get("CI"),
                    reason="needs Debian's chromium (apt-get install chromium); CI always runs this test")
def test_report_renders_in_a_browser_with_nothing_from_the_network(graded):
    from playwright.sync_api import sync_playwright
    out, _ = graded
    requested = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        view = browser.new_page(viewport={"width": 1280, "height": 900})
        view.on("request", lambda request: requested.append(request.url))
        view.goto((out / "report" / "index.html").as_uri())
        drawn = view.eval_on_selector_all("img", "images => images.map(i => i.complete && i.naturalWidth > 0)")
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        view.screenshot(path=SCREENSHOT, full_page=True)
        browser.close()
    assert drawn and all(drawn)
    assert all(url.startswith(("file:", "data:")) for url in requested), requested

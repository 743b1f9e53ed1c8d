"""The pages made from a graded notebook, in Debian's Chromium: no student-controlled script runs in
formgrader or the feedback page, and the feedback page is one a student reads with pleasure.

A student of 01_sigmoid hands in a notebook full of script payloads, in the outputs of their
solution cell (text/html with <script>, <img onerror>, inline <svg onload> and an <iframe srcdoc>;
application/javascript; an SVG image with onload; text/markdown with a javascript: link) and in
markdown cells (their free-text answer and a cell of their own, with <script> and javascript:
links). Each payload, if it ran, would add `pwned:<where>` to the page's title and PUT
`pwned-<where>.txt` through the Jupyter server's contents API with the _xsrf cookie, as the
instructor. The class is graded with `backprop-grade grade`; then, in Debian's Chromium, formgrader
(logged in) shows the submission and the feedback page is opened: no payload runs in either.

Controls show that the test can fail: the same payload code, run by the test in the formgrader
page, does write its file; the submitted notebook exported by plain nbconvert runs the payloads;
and the feedback page's Content-Security-Policy alone stops them there.

A second student's feedback page, opened with the network blocked, names each question by its
function, with its points and its hint, says "to be graded by hand" of a written answer not
graded yet, wraps its hints, styles its tables, renders its math and shows no path of the
grader's and no hidden test.
"""
import base64
import json
import os
import re
import sys
import time
import urllib.request

import nbformat
import pytest
from nbconvert import HTMLExporter

from autograder.course import autograded_cells, master_notebook, nbgrader_meta, reference_answers
from autograder.feedback import CSP_META
from conftest import ROOT, backprop_grade, complete_notebook, release_notebook, submit
from jupyterlab import CHROMIUM, CHROMIUM_FLAGS, chromium_available, jupyterlab

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not chromium_available() and not os.environ.get("CI"),
                                 reason="needs Debian's chromium (apt-get install chromium); CI always runs this test")]

ASSIGNMENT = "01_sigmoid"
STUDENT = "mallory"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def payload(where):
    """JavaScript that marks the page's title and PUTs pwned-<where>.txt as whoever is logged in.
    Single quotes only, so that it fits in a double-quoted HTML attribute."""
    return (f"top.document.title += ' pwned:{where}';"
            f"fetch('/api/contents/pwned-{where}.txt', {{method: 'PUT', credentials: 'same-origin',"
            " headers: {'X-XSRFToken': (document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || ''},"
            " body: JSON.stringify({type: 'file', format: 'text', content: 'pwned'})})")


OUTPUTS = [  # (the display class, what it displays)
    ("HTML", f"<script>{payload('html-script')}</script>"),
    ("HTML", f"<img src=x onerror=\"{payload('img-onerror')}\">"),
    ("HTML", f"<svg onload=\"{payload('html-svg-onload')}\"></svg>"),
    ("HTML", f"<iframe srcdoc=\"<script>{payload('iframe-srcdoc')}</script>\"></iframe>"),
    ("HTML", '<div class="output_error"><pre>Hint: a fake hint from the student</pre></div>'),
    ("Javascript", payload("javascript")),
    ("SVG", f"<svg xmlns='http://www.w3.org/2000/svg' onload=\"{payload('svg-onload')}\"><rect width='9' height='9'/></svg>"),
    ("Markdown", f"[click](<javascript:{payload('markdown-output-link')}>)"),
]
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
# nbconvert's templates write an image's width unquoted: a space in it starts another attribute
WIDTH = f"1 onerror=eval(atob('{base64.b64encode(payload('image-width').encode()).decode()}'))"
DISPLAYS = "\nfrom IPython.display import HTML, SVG, Javascript, Markdown, display\n" + "".join(
    f"display({kind}({content!r}))\n" for kind, content in OUTPUTS) + (
    f"display({{'image/png': {PNG!r}}}, raw=True, metadata={{'image/png': {{'width': {WIDTH!r}}}}})\n")


def markdown(where):
    return (f"An answer.\n\n<script>{payload(where + '-script')}</script>\n\n"
            f"[a link](<javascript:{payload(where + '-link')}>)\n\n<a href=\"javascript:{payload(where + '-a')}\">a</a>")


def hostile_notebook():
    """01_sigmoid answered right, with the payloads in outputs and in markdown."""
    nb = complete_notebook(ASSIGNMENT, sigmoid=reference_answers(ASSIGNMENT)["sigmoid"] + DISPLAYS,
                           q_log_odds=markdown("answer"))
    nb.cells.append(nbformat.v4.new_markdown_cell(markdown("markdown-cell")))
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The graded class of one hostile student; returns the --out folder."""
    root = tmp_path_factory.mktemp("pages-class")
    submit(root / "submitted", STUDENT, ASSIGNMENT, hostile_notebook())
    run = backprop_grade("grade", root / "submitted", "--out", root / "out")
    assert run.returncode == 0, run.stderr
    return root / "out"


def pwned_files(folder):
    return sorted(path.name for path in folder.glob("pwned*"))


def settle(page):
    """Give every payload its chance: the page loaded, its requests done."""
    page.wait_for_load_state("networkidle")
    time.sleep(1)


CELL_DANGERS = """() => Array.from(document.querySelectorAll('.cell, .cell *')).filter(e =>
    ['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'FORM', 'svg'].includes(e.tagName)
    || Array.from(e.attributes).some(a => a.name.startsWith('on'))
    || /^\\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src') || ''))
    .map(e => e.outerHTML.slice(0, 120))"""


def chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)


def test_no_payload_runs_in_formgrader(graded, tmp_path, monkeypatch):
    from playwright.sync_api import sync_playwright
    monkeypatch.chdir(graded)  # formgrader's course is the Jupyter server's working directory
    with jupyterlab(graded, tmp_path) as (url, token), sync_playwright() as playwright:
        with urllib.request.urlopen(f"{url}/formgrader/api/submitted_notebooks/{ASSIGNMENT}/{ASSIGNMENT}"
                                    f"?token={token}", timeout=60) as response:
            [submission] = json.loads(response.read())
        browser = chromium(playwright)
        page = browser.new_page()
        page.goto(f"{url}/?token={token}", wait_until="commit")  # logs in, as the instructor does
        page.goto(f"{url}/formgrader/submissions/{submission['id']}/")
        settle(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        title, dangers, shown = page.title(), page.evaluate(CELL_DANGERS), page.inner_text("body")
        ran = pwned_files(graded)
        page.screenshot(path=SCREENSHOTS / "formgrader-payloads.png", full_page=True)

        page.evaluate(payload("control"))  # the same code, run by the test, does what it says
        settle(page)
        control = page.title(), pwned_files(graded)
        browser.close()

    assert "pwned" not in title and ran == [] and dangers == []
    assert "An answer." in shown and "<script>" in shown  # the free-text answer, shown as text
    assert control == (f"{title} pwned:control", ["pwned-control.txt"])


def test_no_payload_runs_in_the_feedback_page(graded, tmp_path):
    from playwright.sync_api import sync_playwright
    feedback = graded / "feedback" / STUDENT / ASSIGNMENT / f"{ASSIGNMENT}.html"
    page_html = feedback.read_text(encoding="utf-8")
    unsanitized = HTMLExporter(template_name="classic").from_notebook_node(payload_notebook())[0]
    pages = {"feedback": feedback, "plain": tmp_path / "plain.html", "plain-with-csp": tmp_path / "csp.html"}
    pages["plain"].write_text(unsanitized, encoding="utf-8")
    pages["plain-with-csp"].write_text(unsanitized.replace("<head>", CSP_META, 1), encoding="utf-8")
    titles = {}
    with sync_playwright() as playwright:
        browser = chromium(playwright)
        for name, path in pages.items():
            page = browser.new_page()
            page.goto(path.as_uri())
            settle(page)
            titles[name] = page.title()
            if name == "feedback":
                dangers = page.evaluate(CELL_DANGERS)
                page.screenshot(path=SCREENSHOTS / "feedback-payloads.png", full_page=True)
        browser.close()

    assert CSP_META in page_html
    assert "pwned" not in titles["feedback"] and dangers == []
    assert "pwned" not in titles["plain-with-csp"]  # the policy alone stops them
    ran = {part.split(":", 1)[1] for part in titles["plain"].split() if part.startswith("pwned:")}
    assert {"html-script", "img-onerror", "html-svg-onload", "iframe-srcdoc", "markdown-cell-script"} <= ran


def payload_notebook():
    """The payloads as nbconvert would show them unsanitized: the displays run, the markdown cell."""
    from nbclient import NotebookClient
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(DISPLAYS),
                                         nbformat.v4.new_markdown_cell(markdown("markdown-cell"))])
    NotebookClient(nb, kernel_name="python3", timeout=60).execute()
    return nb


# The feedback page a student reads: 01_sigmoid with a mistake, a blank exercise, a written answer
# (math and a table) not graded yet, one left blank, and a cell whose outputs name files of the grader's.
PRECEDENCE = "def sigmoid_naive(z):\n    return np.exp(z) / 1 + np.exp(z)\n"
WRITTEN = ("The log-odds are symmetric: $\\ln\\frac{p}{1-p}$ changes sign when $p \\to 1 - p$.\n\n"
           "| $p$ | odds | log-odds |\n|---|---|---|\n| 0.5 | 1 | 0 |\n| 0.75 | 3 | $\\ln 3$ |\n")
PATHS = ("import sys\nprint(np.__file__, sys.executable)\nwarnings.warn('careful')\n"
         "np.linalg.inv(np.zeros((2, 2)))\n")


def feedback_notebook():
    blank = {nbgrader_meta(c).get("grade_id"): c.source for c in release_notebook(ASSIGNMENT).cells}
    nb = complete_notebook(ASSIGNMENT, sigmoid_naive=PRECEDENCE, logit=blank["logit"],
                           q_log_odds=WRITTEN, q_overflow=blank["q_overflow"])
    setup = next(i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("grade_id") == "setup")
    nb.cells.insert(setup + 1, nbformat.v4.new_code_cell(PATHS))
    return nb


@pytest.fixture(scope="module")
def feedback_page(tmp_path_factory):
    root = tmp_path_factory.mktemp("feedback-class")
    submit(root / "submitted", "bea", ASSIGNMENT, feedback_notebook())
    run = backprop_grade("grade", root / "submitted", "--out", root / "out")
    assert run.returncode == 0, run.stderr
    return root / "out" / "feedback" / "bea" / ASSIGNMENT / f"{ASSIGNMENT}.html"


ROWS = """() => Array.from(document.querySelectorAll('table.questions tbody tr')).map(row => ({
    anchor: row.querySelector('a').getAttribute('href').slice(1),
    name: row.cells[0].innerText.trim(), points: row.cells[1].innerText.trim(),
    result: row.cells[2].innerText.trim()}))"""
OVERFLOWING = """() => [document.documentElement, ...document.querySelectorAll('pre.hint, .answer, table.questions')]
    .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.className || e.tagName)"""
MATH = """() => Array.from(document.querySelectorAll('math')).map(m => {
    const fraction = m.querySelector('mfrac'), parts = fraction ? Array.from(fraction.children) : [];
    return {width: m.getBoundingClientRect().width,
            stacked: fraction ? parts[0].getBoundingClientRect().bottom <= parts[1].getBoundingClientRect().top + 1
                              : null}})"""
TABLE_STYLE = """selector => { const cell = document.querySelector(selector);
    return {border: getComputedStyle(cell).borderTopStyle, background: getComputedStyle(cell).backgroundColor} }"""


def master_parts():
    """The master's functions (its solution cells' defs), its graded cells and its hidden test lines."""
    functions, graded, hidden = set(), [], []
    for cell in master_notebook(ASSIGNMENT).cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution") and cell.cell_type == "code":
            functions |= set(re.findall(r"^def (\w+)", cell.source, re.MULTILINE))
        if meta.get("grade"):
            graded.append(meta["grade_id"])
        for block in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S):
            hidden += [line.strip() for line in block.splitlines() if len(line.strip()) > 12]
    return functions, graded, hidden


def test_the_feedback_page_names_each_question_and_shows_it_offline(feedback_page):
    from playwright.sync_api import sync_playwright
    requests = []
    with sync_playwright() as playwright:
        browser = chromium(playwright)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.route("**/*", lambda route: route.continue_() if route.request.url == feedback_page.as_uri()
                   else (requests.append(route.request.url), route.abort()))
        page.goto(feedback_page.as_uri())
        settle(page)
        rows, overflowing, math = page.evaluate(ROWS), page.evaluate(OVERFLOWING), page.evaluate(MATH)
        tables = {selector: page.evaluate(TABLE_STYLE, selector)
                  for selector in ["table.questions th", "#q_log_odds .answer table td"]}
        text = page.inner_text("body")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "feedback-top.png")
        for grade_id in ["test_sigmoid_naive", "q_log_odds"]:
            page.evaluate(f"document.getElementById('{grade_id}').scrollIntoView()")
            page.screenshot(path=SCREENSHOTS / f"feedback-{grade_id}.png")
        page.screenshot(path=SCREENSHOTS / "feedback-full.png", full_page=True)
        browser.close()
    functions, graded, hidden = master_parts()
    row = {r["anchor"]: r for r in rows}

    assert [r["anchor"] for r in rows] == graded  # every graded cell, in order, and nothing else
    assert len(graded) == len(autograded_cells(ASSIGNMENT)) + 3  # the three written answers
    checks = {nbgrader_meta(c).get("grade_id"): re.search(r"^check\.(\w+)\((\w+)", c.source, re.M)
              for c in master_notebook(ASSIGNMENT).cells}
    for r in rows:
        if r["anchor"].startswith("test_"):  # a function's name, and what about it for a second test
            check, checked = checks[r["anchor"]].groups()
            if checked in functions:
                assert re.fullmatch(r"(\w+)( \([\w ]+\))?", r["name"])[1] == checked, r
            else:  # a question's answers: the question, as its check names it
                assert r["name"] == check, r
    assert row["test_one_half"]["name"] == "one_half"
    assert "Test cell" not in text
    assert row["test_odds_to_probability"] == {"anchor": "test_odds_to_probability", "name": "odds_to_probability",
                                               "points": "1 / 1", "result": "✓ passed"}
    assert (row["test_sigmoid_stability"]["name"], row["test_sigmoid_stability"]["result"]) == \
        ("sigmoid (stability)", "✓ passed")
    assert row["test_sigmoid_naive"]["points"] == "0 / 1"
    assert row["test_sigmoid_naive"]["result"].startswith("Hint: sigmoid_naive(0) is 2, not 0.5")
    assert row["test_logit"]["points"] == "0 / 1" and "logit is not written yet" in row["test_logit"]["result"]
    assert row["q_log_odds"]["name"].startswith("Question")
    [log_odds] = [nbgrader_meta(c)["points"] for c in master_notebook(ASSIGNMENT).cells
                  if nbgrader_meta(c).get("grade_id") == "q_log_odds"]
    assert (row["q_log_odds"]["points"], row["q_log_odds"]["result"]) == (f"– / {log_odds:g}", "to be graded by hand")
    assert (row["q_overflow"]["points"], row["q_overflow"]["result"]) == ("0 / 2", "not answered")
    assert "still to be graded by hand" in text.split("Your questions")[0]

    assert overflowing == []  # hints wrap, and nothing is wider than the page
    for style in tables.values():
        assert style["border"] == "solid" or style["background"] != "rgba(0, 0, 0, 0)", tables
    assert tables["#q_log_odds .answer table td"]["border"] == "solid"

    assert requests == []  # the page asked the network for nothing
    assert len(math) > 50 and all(m["width"] > 0 for m in math)
    fractions = [m["stacked"] for m in math if m["stacked"] is not None]
    assert fractions and all(fractions)  # laid out as math: a numerator above its denominator
    assert "\\frac" not in text and "\\sigma" not in text

    page_html = feedback_page.read_text(encoding="utf-8")
    assert "careful" in text and "numpy/linalg" in text  # the outputs are shown ...
    for path in ["/tmp/backprop-", "ipykernel_", str(ROOT), sys.prefix, "site-packages"]:
        assert path not in page_html  # ... without the grader's paths
    assert "HIDDEN TESTS" not in page_html and not [line for line in hidden if line in text]

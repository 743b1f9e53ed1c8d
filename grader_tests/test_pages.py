"""No student-controlled script runs in a page an instructor opens: formgrader and the feedback page.

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
"""
import base64
import json
import os
import time
import urllib.request

import nbformat
import pytest
from nbconvert import HTMLExporter

from autograder.course import reference_answers
from autograder.worker import CSP_META
from conftest import ROOT, backprop_grade, complete_notebook, submit
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

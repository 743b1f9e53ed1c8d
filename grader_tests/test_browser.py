"""The workbooks as a student uses them: JupyterLab 4 in Debian's Chromium, driven by Playwright.

JupyterLab's first screen shows the workbook: no question about Jupyter news, none of nbgrader's
instructor menus or panels, the Validate button; an instructor gets formgrader back with the
README's command. Each workbook, answered with the reference in a temporary copy, runs top to bottom
with no error output; its widgets render and redraw when a slider moves; nbgrader's
Validate button works. Screenshots go to artifacts/screenshots/ (ignored by git).
"""
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import nbformat
import pytest

from autograder.course import WORKBOOKS_DIR, assignments
from conftest import ROOT, complete_notebook
from jupyterlab import CHROMIUM, CHROMIUM_FLAGS, chromium_available, jupyterlab, open_notebook, run_all_cells

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.skipif(
    not chromium_available() and not os.environ.get("CI"),
    reason="needs Debian's chromium (apt-get install chromium); CI always runs these tests")]

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
# The widget each workbook shows, by class name in workbook_tools.widgets.
WIDGETS = {"01_sigmoid": "SigmoidExplorer", "03_cross_entropy": "LossExplorer", "05_training": "TrainingCurves"}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab-root")
    (root / "blank").mkdir()
    for assignment_id in assignments():
        nbformat.write(complete_notebook(assignment_id), root / f"{assignment_id}.ipynb")
        shutil.copy(WORKBOOKS_DIR / f"{assignment_id}.ipynb", root / "blank")
    with jupyterlab(root, tmp_path_factory.mktemp("lab-scratch")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield context.new_page()
    context.close()


def test_every_widget_workbook_is_known():
    """A workbook that uses a widget is checked for it below, and every listed widget is used."""
    used = {aid: name for aid in assignments() for name in ["SigmoidExplorer", "LossExplorer", "TrainingCurves"]
            if f"{name}(" in (WORKBOOKS_DIR / f"{aid}.ipynb").read_text(encoding="utf-8")}
    assert used == {aid: name for aid, name in WIDGETS.items() if aid in assignments()}


# What the first screen must show and must not: nbgrader's instructor commands (the Nbgrader menu's
# entries and the Create Assignment panel) and the news question.
INSTRUCTOR_COMMANDS = {"nbgrader:open-formgrader", "nbgrader:open-create-assignment", "nbgrader:open-course-list",
                       "nbgrader:open-assignment-list"}
FIRST_SCREEN = """() => ({
    menus: Array.from(document.querySelectorAll('.lm-MenuBar-itemLabel')).map(e => e.textContent),
    panels: Array.from(window.jupyterapp.shell.widgets('right')).map(w => w.title.caption || w.title.label || w.id),
    commands: window.jupyterapp.commands.listCommands().filter(c => c.startsWith('nbgrader:')),
    toasts: Array.from(document.querySelectorAll('.Toastify__toast')).map(e => e.innerText),
})"""


def first_screen(page, lab, path, name):
    """Open `path` in a fresh workspace, wait until its kernel is idle and the news question
    would have been asked, screenshot the whole window; returns FIRST_SCREEN's findings."""
    panel = open_notebook(page, lab, path)
    page.wait_for_timeout(5000)  # JupyterLab asks about the news a moment after it starts
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png")
    return panel, page.evaluate(FIRST_SCREEN)


def test_first_screen_is_the_workbook(lab, page):
    panel, screen = first_screen(page, lab, "blank/00_shapes.ipynb", "first-screen")

    assert screen["toasts"] == []  # no "Would you like to get notified about official Jupyter news?"
    assert "Nbgrader" not in screen["menus"] and "Help" in screen["menus"]
    assert not [p for p in screen["panels"] if "Assignment" in p], screen["panels"]
    assert not INSTRUCTOR_COMMANDS & set(screen["commands"])
    assert panel.locator(".jp-Toolbar").get_by_text("Validate", exact=True).is_visible()


@pytest.fixture
def instructor_python(tmp_path):
    """The Python of an environment of its own that has this one's packages and Jupyter data and
    a copy of its Jupyter config folder (etc/jupyter), for commands that change that config."""
    env = tmp_path / "instructor-env"
    venv.create(env, with_pip=False)
    [site_packages] = env.glob("lib/python*/site-packages")
    (site_packages / "course.pth").write_text(f"import site; site.addsitedir({sysconfig.get_path('purelib')!r})\n")
    (env / "share").mkdir()
    (env / "share" / "jupyter").symlink_to(Path(sys.prefix, "share", "jupyter"))
    shutil.copytree(Path(sys.prefix, "etc", "jupyter"), env / "etc" / "jupyter")
    return env / "bin" / "python"


def test_instructor_turns_formgrader_on_with_the_readme_command(instructor_python, tmp_path, page):
    """The README's `.venv/bin/jupyter labextension enable ...`, run in the instructor's environment,
    brings back the Nbgrader menu with Formgrader and the Create Assignment panel."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [arguments] = re.findall(r"^\.venv/bin/jupyter labextension (enable .+)$", readme, re.MULTILINE)
    # `jupyter labextension` is the script jupyter-labextension, which runs this module
    run = subprocess.run([instructor_python, "-m", "jupyterlab.labextensions", *arguments.split()],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    (tmp_path / "course").mkdir()
    shutil.copy(WORKBOOKS_DIR / "00_shapes.ipynb", tmp_path / "course")

    with jupyterlab(tmp_path / "course", tmp_path, python=instructor_python) as lab:
        _, screen = first_screen(page, lab, "00_shapes.ipynb", "instructor-screen")

    assert "Nbgrader" in screen["menus"]
    assert {"nbgrader:open-formgrader", "nbgrader:open-create-assignment"} <= set(screen["commands"])
    assert [p for p in screen["panels"] if "Create Assignment" in p], screen["panels"]
    assert screen["toasts"] == []


@pytest.mark.parametrize("assignment_id", assignments())
def test_answered_workbook_runs_in_jupyterlab(lab, page, assignment_id):
    panel = open_notebook(page, lab, f"{assignment_id}.ipynb")

    cells = run_all_cells(page, f"{assignment_id}.ipynb")

    problems = [(i, o.get("ename") or o.get("text", "")[:200]) for i, (_, outputs) in enumerate(cells)
                for o in outputs if o["output_type"] == "error" or o.get("name") == "stderr"]
    assert not problems, f"error or stderr output in code cells: {problems}"
    assert all(count is not None for count, _ in cells)
    assert panel.locator(".jupyter-widgets-error-widget").count() == 0
    assert "interactive(" not in panel.inner_text()
    if assignment_id in WIDGETS:
        check_widget(page, panel, assignment_id)


def check_widget(page, panel, assignment_id):
    """The widget shows its controls and a picture, and a slider's move redraws the picture."""
    widget = panel.locator(".widget-vbox").filter(has=page.locator("img.widget-image")).last
    widget.scroll_into_view_if_needed()
    image = widget.locator("img.widget-image")
    assert image.count() == 1 and image.evaluate("img => img.complete && img.naturalWidth > 0")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    widget.screenshot(path=SCREENSHOTS / f"{assignment_id}-{WIDGETS[assignment_id]}.png")
    if WIDGETS[assignment_id] == "TrainingCurves":  # redrawn after every epoch, up to the last
        assert widget.locator(".widget-hprogress").count() == 1 and "epoch 30" in widget.inner_text()
        return
    assert widget.locator(".widget-slider").count() == 1
    before = image.get_attribute("src")
    track = widget.locator(".noUi-target").bounding_box()  # click near the right end of the track:
    page.mouse.click(track["x"] + 0.9 * track["width"], track["y"] + track["height"] / 2)  # nearest handle jumps
    page.wait_for_function("([img, src]) => img.src !== src", arg=[image.element_handle(), before], timeout=30_000)
    widget.screenshot(path=SCREENSHOTS / f"{assignment_id}-{WIDGETS[assignment_id]}-moved.png")


@pytest.mark.parametrize("path, verdict", [("01_sigmoid.ipynb", "success"), ("blank/01_sigmoid.ipynb", "failed")])
def test_nbgrader_validate_button(lab, page, path, verdict):
    panel = open_notebook(page, lab, path)
    panel.locator(".jp-Toolbar").get_by_text("Validate", exact=True).click()
    message = page.locator("#validation-message")
    message.wait_for(timeout=300_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".jp-Dialog-content").screenshot(path=SCREENSHOTS / f"validate-{verdict}.png")
    assert re.search(rf"\bvalidation-{verdict}\b", message.get_attribute("class")), message.inner_text()
    if verdict == "success":
        assert "Success! Your notebook passes all the tests." in message.inner_text()
    else:
        assert "NotImplementedError" in message.inner_text()

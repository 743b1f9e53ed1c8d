"""JupyterLab as the course installs it (jupyter-config/, installed with the package into the
environment's Jupyter paths, by an editable install too): no question about Jupyter news, none of
nbgrader's instructor panels (Validate stays), and the README's command starts it as root.
test_browser.py looks at the first screen itself in Chromium; test_binder.py checks Binder's install.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import ROOT
from jupyterlab import free_port, jupyterlab
from test_readme import readme_commands

# nbgrader's JupyterLab plugins that only an instructor uses: its menu, formgrader, the Create
# Assignment panel, and the course and assignment lists of nbgrader's exchange (the course
# collects notebooks from an LMS instead).
INSTRUCTOR_PLUGINS = {"@jupyter/nbgrader:menu", "@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                      "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:assignment-list"}
VALIDATE_PLUGIN = "@jupyter/nbgrader:validate-assignment"


def page_config(url, token):
    """The page config JupyterLab's /lab page gives the browser."""
    with urllib.request.urlopen(f"{url}/lab?token={token}", timeout=60) as response:
        html = response.read().decode("utf-8")
    data = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(data.group(1))


def setting_default(url, token, plugin, name):
    """The default of a JupyterLab setting, after the installed overrides."""
    with urllib.request.urlopen(f"{url}/lab/api/settings/{plugin}?token={token}", timeout=60) as response:
        return json.load(response)["schema"]["properties"][name]["default"]


def check_course_jupyterlab(url, token):
    """What the course's install must give JupyterLab, checked on a running server."""
    disabled = set(page_config(url, token)["disabledExtensions"])
    assert INSTRUCTOR_PLUGINS <= disabled
    assert VALIDATE_PLUGIN not in disabled
    notification = "@jupyterlab/apputils-extension:notification"
    assert setting_default(url, token, notification, "fetchNews") == "false"
    assert setting_default(url, token, notification, "checkForUpdates") is False


def test_course_jupyterlab_hides_the_instructor_panels_and_the_news_question(tmp_path):
    shutil.copytree(ROOT / "workbooks", tmp_path / "workbooks")
    with jupyterlab(tmp_path / "workbooks", tmp_path) as (url, token):
        check_course_jupyterlab(url, token)


def test_readme_command_starts_jupyterlab_as_root(tmp_path):
    """The README's `.venv/bin/jupyter lab workbooks/`, run as root (CI runs as root), starts
    JupyterLab without --allow-root: the installed jupyter_server_config.json allows it."""
    if os.geteuid() != 0 and not os.environ.get("CI"):
        pytest.skip("needs root (CI runs the suite as root)")
    assert os.geteuid() == 0
    command = readme_commands()[0].split(" && ")[-1].split()
    assert command[:2] == [".venv/bin/jupyter", "lab"] and "--allow-root" not in command
    port, token = free_port(), "readme-token"
    log = tmp_path / "jupyterlab.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyter", *command[1:], "--no-browser", f"--ServerApp.port={port}",
             "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token={token}", timeout=2) as r:
                    listing = json.load(r)
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                time.sleep(0.5)
        else:
            pytest.fail(f"jupyter lab did not answer: {log.read_text()}")
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert {item["name"] for item in listing["content"]} == {p.name for p in (ROOT / "workbooks").glob("*.ipynb")}

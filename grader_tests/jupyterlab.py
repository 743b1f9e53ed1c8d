"""A real JupyterLab 4 server and Debian's Chromium driven by Playwright, for the browser tests."""
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Settings for a test session: no autosave (tests never write into a notebook). The rest is
# what the course installs (jupyter-config/): no news question, no nbgrader instructor panels.
SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def jupyterlab(root, scratch, python=sys.executable, env=None):
    """Run `jupyter lab` on `root` with `python`'s installation (and the environment `env`),
    as a student would (no --allow-root: the course's install allows root); yields (base URL, token)."""
    settings = Path(scratch, "settings")
    for name, values in SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values), encoding="utf-8")
    port, token = free_port(), "browser-test-token"
    log = open(Path(scratch, "jupyterlab.log"), "w")
    server = subprocess.Popen(
        [str(python), "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
         "--LabApp.expose_app_in_browser=True", f"--ServerApp.root_dir={root}",
         f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={Path(scratch, 'workspaces')}"],
        stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError(f"jupyter lab exited: {Path(scratch, 'jupyterlab.log').read_text()}")
                time.sleep(0.5)
        yield url, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


# The open notebook panel of a path, found among the main area's widgets.
PANEL = """path => Array.from(window.jupyterapp.shell.widgets('main'))
    .find(w => w.context && w.context.path === path && w.content && w.sessionContext)"""


def open_notebook(page, lab, path):
    """Open `path` in a fresh JupyterLab workspace, make it the active tab and wait
    for its kernel; returns the notebook panel's locator."""
    url, token = lab
    page.goto(f"{url}/lab/workspaces/{uuid.uuid4().hex}?reset&token={token}")
    page.wait_for_function("window.jupyterapp && window.jupyterapp.commands.hasCommand('docmanager:open')",
                           timeout=120_000)
    page.evaluate("path => window.jupyterapp.commands.execute('docmanager:open', {path})", path)
    page.wait_for_function(f"""path => {{ const w = ({PANEL})(path);
        const kernel = w && w.sessionContext.session && w.sessionContext.session.kernel;
        return kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle'; }}""",
                           arg=path, timeout=120_000)
    page.evaluate(f"path => window.jupyterapp.shell.activateById(({PANEL})(path).id)", path)
    return page.locator(".jp-NotebookPanel:visible")


def run_all_cells(page, path, timeout_s=300):
    """Run every cell of the open notebook `path` and wait until each has run or one has
    failed; returns the code cells' [(execution count, outputs)], read from the model."""
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    state = f"""path => {{ const w = ({PANEL})(path);
        return [w.sessionContext.session.kernel.status, w.content.widgets.filter(c => c.model.type === 'code')
            .map(c => [c.model.executionCount, c.model.outputs.toJSON()])]; }}"""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        kernel, cells = page.evaluate(state, path)
        failed = any(o["output_type"] == "error" for _, outputs in cells for o in outputs)
        if kernel == "idle" and (failed or all(count is not None for count, _ in cells)):
            return cells
        time.sleep(0.5)
    raise TimeoutError(f"{path}: cells still running after {timeout_s} s")


def chromium_available():
    return Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is not None

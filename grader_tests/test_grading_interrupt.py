"""Ctrl-C (SIGINT) or SIGTERM to `backprop-grade grade`: it stops within 10 s, leaves no process
running, writes what finished (`interrupted` for the rest), exits 130, and the next run resumes."""
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import psutil
import pytest

from conftest import ROOT, backprop_grade, complete_notebook, read_csv, submit
from test_grading import HANG
from test_grading_cache import graded_afresh

pytestmark = pytest.mark.slow

STUDENTS = ["a-good", "b-hang", "c-good", "d-good", "e-good"]


def class_with_a_hang(submitted):
    """Five submissions of 01_sigmoid; b-hang's relu loops for ever, ignoring SIGINT."""
    for student in STUDENTS:
        submit(submitted, student, "01_sigmoid",
               complete_notebook("01_sigmoid", **({"relu": HANG} if student == "b-hang" else {})))


@pytest.fixture
def scratch():
    """The run's TMPDIR, where its scratch courses and the kernels' sockets go: short, for unix socket paths."""
    folder = tempfile.mkdtemp(prefix="bp-int-", dir="/tmp")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def stopped_run(tmp_path, scratch, signals):
    """Grade the class with --jobs 2; once one submission is graded (so b-hang surely hangs in its
    kernel), send the first of `signals` to the grade process, and the others once it says it is
    stopping its workers (during the clean-up). Returns the seconds from the first signal to the
    exit, the exit code, stderr, the command lines of the processes the run had started by the
    first signal, and the processes still running after the exit (survivors)."""
    run = subprocess.Popen([sys.executable, "-m", "autograder", "grade", tmp_path / "submitted",
                            "--out", tmp_path / "out", "--jobs", "2", "--timeout", "300"],
                           cwd=ROOT, env={**os.environ, "TMPDIR": scratch},
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(run.stderr), daemon=True)
    reader.start()
    try:
        wait_for(run, lines, "[1/", 600)
        started = {process: command_line(process) for process in psutil.Process(run.pid).children(recursive=True)}
        first = time.monotonic()
        run.send_signal(signals[0])
        for number in signals[1:]:
            wait_for(run, lines, f"{signals[0].name}: stopping the workers", 10)
            run.send_signal(number)
        code = run.wait(timeout=60)
        seconds = time.monotonic() - first
    finally:
        kill_tree(run.pid)  # only if the test failed: the run did not stop
    reader.join(timeout=10)
    return seconds, code, "".join(lines), list(started.values()), survivors(started, scratch)


def wait_for(run, lines, start, seconds):
    """Wait until `run` has written a line starting with `start` into `lines`."""
    deadline = time.monotonic() + seconds
    while not any(line.startswith(start) for line in lines):
        assert run.poll() is None and time.monotonic() < deadline, "".join(lines)
        time.sleep(0.1)


def kill_tree(pid):
    """Kill a process and everything it started, if it is still running."""
    with contextlib.suppress(psutil.NoSuchProcess):
        family = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
        for process in family:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()


def command_line(process):
    """A process's command line, "" once it has ended."""
    try:
        return " ".join(process.cmdline())
    except psutil.NoSuchProcess:
        return ""


def survivors(started, folder):
    """The processes in `started`, or mentioning `folder` in their command line or working folder,
    that are still running (zombies, dead but not yet reaped, do not count)."""
    alive = []
    for process in [*started, *psutil.process_iter()]:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE and (
                    process in started or folder in command_line(process) or folder in process.cwd()):
                alive.append(f"{process.pid} {command_line(process)}")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return alive


def check_stopped_run(tmp_path, seconds, code, stderr, commands, alive):
    """What every stopped run must show; returns the statuses in summary.csv."""
    assert code == 130, stderr
    assert seconds < 10, stderr
    assert sum("autograder.worker" in command for command in commands) == 2, commands
    assert any("ipykernel" in command for command in commands), commands
    assert not alive, alive
    statuses = {row["student_id"]: row["status"] for row in read_csv(tmp_path / "out" / "summary.csv")}
    assert set(statuses) == set(STUDENTS)
    assert statuses["a-good"] == "graded" and statuses["b-hang"] == "interrupted", statuses
    assert set(statuses.values()) == {"graded", "interrupted"}, statuses
    grades = read_csv(tmp_path / "out" / "grades.csv")
    assert {row["student_id"] for row in grades} == set(STUDENTS)
    report = (tmp_path / "out" / "report" / "index.html").read_text(encoding="utf-8")
    assert "interrupted" in report
    assert {row["student_id"] for row in read_csv(tmp_path / "out" / "report" / "lms.csv")} == set(STUDENTS)
    return statuses


def test_ctrl_c_stops_grading_writes_what_finished_and_the_next_run_resumes(tmp_path, scratch):
    class_with_a_hang(tmp_path / "submitted")

    statuses = check_stopped_run(tmp_path, *stopped_run(tmp_path, scratch, [signal.SIGINT]))

    submit(tmp_path / "submitted", "b-hang", "01_sigmoid", complete_notebook("01_sigmoid"))
    again = backprop_grade("grade", tmp_path / "submitted", "--out", tmp_path / "out", "--jobs", 2, "--timeout", 300)
    assert again.returncode == 0, again.stderr
    assert graded_afresh(again.stderr) == [f"{s}/01_sigmoid" for s in STUDENTS if statuses[s] == "interrupted"]
    assert {row["status"] for row in read_csv(tmp_path / "out" / "summary.csv")} == {"graded"}


def test_sigterm_and_a_second_signal_during_the_clean_up_leave_nothing_running(tmp_path, scratch):
    class_with_a_hang(tmp_path / "submitted")

    check_stopped_run(tmp_path, *stopped_run(tmp_path, scratch, [signal.SIGTERM, signal.SIGINT]))

"""`backprop-grade grade --scheduler`: grading on a real Dask cluster on 127.0.0.1 (a `dask scheduler`
and `dask worker` processes, started as the README says) gives what local grading gives, and
survives a worker killed in the middle, the scheduler going away and Ctrl-C."""
import asyncio
import signal
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import psutil
import pytest

import autograder.cluster as cluster
from autograder.course import source_notebook
from conftest import ROOT, backprop_grade, complete_notebook, read_csv, release_notebook, submit
from dask_cluster import DaskCluster, free_port
from test_grading_cache import graded_afresh
from test_grading_interrupt import kill_tree, wait_for

SEGFAULT = "import ctypes\nctypes.string_at(0)\n"
OOM_KILLED = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"  # what the kernel sees when killed for memory


def a_class(submitted, crashes=True):
    """Four submissions, three right and one blank, and with `crashes` two whose kernel dies (a
    segfault, and killed as for memory); returns {student: the status it must get}."""
    submit(submitted, "a-good", "01_sigmoid", complete_notebook("01_sigmoid"))
    submit(submitted, "c-good", "00_shapes", complete_notebook("00_shapes"))
    submit(submitted, "d-blank", "01_sigmoid", release_notebook("01_sigmoid"))
    submit(submitted, "f-good", "01_sigmoid", complete_notebook("01_sigmoid"))
    if crashes:
        submit(submitted, "b-segfault", "01_sigmoid", complete_notebook("01_sigmoid", relu=SEGFAULT))
        submit(submitted, "e-oom", "01_sigmoid", complete_notebook("01_sigmoid", relu=OOM_KILLED))
    return {"a-good": "graded", "c-good": "graded", "d-blank": "graded", "f-good": "graded",
            **({"b-segfault": "crashed", "e-oom": "crashed"} if crashes else {})}


def start_grading(submitted, out, *options):
    """`backprop-grade grade` in the background; returns the process and the list its stderr lines go to."""
    run = subprocess.Popen([sys.executable, "-m", "autograder", "grade", submitted, "--out", out, *options],
                           cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = []
    threading.Thread(target=lambda: lines.extend(run.stderr), daemon=True).start()
    return run, lines


def finish(run, lines, seconds=600):
    """Wait for a run started by start_grading: its exit code and stderr."""
    try:
        code = run.wait(timeout=seconds)
    finally:
        kill_tree(run.pid)  # only if the test failed: the run did not stop
    time.sleep(0.5)  # the reader thread takes the last lines
    return code, "".join(lines)


def graders(processes):
    """Those of `processes` still running that are grading workers (autograder.worker) or kernels."""
    alive = []
    for process in processes:
        try:
            command = " ".join(process.cmdline())
            if process.status() != psutil.STATUS_ZOMBIE and ("autograder.worker" in command or "ipykernel" in command):
                alive.append(f"{process.pid} {command}")
        except psutil.NoSuchProcess:
            continue
    return alive


def gone_within(processes, seconds):
    """The grading processes among `processes` still running after `seconds`."""
    deadline = time.monotonic() + seconds
    while graders(processes) and time.monotonic() < deadline:
        time.sleep(0.2)
    return graders(processes)


@pytest.mark.slow
def test_the_cluster_grades_as_local_grading_does_though_a_worker_is_killed_midway(tmp_path):
    expected = a_class(tmp_path / "submitted")
    local = backprop_grade("grade", tmp_path / "submitted", "--out", tmp_path / "local", "--jobs", 2)
    assert local.returncode == 0, local.stderr

    with DaskCluster(2, tmp_path) as dask:
        before = dask.addresses()
        run, lines = start_grading(tmp_path / "submitted", tmp_path / "out", "--scheduler", dask.address)
        wait_for(run, lines, "[1/", 600)
        with dask.client() as client:  # the worker to kill is grading one now
            victim = next(name for name, address in before.items() if client.processing(workers=[address])[address])
        grading = dask.descendants(victim)
        assert graders(grading), "the worker to kill was grading nothing"
        dask.kill(victim)
        code, stderr = finish(run, lines)
        assert code == 0, stderr
        survivor = next(name for name in before if name != victim)
        assert dask.addresses() == {survivor: before[survivor]}, \
            "the surviving Dask worker was restarted: a submission killed it"
        assert not gone_within(grading, 10), "the killed worker's grading processes outlived it"
        assert not gone_within(dask.descendants(survivor), 10), "the run left grading processes on the cluster"

    statuses = {row["student_id"]: row["status"] for row in read_csv(tmp_path / "out" / "summary.csv")}
    assert statuses == expected
    for name in ("grades.csv", "summary.csv"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    for folder in ("feedback", "autograded"):
        files = {p.relative_to(tmp_path / "out") for p in (tmp_path / "out" / folder).rglob("*") if p.is_file()}
        assert files == {p.relative_to(tmp_path / "local") for p in (tmp_path / "local" / folder).rglob("*")
                         if p.is_file()}
        assert len(files) == 4, files  # the four graded submissions'
    page = (tmp_path / "out" / "feedback" / "d-blank" / "01_sigmoid" / "01_sigmoid.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "test_relu" in page


@pytest.mark.slow
def test_the_scheduler_going_away_stops_grading_and_the_next_run_resumes(tmp_path):
    a_class(tmp_path / "submitted", crashes=False)
    with DaskCluster(1, tmp_path) as dask:
        run, lines = start_grading(tmp_path / "submitted", tmp_path / "out", "--scheduler", dask.address)
        wait_for(run, lines, "[1/", 600)
        dask.kill("scheduler")
        code, stderr = finish(run, lines, 120)
    assert code == 1, stderr
    assert f"Grading stopped: lost the Dask scheduler at {dask.address}" in stderr
    assert "run the same command again" in stderr
    statuses = {row["student_id"]: row["status"] for row in read_csv(tmp_path / "out" / "summary.csv")}
    assert set(statuses.values()) == {"graded", "interrupted"}, statuses

    again = backprop_grade("grade", tmp_path / "submitted", "--out", tmp_path / "out", "--jobs", 2)
    assert again.returncode == 0, again.stderr
    assert graded_afresh(again.stderr) == sorted(f"{s}/{a}" for s, a in _ids(tmp_path / "out")
                                                 if statuses[s] != "graded")


def _ids(out):
    return [(row["student_id"], row["assignment_id"]) for row in read_csv(out / "summary.csv")]


@pytest.mark.slow
def test_ctrl_c_stops_grading_on_the_cluster_and_the_next_run_resumes(tmp_path):
    expected = a_class(tmp_path / "submitted", crashes=False)
    with DaskCluster(2, tmp_path) as dask:
        before = dask.addresses()
        run, lines = start_grading(tmp_path / "submitted", tmp_path / "out", "--scheduler", dask.address)
        wait_for(run, lines, "[1/", 600)
        started = time.monotonic()
        run.send_signal(signal.SIGINT)
        code, stderr = finish(run, lines, 60)
        assert code == 130, stderr
        assert time.monotonic() - started < 10, stderr
        for name in before:
            assert not gone_within(dask.descendants(name), 5), "Ctrl-C left grading processes on the cluster"
        statuses = {row["student_id"]: row["status"] for row in read_csv(tmp_path / "out" / "summary.csv")}
        assert set(statuses.values()) == {"graded", "interrupted"}, statuses

        again = backprop_grade("grade", tmp_path / "submitted", "--out", tmp_path / "out", "--scheduler",
                               dask.address)
        assert again.returncode == 0, again.stderr
        assert dask.addresses() == before, "a Dask worker was restarted"
    assert graded_afresh(again.stderr) == sorted(f"{s}/{a}" for s, a in _ids(tmp_path / "out")
                                                 if statuses[s] != "graded")
    assert {row["student_id"]: row["status"] for row in read_csv(tmp_path / "out" / "summary.csv")} == expected


@pytest.mark.slow
def test_no_scheduler_at_the_address_is_a_usage_mistake(tmp_path):
    submit(tmp_path / "submitted", "alice", "01_sigmoid", complete_notebook("01_sigmoid"))
    address = f"tcp://127.0.0.1:{free_port()}"
    run = backprop_grade("grade", tmp_path / "submitted", "--out", tmp_path / "out", "--scheduler", address)
    assert run.returncode == 2, run.stderr
    assert f"no Dask scheduler answers at {address}" in run.stderr and "dask scheduler" in run.stderr
    assert not (tmp_path / "out" / "summary.csv").exists()


@pytest.mark.parametrize("options, says", [
    (["--scheduler", "127.0.0.1:8786"], "tcp://HOST:PORT"),
    (["--scheduler", "tcp://127.0.0.1"], "tcp://HOST:PORT"),
    (["--scheduler", "tcp://127.0.0.1:8786", "--jobs", "2"], "give one or the other"),
])
def test_scheduler_mistakes_exit_2(tmp_path, options, says):
    submit(tmp_path / "submitted", "alice", "01_sigmoid", complete_notebook("01_sigmoid"))
    run = backprop_grade("grade", tmp_path / "submitted", "--out", tmp_path / "out", *options)
    assert run.returncode == 2 and says in run.stderr, run.stderr
    assert not (tmp_path / "out").exists()


def test_a_worker_that_would_grade_otherwise_refuses(tmp_path, monkeypatch):
    plugin = cluster.GradingPlugin(["01_sigmoid"], 600.0, True)  # made here, with this machine's identity
    master = tmp_path / "01_sigmoid.ipynb"
    master.write_bytes(source_notebook("01_sigmoid").read_bytes() + b"\n")
    monkeypatch.setattr(cluster, "source_notebook", lambda assignment_id: master)  # the worker's master differs
    worker = SimpleNamespace(address="tcp://worker-9:40000", state=SimpleNamespace(nthreads=1))
    with pytest.raises(RuntimeError, match="tcp://worker-9:40000 would not grade as this machine does"):
        asyncio.run(plugin.setup(worker))
    with pytest.raises(RuntimeError, match="install the same version of this package there"):
        plugin.grade(None)
    asyncio.run(plugin.teardown(worker))

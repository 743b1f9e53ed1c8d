"""A real Dask cluster on 127.0.0.1, for the tests and the benchmark: a `dask scheduler` process
and `dask worker` processes started as the README tells an instructor to, each in a process
group of its own so that a test can kill one outright."""
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import psutil
from distributed import Client

DASK = str(Path(sys.executable).parent / "dask")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DaskCluster:
    """`dask scheduler` on a free port of 127.0.0.1 and `workers` single-thread `dask worker`
    processes named w0, w1, ...; `with` it to stop them all at the end."""

    def __init__(self, workers, log_dir):
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.log_dir = Path(log_dir)
        self.scheduler = self._start("scheduler", [DASK, "scheduler", "--host", "127.0.0.1", "--port",
                                                   self.address.rsplit(":", 1)[1], "--no-dashboard"])
        self.workers = {f"w{i}": self._start(f"w{i}", [DASK, "worker", self.address, "--nthreads", "1",
                                                        "--nworkers", "1", "--name", f"w{i}", "--no-dashboard"])
                        for i in range(workers)}
        with self.client() as client:
            client.wait_for_workers(workers, timeout=120)

    def _start(self, name, command):
        log = open(self.log_dir / f"dask-{name}.log", "w", encoding="utf-8")
        return subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)

    def client(self):
        return Client(self.address, timeout=60, set_as_default=False)

    def addresses(self):
        """{worker name: its address now} (a worker that restarted has a new address)."""
        with self.client() as client:
            return {info["name"]: address for address, info in client.scheduler_info()["workers"].items()}

    def descendants(self, name):
        """The processes a worker (its nanny's process group) started, recursively."""
        return psutil.Process(self.workers[name].pid).children(recursive=True)

    def kill(self, name):
        """Kill a worker, or the scheduler ("scheduler"), and its process group at once (SIGKILL)."""
        process = self.scheduler if name == "scheduler" else self.workers[name]
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        for process in [*self.workers.values(), self.scheduler]:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process in [*self.workers.values(), self.scheduler]:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

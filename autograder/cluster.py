"""Grading on a Dask cluster: `backprop-grade grade SUBMITTED --out OUT --scheduler tcp://host:port`.

Dask distributed schedules; this module hands it the unit of work, autograder.task.run,
one Dask task per submission, and is the whole boundary between `grade` and the cluster:

- `grade` registers a `GradingPlugin` under a name of its own run. On every Dask worker,
  those there now and those that join later, it checks that the worker would grade as this
  process does (`grader_identity`: the same grader code, reference package, checks and
  master notebooks), builds the template course and starts one worker process
  (autograder.worker) per Dask thread. So a plain `dask worker tcp://host:8786 --nthreads 1`
  on a Linux machine with bubblewrap and this package installed is all a worker needs.
- A task takes a task.Job, the submission's bytes, and returns a task.Result: the per-cell
  results, the feedback page and the autograded notebook, as bytes. Workers need no shared
  filesystem, and only `grade` writes OUT (grade.record), exactly as in local grading.
- The student's kernel runs under the worker process, in its sandbox, as in local grading:
  a submission that kills its process (memory, a segfault) costs its own `crashed` row and
  never the Dask worker, so Dask does not retry it elsewhere. The tasks of a Dask worker
  that dies (killed, its machine gone) are rescheduled by Dask on the others; should the
  Dask workers grading one submission die `distributed.scheduler.allowed-failures` times,
  it gets a `crashed` row.
- At most WINDOW_PER_THREAD tasks per Dask thread are in flight: the notebooks are read
  as they are needed, not all held by the scheduler at once.
- The scheduler going away, or a worker that does not grade as this process, stops grading
  with grade.ClusterError. Ctrl-C unregisters the plugin, which kills this run's worker
  processes, with their kernels, on every Dask worker.
"""
import asyncio
import hashlib
import shutil
import signal
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, suppress
from pathlib import Path

from distributed import Client, KilledWorker, WorkerPlugin, get_worker

from . import task
from .course import scratch_course, source_notebook
from .grade import ClusterError, ClusterUnreachable, grader_key
from .worker import Workers

CONNECT_SECONDS = 10
POLL_SECONDS = 0.2
WINDOW_PER_THREAD = 2


def grader_identity(assignment_ids, timeout, sandboxed):
    """A hash of what decides a grade on this machine: grade.grader_key (the grader's code,
    `solutions`, `workbook_tools`, the wall-time cap, the sandbox) and the master notebooks."""
    sha = hashlib.sha256(grader_key(timeout, sandboxed).encode() + b"\0")
    for assignment_id in assignment_ids:
        sha.update(source_notebook(assignment_id).read_bytes() + b"\0")
    return sha.hexdigest()


class GradingPlugin(WorkerPlugin):
    """What a Dask worker needs to grade one `grade` run's tasks: a template course of its
    assignments and a worker process per Dask thread, in a scratch folder of its own. Its
    teardown (the run ended, or was stopped) kills those processes and removes the folder."""

    def __init__(self, assignment_ids, timeout, sandboxed):
        self.name = f"backprop-grade-{uuid.uuid4().hex[:12]}"
        self.assignment_ids, self.timeout, self.sandboxed = assignment_ids, timeout, sandboxed
        self.identity = grader_identity(assignment_ids, timeout, sandboxed)

    async def setup(self, worker):
        self.stack, self.workers, self.refusal = ExitStack(), None, None
        await asyncio.to_thread(self._start, worker.address, worker.state.nthreads)
        if self.refusal:
            raise RuntimeError(self.refusal)

    def _start(self, address, nthreads):
        if grader_identity(self.assignment_ids, self.timeout, self.sandboxed) != self.identity:
            self.refusal = (f"the Dask worker {address} would not grade as this machine does: install the same "
                            "version of this package there (the grader's code, solutions/, workbook_tools/ and "
                            "the master notebooks must be the same)")
            return
        scratch = tempfile.mkdtemp(prefix="backprop-grade-")
        self.stack.callback(shutil.rmtree, scratch, ignore_errors=True)
        self.workers = self.stack.enter_context(Workers(nthreads, scratch, self.sandboxed))
        self.template = Path(scratch, "course")
        self.template.mkdir()
        scratch_course(self.template, self.assignment_ids)  # while the worker processes start

    async def teardown(self, worker):
        if self.workers:
            self.workers.kill_all()  # a submission being graded gets "died" at once
        await asyncio.to_thread(self.stack.close)

    def grade(self, job):
        if self.refusal:
            raise RuntimeError(self.refusal)
        return task.run(job, self.template, self.workers)


def grade_on_worker(plugin_name, job):
    """The Dask task: grade a task.Job on this Dask worker, with what the run's GradingPlugin set up."""
    return get_worker().plugins[plugin_name].grade(job)


class ClusterGrading:
    """Grading on the Dask cluster whose scheduler is at `address`: entering connects to it,
    or raises ClusterUnreachable, and registers the run's GradingPlugin (in the background,
    while the grade process builds its own course); leaving unregisters it and disconnects."""

    def __init__(self, address, assignment_ids, timeout, sandboxed):
        self.address = address
        self.plugin = GradingPlugin(assignment_ids, timeout, sandboxed)
        self.unregistered = False

    def __enter__(self):
        try:
            self.client = Client(self.address, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError) as error:
            raise ClusterUnreachable(f"no Dask scheduler answers at {self.address} ({error}). Start one with "
                                     "`dask scheduler` and its workers with `dask worker tcp://HOST:8786 "
                                     "--nthreads 1` (see the README), then give --scheduler tcp://HOST:8786") from None
        self.background = ThreadPoolExecutor(max_workers=1)
        self.registration = self.background.submit(self.client.register_plugin, self.plugin)
        return self

    def __exit__(self, *exc_info):
        with suppress(Exception):  # a worker refused the plugin: it is registered all the same
            self.registration.result()
        with suppress(Exception):  # the scheduler may be gone
            self._unregister()
        self.background.shutdown()
        with suppress(Exception):
            self.client.close(timeout=CONNECT_SECONDS)

    def _unregister(self):
        if self.unregistered:
            return
        self.unregistered = True
        self.client.unregister_worker_plugin(self.plugin.name)

    def results(self, submissions, job_of, stop, progress):
        """(submission, task.Result) of each of `submissions` as it finishes, graded as the
        task.Job `job_of(submission)`, until `stop` received a signal: then this run's worker
        processes are killed on every Dask worker, and only the submissions graded meanwhile
        follow. Raises grade.ClusterError when the scheduler goes away or a worker cannot grade."""
        try:
            self.registration.result()
        except Exception as error:
            raise ClusterError(f"the cluster at {self.address} cannot grade: {error}") from None
        if not self._threads():
            progress.message(f"no Dask worker has joined {self.address} yet: grading starts when one does")
        waiting, running = iter(submissions), {}
        self._submit(waiting, job_of, running)
        while running and not stop.received:
            done = [future for future in running if future.done()]
            for future in done:
                yield running[future], self._result(future, running.pop(future))
            if done:
                self._submit(waiting, job_of, running)
            else:
                time.sleep(POLL_SECONDS)
        if stop.received:
            progress.message(f"{signal.Signals(stop.received).name}: stopping the workers and writing what finished")
            self._unregister()
            graded = [(submission, future.result()) for future, submission in running.items()
                      if future.status == "finished" and future.result().status == "graded"]
            self.client.cancel(list(running))
            yield from graded

    def _threads(self):
        """How many threads the cluster's Dask workers have in all."""
        try:
            return sum(self.client.nthreads().values())
        except (OSError, TimeoutError) as error:
            raise self._lost(error) from None

    def _submit(self, waiting, job_of, running):
        """Submit the Jobs of the next submissions from `waiting` until WINDOW_PER_THREAD a
        cluster thread are running."""
        window = WINDOW_PER_THREAD * max(1, self._threads())
        while len(running) < window and (submission := next(waiting, None)):
            future = self.client.submit(grade_on_worker, self.plugin.name, job_of(submission), pure=False,
                                        key=f"backprop-grade-{submission.name}-{uuid.uuid4().hex[:8]}")
            running[future] = submission

    def _result(self, future, submission):
        """The task.Result of a finished task; `crashed` when the Dask workers grading it kept dying."""
        if future.status == "finished":
            return future.result()
        if future.cancelled():
            raise self._lost("the connection was closed")
        error = future.exception()
        if isinstance(error, KilledWorker):
            return task.Result("crashed", "the Dask workers grading it died each time; it was not graded", {})
        raise ClusterError(f"grading {submission.name} failed on the cluster at {self.address}: "
                           f"{type(error).__name__}: {error}")

    def _lost(self, why):
        return ClusterError(f"lost the Dask scheduler at {self.address} ({why})")

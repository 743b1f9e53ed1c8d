"""The worker protocol: `backprop-grade grade`'s end (`Workers`) and the worker's end (`main`).

A worker is a long-lived child process, `python -m autograder.worker REPLY_FD SOCKET_DIR`,
that grades one submission after another, each in its own scratch course, so nbgrader is
imported once per worker, not once per submission. `Workers` keeps `jobs` of them and
lends each to one submission at a time.

The worker answers on file descriptor REPLY_FD, a pipe of its own, so nothing that
nbgrader, a library or a kernel prints can pass for an answer: one JSON line,
{"ready": PID}, once it has started, then {"done": COURSE_DIR} for each request.
A request is one JSON line on its stdin:

    {"root": COURSE_DIR, "assignment_id": ..., "student_id": ..., "sandboxed": true}

COURSE_DIR is a scratch nbgrader course (see course.scratch_course) with the
notebook at submitted/STUDENT_ID/ASSIGNMENT_ID/. The worker runs nbgrader's
autograde, with the student's kernel in a sandbox (autograder.sandbox; unless
"sandboxed" is false) and its sockets in SOCKET_DIR (which the grader makes and removes; the
worker empties it after each submission), then
generate_feedback, and writes COURSE_DIR/result.json: {"status": "graded"} or
{"status": "failed" | "crashed", "message": why}. Every graded cell's result (its
score and the grader's message) is appended to COURSE_DIR/progress.jsonl as soon as
it has run: the scores come from there, whether the notebook finished or not.

Its stdout and stderr are its log, where a LOG_MARKER line starts each
submission's part. An exception ends the worker, its traceback in the log. The
grader kills a worker whose submission runs past its wall-time cap, with
everything it started, and starts a fresh one: a kernel that dies or hangs costs
only that submission, and only the cells it did not finish. A worker whose parent
is gone ends itself, and so its kernel.
"""
import json
import os
import queue
import re
import resource
import select
import subprocess
import sys
import threading
import time
import uuid
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

import psutil
from traitlets.config import Config

from .course import check, nbgrader_api
from .feedback import FeedbackExporter
from .sandbox import socket_folder, with_private_socket_folder

EXCEPTION_LINE = re.compile(r"^\s*([\w.]+(?:Error|Exception|Exit)): ?(.*)$", re.MULTILINE)
LOG_MARKER = "=== backprop-grade worker: grading"
# A worker's own address space: what a submission can make it allocate (a reference function called
# back with huge sizes, a result that decodes into millions of objects) fails that submission alone.
MEMORY_BYTES = 2 * 2**30
# One BLAS thread per kernel: parallel kernels must not fight over the cores.
SINGLE_THREADED = {name: "1" for name in
                   ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"]}


# The grader's end: backprop-grade grade lends these to the submissions it grades.

class Worker:
    """A long-lived `python -m autograder.worker` process, logging into a file in `folder`;
    when `sandboxed`, its kernels' socket folder is private to it and size-capped."""

    def __init__(self, folder, sandboxed=True):
        self.log = Path(folder, f"worker-{uuid.uuid4().hex[:12]}.log")
        self.cleanup = ExitStack()
        self.socket_dir = self.cleanup.enter_context(socket_folder())
        private = with_private_socket_folder(self.socket_dir) if sandboxed else []
        replies, reply_end = os.pipe()
        with open(self.log, "w", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [*private, sys.executable, "-m", "autograder.worker", str(reply_end), self.socket_dir],
                pass_fds=[reply_end],
                env={**os.environ, **SINGLE_THREADED}, cwd=folder, start_new_session=True,
                stdin=subprocess.PIPE, stdout=log, stderr=log, bufsize=0)
        os.close(reply_end)
        self.replies = open(replies, encoding="utf-8")
        self.ready = False  # until it says so, once it has imported nbgrader
        self.killing = threading.Lock()  # one kill at a time: a reaped worker's pid may be reused

    def grade(self, request, timeout):
        """Have the worker grade one submission (see autograder/worker.py) within `timeout`
        seconds, not counting a new worker's start-up: "done", or "timeout" or "died", after
        which the worker is stopped."""
        ended = "done" if self.ready else self._answer(timeout)  # a new worker first says it is ready
        if ended == "done":
            self.ready = True
            ended = self._ask(request, timeout)
        if ended == "died":  # it is on its way out: let it finish writing its last words
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        if ended != "done":
            self.stop()
        return ended

    def _ask(self, request, timeout):
        try:
            self.process.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
        except BrokenPipeError:
            return "died"
        return self._answer(timeout)

    def _answer(self, timeout):
        """Wait for the worker's next line ("ready" or "done"): "done" once it came, else
        "timeout" or "died"."""
        if not select.select([self.replies], [], [], timeout)[0]:
            return "timeout"
        return "done" if self.replies.readline().endswith("\n") else "died"

    def alive(self):
        return self.process.poll() is None

    def last_words(self):
        """The last line the worker logged about its current submission (or, if it died before
        it got one, about starting), such as the exception that stopped it."""
        with open(self.log, "rb") as log:
            log.seek(max(0, log.seek(0, os.SEEK_END) - 2000))
            tail = log.read().decode("utf-8", errors="replace")
        current = re.split(rf"^{re.escape(LOG_MARKER)}.*$", tail, flags=re.MULTILINE)[-1]
        return (current.strip().splitlines() or ["no output"])[-1]

    def kill(self):
        """Kill the worker and everything it started, from any thread. Its pipes stay open: a
        submission waiting for its answer gets "died"."""
        with self.killing:
            if self.process.returncode is None:  # not reaped yet, so its pid is still its own
                _kill_tree(self.process)
            self.cleanup.close()  # its socket folder

    def stop(self):
        """Kill the worker and everything it started; the next lending replaces it."""
        self.kill()
        self.process.stdin.close()
        self.replies.close()


class Stopped(Exception):
    """Raised by `Workers.lend` once the workers were killed (`Workers.kill_all`)."""


class Workers:
    """`count` workers, each lent to one submission at a time; one that was stopped is
    replaced by a fresh one when it is next lent. Leaving the `with` block stops them all;
    `kill_all` kills them all at once, lent or not, and ends the lending."""

    def __init__(self, count, folder, sandboxed=True):
        self.folder, self.sandboxed = folder, sandboxed
        self.idle = queue.SimpleQueue()
        self.started = []  # every worker ever started, for kill_all
        self.starting = threading.Lock()
        self.killed = False
        for _ in range(count):
            self.idle.put(self._start())

    def _start(self):
        """A new worker; Stopped once kill_all was called, which kills every worker started before."""
        with self.starting:
            if self.killed:
                raise Stopped("grading was stopped")
            self.started.append(Worker(self.folder, self.sandboxed))
            return self.started[-1]

    @contextmanager
    def lend(self):
        worker = self.idle.get()
        try:
            if not worker.alive():
                worker = self._start()
            yield worker
        finally:
            self.idle.put(worker)

    def kill_all(self):
        """Kill every worker, lent or idle, with everything it started (a submission being
        graded gets "died"); lending raises Stopped after this."""
        with self.starting:
            self.killed = True
        for worker in self.started:
            worker.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        while not self.idle.empty():
            self.idle.get().stop()


def _kill_tree(process):
    """Kill a worker and everything it started (its kernel runs in a session of its own)."""
    try:
        family = psutil.Process(process.pid).children(recursive=True) + [psutil.Process(process.pid)]
    except psutil.NoSuchProcess:
        return
    for member in family:
        try:
            member.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(family, timeout=10)
    process.wait()



# The worker's end: a child process that grades the submissions it is sent.

def autograde(root, assignment_id, student_id, socket_dir, sandboxed=True):
    """Grade the submission, with the kernel's sockets in `socket_dir`; returns the result
    dict written to result.json."""
    overrides = Config()
    overrides.ProgressExecute.progress_file = str(Path(root, "progress.jsonl"))
    overrides.SandboxedKernelManager.socket_dir = socket_dir
    overrides.SandboxedKernelManager.sandboxed = sandboxed
    overrides.RefereeExecute.socket_dir = socket_dir
    overrides.Execute.shutdown_kernel = "immediate"  # all cells have run: no need to wait ~0.7 s for it to exit
    overrides.GenerateFeedback.exporter_class = FeedbackExporter
    api = nbgrader_api(root, overrides)
    result = api.autograde(assignment_id, student_id, force=True, create=True)
    if not result["success"]:
        reason = failure_reason(result.get("log", ""))
        return {"status": "crashed" if reason.startswith("DeadKernelError") else "failed", "message": reason}
    check(api.generate_feedback(assignment_id, student_id, force=True), "generate_feedback")
    return {"status": "graded"}


def failure_reason(log):
    """The last exception nbgrader logged, as one line a person can read."""
    exceptions = EXCEPTION_LINE.findall(log)
    if not exceptions:
        return "nbgrader could not grade this notebook"
    name, message = exceptions[-1]
    if name.endswith("NbGraderException") and len(exceptions) > 1:
        name, message = exceptions[-2]
    return f"{name.rsplit('.', 1)[-1]}: {message}".strip().rstrip(":")


def serve(socket_dir, root, assignment_id, student_id, sandboxed):
    """Handle one request: grade the submission in `root` and write its result.json; then
    empty `socket_dir` of whatever its kernel left there."""
    print(f"{LOG_MARKER} {student_id}/{assignment_id} in {root}", file=sys.stderr, flush=True)
    try:
        result = autograde(root, assignment_id, student_id, socket_dir, sandboxed)
    finally:
        empty_socket_folder(socket_dir)
    Path(root, "result.json").write_text(json.dumps(result), encoding="utf-8")


def empty_socket_folder(socket_dir):
    """Leave `socket_dir` as the next kernel must find it: empty, and with its own mode and no
    access lists (the kernel owns the folder, so it may have changed them: a folder it cannot
    write to, or whose default access list makes the next kernel's sockets unusable, would cost
    the next submission). An error here ends the worker: a fresh one takes over."""
    # find, not shutil.rmtree: folders nested thousands deep would exceed Python's recursion limit.
    # By its path: the grader's PATH may be the environment's alone (--no-sandbox).
    subprocess.run(["/usr/bin/find", socket_dir, "-mindepth", "1", "-delete"], check=True)
    for acl in ("system.posix_acl_access", "system.posix_acl_default"):
        with suppress(OSError):  # none there, or a filesystem without access lists
            os.removexattr(socket_dir, acl)
    os.chmod(socket_dir, 0o700)


def main(argv):
    """Say "ready" on file descriptor argv[0], then serve the requests on stdin until it
    closes, answering "done" to each, with the kernels' sockets in the folder argv[1]."""
    reply_fd, socket_dir = argv
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, resource.RLIM_INFINITY))  # its kernel sets its own
    with open(int(reply_fd), "w", encoding="utf-8") as replies:
        _answer(replies, {"ready": os.getpid()})
        for line in sys.stdin:
            request = json.loads(line)
            serve(socket_dir, **request)
            _answer(replies, {"done": request["root"]})


def _exit_with_parent(parent):
    """End this worker, and with it its kernel, once the process that started it is gone (a
    Dask worker or `grade` killed outright): an orphan does not grade on for nobody."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def _answer(replies, message):
    replies.write(json.dumps(message) + "\n")
    replies.flush()


if __name__ == "__main__":
    main(sys.argv[1:])

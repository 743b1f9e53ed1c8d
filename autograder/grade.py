"""`backprop-grade grade`: grade a class of submissions with nbgrader.

Input is nbgrader's submitted layout, SUBMITTED/<student_id>/<assignment_id>/
<assignment_id>.ipynb. Every submission is graded in its own scratch course, with
the student's kernel in a sandbox (autograder.sandbox), under a wall-time cap, by
one of `jobs` long-lived child processes (autograder.worker) that grade one
submission after another. A worker whose submission runs past the cap, or that
dies, is killed with everything it started and replaced by a fresh one. The
output folder gets grades.csv (one row per autograded test cell), summary.csv
(one row per submission, with a status and the reason when it is not `graded`),
feedback/<student_id>/<assignment_id>/<assignment_id>.html and the notebook as
nbgrader graded it, in autograded/<student_id>/<assignment_id>/. Graded
submissions are remembered in OUT/.cache and reused unless `force` is set or
something that decides their grade changed (see `grader_key` and `_fingerprint`);
the others (a timeout, a crash, a failure) are graded again on the next run.
A SIGINT (Ctrl-C) or SIGTERM stops grading: the workers are killed, with their
kernels, and what finished is written as usual, `interrupted` for the rest.
Given a Dask scheduler, the same unit of work (autograder.task) runs on the cluster's
workers instead (autograder.cluster), and only this process writes the output folder.
"""
import csv
import hashlib
import json
import shutil
import signal
import sys
import tempfile
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from . import task
from .course import assignments, autograded_cells, scratch_course, source_notebook
from .gradebook import seed_gradebook, update_gradebook
from .progress import ProgressBar
from .report import write_report
from .sandbox import MISSING_MESSAGE, available, package_dir, remove_empty_cgroups
from .worker import Workers

GRADES_HEADER = ["student_id", "assignment_id", "grade_id", "score", "max_score", "message"]
SUMMARY_HEADER = ["student_id", "assignment_id", "score", "max_score", "status", "message", "late", "sandbox"]
SANDBOX_NAMES = {True: "bubblewrap", False: "none (--no-sandbox)"}  # summary.csv's `sandbox` column
# The packages whose files decide a grade, and which of their files: of the grader only its code.
KEYED_PACKAGES = {"autograder": "*.py", "solutions": "*", "workbook_tools": "*"}

@dataclass(frozen=True)
class Submission:
    student_id: str
    assignment_id: str
    path: Path  # the notebook nbgrader expects; it may be missing

    @property
    def name(self):
        return f"{self.student_id}/{self.assignment_id}"


def find_submissions(submitted):
    """Every SUBMITTED/<student>/<assignment>/ folder of a known assignment."""
    known = set(assignments())
    return [Submission(folder.parent.name, folder.name, folder / f"{folder.name}.ipynb")
            for folder in sorted(Path(submitted).glob("*/*"))
            if folder.is_dir() and folder.name in known]


class SandboxMissing(RuntimeError):
    """Student code would run unsandboxed: bubblewrap is missing and --no-sandbox was not given."""


class Interrupted(KeyboardInterrupt):
    """Grading was stopped by a signal, after writing what finished."""


class ClusterUnreachable(RuntimeError):
    """No Dask scheduler answers at the address given: nothing was graded."""


class ClusterError(RuntimeError):
    """Grading on a Dask cluster stopped early (the scheduler went away, or a worker cannot
    grade), after writing what finished."""


class StopSignals:
    """Inside its `with` block SIGINT and SIGTERM only set `received` (the first one's
    number), so that grading stops its workers and writes what finished however many come."""

    def __init__(self):
        self.received = None

    def __enter__(self):
        self.previous = {number: signal.signal(number, self._receive) for number in (signal.SIGINT, signal.SIGTERM)}
        return self

    def _receive(self, number, frame):
        self.received = self.received or number

    def __exit__(self, *exc_info):
        for number, handler in self.previous.items():
            signal.signal(number, handler)


def grade(submitted, out, jobs=1, timeout=600.0, force=False, stream=sys.stderr, sandboxed=True, scheduler=None):
    """Grade every submission under `submitted` into `out`, showing progress on
    `stream`, with each kernel sandboxed unless `sandboxed` is False, on this machine
    with `jobs` workers or, given `scheduler` (tcp://host:port), on that Dask cluster
    (autograder.cluster); returns the summary rows. Raises SandboxMissing where a sandbox
    is wanted but not available. A SIGINT (Ctrl-C) or SIGTERM stops it: the submissions
    not graded yet get the status `interrupted`, everything is written as usual, then
    Interrupted is raised. So is ClusterError, the same way,
    when the cluster cannot go on (see autograder.cluster)."""
    if sandboxed and not available():
        raise SandboxMissing(MISSING_MESSAGE)
    with StopSignals() as stop:
        rows = _grade_class(submitted, out, jobs, timeout, force, stream, stop, sandboxed, scheduler)
    if stop.received:
        raise Interrupted(signal.Signals(stop.received).name)
    return rows


def _grade_class(submitted, out, jobs, timeout, force, stream, stop, sandboxed, scheduler):
    """grade(), told of stop signals by `stop` (a StopSignals)."""
    out = Path(out)
    submissions = find_submissions(submitted)
    key = grader_key(timeout, sandboxed)
    outcomes = {} if force else {s: o for s in submissions if (o := _cached(s, out, key))}
    todo = [s for s in submissions if s not in outcomes]
    progress = ProgressBar(len(submissions), stream)

    def report(submission, outcome):
        summary = outcome["summary"]
        progress.finished(f"{submission.name}: {summary['status']} {summary['score']:g}/{summary['max_score']:g} "
                          f"{summary['message']}".rstrip() + ("" if submission in todo else " (reused)"))

    for submission, outcome in list(outcomes.items()):
        report(submission, outcome)
    lost = None
    if todo:
        assignment_ids = sorted({s.assignment_id for s in todo})
        with tempfile.TemporaryDirectory(prefix="backprop-grade-") as scratch:
            template = Path(scratch, "course")
            if scheduler:
                from .cluster import ClusterGrading
                engine = ClusterGrading(scheduler, assignment_ids, timeout, sandboxed)
            else:
                engine = LocalGrading(min(jobs, len(todo)), scratch, template, sandboxed)
            with engine:
                template.mkdir()
                scratch_course(template, assignment_ids)  # while the workers start
                seed_gradebook(out, template)
                job_of = partial(submission_job, timeout=timeout, sandboxed=sandboxed)
                try:
                    for submission, result in engine.results(todo, job_of, stop, progress):
                        outcomes[submission] = record(submission, result, out, key, sandboxed)
                        report(submission, outcomes[submission])
                except ClusterError as error:  # write what finished
                    lost = error
    remove_empty_cgroups()
    for submission in set(submissions) - set(outcomes):  # grading stopped before it finished these
        outcomes[submission] = _outcome(submission, "interrupted", "grading was stopped before it finished this "
                                        "submission; grade again to resume", {}, sandboxed)
    in_order = [outcomes[s] for s in submissions]
    summaries = [{**outcomes[s]["summary"], "late": _late(s)} for s in submissions]
    write_csv(out / "grades.csv", GRADES_HEADER, [row for o in in_order for row in o["grades"]])
    write_csv(out / "summary.csv", SUMMARY_HEADER, summaries)
    update_gradebook(out)
    write_report(out)
    if lost:
        raise lost
    return summaries


class LocalGrading:
    """Grading on this machine: `count` worker processes, each grading one Job at a time in a
    copy of the scratch course `template` (built once they are starting), in a thread of this
    process. Leaving the `with` block stops them."""

    def __init__(self, count, scratch, template, sandboxed):
        self.count, self.template = count, template
        self.workers = Workers(count, scratch, sandboxed)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.workers.__exit__(*exc_info)

    def results(self, submissions, job_of, stop, progress):
        """(submission, task.Result) of each of `submissions` as it finishes, graded as the
        task.Job `job_of(submission)`, until `stop` received a signal: then the workers are
        killed, with their kernels, and only the submissions graded meanwhile follow."""
        with ThreadPoolExecutor(max_workers=self.count) as pool:
            running = {pool.submit(lambda s: task.run(job_of(s), self.template, self.workers), submission): submission
                       for submission in submissions}
            finished = set()
            for future in _completed_until(running, stop):
                finished.add(future)
                yield running[future], future.result()
            if stop.received:
                progress.message(f"{signal.Signals(stop.received).name}: stopping the workers and writing "
                                 "what finished")
                self.workers.kill_all()
                pool.shutdown(wait=True, cancel_futures=True)  # what was running ends at once, its worker dead
                yield from ((running[future], future.result()) for future in running
                            if future not in finished and _graded(future))


def _graded(future):
    """Whether a future of task.run finished with a graded Result."""
    return future.done() and not future.cancelled() and future.exception() is None \
        and future.result().status == "graded"


def _completed_until(futures, stop):
    """The futures as they complete, until all have or `stop` received a signal (looked at twice a second)."""
    pending = set(futures)
    while pending and not stop.received:
        done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
        yield from done


def submission_job(submission, timeout, sandboxed):
    """The task.Job of a submission: its notebook's bytes travel with it."""
    notebook = submission.path.read_bytes() if submission.path.is_file() else None
    return task.Job(submission.student_id, submission.assignment_id, notebook, timeout, sandboxed)


def _late(submission):
    """summary.csv's `late`: "yes" when `backprop-grade collect` recorded the submission as late
    (in collect.json beside the notebook), else ""."""
    collected = submission.path.parent / "collect.json"
    try:
        late = json.loads(collected.read_text(encoding="utf-8")).get("late")
    except (OSError, ValueError, AttributeError):  # no collect.json, or not one collect wrote
        return ""
    return "yes" if late is True else ""


def record(submission, result, out, key, sandboxed):
    """Write a submission's task.Result into `out`, wherever it was graded: a graded one's files
    (its feedback page, its autograded folder replaced) and its outcome, remembered in the cache
    under the submission's fingerprint with `key`. Returns the outcome, {"grades": [...],
    "summary": {...}, "sha256": ...}."""
    outcome = {**_outcome(submission, result.status, result.message, result.cells, sandboxed),
               "sha256": _fingerprint(submission, key)}
    if result.status == "graded":
        shutil.rmtree(out / "autograded" / submission.student_id / submission.assignment_id, ignore_errors=True)
        for name, content in result.files.items():
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            (out / name).write_bytes(content)
        cache = _cache_file(submission, out)
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(outcome), encoding="utf-8")
    return outcome


def _cached(submission, out, key):
    """The remembered outcome of a graded submission when nothing that decides its grade changed, or None."""
    cache = _cache_file(submission, out)
    if cache.exists():
        outcome = json.loads(cache.read_text(encoding="utf-8"))
        if outcome["sha256"] == _fingerprint(submission, key):
            return outcome
    return None


def _cache_file(submission, out):
    return out / ".cache" / submission.student_id / f"{submission.assignment_id}.json"


def _outcome(submission, status, message, results, sandboxed):
    cells = autograded_cells(submission.assignment_id)
    grades = [{"student_id": submission.student_id, "assignment_id": submission.assignment_id,
               "grade_id": grade_id, "score": float(results.get(grade_id, {}).get("score") or 0.0),
               "max_score": points, "message": results.get(grade_id, {}).get("message", "not graded")}
              for grade_id, points in cells]
    summary = {"student_id": submission.student_id, "assignment_id": submission.assignment_id,
               "score": sum(g["score"] for g in grades), "max_score": sum(p for _, p in cells),
               "status": status, "message": message, "sandbox": SANDBOX_NAMES[sandboxed]}
    return {"grades": grades, "summary": summary}


def _fingerprint(submission, key):
    """A hash of the submission, its master notebook and `grader_key`: a change to any means regrading."""
    sha = hashlib.sha256(key.encode() + b"\0")
    for path in [submission.path, source_notebook(submission.assignment_id)]:
        sha.update(path.read_bytes() if path.is_file() else b"")
        sha.update(b"\0")
    return sha.hexdigest()


def grader_key(timeout, sandboxed):
    """A hash of what decides every grade besides the submission and its master notebook: the
    files of KEYED_PACKAGES (the grader's code, the reference package `solutions` and the checks
    `workbook_tools`), the wall-time cap and whether kernels are sandboxed."""
    sha = hashlib.sha256(f"timeout {timeout:g}\0sandboxed {sandboxed}\0".encode())
    for package, pattern in KEYED_PACKAGES.items():
        folder = package_dir(package)
        for path in sorted(folder.rglob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                sha.update(f"{package}/{path.relative_to(folder).as_posix()}\0".encode())
                sha.update(path.read_bytes() + b"\0")
    return sha.hexdigest()


def write_csv(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)

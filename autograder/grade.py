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
"""
import csv
import hashlib
import json
import re
import shutil
import signal
import sys
import tempfile
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .course import (assignments, autograded_cells, master_notebook, nbgrader_meta, scratch_course,
                     source_notebook)
from .gradebook import seed_gradebook, update_gradebook
from .intake import NotGradable, take
from .progress import ProgressBar
from .report import write_report
from .sandbox import MISSING_MESSAGE, available, package_dir, remove_empty_cgroups
from .worker import Workers

SAFE_ID = re.compile(r"[A-Za-z0-9._-]+")
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


def grade(submitted, out, jobs=1, timeout=600.0, force=False, stream=sys.stderr, sandboxed=True):
    """Grade every submission under `submitted` into `out`, showing progress on
    `stream`, with each kernel sandboxed unless `sandboxed` is False; returns the
    summary rows. Raises SandboxMissing where a sandbox is wanted but not available.
    A SIGINT (Ctrl-C) or SIGTERM stops it: the submissions not graded yet get the
    status `interrupted`, everything is written as usual, then Interrupted is raised."""
    if sandboxed and not available():
        raise SandboxMissing(MISSING_MESSAGE)
    with StopSignals() as stop:
        rows = _grade_class(submitted, out, jobs, timeout, force, stream, stop, sandboxed)
    if stop.received:
        raise Interrupted(signal.Signals(stop.received).name)
    return rows


def _grade_class(submitted, out, jobs, timeout, force, stream, stop, sandboxed):
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
    if todo:
        jobs = min(jobs, len(todo))
        with tempfile.TemporaryDirectory(prefix="backprop-grade-") as scratch, Workers(jobs, scratch, sandboxed) as workers:
            template = Path(scratch, "course")
            template.mkdir()
            scratch_course(template, sorted({s.assignment_id for s in todo}))  # while the workers start
            seed_gradebook(out, template)
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                running = {pool.submit(grade_one, s, template, out, timeout, sandboxed, workers, key): s for s in todo}
                for future in _completed_until(running, stop):
                    outcomes[running[future]] = future.result()
                    report(running[future], outcomes[running[future]])
                if stop.received:
                    progress.message(f"{signal.Signals(stop.received).name}: stopping the workers and writing "
                                     "what finished")
                    workers.kill_all()
                    pool.shutdown(wait=True, cancel_futures=True)  # what was running ends at once, its worker dead
                    outcomes.update(_graded_anyway(running, outcomes))
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
    return summaries


def _late(submission):
    """summary.csv's `late`: "yes" when `backprop-grade collect` recorded the submission as late
    (in collect.json beside the notebook), else ""."""
    record = submission.path.parent / "collect.json"
    try:
        late = json.loads(record.read_text(encoding="utf-8")).get("late")
    except (OSError, ValueError, AttributeError):  # no collect.json, or not one collect wrote
        return ""
    return "yes" if late is True else ""


def _graded_anyway(running, outcomes):
    """{submission: outcome} of the submissions in `running` ({future: submission}) that were
    graded, and so remembered, while grading stopped."""
    return {submission: future.result() for future, submission in running.items()
            if submission not in outcomes and future.done() and not future.cancelled()
            and future.exception() is None and future.result()["summary"]["status"] == "graded"}


def _completed_until(futures, stop):
    """The futures as they complete, until all have or `stop` received a signal (looked at twice a second)."""
    pending = set(futures)
    while pending and not stop.received:
        done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
        yield from done


def grade_one(submission, template, out, timeout, sandboxed, workers, key):
    """Grade one submission with one of `workers`: {"grades": [...], "summary": {...}}.
    A graded outcome is remembered under the submission's fingerprint with `key`."""
    status, message, cells = _autograde(submission, template, out, timeout, sandboxed, workers)
    outcome = {**_outcome(submission, status, message, cells, sandboxed), "sha256": _fingerprint(submission, key)}
    if status == "graded":
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


def _autograde(submission, template, out, timeout, sandboxed, workers):
    """Have a worker grade one submission: (status, message, {grade_id: cell's result}), a cell's
    result being {"score": points, "message": the grader's hint when it failed}."""
    if not SAFE_ID.fullmatch(submission.student_id):
        return "invalid", (f"student id {submission.student_id!r} has characters nbgrader cannot handle; "
                           "use letters, digits, '-', '_' and '.' (backprop-grade collect does)"), {}
    if not submission.path.is_file():
        return "missing", f"no {submission.path.name} in the submission folder", {}
    try:
        notebook, notes = take(submission.path, master_notebook(submission.assignment_id))
    except NotGradable as error:
        return "invalid", str(error), {}
    if not any(nbgrader_meta(cell).get("solution") for cell in notebook.cells):
        looks_like = [a for a in assignments() if a != submission.assignment_id and _claims_cells_of(submission, a)]
        return "wrong-assignment", (f"none of {submission.assignment_id}'s exercises is in this notebook"
                                    + (f"; it looks like {looks_like[0]}" if looks_like else "")), {}
    with tempfile.TemporaryDirectory(prefix="submission-", dir=template.parent) as scratch:
        course = Path(scratch, "course")
        shutil.copytree(template, course)
        target = course / "submitted" / submission.student_id / submission.assignment_id
        target.mkdir(parents=True)
        nbformat.write(notebook, target / submission.path.name)
        with workers.lend() as worker:
            request = {"root": str(course), "assignment_id": submission.assignment_id,
                       "student_id": submission.student_id, "sandboxed": sandboxed}
            ended = worker.grade(request, timeout)
            last_words = worker.last_words() if ended == "died" else ""
        finished = _progress(course / "progress.jsonl")
        result_file = course / "result.json"
        kept = f"the {len(finished)} test cells graded before it stopped keep their scores"
        if ended == "timeout":
            return "timeout", f"stopped after {timeout:g} s: the notebook ran too long; {kept}", finished
        if not result_file.exists():
            return "failed", f"the grader crashed: {last_words}", finished
        result = json.loads(result_file.read_text(encoding="utf-8"))
        if result["status"] != "graded":
            return result["status"], f"{result['message']}; {kept}", finished
        _keep_graded_files(course, out, submission)
        return "graded", "; ".join(notes), finished


def _claims_cells_of(submission, assignment_id):
    """Whether the submission's notebook holds exercises of `assignment_id`."""
    notebook, _ = take(submission.path, master_notebook(assignment_id))
    return any(nbgrader_meta(cell).get("solution") for cell in notebook.cells)


def _keep_graded_files(course, out, submission):
    """Copy a graded submission's feedback page and autograded folder from its scratch course to `out`."""
    folder = Path(submission.student_id, submission.assignment_id)
    page = folder / f"{submission.assignment_id}.html"
    (out / "feedback" / folder).mkdir(parents=True, exist_ok=True)
    shutil.copy(course / "feedback" / page, out / "feedback" / page)
    shutil.rmtree(out / "autograded" / folder, ignore_errors=True)
    shutil.copytree(course / "autograded" / folder, out / "autograded" / folder)


def _progress(path):
    """{grade_id: {"score", "message"}} of the graded cells a worker reported as finished."""
    if not path.exists():
        return {}
    cells = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            cell = json.loads(line)
        except ValueError:  # a line cut short when the worker was killed
            continue
        cells[cell["grade_id"]] = {"score": cell["score"], "message": cell["message"]}
    return cells


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

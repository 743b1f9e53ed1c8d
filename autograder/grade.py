"""`backprop-grade grade`: grade a class of submissions with nbgrader.

Input is nbgrader's submitted layout, SUBMITTED/<student_id>/<assignment_id>/
<assignment_id>.ipynb. Every submission is graded in its own scratch course by a
child process (autograder.worker) under a wall-time cap, `jobs` at a time. The
output folder gets grades.csv (one row per autograded test cell), summary.csv
(one row per submission, with a status and the reason when it is not `graded`)
and feedback/<student_id>/<assignment_id>/<assignment_id>.html. Finished
submissions are remembered in OUT/.cache and reused unless `force` is set or
the submission or its master notebook changed.
"""
import csv
import hashlib
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil

from .course import assignments, autograded_cells, scratch_course, source_notebook

GRADES_HEADER = ["student_id", "assignment_id", "grade_id", "score", "max_score"]
SUMMARY_HEADER = ["student_id", "assignment_id", "score", "max_score", "status", "message"]

# One BLAS thread per kernel: parallel kernels must not fight over the cores.
SINGLE_THREADED = {name: "1" for name in
                   ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"]}


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


def grade(submitted, out, jobs=1, timeout=600.0, force=False, log=print):
    """Grade every submission under `submitted` into `out`; returns the summary rows."""
    out = Path(out)
    submissions = find_submissions(submitted)
    outcomes = {} if force else {s: o for s in submissions if (o := _cached(s, out))}
    todo = [s for s in submissions if s not in outcomes]

    finished = itertools.count(1)

    def report(submission, outcome):
        summary = outcome["summary"]
        log(f"[{next(finished)}/{len(submissions)}] {submission.name}: {summary['status']} "
            f"{summary['score']:g}/{summary['max_score']:g} {summary['message']}".rstrip()
            + ("" if submission in todo else " (reused)"))

    for submission, outcome in list(outcomes.items()):
        report(submission, outcome)
    if todo:
        with tempfile.TemporaryDirectory(prefix="backprop-grade-") as scratch:
            template = Path(scratch, "course")
            template.mkdir()
            scratch_course(template, sorted({s.assignment_id for s in todo}))
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                running = {pool.submit(grade_one, s, template, out, timeout): s for s in todo}
                for future in as_completed(running):
                    outcomes[running[future]] = future.result()
                    report(running[future], outcomes[running[future]])
    in_order = [outcomes[s] for s in submissions]
    write_csv(out / "grades.csv", GRADES_HEADER, [row for o in in_order for row in o["grades"]])
    write_csv(out / "summary.csv", SUMMARY_HEADER, [o["summary"] for o in in_order])
    return [o["summary"] for o in in_order]


def grade_one(submission, template, out, timeout):
    """Grade one submission and remember its outcome: {"grades": [...], "summary": {...}}."""
    status, message, scores = _autograde(submission, template, out, timeout)
    outcome = {**_outcome(submission, status, message, scores), "sha256": _fingerprint(submission)}
    cache = _cache_file(submission, out)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(outcome), encoding="utf-8")
    return outcome


def _cached(submission, out):
    """The remembered outcome of an unchanged submission, or None."""
    cache = _cache_file(submission, out)
    if cache.exists():
        outcome = json.loads(cache.read_text(encoding="utf-8"))
        if outcome["sha256"] == _fingerprint(submission):
            return outcome
    return None


def _cache_file(submission, out):
    return out / ".cache" / submission.student_id / f"{submission.assignment_id}.json"


def _autograde(submission, template, out, timeout):
    """Run the worker on one submission: (status, message, {grade_id: score})."""
    if not submission.path.is_file():
        return "missing", f"no {submission.path.name} in the submission folder", {}
    try:
        nbformat.read(submission.path, as_version=4)
    except Exception as error:  # any unreadable file is reported, whatever the parser says
        return "invalid", f"not a readable notebook: {type(error).__name__}: {error}".splitlines()[0], {}
    with tempfile.TemporaryDirectory(prefix="submission-", dir=template.parent) as scratch:
        course = Path(scratch, "course")
        shutil.copytree(template, course)
        target = course / "submitted" / submission.student_id / submission.assignment_id
        target.mkdir(parents=True)
        shutil.copy(submission.path, target / submission.path.name)
        worker = subprocess.Popen(
            [sys.executable, "-m", "autograder.worker", str(course),
             submission.assignment_id, submission.student_id],
            env={**os.environ, **SINGLE_THREADED}, cwd=course, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            _, stderr = worker.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_tree(worker)
            return "timeout", f"stopped after {timeout:g} s: the notebook ran too long", {}
        finally:
            _kill_tree(worker)
        result_file = course / "result.json"
        if not result_file.exists():
            return "failed", "the grader crashed: " + (stderr.strip().splitlines() or ["no output"])[-1], {}
        result = json.loads(result_file.read_text(encoding="utf-8"))
        if result["status"] == "graded":
            relative = Path(submission.student_id, submission.assignment_id, f"{submission.assignment_id}.html")
            (out / "feedback" / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(course / "feedback" / relative, out / "feedback" / relative)
        return result["status"], result.get("message", ""), result.get("scores", {})


def _outcome(submission, status, message, scores):
    cells = autograded_cells(submission.assignment_id)
    grades = [{"student_id": submission.student_id, "assignment_id": submission.assignment_id,
               "grade_id": grade_id, "score": float(scores.get(grade_id) or 0.0), "max_score": points}
              for grade_id, points in cells]
    summary = {"student_id": submission.student_id, "assignment_id": submission.assignment_id,
               "score": sum(g["score"] for g in grades), "max_score": sum(p for _, p in cells),
               "status": status, "message": message}
    return {"grades": grades, "summary": summary}


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


def _fingerprint(submission):
    """A hash of the submission and its master notebook: a change to either means regrading."""
    sha = hashlib.sha256()
    for path in [submission.path, source_notebook(submission.assignment_id)]:
        sha.update(path.read_bytes() if path.is_file() else b"")
        sha.update(b"\0")
    return sha.hexdigest()


def write_csv(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)

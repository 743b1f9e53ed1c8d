"""The unit of grading: one submission in, its grade out, both plain data.

`run` grades a `Job` in a scratch course of its own, copied from a template course (see
course.scratch_course), with a worker process lent by a `worker.Workers` pool, and returns a
`Result`. Local grading runs it in a thread of the grade process; cluster grading
(autograder.cluster) runs the very same function on a Dask worker. So a Job carries the
submission's bytes, and a Result everything that `grade` writes into OUT for it, files
included as bytes: neither side reads the other's filesystem, and only the grade process
writes OUT (grade.record).
"""
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .course import assignments, master_notebook, nbgrader_meta
from .intake import NotGradable, take

SAFE_ID = re.compile(r"[A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Job:
    """One submission to grade: the bytes of SUBMITTED/<student_id>/<assignment_id>/<assignment_id>.ipynb
    (None when the file is missing), the wall-time cap in seconds and whether the kernel is sandboxed."""
    student_id: str
    assignment_id: str
    notebook: bytes | None
    timeout: float
    sandboxed: bool

    @property
    def name(self):
        return f"{self.student_id}/{self.assignment_id}"


@dataclass(frozen=True)
class Result:
    """How a Job went: `status` "graded" or why not (summary.csv's statuses), `message` the reason
    or intake's notes, `cells` {grade_id: {"score": points, "message": the grader's hint when it
    failed}} of the test cells graded, and, when graded, `files` {path inside OUT: bytes}: the
    feedback page and the autograded folder."""
    status: str
    message: str
    cells: dict
    files: dict = field(default_factory=dict)


def run(job, template, workers):
    """Grade `job` with one of `workers`, in a copy of the scratch course `template`: a Result."""
    if not SAFE_ID.fullmatch(job.student_id):
        return Result("invalid", f"student id {job.student_id!r} has characters nbgrader cannot handle; "
                                 "use letters, digits, '-', '_' and '.' (backprop-grade collect does)", {})
    if job.notebook is None:
        return Result("missing", f"no {job.assignment_id}.ipynb in the submission folder", {})
    try:
        notebook, notes = take(job.notebook, master_notebook(job.assignment_id))
    except NotGradable as error:
        return Result("invalid", str(error), {})
    if not any(nbgrader_meta(cell).get("solution") for cell in notebook.cells):
        looks_like = [a for a in assignments() if a != job.assignment_id and _claims_cells_of(job.notebook, a)]
        return Result("wrong-assignment", f"none of {job.assignment_id}'s exercises is in this notebook"
                      + (f"; it looks like {looks_like[0]}" if looks_like else ""), {})
    with tempfile.TemporaryDirectory(prefix="submission-", dir=Path(template).parent) as scratch:
        course = Path(scratch, "course")
        shutil.copytree(template, course)
        folder = Path(job.student_id, job.assignment_id)
        (course / "submitted" / folder).mkdir(parents=True)
        nbformat.write(notebook, course / "submitted" / folder / f"{job.assignment_id}.ipynb")
        with workers.lend() as worker:
            request = {"root": str(course), "assignment_id": job.assignment_id, "student_id": job.student_id,
                       "sandboxed": job.sandboxed}
            ended = worker.grade(request, job.timeout)
            last_words = worker.last_words() if ended == "died" else ""
        finished = _progress(course / "progress.jsonl")
        kept = f"the {len(finished)} test cells graded before it stopped keep their scores"
        if ended == "timeout":
            return Result("timeout", f"stopped after {job.timeout:g} s: the notebook ran too long; {kept}", finished)
        if not (course / "result.json").exists():
            return Result("failed", f"the grader crashed: {last_words}", finished)
        result = json.loads((course / "result.json").read_text(encoding="utf-8"))
        if result["status"] != "graded":
            return Result(result["status"], f"{result['message']}; {kept}", finished)
        return Result("graded", "; ".join(notes), finished, _graded_files(course, folder, job.assignment_id))


def _claims_cells_of(data, assignment_id):
    """Whether the notebook `data` (bytes) holds exercises of `assignment_id`."""
    notebook, _ = take(data, master_notebook(assignment_id))
    return any(nbgrader_meta(cell).get("solution") for cell in notebook.cells)


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


def _graded_files(course, folder, assignment_id):
    """{path inside OUT: bytes} of a graded submission's feedback page and autograded folder."""
    page = Path("feedback", folder, f"{assignment_id}.html")
    files = {page.as_posix(): (course / page).read_bytes()}
    for path in sorted((course / "autograded" / folder).rglob("*")):
        if path.is_file():
            files[path.relative_to(course).as_posix()] = path.read_bytes()
    return files

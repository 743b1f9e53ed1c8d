"""Autograde one submission in its own scratch course, as a child process.

    python -m autograder.worker COURSE_DIR ASSIGNMENT_ID STUDENT_ID [HIDDEN_PATH ...]

COURSE_DIR is a scratch nbgrader course (see course.scratch_course) with the
notebook at submitted/STUDENT_ID/ASSIGNMENT_ID/. The worker runs nbgrader's
autograde, with the student's kernel in a sandbox (autograder.sandbox) that may
write only the student's autograded folder and sees the HIDDEN_PATHs as empty,
then generate_feedback, and writes COURSE_DIR/result.json:
{"status": "graded", "scores": {grade_id: score}} or
{"status": "failed" | "crashed", "message": why}. Meanwhile every graded cell's
score is appended to COURSE_DIR/progress.jsonl as soon as it has run.
`backprop-grade grade` runs one worker per submission, so a kernel that dies or
hangs costs only that submission, and only the cells it did not finish.
"""
import json
import re
import sys
from pathlib import Path

from nbgrader.api import Gradebook
from traitlets.config import Config

from .course import check, nbgrader_api

EXCEPTION_LINE = re.compile(r"^\s*([\w.]+(?:Error|Exception|Exit)): ?(.*)$", re.MULTILINE)


def autograde(root, assignment_id, student_id, hidden_paths=()):
    """Grade the submission; returns the result dict written to result.json."""
    overrides = Config()
    overrides.ProgressExecute.progress_file = str(Path(root, "progress.jsonl"))
    overrides.SandboxedKernelManager.writable_paths = [str(Path(root, "autograded", student_id, assignment_id))]
    overrides.SandboxedKernelManager.hidden_paths = list(hidden_paths)
    api = nbgrader_api(root, overrides)
    result = api.autograde(assignment_id, student_id, force=True, create=True)
    if not result["success"]:
        reason = failure_reason(result.get("log", ""))
        return {"status": "crashed" if reason.startswith("DeadKernelError") else "failed", "message": reason}
    check(api.generate_feedback(assignment_id, student_id, force=True), "generate_feedback")
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
        notebook = gradebook.find_submission_notebook(assignment_id, assignment_id, student_id)
        scores = {grade.name: grade.score for grade in notebook.grades}
    return {"status": "graded", "scores": scores}


def failure_reason(log):
    """The last exception nbgrader logged, as one line a person can read."""
    exceptions = EXCEPTION_LINE.findall(log)
    if not exceptions:
        return "nbgrader could not grade this notebook"
    name, message = exceptions[-1]
    if name.endswith("NbGraderException") and len(exceptions) > 1:
        name, message = exceptions[-2]
    return f"{name.rsplit('.', 1)[-1]}: {message}".strip().rstrip(":")


def main(argv):
    root, assignment_id, student_id, *hidden_paths = argv
    result = autograde(root, assignment_id, student_id, hidden_paths)
    Path(root, "result.json").write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])

"""The grading output folder as an nbgrader course, so that formgrader can grade the free text.

`backprop-grade grade` calls `update_gradebook(out)` once grades.csv and summary.csv are
written (and `seed_gradebook` before grading, so that a new OUT starts with the assignments
its grading course has generated). It makes OUT a course that `jupyter lab` started in OUT
opens in formgrader:

- OUT/nbgrader_config.py: the course's configuration (autograder/nbgrader_config.py), with
  `nbgrader export` writing OUT/nbgrader_grades.csv instead of over backprop-grade's grades.csv;
- OUT/source/<id>/<id>.ipynb: a copy of the master notebook of each assignment handed in, generated
  (into OUT/gradebook.db and OUT/release/) whenever it is new or its master changed;
- OUT/gradebook.db: each submission whose status in summary.csv is `graded` and whose autograded
  notebook OUT/autograded/<student>/<id>/<id>.ipynb exists, and its student. Test cells get their
  score in grades.csv as auto score; free-text answers need grading by hand, except blank ones,
  which score 0 with the comment "No response.", as nbgrader's autograde does.

Running it again keeps everything a grader entered: manual scores, extra credit, comments and
flags are never changed. A cell is marked as needing grading again only as nbgrader's autograde
would mark it, and only when its submission is new, its answers changed (a resubmission: the
answers last recorded are fingerprinted in OUT/.cache/gradebook.json) or its auto score changed:
then it needs grading if it has a manual score to review or no auto score.

Submissions that were not graded (invalid, missing, wrong-assignment, timeout, crashed, failed)
are left out: nbgrader has no autograded notebook of them to show. The report still counts
their score from summary.csv; `nbgrader export` counts them as not handed in. A submission
graded on an earlier run whose resubmission was not graded keeps its old record, hand grading
included, but the report counts the new one. A submission nbgrader cannot take (an autograded
notebook it cannot read, say) is left out with a warning on stderr.
"""
import csv
import hashlib
import json
import shutil
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader import utils
from nbgrader.api import MissingEntry
from sqlalchemy.exc import SAWarning

from .course import CONFIG_FILE, SOURCE_DIR, check, nbgrader_api, nbgrader_meta, source_notebook

EXPORT_FILE = "nbgrader_grades.csv"
OUT_CONFIG = f"""

# The graded class (autograder/gradebook.py): `nbgrader export` writes {EXPORT_FILE}, so that it
# never overwrites the grades.csv of backprop-grade.
c.ExportPlugin.to = "{EXPORT_FILE}"
"""


@dataclass(frozen=True)
class Totals:
    """What OUT/gradebook.db holds of the class, hand grading included."""
    scores: dict       # {(student_id, assignment_id): nbgrader's score of the submission}
    to_grade: dict     # {(student_id, assignment_id): cells that still need grading by hand}
    max_scores: dict   # {assignment_id: all its points, free-text answers included}
    hand_graded: dict  # {assignment_id: the points of its free-text answers}


def update_gradebook(out):
    """Make OUT an nbgrader course holding its graded submissions (see the module docstring)."""
    out = Path(out)
    summary = _read_csv(out / "summary.csv")
    graded = [(row["student_id"], row["assignment_id"]) for row in summary if row["status"] == "graded"]
    found = [(student, assignment) for student, assignment in graded
             if autograded_notebook(out, student, assignment).is_file()]
    if len(found) < len(graded):
        print(f"warning: {len(graded) - len(found)} graded submissions have no autograded notebook in "
              f"{out / 'autograded'}, so formgrader cannot show them: grade again with --force", file=sys.stderr)
    (out / "nbgrader_config.py").write_text(CONFIG_FILE.read_text(encoding="utf-8") + OUT_CONFIG, encoding="utf-8")
    api = nbgrader_api(out)
    with api.gradebook as gradebook:
        generated = {assignment.name for assignment in gradebook.assignments}
    for assignment_id in sorted({row["assignment_id"] for row in summary}):
        if assignment_id not in generated or not master_unchanged(out, assignment_id):
            generate_assignment(out, api, assignment_id)
    scores = {}
    for row in _read_csv(out / "grades.csv"):
        scores.setdefault((row["student_id"], row["assignment_id"]), {})[row["grade_id"]] = float(row["score"])
    fingerprints_file = out / ".cache" / "gradebook.json"
    fingerprints = json.loads(fingerprints_file.read_text(encoding="utf-8")) if fingerprints_file.is_file() else {}
    with api.gradebook as gradebook:
        for student, assignment in found:
            try:
                notebook = nbformat.read(autograded_notebook(out, student, assignment), as_version=4)
                fingerprint = answers_fingerprint(notebook)
                changed = fingerprints.get(f"{student}/{assignment}") != fingerprint
                record_submission(gradebook, student, assignment, notebook, scores.get((student, assignment), {}),
                                  changed)
            except Exception as error:  # one odd notebook must not stop the rest of the class
                gradebook.db.rollback()
                print(f"warning: {student}/{assignment} is not in the gradebook: {type(error).__name__}: {error}",
                      file=sys.stderr)
                continue
            fingerprints[f"{student}/{assignment}"] = fingerprint
    fingerprints_file.parent.mkdir(parents=True, exist_ok=True)
    fingerprints_file.write_text(json.dumps(fingerprints, indent=1, sort_keys=True), encoding="utf-8")


def seed_gradebook(out, course):
    """Start OUT's gradebook, if it has none, as a copy of `course`'s: a scratch course whose
    assignments were just generated from the same master notebooks (course.scratch_course), so
    that update_gradebook need not generate them again."""
    out = Path(out)
    if (out / "gradebook.db").exists():
        return
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(course, "gradebook.db"), out / "gradebook.db")
    for folder in ("source", "release"):
        shutil.copytree(Path(course, folder), out / folder, dirs_exist_ok=True)


def autograded_notebook(out, student_id, assignment_id):
    """Where nbgrader's course layout keeps a submission's autograded notebook."""
    return out / "autograded" / student_id / assignment_id / f"{assignment_id}.ipynb"


def master_unchanged(out, assignment_id):
    """Whether OUT/source holds the assignment's master notebook as it is now."""
    copy = out / "source" / assignment_id / f"{assignment_id}.ipynb"
    return copy.is_file() and copy.read_bytes() == source_notebook(assignment_id).read_bytes()


def generate_assignment(out, api, assignment_id):
    """Copy an assignment's master notebook to OUT/source and generate it into the gradebook."""
    copy = out / "source" / assignment_id
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(SOURCE_DIR / assignment_id, copy)
    result = api.generate_assignment(assignment_id, force=True)
    if not result["success"]:
        shutil.rmtree(copy)  # so that the next run tries again, and fails again if it must
    check(result, f"generate_assignment {assignment_id} in {out} (nbgrader cannot add or remove graded cells of an "
                  "assignment with submissions: if its master notebook's graded cells changed, grade into a new "
                  "folder)")


def answers_fingerprint(notebook):
    """A hash of a notebook's answers, the sources of its solution cells."""
    sha = hashlib.sha256()
    for cell in notebook.cells:
        if nbgrader_meta(cell).get("solution"):
            sha.update(json.dumps([nbgrader_meta(cell).get("grade_id"), cell.source]).encode("utf-8"))
    return sha.hexdigest()


def record_submission(gradebook, student_id, assignment_id, notebook, test_scores, changed):
    """Add or update one graded submission: `test_scores` ({grade_id: score}, from grades.csv)
    are the auto scores of its test cells; its other graded cells are scored as nbgrader's
    autograde scores them, from the autograded `notebook`."""
    gradebook.update_or_create_student(student_id)
    try:
        submission = gradebook.find_submission(assignment_id, student_id)
        new = False
    except MissingEntry:
        with warnings.catch_warnings():  # nbgrader's add_submission trips SQLAlchemy 2's autoflush warnings
            warnings.simplefilter("ignore", SAWarning)
            submission = gradebook.add_submission(assignment_id, student_id)
        new = True
    cells = {nbgrader_meta(cell).get("grade_id"): cell for cell in notebook.cells if nbgrader_meta(cell)}
    for submitted in submission.notebooks:
        for grade in submitted.grades:
            cell = cells.get(grade.name)
            if grade.name in test_scores:
                auto_score = test_scores[grade.name]
            else:
                auto_score = utils.determine_grade(cell)[0] if cell is not None else None
            if new or changed or grade.auto_score != auto_score:
                grade.needs_manual_grade = grade.manual_score is not None or auto_score is None
            grade.auto_score = auto_score
        for comment in submitted.comments:
            cell = cells.get(comment.name)
            blank = cell is not None and cell.metadata.nbgrader.get("checksum") == utils.compute_checksum(cell)
            comment.auto_comment = "No response." if blank else None
    gradebook.db.commit()


def gradebook_totals(out):
    """The Totals of OUT/gradebook.db, or None if OUT has no gradebook."""
    if not Path(out, "gradebook.db").is_file():
        return None
    totals = Totals({}, {}, {}, {})
    with nbgrader_api(Path(out)).gradebook as gradebook:
        for assignment in gradebook.assignments:
            totals.max_scores[assignment.name] = assignment.max_score
            totals.hand_graded[assignment.name] = assignment.max_written_score
            for submission in assignment.submissions:
                key = (submission.student_id, assignment.name)
                totals.scores[key] = submission.score
                totals.to_grade[key] = sum(grade.needs_manual_grade for notebook in submission.notebooks
                                           for grade in notebook.grades)
    return totals


def _read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))

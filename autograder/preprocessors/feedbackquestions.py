"""What the feedback page says about each graded cell: its title, its points and its result.

Run after GetGrades (which gives each graded cell its score) and HideHiddenTests (which
gives each test cell the visible part of the master's source). Each graded cell gets
`metadata.feedback`, and resources["feedback"] lists them in order, for the table at the
top of the page (autograder/templates/feedback/index.html.j2):

- title: a test cell is named as its visible check names it when it passes in the notebook: by
  the function it checks (`sigmoid (stability)`), or, for a question's answers, by the check
  (`one_half`); a written answer by its question ("Question 2.3", from the markdown cell above it);
- state: "passed", "lost" (its hint: the referee's verdict, a failed check's message), "not run"
  (the notebook stopped before it), "by hand" (a written answer not graded yet: no score, not
  0), "unanswered" (a written answer left as it was released: 0) or "graded" (by hand);
- message: the hint, for "lost".

A cell's comment is the one a person wrote in formgrader, if any.
"""
import ast
import re

from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

from workbook_tools.checks.asserts import check_title

VISIBLE_CHECK = re.compile(r"^check\.(\w+)\((\w+)", re.MULTILINE)
QUESTION = re.compile(r"\*\*(Question [\w.]*\w)\.?\*\*")


class FeedbackQuestions(NbGraderPreprocessor):
    """Give every graded cell its title, state and message (see the module's docstring)."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        resources["feedback"] = {"questions": []}
        with Gradebook(info["db_url"]) as gradebook:
            submission = gradebook.find_submission_notebook(info["notebook"], info["assignment"], info["student"])
            self.grades = {grade.name: grade for grade in submission.grades}
            self.comments = {comment.name: comment.manual_comment for comment in submission.comments}
            self.previous = None
            master = gradebook.find_notebook(info["notebook"], info["assignment"])
            self.functions = defined_functions(cell.source for cell in master.source_cells)
            nb, resources = super().preprocess(nb, resources)
        questions = resources["feedback"]["questions"]
        resources["feedback"]["pending"] = sum(q["points"] for q in questions if q["state"] == "by hand")
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if "comment" in meta:  # GetGrades gave it nbgrader's own ("No response.") where the grader wrote none
            meta["comment"] = self.comments.get(meta.get("grade_id")) or ""
        grade = self.grades.get(meta.get("grade_id")) if meta.get("grade") else None
        if grade is not None:
            if cell.cell_type == "code" and not meta.get("solution"):
                feedback = {"title": test_title(cell.source, grade.name, self.functions),
                            **verdict(grade.name, cell.outputs)}
            else:
                feedback = {"title": question_title(self.previous, grade.name), "state": written_state(grade)}
            feedback.update(grade_id=grade.name, score=grade.score, points=grade.max_score)
            cell.metadata.feedback = feedback
            resources["feedback"]["questions"].append(feedback)
        self.previous = cell
        return cell, resources


def test_title(visible_source, grade_id, functions):
    """The title of a test cell: the function of `functions` its visible check checks, or the
    check's own name when it checks answers; else its grade id without `test_`."""
    found = VISIBLE_CHECK.search(visible_source)
    if not found:
        return grade_id.removeprefix("test_")
    check, checked = found.groups()
    return check_title(check, checked) if checked in functions else check


def defined_functions(sources):
    """The names of the functions that `sources` (the master's cells) define."""
    names = set()
    for source in sources:
        try:
            names |= {n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}
        except SyntaxError:  # a markdown cell
            pass
    return names


def question_title(previous_cell, grade_id):
    """The title of a written answer: the question in the markdown cell above it, else its grade id."""
    found = previous_cell is not None and QUESTION.search(previous_cell.source)
    return found.group(1) if found else grade_id.replace("_", " ")


def verdict(grade_id, outputs):
    """A test cell's state and message, from the referee's verdict, its only output
    (autograder/preprocessors/refereeexecute.py)."""
    for output in outputs:
        if output.output_type == "error":
            return {"state": "lost", "message": f"{output.ename}: {output.evalue}"}
        if output.output_type == "stream" and output.text == f"{grade_id}: passed\n":
            return {"state": "passed", "message": ""}
    return {"state": "not run", "message": "not graded: the notebook stopped before this check"}


def written_state(grade):
    """A written answer's state, from its grade in the gradebook."""
    if grade.manual_score is not None:
        return "graded"
    if grade.needs_manual_grade:
        return "by hand"
    return "unanswered" if grade.auto_score == 0 else "graded"

"""nbgrader configuration of the Backprop Workbook course.

`backprop-grade` copies this file into a scratch course directory for every run,
so nbgrader never writes into the repository.
"""
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

from autograder.preprocessors.hidetracebacks import HideHiddenTracebacks

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "backprop-workbook"

# Stubs the release notebooks show in place of the solutions.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# A deleted or split test cell is put back from the gradebook and graded, never skipped.
c.OverwriteCells.add_missing_cells = True

# Each cell gets 30 s; backprop-grade caps a whole notebook's wall time on top of this.
c.Execute.timeout = 30

# Feedback shows each question's score and its hint, never the hidden tests:
# hidden-test tracebacks are cut to their message before the hidden code is removed.
c.GenerateFeedback.preprocessors = [
    GetGrades,
    CSSHTMLHeaderPreprocessor,
    HideHiddenTracebacks,
    ClearHiddenTests,
]

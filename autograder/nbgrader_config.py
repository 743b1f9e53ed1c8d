"""nbgrader configuration of the Backprop Workbook course.

`backprop-grade` copies this file into a scratch course directory for every run,
so nbgrader never writes into the repository.
"""
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.converters import GenerateAssignment
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearOutput, ClearSolutions, GetGrades,
                                    IgnorePattern, LimitOutput, OverwriteCells, OverwriteKernelspec, SaveAutoGrades)

from autograder.preprocessors.feedbackquestions import FeedbackQuestions
from autograder.preprocessors.hidegraderpaths import HideGraderPaths
from autograder.preprocessors.hidehiddentests import HideHiddenTests
from autograder.preprocessors.namedstubs import NamedStubs
from autograder.preprocessors.refereeexecute import RefereeExecute
from autograder.preprocessors.sanitizehtml import SanitizeStudentHTML
from autograder.sandbox import SandboxedKernelManager

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "backprop-workbook"

# Stubs the release notebooks show in place of the solutions; in a code stub, {function} is
# the name of the function to write (autograder/preprocessors/namedstubs.py).
c.ClearSolutions.code_stub = {
    "python": '# YOUR CODE HERE\nraise NotImplementedError("{function} is not written yet: replace this line with your code")'}
c.GenerateAssignment.preprocessors = [NamedStubs if step is ClearSolutions else step
                                      for step in GenerateAssignment.preprocessors.default()]
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# backprop-grade gives each cell that claims one of the master's cells the master's
# nbgrader metadata and makes every other claim an ordinary cell (autograder/intake.py);
# a test cell missing then, deleted, split or renamed, is put back from the gradebook
# and graded, never skipped.
c.OverwriteCells.add_missing_cells = True
c.Autograde.sanitize_preprocessors = [
    ClearOutput,
    OverwriteKernelspec,
    OverwriteCells,
    CheckCellMetadata,
]

# Autograding runs each student's kernel in a sandbox (autograder/sandbox.py), runs
# every test cell outside it (autograder/referee.py) and records every verdict as
# soon as it is known (so a notebook cut short keeps what it earned);
# otherwise these are nbgrader's own steps, in nbgrader's order, but for its last one,
# CheckCellMetadata: the sanitizing steps above have just run it, and nothing since
# changes a cell's nbgrader metadata.
c.Autograde.autograde_preprocessors = [
    RefereeExecute,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    SanitizeStudentHTML,  # last: formgrader and the feedback show this notebook; no student script in them
]
c.RefereeExecute.kernel_manager_class = SandboxedKernelManager

# Validate each notebook once, after all of a step's preprocessors, not after every one.
c.Exporter.optimistic_validation = True

# Each cell gets 30 s; backprop-grade caps a whole notebook's wall time on top of this.
# Output may trail a cell's reply by a while on a busy machine: wait for it as long.
c.Execute.timeout = 30
c.Execute.iopub_timeout = 30

# Demonstrations too slow to run for every submission (05's training on the digits)
# carry this tag: they grade nothing, so the grader skips them.
c.Execute.skip_cells_with_tag = "skip-when-grading"

# Feedback names each question by its function and shows its score and the referee's verdict,
# never the hidden tests nor a path of the grader's (autograder/feedback.py).
c.GenerateFeedback.preprocessors = [
    GetGrades,
    CSSHTMLHeaderPreprocessor,
    HideHiddenTests,
    FeedbackQuestions,
    HideGraderPaths,
]

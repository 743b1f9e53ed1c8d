"""The workbooks' scaffolding, read from the release notebooks: every exercise says about how many
lines it needs (in its cell or in the text just above it), and every workbook shows the expected
output of its demonstrations whose numbers matter."""
import re

import pytest

from autograder.course import assignments, nbgrader_meta
from conftest import release_notebook

ABOUT_LINES = re.compile(r"about\s+\d+\s+lines?\)")


@pytest.mark.parametrize("assignment_id", assignments())
def test_every_exercise_says_about_how_many_lines_it_needs(assignment_id):
    cells = release_notebook(assignment_id).cells
    exercises = [(cells[i - 1], cell) for i, cell in enumerate(cells) if cell.cell_type == "code"
                 and nbgrader_meta(cell).get("solution") and re.search(r"^def ", cell.source, re.MULTILINE)]
    assert exercises
    for text, exercise in exercises:
        assert ABOUT_LINES.search(exercise.source) or ABOUT_LINES.search(text.source), exercise.source[:80]


@pytest.mark.parametrize("assignment_id", assignments())
def test_demonstrations_show_their_expected_output(assignment_id):
    shown = [c for c in release_notebook(assignment_id).cells
             if c.cell_type == "markdown" and "Expected output" in c.source]
    assert len(shown) >= 3, assignment_id

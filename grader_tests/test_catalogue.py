"""Prove the grader on realistic answers (grader_tests/catalogue, graded by catch_table.py).

Every catalogued mistake must lose points in exactly the test cells it names, the visible checks
must name at least 80% of the mistakes they catch, every independently written correct answer
must earn full marks, and no feedback page may show hidden-test code. The whole catalogue is
graded once, in one `backprop-grade grade --jobs 2` run (about 25 minutes on two busy cores, so it
runs only with BACKPROP_CATALOGUE=1; set CATCH_TABLE_WORKBOOKS=01_sigmoid,02_forward_pass to grade
only some workbooks while writing entries).
"""
import os
import re

import nbformat
import pytest

import catalogue
from autograder.course import assignments, autograded_cells, nbgrader_meta, source_notebook
from catch_table import format_table, run_catalogue


def graded_functions(assignment_id):
    """The grade ids of the code solution cells of a master notebook (free-text answers excluded)."""
    return [nbgrader_meta(c)["grade_id"] for c in nbformat.read(source_notebook(assignment_id), as_version=4).cells
            if c.cell_type == "code" and nbgrader_meta(c).get("solution")]


def test_the_catalogue_is_well_formed():
    mistakes, corrects = catalogue.mistakes(), catalogue.corrects()
    catalogue.validate(mistakes, corrects)
    assert len(mistakes) >= 60
    for m in mistakes:
        assert m.function in graded_functions(m.workbook), m.name
        assert m.fails <= {g for g, _ in autograded_cells(m.workbook)}, m.name
        assert m.code.strip() and (m.hint is None or re.compile(m.hint, re.IGNORECASE))


@pytest.mark.parametrize("assignment_id", assignments())
def test_every_graded_function_has_two_correct_answers_and_a_mistake(assignment_id):
    for function in graded_functions(assignment_id):
        variants = {c.variant for c in catalogue.corrects([assignment_id]) if c.function == function}
        assert len(variants) >= 2, f"{assignment_id}/{function} has correct answers {sorted(variants)}"
        assert any(m.function == function for m in catalogue.mistakes([assignment_id])), function


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    if not os.environ.get("BACKPROP_CATALOGUE"):
        pytest.skip("grading the whole catalogue takes about 25 minutes on 2 cores: "
                    "run it with BACKPROP_CATALOGUE=1 (or python grader_tests/catch_table.py)")
    out = tmp_path_factory.mktemp("catalogue")
    only = os.environ.get("CATCH_TABLE_WORKBOOKS")
    result = run_catalogue(out, jobs=2, workbooks=only.split(",") if only else None, log=lambda message: None)
    (out / "catch_table.txt").write_text(format_table(result), encoding="utf-8")
    print(f"\n{format_table(result)}")
    return result


def test_every_workbook_and_submission_was_graded(table):
    assert not table.skipped, f"no release notebook in workbooks/ for {table.skipped}"
    assert not table.problems, "\n".join(table.problems)


def test_every_mistake_loses_points_exactly_where_expected(table):
    wrong = [f"{r.workbook}/{r.entry}: should lose points in {r.expected}, lost them in {r.lost}"
             for r in table.mistakes if r.caught != "yes"]
    assert not wrong, "\n".join(wrong)


def test_every_correct_answer_earns_full_marks(table):
    rejected = [f"{r.workbook}/{r.function} variant {r.entry}: lost points in {r.lost}: {r.message}"
                for r in table.corrects if r.caught != "yes"]
    assert not rejected, "\n".join(rejected)


def test_visible_checks_name_the_mistakes_they_catch(table):
    unnamed = [f"{r.workbook}/{r.entry}: {r.message[:200]}" for r in table.hinted if r.hint != "yes"]
    fraction = table.hint_fraction
    assert fraction >= 0.8, f"hints named {fraction:.0%} of the mistakes a visible check catches; not named:\n" + \
        "\n".join(unnamed)


def test_feedback_never_shows_hidden_tests(table):
    assert not table.leaks, table.leaks


def test_a_failing_hidden_test_shows_its_hint(table):
    hidden_only = [r for r in table.mistakes if r.hint == "n.a." and r.lost]
    bare = [f"{r.workbook}/{r.entry}: {r.message[:200]}" for r in hidden_only if "Hint:" not in r.message]
    assert not bare, "\n".join(bare)

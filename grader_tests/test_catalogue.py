"""Prove the grader on realistic answers (grader_tests/catalogue, graded by catch_table.py).

Every catalogued mistake must lose points in exactly the test cells it names, the visible checks
must name at least 80% of the mistakes they catch, every independently written correct answer
must earn full marks, and no feedback page may show hidden-test code. The whole catalogue is
graded once, packed into 84 notebooks, in one `backprop-grade grade --jobs 2` run (about 7 minutes
on two busy cores, half of it the training demonstration of 05_training, which every one of its
notebooks runs). A failing test shows the whole catch table.
"""
import re

import pytest

import catalogue
from autograder.course import assignments, autograded_cells
from catch_table import format_table, function_of_cells, graded_functions, run_catalogue

pytestmark = pytest.mark.slow


def test_the_catalogue_is_well_formed():
    mistakes, corrects = catalogue.mistakes(), catalogue.corrects()
    catalogue.validate(mistakes, corrects)
    assert len(mistakes) >= 60
    for m in mistakes:
        assert m.function in graded_functions(m.workbook), m.name
        assert m.fails <= {g for g, _ in autograded_cells(m.workbook)}, m.name
        assert m.code.strip() and (m.hint is None or re.compile(m.hint, re.IGNORECASE))


def test_every_mistake_fails_only_its_own_functions_tests():
    """Packing mistakes of unrelated functions into one notebook relies on this."""
    owners = {a: function_of_cells(a) for a in assignments()}
    for m in catalogue.mistakes():
        assert {owners[m.workbook][g] for g in m.fails} == {m.function}, m.name


@pytest.mark.parametrize("assignment_id", assignments())
def test_every_graded_function_has_two_correct_answers_and_a_mistake(assignment_id):
    for function in graded_functions(assignment_id):
        variants = {c.variant for c in catalogue.corrects([assignment_id]) if c.function == function}
        assert len(variants) >= 2, f"{assignment_id}/{function} has correct answers {sorted(variants)}"
        assert any(m.function == function for m in catalogue.mistakes([assignment_id])), function


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    out = tmp_path_factory.mktemp("catalogue")
    result = run_catalogue(out, jobs=2, log=lambda message: None)
    (out / "catch_table.txt").write_text(format_table(result), encoding="utf-8")
    return result


def expect_none(table, failures, what):
    """Fail with the failures, then the whole catch table, if there are any."""
    assert not failures, f"{what}:\n" + "\n".join(failures) + f"\n\nThe catch table:\n{format_table(table)}"


def test_every_submission_was_graded(table):
    expect_none(table, table.problems, "submissions not graded")


def test_every_mistake_loses_points_exactly_where_expected(table):
    wrong = [f"{r.workbook}/{r.entry} (in {r.submission}): should lose points in {r.expected}, lost them in {r.lost}"
             + (f"; its notebook also lost points in {r.stray}" if r.stray else "")
             for r in table.mistakes if r.caught != "yes"]
    expect_none(table, wrong, "mistakes not caught")


def test_every_correct_answer_earns_full_marks(table):
    rejected = [f"{r.workbook}/{r.function} variant {r.entry}: lost points in {r.lost + r.stray}: {r.message}"
                for r in table.corrects if r.caught != "yes"]
    expect_none(table, rejected, "correct answers rejected")


def test_visible_checks_name_the_mistakes_they_catch(table):
    unnamed = [f"{r.workbook}/{r.entry}: {r.message[:200]}" for r in table.hinted if r.hint != "yes"]
    if table.hint_fraction < 0.8:
        expect_none(table, unnamed, f"hints named {table.hint_fraction:.0%} of the mistakes a visible check "
                                    "catches, not the 80% required; not named")


def test_feedback_never_shows_hidden_tests(table):
    expect_none(table, [f"{page}: {lines}" for page, lines in table.leaks.items()], "hidden test code shown")


def test_a_failing_hidden_test_shows_its_hint(table):
    hidden_only = [r for r in table.mistakes if r.hint == "n.a." and r.lost]
    bare = [f"{r.workbook}/{r.entry}: {r.message[:200]}" for r in hidden_only
            if not any("Hint:" in r.feedback[g] for g in r.lost)]
    expect_none(table, bare, "failing hidden tests without a hint")

"""A catalogue of realistic wrong answers, and of independently written correct ones.

One data module per workbook (`shapes`, `sigmoid`, `forward_pass`, `cross_entropy`, `backprop`,
`training`), each with two lists:

- `MISTAKES`: `Mistake` entries. A mistake replaces ONE solution cell (grade id `function`) of the
  reference-answered workbook. It must lose points in every test cell of `fails` and keep full
  points in every other test cell. `hint` is a regular expression (case-insensitive) that the
  feedback of a failing cell must show when a visible check catches the mistake: it names the
  mistake, not merely "wrong values". It is None when only the hidden tests can catch it.
- `CORRECT`: `Correct` entries, at least two per graded function (variants "A", "B", ...), written
  with other numpy idioms than the reference (and scipy.special where it fits). Each must earn
  full marks; variant A of every function of a workbook is handed in as one notebook.

`grader_tests/catch_table.py` grades them all and prints the catch table. It packs several
mistakes of a workbook into one notebook, one per function and only of functions that do not
depend on each other; so a mistake's `fails` must be test cells of its own function, and a
mistake whose code defines anything besides its own function is graded alone.
"""
import importlib
import re
from dataclasses import dataclass
from textwrap import dedent

MODULES = ["shapes", "sigmoid", "forward_pass", "cross_entropy", "backprop", "training"]
SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]+$")  # variants name student ids: nbgrader needs plain folder names


@dataclass(frozen=True)
class Mistake:
    name: str              # unique in the catalogue
    workbook: str          # assignment id, e.g. "01_sigmoid"
    function: str          # grade id of the solution cell it replaces
    code: str              # the replacement solution cell
    fails: frozenset       # grade ids of the test cells that must lose points
    hint: str | None       # regex the feedback must show if a visible check catches it
    origin: str = ""       # where the mistake comes from (a seed line, an nbsrc file, a classic)


@dataclass(frozen=True)
class Correct:
    variant: str           # "A", "B", ...: one submission per workbook and variant
    workbook: str
    function: str
    code: str
    idiom: str             # what makes it differ from the reference


def mistake(workbook, name, function, fails, hint, code, origin=""):
    """A Mistake, with `fails` given as one grade id or several, and `code` dedented."""
    fails = frozenset([fails] if isinstance(fails, str) else fails)
    return Mistake(name, workbook, function, dedent(code).strip("\n") + "\n", fails, hint, origin)


def correct(workbook, variant, function, idiom, code):
    return Correct(variant, workbook, function, dedent(code).strip("\n") + "\n", idiom)


def _modules():
    return [importlib.import_module(f"{__name__}.{name}") for name in MODULES]


def mistakes(workbooks=None):
    """Every Mistake, in course order (optionally only those of the given workbooks)."""
    found = [m for module in _modules() for m in module.MISTAKES]
    return [m for m in found if workbooks is None or m.workbook in workbooks]


def corrects(workbooks=None):
    """Every Correct answer, in course order (optionally only those of the given workbooks)."""
    found = [c for module in _modules() for c in module.CORRECT]
    return [c for c in found if workbooks is None or c.workbook in workbooks]


def validate(all_mistakes, all_corrects):
    """Raise ValueError on a malformed catalogue: bad or repeated names, bad regexes."""
    names = [m.name for m in all_mistakes]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"mistake names must be unique: {repeated}")
    for m in all_mistakes:
        if not SAFE_NAME.match(m.name):
            raise ValueError(f"{m.name!r}: use letters, digits, '-' and '_' only")
        if not m.fails:
            raise ValueError(f"{m.name}: a mistake must fail at least one test cell")
        if m.hint is not None:
            re.compile(m.hint, re.IGNORECASE)
    variants = [(c.workbook, c.variant, c.function) for c in all_corrects]
    if len(set(variants)) != len(variants):
        raise ValueError("two correct answers share a workbook, variant and function")
    for c in all_corrects:
        if not SAFE_NAME.match(c.variant):
            raise ValueError(f"variant {c.variant!r}: use letters, digits, '-' and '_' only")

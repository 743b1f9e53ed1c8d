"""The vocabulary shared by visible checks and hidden tests.

Every failed check raises `Hint`, an AssertionError whose message names the
likely mistake; a notebook shows it as that message alone. Every visible check is a
`visible_check`: in a notebook, it says in one line when it passed. `call` runs a student's function safely (on copies of its
arguments, with warnings turned into hints), `agrees` compares it with a
reference implementation without ever printing the reference's values, and
`python_loop` finds the Python loop in a function that must be vectorised.
"""
import ast
import copy
import functools
import inspect
import sys
import textwrap
import warnings

import numpy as np


class Hint(AssertionError):
    """A failed check; the message says what went wrong and what to look at."""

    def _render_traceback_(self):
        """What IPython shows for it: `Hint: message`, no traceback into the checks' code."""
        return [f"\x1b[1;31mHint:\x1b[0m {self}"]


def visible_check(check):
    """Make `check(f, *others)`, a visible check of the student's function f, say when it passes.

    In a notebook (an IPython kernel) a passing check prints one line: the function's name,
    what the check is about when its name says more (`sigmoid_stability` checks sigmoid's
    stability), that the visible checks passed and that more tests run at grading. Anywhere
    else it prints nothing: in the grader (autograder/referee.py) a test cell's verdict is the
    referee's own, and the grader's log is no place for it.
    """
    @functools.wraps(check)
    def checked(f, *others):
        __tracebackhide__ = True
        check(f, *others)
        if _in_notebook():
            sys.stdout.write(passed_line(check.__name__, getattr(f, "__name__", check.__name__)) + "\n")  # one write: one output
    return checked


def passed_line(check_name, function_name):
    """The line a passing visible check prints, e.g. "✓ sigmoid (stability): ..." for
    check_name "sigmoid_stability" on the function "sigmoid"."""
    return f"✓ {check_title(check_name, function_name)}: the visible checks passed. More tests run when your work is graded."


def check_title(check_name, function_name):
    """What the check `check_name` of the function `function_name` is called where a student
    reads about it: "sigmoid" for sigmoid(sigmoid), "sigmoid (stability)" for
    sigmoid_stability(sigmoid)."""
    aspect = check_name.removeprefix(f"{function_name}_")
    return f"{function_name} ({aspect.replace('_', ' ')})" if aspect != check_name else function_name


def _in_notebook():
    """True in an IPython kernel or shell (without importing IPython where nothing did)."""
    ipython = sys.modules.get("IPython")
    return ipython is not None and ipython.get_ipython() is not None


def expect(condition, hint):
    """Raise Hint(hint) unless condition holds."""
    __tracebackhide__ = True
    if not condition:
        raise Hint(hint)


def describe(value):
    """A short description of an argument for messages: its shape, or its value."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, dict):
        return "a dict with keys " + " ".join(map(str, value)) if value else "an empty dict"
    if isinstance(value, np.random.Generator):
        return "a random generator"
    if callable(value):
        return "a function"
    return repr(value)


def call(f, *args, name=None):
    """Call f(*args) on deep copies of args and return its result.

    Warnings (overflow, invalid values, division by zero) become hints, and so
    does modifying an argument: graded functions must leave their inputs alone.
    """
    __tracebackhide__ = True
    name = name or getattr(f, "__name__", "your function")
    copies = copy.deepcopy(args)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            result = f(*copies)
        except Warning as warning:
            raise Hint(f"{name}({', '.join(map(describe, args))}) raised "
                       f"{type(warning).__name__}: {warning}") from None
    for position, (original, used) in enumerate(zip(args, copies), start=1):
        expect(_same(original, used),
               f"{name} modified its argument {position} ({describe(original)}); "
               "work on a copy or build a new array instead of assigning into it")
    return result


def agrees(f, reference, *args, rtol=1e-6, atol=1e-9, name=None):
    """Check that f(*args) matches reference(*args): type, shape and values."""
    __tracebackhide__ = True
    name = name or reference.__name__
    got = call(f, *args, name=name)
    want = reference(*copy.deepcopy(args))
    where = f"{name}({', '.join(map(describe, args))})"
    _compare(got, want, where, rtol, atol)


def _compare(got, want, what, rtol, atol):
    __tracebackhide__ = True
    if isinstance(want, dict):
        expect(isinstance(got, dict), f"{what} should return a dict, not {type(got).__name__}")
        missing = sorted(set(want) - set(got))
        expect(not missing, f"{what} is missing the keys {missing}")
        for key in want:
            _compare(got[key], want[key], f"{what}[{key!r}]", rtol, atol)
    elif isinstance(want, (tuple, list)):
        expect(isinstance(got, (tuple, list)) and len(got) == len(want),
               f"{what} should be a sequence of {len(want)} items, not {describe(got)}")
        for i, (g, w) in enumerate(zip(got, want)):
            _compare(g, w, f"{what}[{i}]", rtol, atol)
    else:
        expect(got is not None, f"{what} returned None: did you forget `return`?")
        got, want = np.asarray(got), np.asarray(want)
        expect(got.shape == want.shape,
               f"{what} has shape {got.shape}, expected {want.shape}")
        expect(np.issubdtype(got.dtype, np.number) or got.dtype == bool,
               f"{what} should be numbers, not {got.dtype}")
        expect(not np.isnan(got).any() or np.isnan(want).any(), f"{what} contains nan")
        if not np.allclose(got, want, rtol=rtol, atol=atol):
            error = np.max(np.abs(got.astype(float) - want.astype(float)))
            raise Hint(f"{what} has wrong values (largest error {error:.3g})")


def _same(a, b):
    """True when a and b hold the same values (arrays, dicts, lists or scalars)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
                and a.shape == b.shape and np.array_equal(a, b, equal_nan=True))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, np.random.Generator) or callable(a):
        return True
    return a == b or (a != a and b != b)


# Calls that run a Python function once per item: loops without the loop syntax.
LOOPING_CALLS = {"map", "filter", "reduce", "vectorize", "apply_along_axis", "apply_over_axes", "frompyfunc",
                 "fromiter", "starmap"}


def expect_no_loop(f, name, advice):
    """Raise Hint, naming the loop and giving `advice`, when f's source has a Python loop (python_loop)."""
    __tracebackhide__ = True
    loop = python_loop(f)
    expect(loop is None, f"{name} uses a Python {loop}: {advice}")


def python_loop(f):
    """The first Python loop in f's source whose length the source does not fix, or None.

    Returns a description such as "for loop `for i in range(len(P))`". What counts:
    - every `while` loop;
    - a call that runs a function once per item (map, filter, functools.reduce, np.vectorize,
      np.apply_along_axis and the like: LOOPING_CALLS);
    - a `for` loop or a comprehension (list, set, dict or generator: a loop in one line),
      unless everything it runs over is fixed by the source itself: a literal tuple, list or
      set (`for name in ("W1", "W2")`), `range` of literal numbers (`for layer in
      range(3, 0, -1)`), or `reversed`, `enumerate` or `zip` of those. So a loop over the
      three layers of a network is allowed, a loop over the examples of a batch is not.
    The source is `f.__source__` when f has one (a student's function called from the
    grader, which holds the text of its `def`, or None when the notebook bound the name
    otherwise: that raises Hint, since a rule about the source cannot be checked without
    it), else `inspect.getsource(f)`. None when that source is unknown or does not parse.
    """
    __tracebackhide__ = True
    if hasattr(f, "__source__"):
        expect(f.__source__ is not None,
               f"{f.__name__} is not defined by a `def` statement in the notebook, so its form cannot be "
               "checked: define it with `def` in its own cell")
        source = f.__source__
    else:
        try:
            source = inspect.getsource(f)
        except (OSError, TypeError):
            return None
    source = textwrap.dedent(source)
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.While):
            kind = "while loop"
        elif isinstance(node, (ast.For, ast.AsyncFor)) and not _fixed_length(node.iter):
            kind = "for loop"
        elif (isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp))
              and not all(_fixed_length(g.iter) for g in node.generators)):
            kind = "comprehension (a loop in one line)"
        elif isinstance(node, ast.Call) and _looping(node.func):
            kind = f"loop in {ast.get_source_segment(source, node.func)}() (it calls a function once per item)"
        else:
            continue
        first_line = ast.get_source_segment(source, node).split("\n")[0]
        return f"{kind} `{first_line.strip().rstrip(':')}`"
    return None


def _looping(function):
    """True when the called expression `function` is one of LOOPING_CALLS (reduce only as
    functools' own: np.add.reduce works in compiled code)."""
    if isinstance(function, ast.Name):
        return function.id in LOOPING_CALLS
    if isinstance(function, ast.Attribute) and function.attr == "reduce":
        return isinstance(function.value, ast.Name) and function.value.id == "functools"
    return isinstance(function, ast.Attribute) and function.attr in LOOPING_CALLS


def _fixed_length(iterable):
    """True when the source alone fixes what the node `iterable` runs over (see python_loop)."""
    if isinstance(iterable, (ast.Tuple, ast.List, ast.Set)):
        return True
    if not (isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name)):
        return False
    if iterable.func.id == "range":
        return all(map(_literal, iterable.args))
    if iterable.func.id in ("reversed", "enumerate", "zip"):
        return bool(iterable.args) and all(map(_fixed_length, iterable.args))
    return False


def _literal(node):
    """True when the expression node is a literal, such as 3 or -1."""
    try:
        ast.literal_eval(node)
    except ValueError:
        return False
    return True

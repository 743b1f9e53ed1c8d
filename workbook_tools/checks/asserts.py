"""The vocabulary shared by visible checks and hidden tests.

Every failed check raises `Hint`, an AssertionError whose message names the
likely mistake. `call` runs a student's function safely (on copies of its
arguments, with warnings turned into hints) and `agrees` compares it with a
reference implementation without ever printing the reference's values.
"""
import copy
import warnings

import numpy as np


class Hint(AssertionError):
    """A failed check; the message says what went wrong and what to look at."""


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

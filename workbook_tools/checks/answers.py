"""Reading the answers of questions with one right answer: a shape, a number, a choice, a set.

A student may write a right answer in several forms: the shape (6, 1024) as a tuple, a list,
numpy's .shape or the text "6 x 1024"; the choice b as "b", "B" or "(b)"; the lines 7 and 21 as
a set, a list or "7, 21". Each reader turns every such form into one canonical value (or raises
Hint saying what form is expected), so that visible checks and hidden tests compare canonical
values only. Nothing here knows a right answer.
"""
import math
import numbers
import re

import numpy as np

from .asserts import Hint, expect

_SHAPE_TEXT = re.compile(r"^[(\[]?\s*(\d+(?:\s*(?:,|x|×|\*|by)\s*\d+)*)?\s*,?\s*[)\]]?$")
_NUMBERS = re.compile(r"\d+")
MAX_TEXT = 100  # characters of a text answer that are read


def unanswered(value, name):
    """Raise Hint when `value` is still the placeholder `...` (or None)."""
    __tracebackhide__ = True
    expect(value is not ... and value is not None, f"{name} is still {value!r}: assign your answer to it")


def as_shape(value, name):
    """The shape `value` stands for, as a tuple of ints: (6, 1024), [6, 1024], "6 x 1024",
    "(6, 1024)", "6x1024" and "6 by 1024" all read (6, 1024); (), "()" and "scalar" read ()."""
    __tracebackhide__ = True
    unanswered(value, name)
    if isinstance(value, str):
        text = value.strip().lower()[:MAX_TEXT]  # no shape is longer; a long text is read in linear time
        if text in {"scalar", "a scalar", "()", ""}:
            return ()
        match = _SHAPE_TEXT.match(text)
        expect(match is not None, f"{name} = {value!r} does not read as a shape: write it as a tuple, "
                                  "like numpy's .shape, for example (2, 3) or (5,)")
        return tuple(int(n) for n in _NUMBERS.findall(text))
    expect(not isinstance(value, numbers.Integral) or isinstance(value, bool),
           f"{name} is the number {value}, not a tuple: a tuple of one element needs a comma, (5,) and not (5)")
    expect(isinstance(value, (tuple, list)) and all(isinstance(n, numbers.Integral) and not isinstance(n, bool)
                                                    for n in value),
           f"{name} = {value!r} is not a shape: write a tuple of whole numbers, like numpy's .shape, "
           "for example (2, 3) or (5,)")
    return tuple(int(n) for n in value)


def as_number(value, name):
    """The number `value` stands for, a finite float: 0.42, np.float64(0.42) and "0.42" read 0.42."""
    __tracebackhide__ = True
    unanswered(value, name)
    if isinstance(value, str):
        try:
            number = float(value.strip().rstrip("%")) / (100 if value.strip().endswith("%") else 1)
        except ValueError:
            raise Hint(f"{name} = {value!r} is not a number: assign a number, for example 0.25") from None
    else:
        expect(isinstance(value, numbers.Real) and not isinstance(value, bool) and np.size(value) == 1,
               f"{name} = {value!r} is not a number: assign a single number, for example 0.25")
        try:
            number = float(value)
        except OverflowError:  # a whole number of hundreds of digits
            number = math.inf
    expect(math.isfinite(number), f"{name} = {number} is no answer: assign a finite number, for example 0.25")
    return number


def as_choice(value, name, options):
    """The letter of the option `value` chooses, lower case: "b", "B", "(b)" and " b) " read "b".
    `options` is the letters offered, e.g. "abcd"."""
    __tracebackhide__ = True
    unanswered(value, name)
    letter = value.strip().strip("()[].").strip().lower() if isinstance(value, str) else None
    expect(letter is not None and len(letter) == 1 and letter in options,
           f"{name} = {value!r} is not one of the options: assign one letter as a string, "
           f"one of {', '.join(repr(o) for o in options)}")
    return letter


def as_numbers(value, name):
    """The set of whole numbers `value` lists: {7, 21}, [21, 7], (7, 21) and "7, 21" read {7, 21}."""
    __tracebackhide__ = True
    unanswered(value, name)
    if isinstance(value, str):
        expect(len(value) <= MAX_TEXT, f"{name} is a text of {len(value)} characters, too long to be the "
                                       "answer: write a set of numbers, for example {3, 4}")
        found = _NUMBERS.findall(value)
        expect(found, f"{name} = {value!r} lists no numbers: write a set of numbers, for example {{3, 4}}")
        return {int(n) for n in found}
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return {int(value)}
    expect(isinstance(value, (set, frozenset, list, tuple)) and all(
        isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in value),
        f"{name} = {value!r} is not a set of whole numbers: write one, for example {{3, 4}}")
    return {int(n) for n in value}

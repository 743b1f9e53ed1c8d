"""What the referee runs inside a student's kernel: one call of a student's function.

`call(name, request)` finds `name` among the notebook's variables, decodes the
arguments, calls the function under the grader's numpy error settings and displays
the outcome as one output of type RESULT_MIME:

    {"value": result} or {"error": [exception type, message]},
    "args": the arguments after the call (did the function modify them?),
    "warnings": [[category, message]], "recorded": {recorder: [call arguments]}

Nothing here is trusted. A student's code can change this module, but then it can
only misreport what its own functions return, and the referee checks those values
outside the kernel.
"""
import json
import warnings

import numpy as np
from IPython import get_ipython
from IPython.display import display

from .wire import WireError, decode, encode

RESULT_MIME = "application/x-backprop-result+json"


def call(name, request):
    """Call the notebook's `name` with the encoded request {"args", "errstate"}; display the outcome."""
    request = json.loads(request)
    recorded = {}
    args = decode(request["args"], functions=lambda description: _function(description, recorded))
    function = get_ipython().user_ns.get(name)
    outcome = {}
    with warnings.catch_warnings(record=True) as caught, np.errstate(**request["errstate"]):
        warnings.simplefilter("always")
        try:
            if not callable(function):
                raise NameError(f"name '{name}' is not defined: run the cell that defines it")
            value = function(*args)
        except Exception as error:  # the student's error is reported, not raised here
            outcome["error"] = [type(error).__name__, str(error)]
        else:
            try:
                outcome["value"] = encode(value)
            except WireError as error:
                outcome["error"] = ["TypeError", f"{name} returned {error}"]
    outcome["args"] = [_encode_or_none(arg) for arg in args]
    outcome["warnings"] = [[w.category.__name__, str(w.message)] for w in caught]
    outcome["recorded"] = recorded
    display({RESULT_MIME: outcome}, raw=True)


def _function(description, recorded):
    """A callable for an encoded function: source code to evaluate, or a recorder."""
    if "recorder" in description:
        calls = recorded.setdefault(description["recorder"], [])
        return lambda *args, **kwargs: calls.append(_encode_or_none([*args, *kwargs.values()]))
    namespace = {"np": np, **decode(description["env"])}
    return eval(description["source"], namespace)  # the grader's own source, e.g. "lambda v: np.sum(v ** 2)"


def _encode_or_none(value):
    try:
        return encode(value)
    except WireError:
        return None

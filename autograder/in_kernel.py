"""What the referee runs inside a student's kernel: the student's functions, called for the grader.

`serve(address)` connects to the grader's unix socket at `address` and answers its
requests (autograder/wire.py's messages) until the grader hangs up. A request is
one call of a function of the notebook, {"name", "args", "errstate"}: it is called
with the decoded arguments, under the grader's numpy error settings, and the answer
is its outcome:

    {"value": result} or {"error": [exception type, message]},
    "args": the arguments after the call (did the function modify them?),
    "warnings": [[category, message]], "recorded": {recorder: [call arguments]}

A request costs a socket round trip, where running each call as a cell of its own
would cost one of the kernel's execute requests, several times longer.

Nothing here is trusted. A student's code can change this module, but then it can
only misreport what its own functions return, and the referee checks those values
outside the kernel.
"""
import socket
import warnings

import numpy as np
from IPython import get_ipython

from .wire import WireError, decode, encode, receive, send

MAX_REQUEST_BYTES = 2**30


def serve(address):
    """Answer the grader's calls on the unix socket at `address` until it hangs up."""
    with socket.socket(socket.AF_UNIX) as connection:
        connection.connect(address)
        while (request := receive(connection, MAX_REQUEST_BYTES)) is not None:
            send(connection, call(**request))


def call(name, args, errstate):
    """The outcome of calling the notebook's `name` with the encoded `args`."""
    recorded = {}
    args = decode(args, functions=lambda description: _function(description, recorded))
    function = get_ipython().user_ns.get(name)
    outcome = {}
    with warnings.catch_warnings(record=True) as caught, np.errstate(**errstate):
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
    return outcome


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

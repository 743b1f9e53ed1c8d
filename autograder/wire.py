"""The protocol between the grader and a student's kernel: plain data and calls, both ends.

The kernel is a function server. The grader runs every test cell itself
(autograder/referee.py) and, when a test calls one of the student's functions,
asks the kernel to call it. The two talk over a unix socket, while the kernel runs
the one cell `serve(address)`; nothing else the kernel says (outputs, results,
reply status) reaches a verdict.

Values cross as JSON: arrays as their raw bytes with a dtype (numbers or bools only)
and a shape, dicts with string keys, lists, tuples, sets (of numbers, strings and
tuples), numbers, strings, None and random generators (by their state). Decoding never
runs code and rejects anything else.
A function crosses by name: {"function": {"student": NAME}} is the notebook's
function NAME, {"function": {"grader": ID}} a function of the grader (a hidden
test's callback, or a reference function standing in for a student's), which the
kernel can only call back, never read.

On the socket, a message is a JSON document preceded by its length in bytes (8
bytes, big-endian). Either end may ask while it waits for an answer, so a call
may call back, and a callback may call again:

    grader -> kernel  {"lookup": [NAME, ...]}
                      -> {"names": {NAME: {"function": true} | {"value": V}}}
                         (a name the notebook does not define, or whose value cannot cross, is left out)
                      {"call": NAME, "args": [...], "kwargs": {...}, "errstate": {...},
                       "standins": {NAME: FUNCTION}}
                      -> {"outcome": {"value": V} | {"error": [TYPE, MESSAGE]},
                          "args": [each argument as the call left it, or None], "warnings": [[CATEGORY, MESSAGE]]}
    kernel -> grader  {"callback": ID, "args": [...], "kwargs": {...}}
                      -> {"outcome": {"value": V} | {"error": [TYPE, MESSAGE]}, "args": [...]}

Either way the answer carries the arguments the call changed (None for the others), as the
call left them, written back into the caller's (a random generator advances, a modified
array shows).

During a call, each stand-in replaces the notebook's function of its name, so a
function graded on its own calls the reference (in the grader) where it calls an
earlier exercise; the notebook's own function is put back afterwards.

This module is the kernel's whole view of the grader: `Kernel.install` sends its
source into the kernel, which cannot import the grader's packages.
"""
import base64
import json
import math
import re
import socket
import warnings

import numpy as np

MAX_MESSAGE_BYTES = 2**30
PLAIN_DTYPE = re.compile(r"[<>|=]?(b1|[iu][1248]|f[248]|c(8|16))")  # numpy's dtype.str of numbers and bools


class WireError(TypeError):
    """A value that cannot cross between the grader and the kernel."""


class HungUp(ConnectionError):
    """The other end stopped answering."""


def encode(value, functions=None):
    """A JSON-able description of `value`; `functions(f)` describes a callable (else refused)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, (np.integer, np.floating)):
        return {"number": repr(value)}
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if not PLAIN_DTYPE.fullmatch(array.dtype.str):
            raise WireError(f"an array of {array.dtype}, which cannot be graded: use numbers")
        return {"array": base64.b64encode(array.tobytes()).decode("ascii"), "dtype": array.dtype.str,
                "shape": list(array.shape), "scalar": array is not value}
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise WireError("a dict whose keys are not all strings, which cannot be graded")
        return {"dict": {key: encode(item, functions) for key, item in value.items()}}
    if isinstance(value, (list, tuple, set, frozenset)):
        return {type(value).__name__: [encode(item, functions) for item in value]}
    if isinstance(value, np.random.Generator):
        return {"generator": value.bit_generator.state}
    if callable(value) and functions is not None:
        return {"function": functions(value)}
    raise WireError(f"a {type(value).__name__}, which cannot be graded")


def decode(data, functions=None):
    """The value `data` describes; `functions(description)` makes a callable of an encoded
    function (else it is refused)."""
    if data is None or isinstance(data, (bool, str)):
        return data
    if not isinstance(data, dict) or not data:
        raise WireError(f"unexpected data on the wire: {type(data).__name__}")
    kind = next(iter(data))
    if kind == "number":
        text = data["number"]
        return int(text) if text.lstrip("-").isdigit() else float(text)
    if kind == "array":
        array = _array(data["array"], data["dtype"], data["shape"])
        return array[()] if data.get("scalar") else array
    if kind == "dict":
        return {key: decode(item, functions) for key, item in data["dict"].items()}
    if kind in ("list", "tuple"):
        items = [decode(item, functions) for item in data[kind]]
        return items if kind == "list" else tuple(items)
    if kind in ("set", "frozenset"):
        items = [decode(item, functions) for item in data[kind]]
        if not all(isinstance(item, (bool, int, float, str, np.generic, tuple)) for item in items):
            raise WireError("a set of other things than numbers, strings or tuples")
        try:
            return set(items) if kind == "set" else frozenset(items)
        except TypeError:
            raise WireError("a set whose items cannot be hashed") from None
    if kind == "generator":
        state = data["generator"]
        bit_generator = getattr(np.random, str(state["bit_generator"]), None)
        if not (isinstance(bit_generator, type) and issubclass(bit_generator, np.random.BitGenerator)):
            raise WireError(f"unknown random generator {state['bit_generator']!r}")
        generator = np.random.Generator(bit_generator())
        generator.bit_generator.state = state
        return generator
    if kind == "function" and functions is not None:
        return functions(data["function"])
    raise WireError(f"unexpected data on the wire: {kind}")


def _array(text, dtype, shape):
    """The array of `shape` and `dtype` (numbers or bools only) whose raw bytes `text` holds in base64."""
    if not (isinstance(dtype, str) and PLAIN_DTYPE.fullmatch(dtype)):
        raise WireError(f"an array of {dtype!r}, which cannot cross")
    if not (isinstance(shape, list) and all(type(n) is int and n >= 0 for n in shape)):
        raise WireError(f"an array of shape {shape!r}, which cannot be")
    raw = bytearray(base64.b64decode(text, validate=True))
    if len(raw) != math.prod(shape) * np.dtype(dtype).itemsize:
        raise WireError(f"an array of shape {shape} and dtype {dtype} in {len(raw)} bytes")
    return np.frombuffer(raw, dtype).reshape(shape)


def snapshot(value):
    """A copy of `value` deep enough to tell later whether a call changed it."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {key: snapshot(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(snapshot(item) for item in value)
    if isinstance(value, np.random.Generator):
        return _state(value)
    return value


def changed(args, before):
    """What a call left in each of `args`, encoded, for those it changed since their `before`
    snapshot; None for the others and for one that cannot cross."""
    return [None if _same(arg, old) else _encode_or_none(arg) for arg, old in zip(args, before)]


def _same(value, old):
    if isinstance(value, np.ndarray):
        return (isinstance(old, np.ndarray) and value.dtype == old.dtype and value.shape == old.shape
                and value.tobytes() == old.tobytes())
    if isinstance(value, dict):
        return (isinstance(old, dict) and value.keys() == old.keys()
                and all(_same(item, old[key]) for key, item in value.items()))
    if isinstance(value, (list, tuple)):
        return type(old) is type(value) and len(value) == len(old) and all(map(_same, value, old))
    if isinstance(value, np.random.Generator):
        return _state(value) == old
    return value is old  # anything else a call can only replace (in a list or a dict)


def _state(generator):
    """A random generator's state, as text."""
    return json.dumps(generator.bit_generator.state, sort_keys=True, default=lambda part: np.asarray(part).tolist())


def _encode_or_none(value):
    try:
        return encode(value)
    except WireError:
        return None


def write_back(args, after):
    """Make each argument hold what the other end left in its copy (`after`, encoded, None for
    one the call did not change or that could not cross), as a call in this process would have
    left it."""
    for original, encoded in zip(args, after):
        if encoded is not None:
            _update(original, decode(encoded))


def _update(original, after):
    """Make `original` hold `after`, as a call in this process would have left it."""
    if isinstance(original, np.ndarray) and isinstance(after, np.ndarray):
        if original.shape == after.shape and original.flags.writeable:
            original[...] = after
    elif isinstance(original, dict) and isinstance(after, dict):
        original.clear()
        original.update(after)
    elif isinstance(original, list) and isinstance(after, list):
        original[:] = after
    elif isinstance(original, np.random.Generator) and isinstance(after, np.random.Generator):
        original.bit_generator.state = after.bit_generator.state



class Peer:
    """One end of the socket: `ask` sends a request and waits for its outcome, answering the
    other end's requests in the meantime with `handlers` ({message key: handler(message)})."""

    def __init__(self, connection, handlers, max_bytes=MAX_MESSAGE_BYTES):
        self.connection, self.handlers, self.max_bytes = connection, handlers, max_bytes

    def ask(self, request):
        """The other end's answer to `request` (a dict)."""
        self.send(request)
        return self.wait()

    def wait(self):
        """Answer requests until an answer ({"outcome"} or {"names"}) comes; return it."""
        while True:
            message = self.receive()
            if message is None:
                raise HungUp("the other end hung up")
            if not isinstance(message, dict) or len(message) == 0:
                raise WireError("unexpected message on the wire")
            kind = next(iter(message))
            if kind in ("outcome", "names"):
                return message
            if kind not in self.handlers:
                raise WireError(f"unexpected request on the wire: {kind}")
            self.send(self.handlers[kind](message))

    def send(self, message):
        data = json.dumps(message).encode("utf-8")
        self.connection.sendall(len(data).to_bytes(8, "big") + data)

    def receive(self):
        """The next message, or None if the other end hung up."""
        header = self._read(8)
        if header is None:
            return None
        length = int.from_bytes(header, "big")
        if length > self.max_bytes:
            raise WireError(f"a message of {length} bytes, over the limit of {self.max_bytes}")
        data = self._read(length)
        return None if data is None else json.loads(data)

    def _read(self, size):
        chunks = bytearray()
        while len(chunks) < size:
            chunk = self.connection.recv(min(size - len(chunks), 2**20))
            if not chunk:
                return None
            chunks += chunk
        return bytes(chunks)


def error_outcome(error):
    """An exception as an outcome: its type's name and its message."""
    return {"error": [type(error).__name__, str(error)]}


# The kernel's end. Nothing here is trusted: a student's code can change it, but then it can
# only misreport what its own functions return, and the grader judges those values.

def serve(address, namespace=None):
    """Answer the grader's requests on the unix socket at `address` until it hangs up, about
    the names in `namespace` (by default the notebook's)."""
    if namespace is None:
        from IPython import get_ipython
        namespace = get_ipython().user_ns
    with socket.socket(socket.AF_UNIX) as connection:
        connection.connect(address)
        peer = Peer(connection, {})
        peer.handlers.update(lookup=lambda request: _lookup(namespace, request["lookup"]),
                             call=lambda request: _call(namespace, peer, request))
        while (request := peer.receive()) is not None:
            kind = next(iter(request))
            peer.send(peer.handlers[kind](request))


def _lookup(namespace, names):
    """What each name of the notebook is: a function or a value."""
    found = {}
    for name in names:
        value = namespace.get(name)
        if callable(value):
            found[name] = {"function": True}
        elif name in namespace:
            try:
                found[name] = {"value": encode(value)}
            except WireError:
                pass
    return {"names": found}


def _call(namespace, peer, request):
    """Call the notebook's function, the stand-ins in place; its outcome."""
    functions = _functions(namespace, peer)
    args = decode(request["args"], functions)
    kwargs = decode(request["kwargs"], functions)
    standins = {name: decode(f, functions) for name, f in request["standins"].items()}
    function = namespace.get(request["call"])
    own = {name: namespace[name] for name in standins if name in namespace}
    before = [snapshot(arg) for arg in args]
    outcome = {}
    with warnings.catch_warnings(record=True) as caught, np.errstate(**request["errstate"]):
        warnings.simplefilter("always")
        namespace.update(standins)
        try:
            if not callable(function):
                raise NameError(f"name '{request['call']}' is not defined: run the cell that defines it")
            value = function(*args, **kwargs)
        except Exception as error:  # the student's error is reported, not raised here
            outcome = error_outcome(error)
        else:
            try:
                outcome = {"value": encode(value)}
            except WireError as error:
                outcome = {"error": ["TypeError", f"{request['call']} returned {error}"]}
        finally:
            for name in standins:
                namespace.pop(name, None)
            namespace.update(own)
    return {"outcome": outcome, "args": changed(args, before),
            "warnings": [[w.category.__name__, str(w.message)] for w in caught]}


def _functions(namespace, peer):
    """How the kernel turns an encoded function into one it can call."""
    def make(description):
        if "student" in description:
            return namespace.get(description["student"])
        ident = description["grader"]

        def call_grader(*args, **kwargs):
            answer = peer.ask({"callback": ident, "args": encode(list(args)), "kwargs": encode(kwargs)})
            write_back(args, answer.get("args", []))
            outcome = answer["outcome"]
            if "error" in outcome:
                raise RuntimeError(": ".join(outcome["error"]))
            return decode(outcome["value"])
        return call_grader
    return make

"""Values on the wire between the grader and a student's kernel.

The referee (autograder/referee.py) runs hidden tests in the grader and calls the
student's functions inside the sandboxed kernel (autograder/in_kernel.py). Arguments
and results cross as JSON: arrays as .npy bytes (numeric or bool, never pickled),
dicts with string keys, lists, tuples, numbers, strings, None and random generators
(by their state). Decoding never runs code and rejects anything else, so whatever a
student's function returns, the grader only ever sees plain data.

Objects of the grader that stand for code (a function to run in the kernel, a
recorder of callbacks) encode themselves as {"function": ...} with a `__wire__()`
method; the kernel side turns them back into functions with `decode(..., functions=...)`.

On a socket, a message is a JSON document preceded by its length in bytes (8 bytes,
big-endian): `send` and `receive`.
"""
import base64
import io
import json

import numpy as np


class WireError(TypeError):
    """A value that cannot cross between the grader and the kernel."""


def encode(value):
    """A JSON-able description of `value`."""
    if hasattr(value, "__wire__"):
        return value.__wire__()
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, (np.integer, np.floating)):
        return {"number": repr(value)}
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
            raise WireError(f"an array of {array.dtype}, which cannot be graded: use numbers")
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        return {"npy": base64.b64encode(buffer.getvalue()).decode("ascii"), "scalar": array is not value}
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise WireError("a dict whose keys are not all strings, which cannot be graded")
        return {"dict": {key: encode(item) for key, item in value.items()}}
    if isinstance(value, (list, tuple)):
        return {type(value).__name__: [encode(item) for item in value]}
    if isinstance(value, np.random.Generator):
        return {"generator": value.bit_generator.state}
    raise WireError(f"a {type(value).__name__}, which cannot be graded")


def decode(data, functions=None):
    """The value `data` describes. `functions(description)` makes a callable of an
    encoded function; without it, encoded functions are refused."""
    if data is None or isinstance(data, (bool, str)):
        return data
    if not isinstance(data, dict) or len(data) not in (1, 2):
        raise WireError(f"unexpected data on the wire: {type(data).__name__}")
    kind = next(iter(data))
    if kind == "number":
        text = data["number"]
        return int(text) if text.lstrip("-").isdigit() else float(text)
    if kind == "npy":
        array = np.load(io.BytesIO(base64.b64decode(data["npy"])), allow_pickle=False)
        return array[()] if data.get("scalar") else array
    if kind == "dict":
        return {key: decode(item, functions) for key, item in data["dict"].items()}
    if kind in ("list", "tuple"):
        items = [decode(item, functions) for item in data[kind]]
        return items if kind == "list" else tuple(items)
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


def send(connection, message):
    """Send the JSON-able `message` on the socket `connection`."""
    data = json.dumps(message).encode("utf-8")
    connection.sendall(len(data).to_bytes(8, "big") + data)


def receive(connection, max_bytes):
    """The next message on `connection`, or None if the other end hung up; a message
    longer than `max_bytes` raises WireError."""
    header = _read(connection, 8)
    if header is None:
        return None
    length = int.from_bytes(header, "big")
    if length > max_bytes:
        raise WireError(f"a message of {length} bytes, over the limit of {max_bytes}")
    data = _read(connection, length)
    return None if data is None else json.loads(data)


def _read(connection, size):
    """Exactly `size` bytes from `connection`, or None if it closes first."""
    chunks = bytearray()
    while len(chunks) < size:
        chunk = connection.recv(min(size - len(chunks), 2**20))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)

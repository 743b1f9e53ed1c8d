"""The referee's pieces: the names a test cell uses, values and calls on the wire, both ends.

The end-to-end proofs (right answers earn the points, attacks earn none) are in test_grading.py,
test_hostile.py and test_trust.py; these tests pin down the parts they rely on. The kernel's end
runs here in a thread, on a plain dict standing for the notebook's namespace.
"""
import base64
import inspect
import pickle
import socket
import threading
import warnings
from contextlib import contextmanager

import numpy as np
import pytest

from autograder import wire
from autograder.definitions import Definitions
from autograder.referee import Channel, StudentFunction, free_names, setup_imports
from autograder.wire import WireError, decode, encode
from solutions import activations as ref


def test_a_test_cell_uses_the_names_it_reads_but_never_binds():
    code = ("from solutions import forward_pass as ref\nrng = np.random.default_rng(1)\n"
            "def batch(n):\n    return ref.softmax(rng.normal(size=(n, 3)))\n"
            "for shape in [(2, 3)]:\n    agrees(softmax, ref.softmax, batch(2))\nsoftmax2 = [x for x in range(3)]\n")
    assert free_names(code) == {"np", "agrees", "softmax"}


def test_the_setup_imports_a_test_uses_are_imported_in_the_grader():
    setup = "import numpy as np\nimport warnings\nfrom workbook_tools.checks import activations as check\nX = 3\n"
    imported = setup_imports([setup], {"np", "check", "X", "sigmoid"})
    assert imported["np"] is np and imported["check"].__name__ == "workbook_tools.checks.activations"
    assert set(imported) == {"np", "check"}  # X and sigmoid are the notebook's, asked of the kernel


def test_a_function_s_source_is_its_last_plain_def_in_a_cell_that_ran():
    notebook = Definitions()
    notebook.ran("import numpy as np\n\ndef relu(z):\n    return np.maximum(0, z)\n\nx = 1\n", succeeded=True)
    notebook.ran("%timeit relu(3)\n!ls\ndef sigmoid(z):\n    for i in z:\n        pass\n", succeeded=True)
    assert notebook.source_of("relu") == "def relu(z):\n    return np.maximum(0, z)"
    assert notebook.source_of("sigmoid").startswith("def sigmoid(z):\n    for i in z")
    notebook.ran("def relu(z):\n    return z\n1 / 0\n", succeeded=False)  # failed: what ran is unknown
    notebook.ran("@staticmethod\ndef sigmoid(z):\n    return z\n", succeeded=True)
    notebook.ran("%%capture\ndef softmax(z):\n    return z\n", succeeded=True)
    notebook.ran("if True:\n    def tanh(z):\n        return z\n", succeeded=True)
    assert [notebook.source_of(name) for name in ["relu", "sigmoid", "softmax", "tanh"]] == [None] * 4
    assert notebook.sources["x"] is None and not notebook.dynamic


@pytest.mark.parametrize("cell", ["globals()['relu'] = loopy\n", "exec('relu = loopy')\n",
                                  "import sys\nsetattr(sys.modules['__main__'], 'relu', loopy)\n",
                                  "get_ipython().user_ns['relu'] = loopy\n", "%run other.py\n",
                                  "from IPython import get_ipython as gi\ngi().push({'relu': loopy})\n"])
def test_a_cell_that_binds_names_behind_the_grader_s_back_leaves_no_source(cell):
    notebook = Definitions()
    notebook.ran("def relu(z):\n    return z\n", succeeded=True)
    notebook.ran(cell, succeeded=True)
    notebook.ran("def sigmoid(z):\n    return z\n", succeeded=True)
    assert notebook.source_of("relu") is None and notebook.source_of("sigmoid") is None


@pytest.mark.parametrize("cell", ["def rebind():\n    global relu\n    relu = loopy\nrebind()\n",
                                  "match loopy:\n    case relu:\n        pass\n"])
def test_a_name_bound_inside_a_function_or_a_match_has_no_source(cell):
    notebook = Definitions()
    notebook.ran("def relu(z):\n    return z\n", succeeded=True)
    notebook.ran(cell, succeeded=True)
    assert notebook.source_of("relu") is None


def test_a_function_s_source_takes_in_the_helpers_it_uses_but_not_other_exercises():
    notebook = Definitions()
    notebook.ran("import numpy as np\nscale = 2\ndef helper(X):\n    return [x for x in X]\n", succeeded=True)
    notebook.ran("def exercise(X):\n    return np.sum(X)\n", succeeded=True)
    notebook.ran("def f(X):\n    return scale * np.array(helper(X)) + exercise(X)\n", succeeded=True)
    source = notebook.source_of("f", graded={"f", "exercise"})
    assert "def helper" in source and "def exercise" not in source


VALUES = [None, True, "text", 3, -2.5, float("nan"), np.float64(0.25), np.int64(7),
          np.arange(6.0).reshape(2, 3), np.array([True, False]), np.zeros((0, 4), dtype=np.int32),
          {"W1": np.ones((2, 2)), "b1": np.zeros(2)}, (np.ones(3), {"loss": [1.0, 0.5]}), [np.arange(3), np.arange(2)],
          {7, 21, "b"}, frozenset({(6, 1024), 2.5})]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_values_cross_the_wire_unchanged(value):
    back = decode(encode(value))
    assert type(back) is type(value) or isinstance(value, np.generic) and np.ndim(back) == 0
    np.testing.assert_equal(back, value)


@pytest.mark.parametrize("items", [[[1, 2]], [{"a": 1}], [np.arange(3)]], ids=["list", "dict", "array"])
def test_a_set_of_unhashable_items_is_refused(items):
    with pytest.raises(WireError, match="set"):
        decode({"set": [encode(item) for item in items]})


def test_a_random_generator_crosses_with_its_state():
    rng = np.random.default_rng(5)
    rng.normal(size=3)
    copy = decode(encode(rng))
    assert np.array_equal(copy.normal(size=4), rng.normal(size=4))


@pytest.mark.parametrize("value", [np.array([object()]), np.array(["a", "b"]), {1: 2}, {object()}, object(), len],
                         ids=["object-array", "string-array", "int-keys", "set-of-objects", "object", "function"])
def test_what_is_not_plain_data_is_refused(value):
    with pytest.raises(WireError, match="cannot be graded"):
        encode(value)


def test_decoding_never_unpickles_or_calls():
    pickled = base64.b64encode(pickle.dumps([{"a": 1}])).decode()
    for dtype in ["|O", "O", "<U1", "|V8", "[('a', '<f8')]", "<M8[s]", 3]:
        with pytest.raises(WireError):
            decode({"array": pickled, "dtype": dtype, "shape": [1]})
    for shape in [[10**9], [-1], [1.0], "(1,)", [True]]:
        with pytest.raises(WireError):
            decode({"array": base64.b64encode(bytes(8)).decode(), "dtype": "<f8", "shape": shape})
    with pytest.raises(ValueError):
        decode({"array": "not base64!", "dtype": "<f8", "shape": [0]})
    with pytest.raises(WireError):
        decode({"generator": {"bit_generator": "Generator"}})  # not a bit generator
    with pytest.raises(WireError):
        decode({"function": {"grader": "0"}})  # only an end that can call back makes functions


NOTEBOOK = '''
import numpy as np

def sigmoid(z):
    return np.full(np.shape(z), 0.25)             # the student's own, wrong on purpose

def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1 - s)

def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in range(x.size):
        old = x.flat[i]
        x.flat[i] = old + h
        up = f(x)
        x.flat[i] = old - h
        grad.flat[i] = (up - f(x)) / (2 * h)
        x.flat[i] = old
    return grad

def scale_in_place(a):
    a *= 2
    return None

def warns(z):
    return np.log(np.asarray(z, dtype=float) - 1)

def bad_axis(a):
    return np.sum(a, axis=5)

def returns_a_range():
    return range(3)

def two_epochs(n, rng):
    return [minibatches(n, 3, rng), minibatches(n, 3, rng)]

learning_rate = 0.5
notebook_range = range(3)
'''


@contextmanager
def kernel_end(tmp_path):
    """A Channel to a kernel end serving a namespace built from NOTEBOOK; yields (channel,
    namespace, every message the kernel received)."""
    namespace, received = {}, []
    exec(NOTEBOOK, namespace)
    address = str(tmp_path / "s")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(address)
    listener.listen(1)
    original = wire.Peer.receive

    def spy(peer):
        message = original(peer)
        if peer.max_bytes == wire.MAX_MESSAGE_BYTES:  # the kernel's end
            received.append(message)
        return message

    wire.Peer.receive = spy
    server = threading.Thread(target=wire.serve, args=(address, namespace), daemon=True)
    server.start()
    connection, _ = listener.accept()
    try:
        yield Channel(connection), namespace, received
    finally:
        wire.Peer.receive = original
        connection.close()
        server.join(5)
        listener.close()


def test_the_kernel_says_which_names_are_functions_and_sends_values(tmp_path):
    with kernel_end(tmp_path) as (channel, _, _):
        found = channel.lookup(["sigmoid", "learning_rate", "notebook_range", "undefined_name"])
    assert found == {"sigmoid": {"function": True}, "learning_rate": {"value": encode(0.5)}}


def test_calls_return_plain_data_write_back_arguments_and_carry_warnings_and_errors(tmp_path):
    with kernel_end(tmp_path) as (channel, namespace, _):
        f = {name: StudentFunction(channel, name, {}, None) for name in
             ["sigmoid", "scale_in_place", "warns", "bad_axis", "returns_a_range", "nothing"]}
        assert np.array_equal(f["sigmoid"](np.zeros(3)), np.full(3, 0.25))
        a = np.ones(2)
        f["scale_in_place"](a)
        assert np.array_equal(a, [2.0, 2.0])  # so `call` sees that the function modified its argument
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            f["warns"](0.5)
        assert [w.category for w in caught] == [RuntimeWarning]
        with pytest.raises(np.exceptions.AxisError):
            f["bad_axis"](np.ones(2))
        with pytest.raises(TypeError, match="returns_a_range returned a range"):
            f["returns_a_range"]()
        with pytest.raises(NameError, match="run the cell that defines it"):
            f["nothing"]()


def test_only_the_arguments_a_call_changed_cross_back():
    untouched, modified, rng, idle_rng = np.ones(3), np.ones(3), np.random.default_rng(1), np.random.default_rng(2)
    params, untouched_params, rates = {"W1": np.zeros((2, 2))}, {"W1": np.zeros((2, 2))}, [0.5, 0.1]
    args = [untouched, modified, rng, idle_rng, params, untouched_params, rates, 0.5, (1, 2)]
    before = [wire.snapshot(arg) for arg in args]
    modified[1] = np.nan
    rng.normal()
    params["W1"][0, 0] = 1.0
    rates[1] = 0.2
    after = wire.changed(args, before)
    assert [i for i, encoded in enumerate(after) if encoded is not None] == [1, 2, 4, 6]
    copies = [np.ones(3), np.ones(3), np.random.default_rng(1), np.random.default_rng(2), {"W1": np.zeros((2, 2))},
              {"W1": np.zeros((2, 2))}, [0.5, 0.1], 0.5, (1, 2)]
    wire.write_back(copies, after)
    assert np.array_equal(copies[1], modified, equal_nan=True) and copies[3].normal() == idle_rng.normal()
    assert copies[2].normal() == rng.normal() and copies[4]["W1"][0, 0] == 1.0 and copies[6] == [0.5, 0.2]


def test_a_grader_function_passed_to_a_student_function_is_called_back(tmp_path):
    calls = []

    def square_sum(v):
        calls.append(v.copy())
        return float(np.sum(v ** 2))

    with kernel_end(tmp_path) as (channel, _, received):
        gradient = StudentFunction(channel, "numerical_gradient", {}, None)(square_sum, np.array([1.0, -2.0]))
    assert np.allclose(gradient, [2.0, -4.0]) and len(calls) == 4
    assert "square_sum" not in repr(received) and "v ** 2" not in repr(received)


def test_a_reference_stands_in_during_a_call_and_never_enters_the_kernel(tmp_path):
    with kernel_end(tmp_path) as (channel, namespace, received):
        test = {"sigmoid": ref.sigmoid}
        derivative = StudentFunction(channel, "sigmoid_derivative", test, None)
        z = np.array([-1.0, 0.0, 2.0])
        assert np.allclose(derivative(z), ref.sigmoid_derivative(z))  # the reference's sigmoid was used
        own_sigmoid = namespace["sigmoid"]
        assert np.array_equal(own_sigmoid(z), np.full(3, 0.25))  # and the notebook's own is back
        test.clear()
        assert np.allclose(derivative(z), 0.25 * 0.75)  # without the stand-in, the student's own
    body = inspect.getsource(ref.sigmoid).split('"""')[-1]
    assert body.strip() and body.strip().splitlines()[0] not in repr(received)
    assert "def " not in repr(received)


def test_a_stand_in_advances_the_caller_s_random_generator(tmp_path):
    from solutions import training
    with kernel_end(tmp_path) as (channel, _, _):
        epochs = StudentFunction(channel, "two_epochs", {"minibatches": training.minibatches}, None)
        rng = np.random.default_rng(3)
        first, second = epochs(7, rng)
    want_rng = np.random.default_rng(3)
    want = [training.minibatches(7, 3, want_rng), training.minibatches(7, 3, want_rng)]
    assert all(np.array_equal(a, b) for got, right in zip([first, second], want) for a, b in zip(got, right))
    assert not np.array_equal(np.concatenate(first), np.concatenate(second))  # the generator moved on
    assert rng.bit_generator.state == want_rng.bit_generator.state  # and so did the caller's

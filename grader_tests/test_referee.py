"""The referee's pieces: splitting test cells, data on the wire, the reference loaded into a kernel.

The end-to-end proofs (right answers earn the points, cheats earn none) are in test_grading.py
and test_hostile.py; these tests pin down the parts they rely on.
"""
import base64
import importlib
import inspect
import io
import textwrap

import numpy as np
import pytest

from autograder.referee import KernelFunction, Recorder, bound_names, free_names, is_reference, reference_definition, split
from autograder.wire import WireError, decode, encode


def test_split_keeps_visible_and_hidden_parts_in_order():
    source = ("### BEGIN HIDDEN TESTS\nsoftmax = ref.softmax\n### END HIDDEN TESTS\ncheck.forward(forward)\n"
              "### BEGIN HIDDEN TESTS\nagrees(forward, ref.forward, X)\n### END HIDDEN TESTS")
    assert split(source) == [(True, "softmax = ref.softmax\n"), (False, "\ncheck.forward(forward)\n"),
                             (True, "agrees(forward, ref.forward, X)\n")]
    assert split("check.relu(relu)") == [(False, "check.relu(relu)")]


def test_student_functions_are_the_names_a_hidden_part_uses_but_never_defines():
    code = ("from solutions import forward_pass as ref\nrng = np.random.default_rng(1)\n"
            "def batch(n):\n    return ref.softmax(rng.normal(size=(n, 3)))\n"
            "for shape in [(2, 3)]:\n    agrees(softmax, ref.softmax, batch(2))\nsoftmax2 = [x for x in range(3)]\n")
    assert free_names(code) == {"np", "agrees", "softmax"}
    assert bound_names("forward, softmax = ref.forward, ref.softmax\nimport numpy as np\nx += 1") == \
        {"forward", "softmax", "np", "x"}


VALUES = [None, True, "text", 3, -2.5, float("nan"), np.float64(0.25), np.int64(7),
          np.arange(6.0).reshape(2, 3), np.array([True, False]), np.zeros((0, 4), dtype=np.int32),
          {"W1": np.ones((2, 2)), "b1": np.zeros(2)}, (np.ones(3), {"loss": [1.0, 0.5]}), [np.arange(3), np.arange(2)]]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_values_cross_the_wire_unchanged(value):
    back = decode(encode(value))
    assert type(back) is type(value) or isinstance(value, np.generic) and np.ndim(back) == 0
    np.testing.assert_equal(back, value)


def test_a_random_generator_crosses_with_its_state():
    rng = np.random.default_rng(5)
    rng.normal(size=3)
    copy = decode(encode(rng))
    assert np.array_equal(copy.normal(size=4), rng.normal(size=4))


@pytest.mark.parametrize("value", [np.array([object()]), np.array(["a", "b"]), {1: 2}, {1, 2}, object()],
                         ids=["object-array", "string-array", "int-keys", "set", "object"])
def test_what_is_not_plain_data_is_refused(value):
    with pytest.raises(WireError, match="cannot be graded"):
        encode(value)


def test_decoding_never_unpickles_or_calls():
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):
        decode({"npy": base64.b64encode(buffer.getvalue()).decode()})
    with pytest.raises(WireError):
        decode({"generator": {"bit_generator": "Generator"}})  # not a bit generator
    with pytest.raises(WireError):
        decode({"function": {"source": "print('hi')", "env": {"dict": {}}}})  # only the kernel side makes functions


def test_kernel_functions_and_recorders_work_here_and_say_how_to_rebuild_them():
    f = KernelFunction("lambda v: float(np.sum(A * v))", A=np.arange(3.0))
    assert f(np.ones(3)) == 3.0
    assert f.__wire__()["function"]["source"] == "lambda v: float(np.sum(A * v))"
    record = Recorder()
    record(1, history={"loss": [0.5]})
    assert record.calls == [(1, {"loss": [0.5]})]


def reference_functions():
    """Every function of the reference package."""
    modules = [importlib.import_module(f"solutions.{name}") for name in
               ("shapes", "activations", "forward_pass", "cross_entropy", "backprop", "training")]
    return [(name, f) for m in modules for name, f in vars(m).items() if is_reference(f) and f.__module__ == m.__name__]


@pytest.mark.parametrize("name, function", reference_functions(), ids=lambda x: x if isinstance(x, str) else "")
def test_the_reference_loaded_into_a_kernel_is_the_reference(name, function):
    code = reference_definition(function)
    namespace = {}
    exec(code, namespace)
    namespace.pop("__builtins__")
    assert list(namespace) == [name]  # only the one name is defined
    assert textwrap.indent(textwrap.dedent(inspect.getsource(function)), "    ") in code
    assert inspect.signature(namespace[name]) == inspect.signature(function)
    assert inspect.getdoc(namespace[name]) == inspect.getdoc(function)

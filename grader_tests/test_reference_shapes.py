"""The reference solutions of workbook 00 (shapes) against plain numpy."""
import numpy as np
import pytest

from solutions.shapes import layer_shapes, preactivation, preactivation_unit, preactivations

N, D, H = 7, 11, 5


@pytest.fixture
def layer():
    rng = np.random.default_rng(0)
    return rng.normal(size=(N, D)), rng.normal(size=(D, H)), rng.normal(size=H)


def test_layer_shapes_fit_a_real_forward_pass():
    n, d, h1, h2, c = 7, 13, 5, 4, 3
    shapes = layer_shapes(n, d, h1, h2, c)
    rng = np.random.default_rng(1)
    arrays = {k: rng.normal(size=shapes[k]) for k in ("X", "W1", "b1", "W2", "b2", "W3", "b3")}
    Z1 = arrays["X"] @ arrays["W1"] + arrays["b1"]
    Z2 = Z1 @ arrays["W2"] + arrays["b2"]
    Z3 = Z2 @ arrays["W3"] + arrays["b3"]
    assert set(shapes) == {"X", "W1", "b1", "Z1", "A1", "W2", "b2", "Z2", "A2",
                           "W3", "b3", "Z3", "P"}
    assert shapes["Z1"] == shapes["A1"] == Z1.shape
    assert shapes["Z2"] == shapes["A2"] == Z2.shape
    assert shapes["Z3"] == shapes["P"] == Z3.shape


def test_layer_shapes_of_the_running_example():
    shapes = layer_shapes(32, 1024, 128, 64, 10)
    assert shapes["X"] == (32, 1024)
    assert shapes["W1"] == (1024, 128) and shapes["b1"] == (128,)
    assert shapes["W3"] == (64, 10) and shapes["P"] == (32, 10)


def test_preactivation_of_one_example(layer):
    X, W, b = layer
    z = preactivation(X[0], W, b)
    np.testing.assert_allclose(z, np.einsum("d,dh->h", X[0], W) + b, rtol=1e-12)
    assert z.shape == (H,) and z.dtype == np.float64


def test_preactivation_unit_is_column_j(layer):
    X, W, b = layer
    for j in range(H):
        z_j = preactivation_unit(X[0], W, b, j)
        assert type(z_j) is float
        assert z_j == pytest.approx(np.dot(X[0], W[:, j]) + b[j], rel=1e-12)


def test_preactivations_of_a_batch(layer):
    X, W, b = layer
    Z = preactivations(X, W, b)
    expected = np.array([np.einsum("d,dh->h", x, W) + b for x in X])
    np.testing.assert_allclose(Z, expected, rtol=1e-12)
    assert Z.shape == (N, H) and Z.dtype == np.float64


def test_integer_inputs_give_float64():
    X, W, b = np.ones((2, 3), dtype=int), np.ones((3, 4), dtype=int), np.zeros(4, dtype=int)
    Z = preactivations(X, W, b)
    assert Z.dtype == np.float64


def test_mismatched_shapes_name_both_shapes(layer):
    X, W, b = layer
    with pytest.raises(ValueError, match=r"\(7, 11\).*\(10, 5\)"):
        preactivations(X, W[:-1], b)
    with pytest.raises(ValueError, match=r"\(11, 5\).*\(4,\)"):
        preactivations(X, W, b[:-1])
    with pytest.raises(ValueError, match=r"\(11,\).*\(10, 5\)"):
        preactivation(X[0], W[:-1], b)


def test_inputs_are_not_modified(layer):
    copies = [a.copy() for a in layer]
    preactivations(*layer)
    preactivation(layer[0][0], *layer[1:])
    for a, copy in zip(layer, copies):
        np.testing.assert_array_equal(a, copy)

"""The reference solutions of workbook 02 (forward pass) against scipy and plain numpy."""
import numpy as np
import pytest
from scipy.special import expit, softmax as scipy_softmax

from solutions.forward_pass import forward, one_hot, predict, softmax

N, D, H1, H2, C = 7, 11, 5, 4, 3


def random_params(rng):
    sizes = [D, H1, H2, C]
    params = {}
    for layer in range(1, 4):
        params[f"W{layer}"] = rng.normal(size=(sizes[layer - 1], sizes[layer]))
        params[f"b{layer}"] = rng.normal(size=sizes[layer])
    return params


def test_softmax_matches_scipy():
    Z = np.random.default_rng(0).normal(scale=3, size=(N, C))
    P = softmax(Z)
    np.testing.assert_allclose(P, scipy_softmax(Z, axis=1), rtol=1e-12)
    assert P.shape == (N, C) and P.dtype == np.float64


def test_softmax_is_stable_for_huge_logits():
    Z = np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 1e4], [-1e4, -1e4 + 1, -1e4]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        P = softmax(Z)
    assert np.all(np.isfinite(P))
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(P, scipy_softmax(Z, axis=1), rtol=1e-12)


def test_softmax_is_invariant_to_a_constant_per_row():
    rng = np.random.default_rng(1)
    Z = rng.normal(size=(N, C))
    shift = rng.normal(scale=100, size=(N, 1))
    np.testing.assert_allclose(softmax(Z + shift), softmax(Z), rtol=1e-10)


def test_one_hot_matches_rows_of_the_identity():
    y = np.array([2, 0, 1, 2, 2])
    Y = one_hot(y, 4)
    np.testing.assert_array_equal(Y, np.eye(4)[y])
    assert Y.shape == (5, 4) and np.issubdtype(Y.dtype, np.integer)


@pytest.mark.parametrize("bad", [-1, 3])
def test_one_hot_rejects_labels_outside_the_range(bad):
    with pytest.raises(ValueError, match=rf"{bad}.*\[0, 3\)"):
        one_hot(np.array([0, bad, 1]), 3)


def test_one_hot_rejects_a_column_of_labels():
    with pytest.raises(ValueError, match=r"\(3, 1\)"):
        one_hot(np.array([[0], [1], [2]]), 3)


def test_forward_matches_an_independent_forward_pass():
    rng = np.random.default_rng(2)
    X, params = rng.normal(size=(N, D)), random_params(rng)
    cache = forward(X, params)
    A1 = expit(X @ params["W1"] + params["b1"])
    A2 = expit(A1 @ params["W2"] + params["b2"])
    P = scipy_softmax(A2 @ params["W3"] + params["b3"], axis=1)
    assert set(cache) == {"Z1", "A1", "Z2", "A2", "Z3", "P"}
    np.testing.assert_allclose(cache["A1"], A1, rtol=1e-12)
    np.testing.assert_allclose(cache["A2"], A2, rtol=1e-12)
    np.testing.assert_allclose(cache["P"], P, rtol=1e-12)
    np.testing.assert_allclose(cache["A1"], expit(cache["Z1"]), rtol=1e-12)
    assert cache["Z3"].shape == (N, C)


def test_predict_is_the_most_probable_class():
    rng = np.random.default_rng(3)
    X, params = rng.normal(size=(N, D)), random_params(rng)
    y_pred = predict(X, params)
    assert y_pred.shape == (N,) and np.issubdtype(y_pred.dtype, np.integer)
    P = forward(X, params)["P"]
    np.testing.assert_array_equal(P[np.arange(N), y_pred], P.max(axis=1))


def test_inputs_are_not_modified():
    rng = np.random.default_rng(4)
    X, params = rng.normal(size=(N, D)), random_params(rng)
    X_copy, params_copy = X.copy(), {k: v.copy() for k, v in params.items()}
    Z = rng.normal(size=(N, C))
    Z_copy = Z.copy()
    forward(X, params)
    predict(X, params)
    softmax(Z)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(Z, Z_copy)
    for k in params:
        np.testing.assert_array_equal(params[k], params_copy[k])

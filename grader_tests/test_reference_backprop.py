"""The reference solutions of workbook 04 (backprop) against centred differences.

The oracle is independent of solutions.backprop.numerical_gradient: it perturbs copies, and it
combines two centred differences (Richardson extrapolation) so that its error is O(h^4), about
1e-12 here. The plain centred difference with h = 1e-5 is only good to about 1e-10 absolute,
which is a relative error up to about 1e-6 on the smallest gradient entries of a random network.
"""
import math

import numpy as np
import pytest
from scipy.special import expit, log_softmax

from solutions.backprop import (add_mul_backward, backward, max_gate_backward,
                                numerical_gradient, relative_error, sigmoid_neuron,
                                tiny_forward, tiny_gradients, tiny_update)
from solutions.forward_pass import forward

N, D, H1, H2, C = 7, 11, 5, 4, 3
W_SEED, X_SEED, Y_SEED = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [0.0, 1.0], 1


def centred_differences(f, x, h):
    """Gradient of the scalar function f at the float array x, from perturbed copies of x."""
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        x_plus, x_minus = x.copy(), x.copy()
        x_plus[i] += h
        x_minus[i] -= h
        grad[i] = (f(x_plus) - f(x_minus)) / (2 * h)
    return grad


def oracle_gradient(f, x, h=3e-3):
    """Centred differences at h and h/2 combined to cancel their h^2 error terms."""
    return (4 * centred_differences(f, x, h / 2) - centred_differences(f, x, h)) / 3


def max_relative_error(a, b):
    return np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))


def seed_loss(w):
    """Binary cross-entropy (natural log) of the 2-2-1 network of the worked example."""
    (w1, w2, w3, w4, w5, w6), (x1, x2) = w, X_SEED
    y_hat = expit(expit(x1 * w1 + x2 * w3) * w5 + expit(x1 * w2 + x2 * w4) * w6)
    return -(Y_SEED * math.log(y_hat) + (1 - Y_SEED) * math.log(1 - y_hat))


def test_add_mul_backward():
    assert add_mul_backward(-2.0, 5.0, -4.0) == (-12.0, -4.0, -4.0, 3.0)
    x, y, z = np.random.default_rng(0).normal(size=3)
    f, dfdx, dfdy, dfdz = add_mul_backward(x, y, z)
    expected = oracle_gradient(lambda v: (v[0] + v[1]) * v[2], np.array([x, y, z]))
    np.testing.assert_allclose([dfdx, dfdy, dfdz], expected, rtol=1e-8)
    assert f == pytest.approx((x + y) * z)


def test_sigmoid_neuron():
    rng = np.random.default_rng(1)
    w, x = rng.normal(size=5), rng.normal(size=4)
    f, dw, dx = sigmoid_neuron(w, x)
    assert f == pytest.approx(expit(w[:-1] @ x + w[-1]), rel=1e-12)
    np.testing.assert_allclose(dw, oracle_gradient(lambda v: expit(v[:-1] @ x + v[-1]), w),
                               rtol=1e-7)
    np.testing.assert_allclose(dx, oracle_gradient(lambda v: expit(w[:-1] @ v + w[-1]), x),
                               rtol=1e-7)


def test_max_gate_routes_the_gradient_to_the_larger_input():
    x, y, upstream = np.array([3.0, -1.0]), np.array([2.0, 5.0]), np.array([10.0, 20.0])
    dx, dy = max_gate_backward(x, y, upstream)
    np.testing.assert_array_equal(dx, [10.0, 0.0])
    np.testing.assert_array_equal(dy, [0.0, 20.0])
    assert max_gate_backward(4.0, 1.0, 2.0) == (2.0, 0.0)


def test_tiny_forward_reproduces_the_worked_example():
    v = tiny_forward(W_SEED, X_SEED)
    assert set(v) == {"a1", "z1", "a2", "z2", "a3", "y_hat"}
    assert v["a1"] == pytest.approx(0.3) and v["a2"] == pytest.approx(0.4)
    assert v["z1"] == pytest.approx(expit(0.3)) and v["z2"] == pytest.approx(expit(0.4))
    assert v["a3"] == pytest.approx(0.5 * expit(0.3) + 0.6 * expit(0.4))
    assert round(v["y_hat"], 6) == 0.656206      # printed in the worked example


def test_tiny_gradients_match_centred_differences_on_the_worked_example():
    grads = tiny_gradients(W_SEED, X_SEED, Y_SEED)
    expected = oracle_gradient(seed_loss, np.array(W_SEED))
    assert grads.shape == (6,)
    assert max_relative_error(grads, expected) < 1e-7


def test_tiny_gradients_match_centred_differences_on_random_weights():
    rng = np.random.default_rng(2)
    for y in (0, 1):
        w, x = rng.normal(size=6), rng.normal(size=2)
        def loss(v):
            y_hat = tiny_forward(v, x)["y_hat"]
            return -(y * math.log(y_hat) + (1 - y) * math.log(1 - y_hat))
        assert max_relative_error(tiny_gradients(w, x, y), oracle_gradient(loss, w)) < 1e-7


def test_tiny_update_takes_every_gradient_at_the_old_weights():
    w = np.array(W_SEED)
    new_w = tiny_update(w, tiny_gradients(w, X_SEED, Y_SEED), 0.2)
    np.testing.assert_allclose(new_w, w - 0.2 * oracle_gradient(seed_loss, w),
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(w, W_SEED)
    assert seed_loss(new_w) < seed_loss(w)


def test_numerical_gradient_is_accurate_on_a_known_function():
    x = np.random.default_rng(3).normal(size=(2, 3, 4))
    grad = numerical_gradient(lambda v: np.sum(np.sin(v) * v ** 2), x)
    assert grad.shape == x.shape
    np.testing.assert_allclose(grad, np.cos(x) * x ** 2 + 2 * x * np.sin(x), rtol=1e-8,
                               atol=1e-10)


def test_numerical_gradient_restores_its_input_exactly():
    x = np.random.default_rng(4).normal(size=(4, 5))
    before = x.copy()
    h = 1e-5
    assert np.any(((x + h) - 2 * h) + h != x)    # adding and subtracting h would not restore it
    grad = numerical_gradient(lambda v: np.sum(v ** 3), x, h)
    np.testing.assert_array_equal(x, before)
    assert not np.shares_memory(grad, x)


def test_numerical_gradient_restores_its_input_when_f_fails():
    x = np.ones(3)
    def failing(v):
        raise RuntimeError("f failed")
    with pytest.raises(RuntimeError):
        numerical_gradient(failing, x)
    np.testing.assert_array_equal(x, np.ones(3))


def test_numerical_gradient_rejects_integer_arrays():
    with pytest.raises(TypeError, match="float"):
        numerical_gradient(np.sum, np.arange(3))


def test_relative_error():
    assert relative_error(np.array([1.0, 2.0]), np.array([1.0, 3.0])) == pytest.approx(0.2)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.zeros(2), np.array([0.0, 1e-9])) == pytest.approx(0.1)
    assert type(relative_error(1.0, 2.0)) is float


@pytest.fixture
def network():
    rng = np.random.default_rng(5)
    sizes = [D, H1, H2, C]
    params = {}
    for layer in range(1, 4):
        params[f"W{layer}"] = rng.normal(size=(sizes[layer - 1], sizes[layer]))
        params[f"b{layer}"] = rng.normal(size=sizes[layer])
    X = rng.normal(size=(N, D))
    Y = np.eye(C)[rng.integers(0, C, size=N)]
    return X, Y, params


def mean_cross_entropy_of(X, Y, params):
    """Independent forward pass and loss, with scipy's expit and log_softmax."""
    A1 = expit(X @ params["W1"] + params["b1"])
    A2 = expit(A1 @ params["W2"] + params["b2"])
    return -np.mean(np.sum(log_softmax(A2 @ params["W3"] + params["b3"], axis=1) * Y, axis=1))


def test_backward_matches_centred_differences(network):
    X, Y, params = network
    grads = backward(X, Y, params, forward(X, params))
    assert set(grads) == set(params)
    for k in params:
        def loss(value):
            return mean_cross_entropy_of(X, Y, {**params, k: value})
        expected = oracle_gradient(loss, params[k])
        assert grads[k].shape == params[k].shape
        assert max_relative_error(grads[k], expected) < 1e-7, k


def test_backward_passes_the_notebooks_gradient_check(network):
    """numerical_gradient changes params[k] in place; on random 11-5-4-3 networks the
    largest relative error of a correct backward is 1e-8 to 2e-6, of a wrong one above 1e-2."""
    X, Y, params = network
    grads = backward(X, Y, params, forward(X, params))
    for k in params:
        numeric = numerical_gradient(lambda _: mean_cross_entropy_of(X, Y, params), params[k])
        assert relative_error(grads[k], numeric) < 1e-5, k


def test_backward_does_not_modify_its_inputs(network):
    X, Y, params = network
    cache = forward(X, params)
    copies = X.copy(), Y.copy(), {k: v.copy() for k, v in params.items()}, \
        {k: v.copy() for k, v in cache.items()}
    backward(X, Y, params, cache)
    np.testing.assert_array_equal(X, copies[0])
    np.testing.assert_array_equal(Y, copies[1])
    for original, copy in ((params, copies[2]), (cache, copies[3])):
        for k in original:
            np.testing.assert_array_equal(original[k], copy[k])

"""The reference solutions of workbook 01 (odds and the sigmoid) against scipy.special."""
import numpy as np
import pytest
from scipy.special import expit, logit as scipy_logit

from solutions.activations import (logit, odds_to_probability, probability_to_odds, relu,
                                   sigmoid, sigmoid_derivative, sigmoid_naive,
                                   tanh_from_sigmoid)

EXTREMES = np.array([-np.inf, -1e308, -1000.0, -710.0, -40.0, 0.0, 40.0, 710.0, 1000.0,
                     1e308, np.inf])


def raise_on_float_errors():
    return np.errstate(over="raise", invalid="raise", divide="raise")


def test_odds_and_probability():
    assert odds_to_probability(3) == pytest.approx(0.75)        # 3 to 1 -> 75%
    assert probability_to_odds(0.75) == pytest.approx(3.0)
    p = np.random.default_rng(0).uniform(0.01, 0.99, size=(3, 4))
    np.testing.assert_allclose(odds_to_probability(probability_to_odds(p)), p, rtol=1e-12)


def test_logit_is_the_natural_log_of_the_odds():
    p = np.random.default_rng(1).uniform(0.01, 0.99, size=(5, 2))
    np.testing.assert_allclose(logit(p), scipy_logit(p), rtol=1e-10)
    assert logit(np.e / (1 + np.e)) == pytest.approx(1.0)       # odds e -> log-odds 1
    assert logit(0.5) == 0.0


def test_sigmoid_naive_overflows_for_large_z():
    np.testing.assert_allclose(sigmoid_naive(np.linspace(-30, 30, 13)),
                               expit(np.linspace(-30, 30, 13)), rtol=1e-12)
    with raise_on_float_errors(), pytest.raises(FloatingPointError):
        sigmoid_naive(1000.0)
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isnan(sigmoid_naive(1000.0))


def test_sigmoid_matches_expit_at_the_extremes_without_float_errors():
    with raise_on_float_errors():
        s = sigmoid(EXTREMES)
    np.testing.assert_allclose(s, expit(EXTREMES), rtol=1e-14, atol=1e-300)   # subnormals
    with raise_on_float_errors():
        assert sigmoid(1000.0) == 1.0 and sigmoid(1e308) == 1.0
        assert sigmoid(-1000.0) == 0.0 and sigmoid(-1e308) == 0.0


def test_sigmoid_matches_expit_on_random_inputs():
    z = np.random.default_rng(2).normal(scale=30, size=1000)
    with raise_on_float_errors():
        s = sigmoid(z)
    np.testing.assert_allclose(s, expit(z), rtol=1e-14, atol=0)
    assert np.all((s >= 0) & (s <= 1))


def test_sigmoid_at_zero_and_symmetry():
    assert sigmoid(0) == 0.5
    assert sigmoid(0.0) == 0.5
    z = np.random.default_rng(3).normal(scale=5, size=500)
    np.testing.assert_allclose(sigmoid(-z), 1 - sigmoid(z), rtol=0, atol=2e-16)


@pytest.mark.parametrize("z", [0.3, np.float64(-2.0), np.array(1.5),
                               np.linspace(-3, 3, 4),
                               np.random.default_rng(4).normal(size=(2, 3, 4))])
def test_sigmoid_keeps_the_shape(z):
    s = sigmoid(z)
    assert np.shape(s) == np.shape(z)
    np.testing.assert_allclose(s, expit(z), rtol=1e-14)


def test_sigmoid_derivative_is_the_slope_at_the_preactivation():
    z = np.random.default_rng(5).normal(scale=3, size=(4, 5))
    h = 1e-5
    np.testing.assert_allclose(sigmoid_derivative(z), (expit(z + h) - expit(z - h)) / (2 * h),
                               rtol=1e-8)
    assert sigmoid_derivative(0) == 0.25


def test_relu():
    np.testing.assert_array_equal(relu(np.array([-2.0, 0.0, 3.5])), [0.0, 0.0, 3.5])
    assert relu(np.array([-1, 2])).dtype == np.float64


def test_tanh_from_sigmoid():
    z = np.random.default_rng(6).normal(scale=4, size=(3, 7))
    np.testing.assert_allclose(tanh_from_sigmoid(z), np.tanh(z), rtol=1e-12, atol=1e-15)


def test_inputs_are_not_modified():
    z = np.random.default_rng(7).normal(size=6)
    copy = z.copy()
    for f in (sigmoid, sigmoid_naive, sigmoid_derivative, relu, tanh_from_sigmoid,
              odds_to_probability):
        f(z)
    np.testing.assert_array_equal(z, copy)

"""The reference solutions of workbook 03 (cross-entropy) against scipy and explicit loops."""
import math

import numpy as np
import pytest
from scipy.special import log_softmax, softmax

from solutions.cross_entropy import (binary_cross_entropy, correct_class_probs, cross_entropies,
                                     cross_entropy_from_logits, cross_entropy_loop,
                                     cross_entropy_single, mean_cross_entropy)

N, C = 7, 3


@pytest.fixture
def batch():
    rng = np.random.default_rng(0)
    P = softmax(rng.normal(size=(N, C)), axis=1)
    y = rng.integers(0, C, size=N)
    return P, y, np.eye(C)[y]


def test_cross_entropy_single():
    p = np.array([0.1, 0.7, 0.2])
    assert cross_entropy_single(p, 1) == pytest.approx(-math.log(0.7))
    assert type(cross_entropy_single(p, 0)) is float


def test_every_form_agrees_with_the_log_of_the_correct_probability(batch):
    P, y, Y = batch
    losses = [-math.log(P[i, y[i]]) for i in range(N)]
    np.testing.assert_allclose(correct_class_probs(P, Y), P[np.arange(N), y], rtol=1e-15)
    np.testing.assert_allclose(cross_entropies(P, Y), losses, rtol=1e-12)
    assert cross_entropies(P, Y).shape == (N,)
    assert cross_entropy_loop(P, y) == pytest.approx(np.mean(losses), rel=1e-12)
    assert mean_cross_entropy(P, Y) == pytest.approx(np.mean(losses), rel=1e-12)
    assert type(mean_cross_entropy(P, Y)) is float


def test_a_perfect_prediction_costs_nothing():
    Y = np.eye(C)
    assert mean_cross_entropy(Y.astype(float), Y) == 0.0


def test_labels_in_place_of_one_hot_targets_are_rejected(batch):
    P, y, Y = batch
    with pytest.raises(ValueError, match=r"\(7, 3\).*\(7,\)"):
        cross_entropies(P, y)


def test_binary_cross_entropy():
    rng = np.random.default_rng(1)
    y_hat = rng.uniform(0.01, 0.99, size=9)
    y = rng.integers(0, 2, size=9)
    expected = np.mean([-(t * math.log(p) + (1 - t) * math.log(1 - p)) for p, t in zip(y_hat, y)])
    assert binary_cross_entropy(y_hat, y) == pytest.approx(expected, rel=1e-12)
    assert binary_cross_entropy(0.8, 1) == pytest.approx(-math.log(0.8))
    assert binary_cross_entropy(0.8, 0) == pytest.approx(-math.log(0.2))


def test_cross_entropy_from_logits_equals_softmax_then_log_where_that_is_finite():
    rng = np.random.default_rng(2)
    Z = rng.normal(scale=5, size=(N, C))
    Y = np.eye(C)[rng.integers(0, C, size=N)]
    expected = np.mean(-np.log(np.sum(softmax(Z, axis=1) * Y, axis=1)))
    assert cross_entropy_from_logits(Z, Y) == pytest.approx(expected, rel=1e-12)


def test_cross_entropy_from_logits_is_finite_where_softmax_then_log_is_not():
    Z = np.array([[1000.0, 0.0]])
    Y = np.array([[0, 1]])
    with np.errstate(divide="ignore"):
        assert np.isinf(-np.log(np.sum(softmax(Z, axis=1) * Y)))    # the naive form fails
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert cross_entropy_from_logits(Z, Y) == pytest.approx(1000.0, rel=1e-15)


def test_cross_entropy_from_logits_matches_log_softmax_on_huge_logits():
    rng = np.random.default_rng(3)
    Z = rng.normal(scale=1e4, size=(N, C))
    Y = np.eye(C)[rng.integers(0, C, size=N)]
    expected = np.mean(-np.sum(log_softmax(Z, axis=1) * Y, axis=1))
    assert cross_entropy_from_logits(Z, Y) == pytest.approx(expected, rel=1e-12)


def test_inputs_are_not_modified(batch):
    P, y, Y = batch
    copies = P.copy(), y.copy(), Y.copy()
    cross_entropy_loop(P, y)
    mean_cross_entropy(P, Y)
    cross_entropy_from_logits(P, Y)
    for a, copy in zip((P, y, Y), copies):
        np.testing.assert_array_equal(a, copy)

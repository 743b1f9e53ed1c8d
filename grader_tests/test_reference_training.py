"""The reference solutions of workbook 05 (training), and the digits they learn."""
import time

import numpy as np
import pytest
from scipy.special import expit, log_softmax
from threadpoolctl import threadpool_limits

from solutions.training import (expected_initial_loss, init_params, l2_penalty, minibatches,
                                momentum_step, sgd_step, train)
from workbook_tools.data import load_digits_32


def random_dicts(seed, keys=("W1", "b1", "W2", "b2")):
    rng = np.random.default_rng(seed)
    return {k: rng.normal(size=(4, 3) if k.startswith("W") else 3) for k in keys}


def copy_of(d):
    return {k: v.copy() for k, v in d.items()}


def assert_same_dict(a, b):
    assert set(a) == set(b)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


@pytest.mark.parametrize("scheme, gain", [("xavier", 1.0), ("he", 2.0)])
def test_init_params_variance(scheme, gain):
    params = init_params([2000, 500, 3], np.random.default_rng(0), scheme)
    assert params["W1"].shape == (2000, 500) and params["W2"].shape == (500, 3)
    # The variance estimate of 1e6 normal draws has a relative standard error of 0.14%.
    assert np.var(params["W1"]) == pytest.approx(gain / 2000, rel=0.01)
    assert abs(np.mean(params["W1"])) < 5 * np.sqrt(gain / 2000 / 1e6)
    np.testing.assert_array_equal(params["b1"], np.zeros(500))
    np.testing.assert_array_equal(params["b2"], np.zeros(3))


def test_init_params_keys_and_reproducibility():
    a = init_params([13, 5, 4, 3], np.random.default_rng(1))
    b = init_params([13, 5, 4, 3], np.random.default_rng(1))
    assert list(a) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert_same_dict(a, b)


def test_init_params_rejects_an_unknown_scheme():
    with pytest.raises(ValueError, match="'glorot'.*'he'.*'xavier'"):
        init_params([4, 3], np.random.default_rng(0), scheme="glorot")


@pytest.mark.parametrize("n, batch_size, sizes", [(10, 3, [3, 3, 3, 1]), (12, 4, [4, 4, 4]),
                                                  (5, 8, [5])])
def test_minibatches_are_one_permutation(n, batch_size, sizes):
    batches = minibatches(n, batch_size, np.random.default_rng(0))
    assert [len(batch) for batch in batches] == sizes
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(n))
    assert all(np.issubdtype(batch.dtype, np.integer) for batch in batches)


def test_minibatches_shuffle_with_the_generator():
    first = np.concatenate(minibatches(100, 7, np.random.default_rng(0)))
    again = np.concatenate(minibatches(100, 7, np.random.default_rng(0)))
    other = np.concatenate(minibatches(100, 7, np.random.default_rng(1)))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert not np.array_equal(first, np.arange(100))


def test_sgd_step():
    params, grads = random_dicts(0), random_dicts(1)
    before = copy_of(params), copy_of(grads)
    new = sgd_step(params, grads, 0.1)
    assert_same_dict(new, {k: params[k] - 0.1 * grads[k] for k in params})
    assert_same_dict(params, before[0])
    assert_same_dict(grads, before[1])


def test_momentum_step_from_rest_is_an_sgd_step():
    params, grads = random_dicts(0), random_dicts(1)
    new, velocity = momentum_step(params, grads, {}, lr=0.1, beta=0.9)
    for k in params:
        np.testing.assert_allclose(new[k], sgd_step(params, grads, 0.1)[k], rtol=1e-15)
        np.testing.assert_allclose(velocity[k], -0.1 * grads[k], rtol=1e-15)


def test_momentum_step_accumulates_velocity():
    params, grads, velocity = random_dicts(0), random_dicts(1), random_dicts(2)
    before = copy_of(params), copy_of(grads), copy_of(velocity)
    new, new_velocity = momentum_step(params, grads, velocity, lr=0.05, beta=0.8)
    for k in params:
        v = 0.8 * velocity[k] - 0.05 * grads[k]
        np.testing.assert_allclose(new_velocity[k], v, rtol=1e-14)
        np.testing.assert_allclose(new[k], params[k] + v, rtol=1e-14)
    for original, copy in zip((params, grads, velocity), before):
        assert_same_dict(original, copy)


def test_l2_penalty_counts_weights_only():
    params = random_dicts(3, keys=("W1", "b1", "W2", "b2", "W3", "b3"))
    squares = sum(float(np.sum(params[k] * params[k])) for k in ("W1", "W2", "W3"))
    assert l2_penalty(params, 0.3) == pytest.approx(0.15 * squares, rel=1e-12)
    assert type(l2_penalty(params, 0.3)) is float
    assert l2_penalty(params, 0.0) == 0.0


def mean_cross_entropy_of(X, y, params):
    """Independent forward pass and loss, with scipy's expit and log_softmax."""
    A1 = expit(X @ params["W1"] + params["b1"])
    A2 = expit(A1 @ params["W2"] + params["b2"])
    log_P = log_softmax(A2 @ params["W3"] + params["b3"], axis=1)
    return -np.mean(log_P[np.arange(len(y)), y])


def test_train_history_callback_and_l2_term():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 8)), rng.integers(0, 3, size=60)
    X_val, y_val = rng.normal(size=(20, 8)), rng.integers(0, 3, size=20)
    calls = []
    params, history = train(X, y, [8, 6, 5, 3], epochs=4, batch_size=16, lr=0.1,
                            rng=np.random.default_rng(1), lam=0.01, X_val=X_val, y_val=y_val,
                            callback=lambda epoch, h: calls.append((epoch, len(h["loss"]))))
    assert calls == [(1, 1), (2, 2), (3, 3), (4, 4)]
    assert set(history) == {"loss", "accuracy", "val_accuracy"}
    assert all(len(values) == 4 for values in history.values())
    assert history["loss"][-1] == pytest.approx(
        mean_cross_entropy_of(X, y, params) + 0.005 * sum(np.sum(params[k] ** 2)
                                                         for k in ("W1", "W2", "W3")))
    assert all(0.0 <= a <= 1.0 for a in history["accuracy"] + history["val_accuracy"])


def test_train_l2_shrinks_the_weights():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 8)), rng.integers(0, 3, size=60)
    args = dict(epochs=20, batch_size=16, lr=0.1)
    plain, _ = train(X, y, [8, 6, 5, 3], rng=np.random.default_rng(1), **args)
    shrunk, _ = train(X, y, [8, 6, 5, 3], rng=np.random.default_rng(1), lam=0.1, **args)
    assert l2_penalty(shrunk, 1.0) < 0.8 * l2_penalty(plain, 1.0)


@pytest.mark.parametrize("num_classes", [1, 2, 10, 1000])
def test_expected_initial_loss_is_the_loss_of_uniform_outputs(num_classes):
    """Equal logits (all zero) give uniform probabilities; their cross-entropy, by scipy."""
    labels = np.arange(5) % num_classes
    log_P = log_softmax(np.zeros((5, num_classes)), axis=1)
    uniform_loss = -np.mean(log_P[np.arange(5), labels])
    assert type(expected_initial_loss(num_classes)) is float
    assert expected_initial_loss(num_classes) == pytest.approx(uniform_loss, rel=1e-12, abs=1e-15)


def test_train_rejects_other_depths():
    with pytest.raises(ValueError, match=r"\[D, H1, H2, C\]"):
        train(np.zeros((4, 3)), np.zeros(4, dtype=int), [3, 2], epochs=1, batch_size=2, lr=0.1,
              rng=np.random.default_rng(0))


def test_train_learns_the_digits():
    """About 3 s on one core. One BLAS thread, as in grading: on a busy 2-core machine two
    OpenBLAS threads that wait for each other make it ten times slower."""
    X_train, y_train, X_test, y_test = load_digits_32()
    start = time.perf_counter()
    with threadpool_limits(limits=1, user_api="blas"):
        params, history = train(X_train, y_train, [1024, 128, 64, 10], epochs=30,
                                batch_size=32, lr=0.1, rng=np.random.default_rng(0),
                                X_val=X_test, y_val=y_test)
    seconds = time.perf_counter() - start
    A1 = expit(X_test @ params["W1"] + params["b1"])
    A2 = expit(A1 @ params["W2"] + params["b2"])
    accuracy = np.mean(np.argmax(A2 @ params["W3"] + params["b3"], axis=1) == y_test)
    print(f"held-out accuracy {accuracy:.4f} after {seconds:.1f} s")
    assert accuracy >= 0.97
    assert history["val_accuracy"][-1] == pytest.approx(accuracy)
    assert history["loss"][-1] < 0.1 * history["loss"][0]

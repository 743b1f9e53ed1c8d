"""Workbook 03: the cross-entropy loss (natural log), from Python loops to one vectorised line.

P (N, C) are predicted probabilities, y (N,) integer labels and Y (N, C) their one-hot rows.
"""
import numpy as np


def cross_entropy_single(p, y):
    """Cross-entropy of one example, -ln p[y].

    Inputs:
    - p: (C,) predicted probabilities
    - y: int, the correct class

    Returns:
    - loss: float
    """
    return float(-np.log(p[y]))


def cross_entropy_loop(P, y):
    """Mean cross-entropy of a batch with an explicit Python loop (the slow baseline).

    Inputs:
    - P: (N, C) predicted probabilities
    - y: (N,) integer labels

    Returns:
    - loss: float
    """
    total = 0.0
    for i in range(len(y)):
        total += cross_entropy_single(P[i], y[i])
    return total / len(y)


def _check_one_hot_shape(P, Y):
    """Raise ValueError unless the one-hot targets Y have the shape of P."""
    if np.shape(P) != np.shape(Y):
        raise ValueError(f"expected one-hot targets Y of the shape of P {np.shape(P)}, "
                         f"got Y of shape {np.shape(Y)}")


def correct_class_probs(P, Y):
    """Probability that each example gives to its correct class.

    Inputs:
    - P: (N, C) predicted probabilities
    - Y: (N, C) one-hot targets

    Returns:
    - p_correct: (N,) with p_correct[i] = P[i, y[i]]
    """
    _check_one_hot_shape(P, Y)
    return np.sum(P * Y, axis=1)


def cross_entropies(P, Y):
    """Cross-entropy of every example, -ln P[i, y[i]].

    Inputs:
    - P: (N, C) predicted probabilities
    - Y: (N, C) one-hot targets

    Returns:
    - losses: (N,)
    """
    return -np.log(correct_class_probs(P, Y))


def mean_cross_entropy(P, Y):
    """Mean cross-entropy over the batch.

    Inputs:
    - P: (N, C) predicted probabilities
    - Y: (N, C) one-hot targets

    Returns:
    - loss: float
    """
    return float(np.mean(cross_entropies(P, Y)))


def binary_cross_entropy(y_hat, y):
    """Mean binary cross-entropy, -(y ln y_hat + (1 - y) ln(1 - y_hat)).

    Inputs:
    - y_hat: scalar or array of predicted probabilities in (0, 1)
    - y: targets in [0, 1], same shape as y_hat

    Returns:
    - loss: float
    """
    y_hat = np.asarray(y_hat, dtype=np.float64)
    return float(np.mean(-(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))))


def cross_entropy_from_logits(Z, Y):
    """Mean cross-entropy straight from the logits, via log-sum-exp.

    ln softmax(Z)[i, c] = Z[i, c] - m_i - ln sum_k exp(Z[i, k] - m_i) with m_i the row maximum,
    so no probability is rounded to 0 before its log is taken.

    Inputs:
    - Z: (N, C) logits
    - Y: (N, C) one-hot targets

    Returns:
    - loss: float
    """
    _check_one_hot_shape(Z, Y)
    Z = np.asarray(Z, dtype=np.float64)
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_P = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return float(np.mean(-np.sum(log_P * Y, axis=1)))

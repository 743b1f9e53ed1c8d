"""Workbook 01: odds, the logistic sigmoid and its numerically stable form.

Every function is elementwise: it takes a Python scalar or an array of any shape.
"""
import numpy as np


def odds_to_probability(odds):
    """Probability of an event from its odds, p = odds / (1 + odds).

    Inputs:
    - odds: scalar or array of odds in [0, inf)

    Returns:
    - p: probabilities in [0, 1), same shape as odds
    """
    odds = np.asarray(odds, dtype=np.float64)
    return odds / (1 + odds)


def probability_to_odds(p):
    """Odds of an event from its probability, odds = p / (1 - p).

    Inputs:
    - p: scalar or array of probabilities in [0, 1)

    Returns:
    - odds: same shape as p
    """
    p = np.asarray(p, dtype=np.float64)
    return p / (1 - p)


def logit(p):
    """Log-odds (natural log) of a probability, ln(p / (1 - p)); the inverse of the sigmoid.

    Inputs:
    - p: scalar or array of probabilities in (0, 1)

    Returns:
    - z: log-odds, same shape as p
    """
    return np.log(probability_to_odds(p))


def sigmoid_naive(z):
    """Textbook logistic sigmoid exp(z) / (1 + exp(z)); overflows for large z (inf / inf = nan).

    Inputs:
    - z: scalar or array of pre-activations

    Returns:
    - s: same shape as z
    """
    z = np.asarray(z, dtype=np.float64)
    return np.exp(z) / (1 + np.exp(z))


def sigmoid(z):
    """Logistic sigmoid 1 / (1 + exp(-z)), stable for every float64.

    With e = exp(-|z|), which lies in [0, 1] and never overflows:
    sigmoid(z) = 1 / (1 + e) for z >= 0 and e / (1 + e) for z < 0.

    Inputs:
    - z: scalar or array of pre-activations

    Returns:
    - s: values in [0, 1], same shape as z
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_derivative(z):
    """Derivative of the sigmoid at the pre-activation z: s (1 - s) with s = sigmoid(z).

    Inputs:
    - z: scalar or array of pre-activations (not activations)

    Returns:
    - ds: same shape as z
    """
    s = sigmoid(z)
    return s * (1 - s)


def relu(z):
    """Rectified linear unit max(0, z).

    Inputs:
    - z: scalar or array of pre-activations

    Returns:
    - a: same shape as z
    """
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(z, 0)


def tanh_from_sigmoid(z):
    """Hyperbolic tangent written with the sigmoid: tanh(z) = 2 sigmoid(2z) - 1.

    Inputs:
    - z: scalar or array of pre-activations

    Returns:
    - t: values in [-1, 1], same shape as z
    """
    z = np.asarray(z, dtype=np.float64)
    return 2 * sigmoid(2 * z) - 1

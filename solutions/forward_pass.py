"""Workbook 02: the forward pass of a network with two sigmoid hidden layers and a softmax.

X (N, D) -> Z1 = X @ W1 + b1, A1 = sigmoid(Z1) -> Z2 = A1 @ W2 + b2, A2 = sigmoid(Z2)
-> Z3 = A2 @ W3 + b3, P = softmax(Z3).
"""
import numpy as np

from .activations import sigmoid


def softmax(Z):
    """Row-wise softmax, stable: each row is shifted by its maximum before exp.

    Inputs:
    - Z: (N, C) logits, one example per row

    Returns:
    - P: (N, C) probabilities, each row sums to 1
    """
    Z = np.asarray(Z, dtype=np.float64)
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def one_hot(y, num_classes):
    """One-hot encoding of integer labels.

    Inputs:
    - y: (N,) integer labels in [0, C)
    - num_classes: number of classes C

    Returns:
    - Y: (N, C) ints, Y[i, y[i]] = 1 and every other entry 0
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"expected labels y of shape (N,), got shape {y.shape}")
    outside = (y < 0) | (y >= num_classes)
    if outside.any():
        raise ValueError(f"label {y[outside][0]} is outside the valid range [0, {num_classes})")
    Y = np.zeros((len(y), num_classes), dtype=int)
    Y[np.arange(len(y)), y] = 1
    return Y


def forward(X, params):
    """Forward pass through the D-H1-H2-C network.

    Inputs:
    - X: (N, D) inputs, one example per row
    - params: dict with W1 (D, H1), b1 (H1,), W2 (H1, H2), b2 (H2,), W3 (H2, C), b3 (C,)

    Returns:
    - cache: dict with Z1, A1 (N, H1), Z2, A2 (N, H2), Z3 (N, C) logits and
      P (N, C) class probabilities
    """
    X = np.asarray(X, dtype=np.float64)
    Z1 = X @ params["W1"] + params["b1"]
    A1 = sigmoid(Z1)
    Z2 = A1 @ params["W2"] + params["b2"]
    A2 = sigmoid(Z2)
    Z3 = A2 @ params["W3"] + params["b3"]
    P = softmax(Z3)
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2, "Z3": Z3, "P": P}


def predict(X, params):
    """Most probable class of each example.

    Inputs:
    - X: (N, D) inputs
    - params: as for forward

    Returns:
    - y_pred: (N,) int class indices
    """
    return np.argmax(forward(X, params)["P"], axis=1)

"""Workbook 00: the shapes of X, W, b and of the pre-activations of a layer.

Rows are examples: X has shape (N, D) and a layer computes Z = X @ W + b with W of shape
(n_in, n_out) and b of shape (n_out,). Column j of W holds the weights into unit j.
"""
import numpy as np


def layer_shapes(n, d, h1, h2, c):
    """Shape of every array in the forward pass of a D-H1-H2-C network on a batch of N.

    Inputs:
    - n: batch size N
    - d, h1, h2, c: sizes of the input, the two hidden layers and the output

    Returns:
    - shapes: dict of tuples, keys X W1 b1 Z1 A1 W2 b2 Z2 A2 W3 b3 Z3 P
    """
    return {
        "X": (n, d),
        "W1": (d, h1), "b1": (h1,), "Z1": (n, h1), "A1": (n, h1),
        "W2": (h1, h2), "b2": (h2,), "Z2": (n, h2), "A2": (n, h2),
        "W3": (h2, c), "b3": (c,), "Z3": (n, c), "P": (n, c),
    }


def _check_layer_inputs(X, W, b):
    """Raise ValueError unless X (..., D), W (D, H) and b (H,) fit together."""
    if W.ndim != 2 or X.shape[-1] != W.shape[0]:
        raise ValueError(f"expected W of shape (D, H) with D = {X.shape[-1]} "
                         f"for inputs of shape {X.shape}, got W of shape {W.shape}")
    if b.shape != (W.shape[1],):
        raise ValueError(f"expected b of shape ({W.shape[1]},) for W of shape {W.shape}, "
                         f"got b of shape {b.shape}")


def preactivation(x, W, b):
    """Pre-activations of a layer for one example.

    Inputs:
    - x: (D,) one example
    - W: (D, H) weights, column j feeds unit j
    - b: (H,) biases

    Returns:
    - z: (H,) pre-activations, z = x @ W + b
    """
    x, W, b = (np.asarray(a, dtype=np.float64) for a in (x, W, b))
    _check_layer_inputs(x, W, b)
    return x @ W + b


def preactivation_unit(x, W, b, j):
    """Pre-activation of unit j alone, z_j = sum_i x_i W_ij + b_j, as an explicit sum.

    Inputs:
    - x: (D,) one example
    - W: (D, H) weights
    - b: (H,) biases
    - j: index of the hidden unit, 0 <= j < H

    Returns:
    - z_j: float
    """
    z_j = float(b[j])
    for i in range(len(x)):
        z_j += x[i] * W[i, j]
    return float(z_j)


def preactivations(X, W, b):
    """Pre-activations of a layer for a batch, b broadcast over the rows.

    Inputs:
    - X: (N, D) inputs, one example per row
    - W: (D, H) weights
    - b: (H,) biases

    Returns:
    - Z: (N, H) pre-activations, Z = X @ W + b
    """
    X, W, b = (np.asarray(a, dtype=np.float64) for a in (X, W, b))
    _check_layer_inputs(X, W, b)
    return X @ W + b

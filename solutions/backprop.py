"""Workbook 04: the chain rule, from single gates to the whole network in matrix form.

Every backward pass multiplies the upstream gradient by the local derivative of one operation,
written right beside the forward computation it differentiates.
"""
import numpy as np

from .activations import sigmoid


def add_mul_backward(x, y, z):
    """Forward and backward pass of the circuit f = (x + y) * z.

    Inputs:
    - x, y, z: scalars

    Returns:
    - f: the output (x + y) * z
    - dfdx, dfdy, dfdz: its partial derivatives
    """
    q = x + y
    f = q * z
    dfdq = z          # mul gate: the local gradient of each input is the other input
    dfdz = q
    dfdx = dfdq * 1   # add gate: the gradient is passed on unchanged
    dfdy = dfdq * 1
    return f, dfdx, dfdy, dfdz


def sigmoid_neuron(w, x):
    """Forward and backward pass of a sigmoid neuron f = sigmoid(w[:-1] . x + w[-1]).

    Inputs:
    - w: (D + 1,) weights, the last one the bias
    - x: (D,) inputs

    Returns:
    - f: float, the output
    - dw: (D + 1,) df/dw
    - dx: (D,) df/dx
    """
    w = np.asarray(w, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    z = w[:-1] @ x + w[-1]
    f = float(sigmoid(z))
    dz = f * (1 - f)                # sigmoid gate: s (1 - s)
    dw = np.append(x, 1.0) * dz     # z is linear in w, with d z / d bias = 1
    dx = w[:-1] * dz
    return f, dw, dx


def max_gate_backward(x, y, upstream):
    """Backward pass of f = max(x, y): the gradient goes to the larger input only.

    Elementwise on scalars or arrays of one shape. At a tie x == y, where max has no
    derivative, x gets the gradient.

    Inputs:
    - x, y: the inputs of the gate
    - upstream: dL/df, the gradient arriving from above

    Returns:
    - dx, dy: dL/dx and dL/dy, each of the shape of x
    """
    x_wins = np.asarray(x) >= np.asarray(y)
    upstream = np.asarray(upstream, dtype=np.float64)
    dx = np.where(x_wins, upstream, 0.0)
    dy = np.where(x_wins, 0.0, upstream)
    return dx, dy


def tiny_forward(w, x):
    """Forward pass of the 2-2-1 network of the worked example: sigmoid everywhere, no biases.

    Names follow the example: a is a pre-activation, z an activation.
    w1: x1->h1, w2: x1->h2, w3: x2->h1, w4: x2->h2, w5: h1->out, w6: h2->out.

    Inputs:
    - w: (6,) weights w1..w6
    - x: (2,) inputs x1, x2

    Returns:
    - values: dict of floats a1 z1 a2 z2 a3 y_hat
    """
    w1, w2, w3, w4, w5, w6 = w
    x1, x2 = x
    a1 = x1 * w1 + x2 * w3
    z1 = sigmoid(a1)
    a2 = x1 * w2 + x2 * w4
    z2 = sigmoid(a2)
    a3 = z1 * w5 + z2 * w6
    y_hat = sigmoid(a3)
    return {"a1": float(a1), "z1": float(z1), "a2": float(a2), "z2": float(z2),
            "a3": float(a3), "y_hat": float(y_hat)}


def tiny_gradients(w, x, y):
    """Gradient of the binary cross-entropy (natural log) of the 2-2-1 network.

    Inputs:
    - w: (6,) weights w1..w6
    - x: (2,) inputs x1, x2
    - y: the target, 0 or 1

    Returns:
    - grads: (6,) dE/dw1 .. dE/dw6, all at the weights w
    """
    w1, w2, w3, w4, w5, w6 = w
    x1, x2 = x
    v = tiny_forward(w, x)
    dE_da3 = v["y_hat"] - y                     # sigmoid output with cross-entropy
    dE_dz1 = dE_da3 * w5
    dE_dz2 = dE_da3 * w6
    dE_da1 = dE_dz1 * v["z1"] * (1 - v["z1"])   # sigmoid' from the activation z1
    dE_da2 = dE_dz2 * v["z2"] * (1 - v["z2"])
    return np.array([dE_da1 * x1, dE_da2 * x1, dE_da1 * x2, dE_da2 * x2,
                     dE_da3 * v["z1"], dE_da3 * v["z2"]])


def tiny_update(w, grads, alpha):
    """One gradient-descent step, w - alpha * grads, every gradient taken at the old w.

    Inputs:
    - w: (6,) weights
    - grads: (6,) gradients from tiny_gradients(w, ...)
    - alpha: learning rate

    Returns:
    - w_new: (6,) updated weights
    """
    return np.asarray(w, dtype=np.float64) - alpha * np.asarray(grads, dtype=np.float64)


def numerical_gradient(f, x, h=1e-5):
    """Centred-difference gradient (f(x + h e_i) - f(x - h e_i)) / 2h of a scalar function.

    Each entry of x is changed in place while f is evaluated, then restored to its exact old
    value, so f may read x (or arrays that share its memory, such as a params dict).

    Inputs:
    - f: function of x returning a scalar
    - x: float array of any shape
    - h: step size

    Returns:
    - grad: new array of the shape of x
    """
    if not (isinstance(x, np.ndarray) and np.issubdtype(x.dtype, np.floating)):
        raise TypeError("expected x to be a numpy array of floats (it is changed in place), "
                        f"got {type(x).__name__} of dtype {np.asarray(x).dtype}")
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        try:
            x[i] = old + h
            f_plus = f(x)
            x[i] = old - h
            f_minus = f(x)
        finally:
            x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a, b):
    """Largest elementwise relative error, max over entries of |a - b| / max(1e-8, |a| + |b|).

    The 1e-8 floor keeps entries where both a and b are 0 from dividing by zero.

    Inputs:
    - a, b: arrays of one shape (or scalars)

    Returns:
    - error: float
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def backward(X, Y, params, cache):
    """Gradients of the mean cross-entropy over the batch, by backpropagation.

    Inputs:
    - X: (N, D) inputs
    - Y: (N, C) one-hot targets
    - params: dict with W1 (D, H1), b1, W2 (H1, H2), b2, W3 (H2, C), b3
    - cache: dict from forward(X, params) with A1 (N, H1), A2 (N, H2), P (N, C)

    Returns:
    - grads: dict with W1 b1 W2 b2 W3 b3, each of the shape of its parameter
    """
    X = np.asarray(X, dtype=np.float64)
    A1, A2, P = cache["A1"], cache["A2"], cache["P"]
    N = X.shape[0]

    dZ3 = (P - Y) / N                 # softmax with cross-entropy, averaged over N
    dW3 = A2.T @ dZ3
    db3 = dZ3.sum(axis=0)
    dA2 = dZ3 @ params["W3"].T

    dZ2 = dA2 * A2 * (1 - A2)         # sigmoid' = A (1 - A)
    dW2 = A1.T @ dZ2
    db2 = dZ2.sum(axis=0)
    dA1 = dZ2 @ params["W2"].T

    dZ1 = dA1 * A1 * (1 - A1)
    dW1 = X.T @ dZ1
    db1 = dZ1.sum(axis=0)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2, "W3": dW3, "b3": db3}

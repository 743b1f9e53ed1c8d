"""Visible checks for 05_training: initialisation, mini-batches, update steps, L2, training and
its sanity checks."""
import math

import numpy as np

from .asserts import Hint, call, expect, visible_check


@visible_check
def init_params(f):
    """Weights of variance 1/n_in ("xavier") or 2/n_in ("he"), shapes (n_in, n_out), zero biases."""
    __tracebackhide__ = True
    sizes = [1200, 400, 300]
    params = call(f, sizes, np.random.default_rng(0))
    expect(isinstance(params, dict), f"init_params should return a dict of arrays, not {type(params).__name__}")
    expect(sorted(params) == ["W1", "W2", "b1", "b2"],
           f"init_params([1200, 400, 300], rng) should give the keys W1 b1 W2 b2 (one W and one b "
           f"per layer, counted from 1), not {' '.join(map(str, params))}")
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        W, b = np.asarray(params[f"W{l}"]), np.asarray(params[f"b{l}"])
        expect(W.shape != (n_out, n_in),
               f"W{l} has shape {W.shape}: did you transpose? A layer computes A_prev @ W + b, "
               f"so W{l} is (n_in, n_out) = {(n_in, n_out)}")
        expect(W.shape == (n_in, n_out), f"W{l} should have shape {(n_in, n_out)}, not {W.shape}")
        expect(b.shape == (n_out,),
               f"b{l} should have shape ({n_out},), one bias per unit, not {b.shape}")
        expect(np.all(b == 0), f"b{l} is not zero: biases start at 0 (the random weights already "
                               "make the units different)")
        expect(np.issubdtype(W.dtype, np.floating), f"W{l} should hold floats, not {W.dtype}")
        _variance(W, l, n_in, n_out, "xavier")
    he = call(f, sizes, np.random.default_rng(1), "he")
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        _variance(np.asarray(he[f"W{l}"]), l, n_in, n_out, "he")
    again = call(f, sizes, np.random.default_rng(0))
    expect(np.array_equal(again["W1"], params["W1"]),
           "two calls with generators seeded alike gave different weights: draw the numbers from "
           "the rng you are given (rng.normal or rng.standard_normal), not from np.random")
    square = call(f, [30, 30, 30, 30], np.random.default_rng(2))
    expect(sorted(square) == ["W1", "W2", "W3", "b1", "b2", "b3"],
           "init_params([30, 30, 30, 30], rng) should give W1 b1 W2 b2 W3 b3: one layer for each "
           "pair of consecutive sizes")
    expect(not np.array_equal(square["W1"], square["W2"]) and not np.array_equal(square["W2"], square["W3"]),
           "two layers of the same shape got the very same weights: draw new numbers for every layer")


def _variance(W, l, n_in, n_out, scheme):
    """Compare the empirical variance of W with gain / n_in and name the mistake it resembles."""
    __tracebackhide__ = True
    gain = {"xavier": 1.0, "he": 2.0}[scheme]
    want = gain / n_in
    got = float(np.mean(W ** 2))
    mean = float(np.mean(W))
    close = lambda value: abs(got - value) < 0.05 * value
    where = f"with scheme={scheme!r}, the weights W{l} (n_in = {n_in}, n_out = {n_out}) have variance {got:.3g}"
    expect(not close(gain / n_in ** 2),
           f"{where} = {gain:g}/n_in²: you scaled by the variance {gain:g}/n_in where the standard "
           f"deviation belongs; rng.normal's scale is the standard deviation, np.sqrt({gain:g} / n_in)")
    expect(not close(gain / n_out), f"{where} = {gain:g}/n_out: divide by n_in, the number of inputs "
                                    "of each unit, not by n_out")
    expect(not close(1.0), f"{where}: standard normal numbers, not scaled; multiply them by "
                           f"np.sqrt({gain:g} / n_in)")
    expect(not close(1e-4), f"{where}: that is 0.01 * a standard normal, the old heuristic; "
                            f"this exercise asks for variance {gain:g}/n_in")
    expect(not close(2.0 / (n_in + n_out)), f"{where} = 2/(n_in + n_out), Glorot and Bengio's "
                                            f"choice; this exercise asks for {gain:g}/n_in")
    if scheme == "he":
        expect(not close(1.0 / n_in), f"{where} = 1/n_in: the scheme 'he' uses variance 2/n_in "
                                      "(did you ignore the scheme argument?)")
    else:
        expect(not close(2.0 / n_in), f"{where} = 2/n_in, He's variance: the default scheme "
                                      "'xavier' uses 1/n_in")
    expect(abs(mean) < 0.1 * np.sqrt(want),
           f"{where}, but their mean is {mean:.3g}: draw them centred on 0 (a normal distribution "
           "with mean 0), so that about half are positive")
    expect(close(want), f"{where}; it should be about {gain:g}/n_in = {want:.3g}")


@visible_check
def minibatches(f):
    """One shuffled permutation of range(n), cut into batches of batch_size (the last may be shorter)."""
    __tracebackhide__ = True
    batches = call(f, 10, 3, np.random.default_rng(0))
    expect(isinstance(batches, (list, tuple)),
           f"minibatches should return a list of index arrays, not {type(batches).__name__}")
    sizes = [len(batch) for batch in batches]
    expect(sizes != [3, 3, 3], "minibatches(10, 3, rng) gave 3 batches of 3: the last, partial "
                               "batch of 1 is missing; keep it, so that every example is used once per epoch")
    expect(sizes != [3, 3, 2, 2], "minibatches(10, 3, rng) gave batches of sizes [3, 3, 2, 2]: "
                                  "np.array_split evens out the sizes; every batch should hold "
                                  "batch_size indices except the last")
    expect(sizes == [3, 3, 3, 1], f"minibatches(10, 3, rng) should give batches of sizes "
                                  f"[3, 3, 3, 1], not {sizes}")
    everything = np.concatenate(batches)
    expect(np.issubdtype(everything.dtype, np.integer),
           f"the batches should hold integer indices, not {everything.dtype}")
    expect(np.array_equal(np.sort(everything), np.arange(10)),
           f"together the batches hold {sorted(everything.tolist())}: some indices appear twice "
           "(the batches overlap, or each was drawn on its own) and others never; shuffle the "
           "indices once (rng.permutation(n)) and cut that into consecutive slices")
    expect(len(call(f, 12, 4, np.random.default_rng(0))) == 3,
           "minibatches(12, 4, rng) should give exactly 3 batches (no empty batch at the end)")
    short = call(f, 5, 8, np.random.default_rng(0))
    expect(len(short) == 1 and len(short[0]) == 5,
           "minibatches(5, 8, rng) should give a single batch of all 5 indices")

    order = np.concatenate(call(f, 100, 7, np.random.default_rng(0)))
    expect(not np.array_equal(order, np.arange(100)),
           "the batches are not shuffled: they hold 0, 1, 2, ... in order. Shuffle with the rng, "
           "so that every epoch sees the examples in a new order")
    blocks = call(f, 100, 7, np.random.default_rng(0))
    expect(not all(np.array_equal(np.sort(b), np.arange(i * 7, i * 7 + len(b))) for i, b in enumerate(blocks)),
           "each batch holds neighbouring indices (0-6, 7-13, ...), shuffled only inside the batch: "
           "shuffle all n indices first, then cut them into batches")
    expect(not all(np.array_equal(np.sort(b), np.arange(b.min(), b.min() + len(b))) for b in blocks),
           "each batch holds neighbouring indices; only the order of the batches is shuffled: "
           "shuffle all n indices first, then cut them into batches")
    again = np.concatenate(call(f, 100, 7, np.random.default_rng(0)))
    expect(np.array_equal(order, again),
           "two calls with generators seeded alike gave different batches: shuffle with the rng "
           "you are given (rng.permutation), not with np.random")
    other = np.concatenate(call(f, 100, 7, np.random.default_rng(1)))
    expect(not np.array_equal(order, other),
           "generators with different seeds gave the same batches: shuffle with the rng you are given")


@visible_check
def epoch_arithmetic(f, n=1347, batch_size=32, epochs=30):
    """Exercise 2.3: iterations per epoch, the size of the last batch and the updates of 30 epochs."""
    __tracebackhide__ = True
    result = call(f)
    expect(result is not None, "epoch_arithmetic() returned None: did you forget `return`?")
    expect(isinstance(result, (tuple, list)) and len(result) == 3,
           f"epoch_arithmetic() should return three numbers, iterations_per_epoch, last_batch_size, "
           f"updates_in_30_epochs, not {result!r}")
    answers = dict(zip(["iterations_per_epoch", "last_batch_size", "updates_in_30_epochs"], result))
    for name, value in answers.items():
        expect(value is not None and value is not Ellipsis and np.ndim(value) == 0
               and np.issubdtype(np.asarray(value).dtype, np.number),
               f"{name} should be a number, not {type(value).__name__} {value!r}")
    iterations_per_epoch, last_batch_size, updates_in_30_epochs = map(float, answers.values())
    full, rest = divmod(n, batch_size)
    per_epoch = full + (rest > 0)
    got = iterations_per_epoch
    expect(not math.isclose(got, n / batch_size),
           f"iterations_per_epoch is {got:g} = {n} / {batch_size}: an iteration is one whole batch, so "
           "count batches, a whole number; the examples left over form one more, shorter batch")
    expect(got != full, f"iterations_per_epoch is {got:g}: that counts the full batches of {batch_size} "
                        f"only; the {rest} examples left over make one more, shorter batch")
    expect(got != n, f"iterations_per_epoch is {got:g}, the number of examples: an iteration is one "
                     f"batch of {batch_size}, not one example")
    expect(got == per_epoch, f"iterations_per_epoch is {got:g}: how many batches of {batch_size} does it "
                             f"take to use each of the {n} examples once?")
    last = last_batch_size
    expect(last != batch_size, f"last_batch_size is {last:g}: the last batch holds what is left after the "
                               f"full batches, so it is shorter than {batch_size}")
    expect(last != batch_size - rest, f"last_batch_size is {last:g}: that is how many examples the last "
                                      f"batch lacks; how many does it hold?")
    expect(last == rest, f"last_batch_size is {last:g}: what is left of {n} examples after the full "
                         f"batches of {batch_size}?")
    updates = updates_in_30_epochs
    expect(updates != epochs * full, f"updates_in_30_epochs is {updates:g}: that leaves out the last, "
                                     "partial batch of every epoch; it is a step too")
    expect(updates != epochs, f"updates_in_30_epochs is {updates:g}: there is one update per batch, "
                              "not one per epoch")
    expect(updates != epochs * n, f"updates_in_30_epochs is {updates:g}: that counts examples; there "
                                  "is one update per batch")
    expect(updates == epochs * per_epoch, f"updates_in_30_epochs is {updates:g}: one update per "
                                          f"iteration, {epochs} epochs of iterations_per_epoch each")


@visible_check
def expected_initial_loss(f):
    """ln C: the mean cross-entropy when every class gets probability 1 / C."""
    __tracebackhide__ = True
    got = call(f, 10)
    expect(got is not None, "expected_initial_loss returned None: did you forget `return`?")
    expect(np.ndim(got) == 0, f"expected_initial_loss should return one number, not {np.shape(got)}")
    got = float(got)
    expect(not np.isclose(got, 0.1), f"expected_initial_loss(10) is {got:.4g}, the probability 1/C "
                                     "of each class; the loss is minus the log of the probability "
                                     "of the right class")
    expect(not np.isclose(got, -np.log(10)), f"expected_initial_loss(10) is {got:.4g}: the sign is "
                                             "wrong; the loss is MINUS ln(1/C), a positive number")
    expect(not np.isclose(got, 1.0) and not np.isclose(got, -1.0),
           f"expected_initial_loss(10) is {got:.4g}: that is log base 10; the cross-entropy of "
           "this course uses the natural log, np.log")
    expect(not np.isclose(abs(got), np.log2(10)), f"expected_initial_loss(10) is {got:.4g}: that is log "
                                                  "base 2; use the natural log, np.log")
    expect(not np.isclose(got, 10 * np.log(10)), f"expected_initial_loss(10) is {got:.4g}: that sums "
                                                 "-ln(1/C) over all C classes; only the right class "
                                                 "counts, once")
    expect(np.isclose(got, np.log(10)), f"expected_initial_loss(10) should be -ln(1/10), not {got:.4g}")
    for c in [2, 3, 1000]:
        value = float(call(f, c))
        expect(np.isclose(value, np.log(c)),
               f"expected_initial_loss({c}) is {value:.4g}: it should be -ln(1/{c}); use num_classes, "
               "not a fixed 10")


@visible_check
def validation_split(f):
    """Two disjoint random parts of range(n), of sizes n_val and n - n_val, drawn with rng."""
    __tracebackhide__ = True
    result = call(f, 60, 20, np.random.default_rng(0))
    expect(isinstance(result, (tuple, list)) and len(result) == 2,
           "validation_split should return two index arrays, (val, fit)")
    val, fit = (np.asarray(part) for part in result)
    expect(len(np.unique(val)) == len(val),
           "some validation indices appear twice: draw them without replacement; shuffle the "
           "indices once and cut that order in two")
    expect(not (len(val) == 40 and len(fit) == 20),
           "validation_split(60, 20, rng) gave 40 validation and 20 training indices: the parts are "
           "swapped; return (val, fit), with the n_val validation indices first")
    expect(len(val) == 20 and len(fit) == 40,
           f"validation_split(60, 20, rng) should give 20 validation and 40 training indices, not "
           f"{len(val)} and {len(fit)}")
    expect(np.issubdtype(val.dtype, np.integer) and np.issubdtype(fit.dtype, np.integer),
           f"the parts should hold integer indices, not {val.dtype} and {fit.dtype}")
    expect(len(np.intersect1d(val, fit)) == 0,
           f"the indices {np.intersect1d(val, fit).tolist()} are in both parts: the network would be "
           "validated on examples it trained on. Shuffle the indices once (rng.permutation(n)) and "
           "cut that order in two")
    expect(np.array_equal(np.sort(np.concatenate([val, fit])), np.arange(60)),
           "together the parts should hold every index 0..59 exactly once")
    expect(not np.array_equal(np.sort(val), np.arange(20)) and not np.array_equal(np.sort(val), np.arange(40, 60)),
           "the validation part is the first (or last) n_val examples: if the data is sorted (by "
           "class, by when it was collected) that is not a fair sample. Shuffle with the rng first")
    again = np.asarray(call(f, 60, 20, np.random.default_rng(0))[0])
    expect(np.array_equal(again, val),
           "two calls with generators seeded alike gave different splits: shuffle with the rng you "
           "are given (rng.permutation), not with np.random")
    other = np.asarray(call(f, 60, 20, np.random.default_rng(1))[0])
    expect(not np.array_equal(np.sort(other), np.sort(val)),
           "generators with different seeds gave the same split: shuffle with the rng you are given")


PARAMS = {"W1": np.array([[1.0, -2.0], [0.5, 3.0]]), "b1": np.array([0.25, -1.0])}
GRADS = {"W1": np.array([[2.0, 4.0], [-6.0, 1.0]]), "b1": np.array([-3.0, 0.5])}
VELOCITY = {"W1": np.array([[1.0, 0.0], [-1.0, 2.0]]), "b1": np.array([0.5, 0.5])}


@visible_check
def sgd_step(f):
    """param - lr * grad for every key, in a new dict."""
    __tracebackhide__ = True
    lr = 0.1
    new = call(f, PARAMS, GRADS, lr)
    expect(new is not None, "sgd_step returned None: build the updated parameters in a new dict and return it")
    _check_dict(new, "sgd_step(params, grads, lr)")
    for k in PARAMS:
        p, g = PARAMS[k], GRADS[k]
        got = np.asarray(new[k])
        expect(got.shape == p.shape, f"sgd_step(...)[{k!r}] should have the shape {p.shape} of params[{k!r}]")
        expect(not np.allclose(got, p + lr * g), f"sgd_step(...)[{k!r}] is param + lr * grad: that "
                                                 "climbs uphill; gradient descent subtracts lr * grad")
        expect(not np.allclose(got, p - g), f"sgd_step(...)[{k!r}] is param - grad: multiply the "
                                            "gradient by the learning rate lr")
        expect(not np.allclose(got, -lr * g), f"sgd_step(...)[{k!r}] is -lr * grad: that is the step; "
                                              "add it to the parameter")
        expect(np.allclose(got, p - lr * g), f"sgd_step(...)[{k!r}] should be param - lr * grad")
    zero = call(f, PARAMS, GRADS, 0.0)
    expect(all(np.allclose(zero[k], PARAMS[k]) for k in PARAMS),
           "with lr = 0, sgd_step should return the parameters unchanged")


@visible_check
def momentum_step(f):
    """v = beta * v - lr * grad, then param = param + v; an empty velocity dict means zeros."""
    __tracebackhide__ = True
    lr, beta = 0.1, 0.9
    try:
        result = call(f, PARAMS, GRADS, {}, lr, beta)
    except KeyError as error:
        raise Hint(f"momentum_step(params, grads, {{}}, lr, beta) raised KeyError {error}: an empty "
                   "velocity dict means every velocity is zero (at the first step); use "
                   "velocity.get(key, 0.0)") from None
    expect(isinstance(result, tuple) and len(result) == 2,
           "momentum_step should return two dicts, (params, velocity): the next step needs the "
           "new velocity")
    new, v = result
    _check_dict(new, "the params returned by momentum_step")
    expect(not (isinstance(v, dict) and not v),
           "the velocity returned by momentum_step is empty: return the new velocities "
           "beta * v - lr * grad in a new dict, one per key of params; the next step needs them")
    _check_dict(v, "the velocity returned by momentum_step")
    for k in PARAMS:
        p, g = PARAMS[k], GRADS[k]
        expect(not np.allclose(new[k], p + lr * g),
               f"from rest (velocity {{}}), params[{k!r}] became param + lr * grad: the sign is "
               "wrong; the velocity is beta * v - lr * grad, so the step goes against the gradient")
        expect(not np.allclose(v[k], g), f"from rest, the new velocity[{k!r}] is the gradient "
                                         "itself: that is the other form of momentum (v = beta * v "
                                         "+ grad, param -= lr * v); this workbook uses v = beta * v "
                                         "- lr * grad, then param = param + v")
        expect(not np.allclose(new[k], p), f"from rest, params[{k!r}] did not move: add the new "
                                           "velocity to the parameter (param + v with the updated v)")
        expect(np.allclose(new[k], p - lr * g),
               f"from rest (velocity {{}}), momentum_step is an ordinary step: params[{k!r}] should "
               "be param - lr * grad")
        expect(np.allclose(v[k], -lr * g), f"from rest, the new velocity[{k!r}] should be -lr * grad")

    new, v = call(f, PARAMS, GRADS, VELOCITY, lr, beta)
    for k in PARAMS:
        p, g, v0 = PARAMS[k], GRADS[k], VELOCITY[k]
        want_v = beta * v0 - lr * g
        expect(not np.allclose(v[k], v0), f"the returned velocity[{k!r}] is the old one: return the "
                                          "updated velocity beta * v - lr * grad")
        expect(not np.allclose(new[k], p - lr * (beta * v0 + g)),
               f"params[{k!r}] is param - lr * (beta * v + grad): that is the other common form of "
               "momentum; this workbook uses v = beta * v - lr * grad, then param = param + v")
        expect(not np.allclose(new[k], p + v0 - lr * g) or np.allclose(want_v, v0 - lr * g),
               f"params[{k!r}] moved by the old velocity: update the velocity first, then add the "
               "new one to the parameter")
        expect(not np.allclose(v[k], v0 - lr * g), f"velocity[{k!r}] is v - lr * grad: multiply "
                                                   "the old velocity by beta")
        expect(not np.allclose(v[k], lr * v0 - beta * g), f"velocity[{k!r}] is lr * v - beta * grad: "
                                                          "lr and beta are swapped")
        expect(np.allclose(v[k], want_v), f"the new velocity[{k!r}] should be beta * v - lr * grad")
        expect(np.allclose(new[k], p + want_v), f"params[{k!r}] should be param + v, with the new "
                                                "velocity v")


@visible_check
def l2_penalty(f):
    """lam / 2 times the sum of the squares of all weights; biases are left out."""
    __tracebackhide__ = True
    params = {"W1": np.array([[1.0, 2.0], [3.0, -1.0]]), "b1": np.array([5.0, 5.0]),
              "W2": np.array([[2.0], [1.0]]), "b2": np.array([3.0])}
    lam = 0.1
    # squared weights: 1 + 4 + 9 + 1 + 4 + 1 = 20; squared biases: 25 + 25 + 9 = 59
    try:
        got = call(f, params, lam)
    except KeyError as error:
        raise Hint(f"l2_penalty raised KeyError {error} on a network of two layers: sum over the "
                   "keys of params that start with 'W', whatever their number") from None
    expect(got is not None, "l2_penalty returned None: did you forget `return`?")
    expect(np.ndim(got) == 0, f"l2_penalty should return one number, not {np.shape(got)}")
    got = float(got)
    expect(not np.isclose(got, 0.05 * 79), f"l2_penalty is {got:.4g}: you included the biases; "
                                           "penalise the weights only (keys starting with 'W')")
    expect(not np.isclose(got, 0.1 * 20), f"l2_penalty is {got:.4g} = lam * sum W²: the factor "
                                          "1/2 is missing (lam / 2 * sum W², whose gradient is lam * W)")
    expect(not np.isclose(got, 0.1 * 79), f"l2_penalty is {got:.4g}: the 1/2 is missing and the "
                                          "biases are included")
    expect(not np.isclose(got, 0.05 * 10), f"l2_penalty is {got:.4g} = lam/2 * sum |W|: that is "
                                           "L1; square the weights")
    expect(not np.isclose(got, 0.05 * (np.sqrt(15) + np.sqrt(5))) and not np.isclose(got, 0.05 * np.sqrt(20)),
           f"l2_penalty is {got:.4g}: you took the norm; sum the squares, without a square root")
    expect(np.isclose(got, 1.0), f"l2_penalty should be lam / 2 * (sum of squared weights) = "
                                 f"0.1 / 2 * 20 = 1.0 here, not {got:.4g}")
    expect(np.isclose(float(call(f, params, 0.0)), 0.0), "with lam = 0 the penalty should be 0")
    three = dict(params, W3=np.array([[1.0, 1.0]]), b3=np.array([7.0, 7.0]))
    expect(np.isclose(float(call(f, three, lam)), 0.05 * 22),
           "with a third layer (W3 = [[1, 1]]) the penalty should be 0.1 / 2 * 22 = 1.1: sum over "
           "every key that starts with 'W'")


def _blobs(seed, n, m, d, c):
    """n training and m held-out points in d dimensions around c well-separated centres."""
    rng = np.random.default_rng(seed)
    centres = 3.0 * rng.normal(size=(c, d))
    y, y_val = np.arange(n) % c, np.arange(m) % c
    return centres[y] + rng.normal(size=(n, d)), y, centres[y_val] + rng.normal(size=(m, d)), y_val


@visible_check
def train(f, predict):
    """Train on three separable blobs: the shapes of params and history, and that it learns."""
    __tracebackhide__ = True
    X, y, X_val, y_val = _blobs(0, 90, 30, 6, 3)
    sizes = [6, 8, 7, 3]
    epochs = 15
    # positional: X, y, layer_sizes, epochs, batch_size, lr, rng, beta, lam, scheme, X_val, y_val
    result = call(f, X, y, sizes, epochs, 10, 0.3, np.random.default_rng(1), 0.9, 0.0, "xavier",
                  X_val, y_val)
    expect(isinstance(result, tuple) and len(result) == 2, "train should return (params, history)")
    params, history = result
    expect(isinstance(params, dict) and sorted(params) == ["W1", "W2", "W3", "b1", "b2", "b3"],
           "train should return the trained parameters as a dict with keys W1 b1 W2 b2 W3 b3")
    expect(np.shape(params["W1"]) == (6, 8) and np.shape(params["W3"]) == (7, 3),
           "with layer_sizes [6, 8, 7, 3], W1 should be (6, 8) and W3 (7, 3)")
    expect(isinstance(history, dict) and {"loss", "accuracy", "val_accuracy"} <= set(history),
           "history should be a dict with lists 'loss', 'accuracy' and, when X_val is given, "
           "'val_accuracy'")
    for key in ["loss", "accuracy", "val_accuracy"]:
        n = len(history[key])
        expect(n != epochs * 9, f"history[{key!r}] has one entry per batch ({n}); record one per "
                                "epoch, after the epoch's last batch")
        expect(n == epochs, f"history[{key!r}] should have one entry per epoch ({epochs}), not {n}")
    loss, accuracy = np.asarray(history["loss"], float), np.asarray(history["accuracy"], float)
    expect(np.all(np.isfinite(loss)), f"the loss is not finite: {loss}")
    expect(loss[-1] < 0.5 * loss[0], f"the loss went from {loss[0]:.3g} to {loss[-1]:.3g} on an easy "
                                      "problem: are the parameters updated after each batch "
                                      "(params, velocity = momentum_step(...)), with the step "
                                      "against the gradient?")
    expect(np.all((accuracy >= 0) & (accuracy <= 1)), "accuracies should be fractions between 0 and 1")
    expect(accuracy[-1] >= 0.9, f"the training accuracy ends at {accuracy[-1]:.3g} on a problem "
                                "a network learns easily")
    again, _ = call(f, X, y, sizes, 2, 10, 0.3, np.random.default_rng(4))
    twice, _ = call(f, X, y, sizes, 2, 10, 0.3, np.random.default_rng(4))
    expect(np.array_equal(again["W1"], twice["W1"]),
           "two runs with generators seeded alike gave different weights: use the rng you are "
           "given for init_params and minibatches, not np.random or a new generator")


@visible_check
def train_history(f, predict):
    """What history records (loss with the L2 term, accuracies, the callback) and that lam acts."""
    __tracebackhide__ = True
    X, y, X_val, y_val = _blobs(0, 90, 30, 6, 3)
    sizes = [6, 8, 7, 3]
    # lr = 0: the parameters stay at their initial values, whatever the batches
    _, plain = call(f, X, y, sizes, 3, 12, 0.0, np.random.default_rng(3), 0.9, 0.0, "xavier",
                    X_val, y_val)
    params, decayed = call(f, X, y, sizes, 3, 12, 0.0, np.random.default_rng(3), 0.9, 0.5)
    expect(all(len(plain.get(key, [])) == 3 for key in ["loss", "accuracy", "val_accuracy"]),
           "after 3 epochs, history should hold 3 entries in each of 'loss', 'accuracy' and "
           "(with X_val) 'val_accuracy'")
    expect(np.allclose(plain["loss"], plain["loss"][0]) and np.allclose(plain["accuracy"], plain["accuracy"][0]),
           f"with lr = 0 the parameters never change, yet history['loss'] went "
           f"{np.round(plain['loss'], 3).tolist()}: "
           "after each epoch, compute the loss and the accuracy on the whole training set X, "
           "not on the last batch")
    got, right = float(plain["accuracy"][-1]), float(np.mean(predict(X, params) == y))
    expect(not np.isclose(got, 1 - 2 * (1 - right) / 3) or np.isclose(got, right),
           f"history['accuracy'][-1] is {got:.3g}, but the params classify {right:.3g} of the "
           "examples correctly: you compared one-hot rows entry by entry, averaging over N * C "
           "entries; compare the predicted classes with the integer labels y")
    expect(np.isclose(got, right),
           f"history['accuracy'][-1] is {got:.3g}, but the params classify {right:.3g} of the "
           "training examples correctly: measure the accuracy on the whole training set, as the "
           "mean of (predicted class == y)")
    val_right = float(np.mean(predict(X_val, params) == y_val))
    expect(np.isclose(plain["val_accuracy"][-1], val_right),
           f"history['val_accuracy'][-1] is {plain['val_accuracy'][-1]:.3g}, but the params "
           f"classify {val_right:.3g} of X_val correctly: measure it with predict(X_val, params) "
           "against y_val")
    squares = sum(float(np.sum(np.asarray(params[k]) ** 2)) for k in ["W1", "W2", "W3"])
    extra = decayed["loss"][-1] - plain["loss"][-1]
    expect(not np.isclose(extra, 0.0), "with lam = 0.5 the recorded loss is the same as with "
                                       "lam = 0: add l2_penalty(params, lam) to the cross-entropy")
    expect(np.isclose(extra, 0.25 * squares),
           f"with lam = 0.5 the recorded loss grew by {extra:.4g}; it should grow by "
           f"l2_penalty(params, 0.5) = {0.25 * squares:.4g}")

    seen = []
    call(f, X, y, sizes, 3, 30, 0.1, np.random.default_rng(5), 0.9, 0.0, "xavier", None, None,
         lambda epoch, history: seen.append((epoch, len(history["loss"]))))
    expect(seen == [(1, 1), (2, 2), (3, 3)],
           f"callback(epoch, history) should be called after every epoch, counted from 1, with "
           f"that epoch already in history; the calls were (epoch, len(history['loss'])) = {seen}")

    plain, _ = call(f, X, y, sizes, 3, 10, 0.3, np.random.default_rng(2), 0.9, 0.0)
    decayed, _ = call(f, X, y, sizes, 3, 10, 0.3, np.random.default_rng(2), 0.9, 0.3)
    size = lambda p: sum(float(np.sum(np.asarray(p[k]) ** 2)) for k in ["W1", "W2", "W3"])
    expect(size(decayed) < 0.95 * size(plain),
           "lam had no effect on the weights (or made them larger): add lam * W to the gradient "
           "of every weight (not the biases) before the step; that is the gradient of l2_penalty")


def _check_dict(d, what):
    __tracebackhide__ = True
    expect(isinstance(d, dict), f"{what} should be a dict, not {type(d).__name__}")
    missing = sorted(set(PARAMS) - set(d))
    expect(not missing, f"{what} is missing the keys {missing}: update every parameter, the "
                        "biases too")

"""Visible checks for 02_forward_pass: softmax, one-hot targets, the forward pass and predict."""
import numpy as np

from .answers import as_number, as_shape
from .asserts import Hint, call, expect, visible_check

KEYS = ("Z1", "A1", "Z2", "A2", "Z3", "P")
KEEPDIMS = ("Z.max(axis=1) and Z.sum(axis=1) have shape (N,); keep the summed axis with "
            "keepdims=True (shape (N, 1)) so that each row is shifted and divided by its own number")


@visible_check
def softmax(f):
    """Row-wise softmax on everyday logits (the extreme ones are softmax_stability)."""
    __tracebackhide__ = True
    Z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, np.log(2.0)]])
    P = _softmax_of(f, Z)
    expect(P.shape == (2, 3), f"softmax of a (2, 3) array should have shape (2, 3), not {P.shape}")
    E = np.exp(Z)
    expect(not np.allclose(P, E / E.sum(axis=0)),
           "each column of your output sums to 1, not each row: you summed over axis 0 (down "
           "the columns). Each row is one example, so take max and sum along axis=1")
    expect(not np.allclose(P, E / E.sum()),
           "your whole output sums to 1: you summed over every entry of Z. Each row is one "
           "example and must sum to 1 on its own: use axis=1, keepdims=True")
    expect(not np.allclose(P, 1 / (1 + np.exp(-Z))),
           "you applied the sigmoid to each entry; softmax exponentiates each entry and divides "
           "by the sum of its row, so that the row sums to 1")
    rows_sum_to_one = np.allclose(P.sum(axis=1), 1)
    expect(rows_sum_to_one or not np.allclose(P / P.sum(axis=1, keepdims=True),
                                              E / E.sum(axis=1, keepdims=True)),
           "your rows have the right proportions but do not sum to 1: divide each row by its sum")
    expect(np.allclose(P.sum(axis=1), 1), f"each row of softmax's output should sum to 1, not {P.sum(axis=1)}")
    expect(np.allclose(P[1], [0.25, 0.25, 0.5]),
           f"softmax([[0, 0, ln 2]]) should be [[0.25, 0.25, 0.5]] (e^0 = 1, e^(ln 2) = 2, "
           f"total 4), not {P[1:]}")
    square = np.array([[0.0, 3.0, 1.0], [2.0, 2.0, 2.0], [5.0, 0.0, 0.0]])
    S = _softmax_of(f, square)
    expect(np.allclose(S[1], 1 / 3) and np.allclose(S.sum(axis=1), 1),
           f"softmax is wrong on a square (3, 3) input, where a row maximum or row sum of shape "
           f"(3,) broadcasts along the wrong axis without an error. {KEEPDIMS}")


@visible_check
def softmax_stability(f):
    """No overflow for logits of 1e4, each row shifted by its own maximum."""
    __tracebackhide__ = True
    big = np.array([[1e4, 1e4 - 2.0, 1e4 - 1.0], [1e4 - 1.0, 1e4, 1e4]])
    P = _stable(f, big, "exp overflowed: subtract each row's max first. np.exp(1e4) is inf "
                        "(exp overflows above 709.78) and inf / inf is nan; softmax(z - max(z)) "
                        "equals softmax(z) and only ever exponentiates numbers <= 0")
    expect(np.allclose(P.sum(axis=1), 1),
           f"the rows of softmax({big.tolist()}) should each sum to 1, not {P.sum(axis=1)}: each "
           "row is one example, so subtract the max and divide by the sum along axis=1")
    scales = np.array([[1e4, 0.0], [0.0, 1.0]])
    P = _stable(f, scales, "the second row of [[1e4, 0], [0, 1]] became 0 / 0: you subtracted the "
                           "largest entry of the whole matrix (1e4), so every exp of the second row "
                           "underflowed to 0. Subtract each row's own max: Z.max(axis=1, keepdims=True)")
    want = np.array([[1.0, 0.0], [1 / (1 + np.e), np.e / (1 + np.e)]])
    expect(np.allclose(P, want, rtol=1e-12, atol=1e-300),
           f"softmax([[1e4, 0], [0, 1]]) should be [[1, 0], [0.269, 0.731]], not {P.tolist()}")
    Z = np.array([[0.5, -1.0, 2.0, 0.0], [3.0, 1.0, -2.0, 0.5], [0.0, 0.0, 1.0, -1.0]])
    shift = np.array([[-800.0], [0.0], [1000.0]])
    expect(np.allclose(_stable(f, Z + shift, "exp overflowed: subtract each row's max first"),
                       _softmax_of(f, Z), rtol=1e-10),
           "adding the same constant to every entry of a row should not change that row's "
           "softmax: e^(z + c) / sum e^(z + c) = e^z / sum e^z")


@visible_check
def one_hot(f):
    """Labels (N,) become rows of the identity, with num_classes columns."""
    __tracebackhide__ = True
    y = np.array([2, 0, 3])
    try:
        Y = call(f, y, 5)
    except IndexError as error:
        raise Hint(f"one_hot([2, 0, 3], 5) raised IndexError ({error}). Labels are used as "
                   "indices, so they must stay integers: did you convert y with dtype=float? "
                   "Use np.asarray(y) or y.astype(int)") from None
    expect(Y is not None, "one_hot returned None: did you forget `return`?")
    Y = np.asarray(Y)
    expect(Y.shape != (5, 3), "one_hot([2, 0, 3], 5) has shape (5, 3): you transposed it. "
                              "Each example is a row: the shape is (N, num_classes) = (3, 5)")
    expect(Y.shape != (3, 4), "one_hot([2, 0, 3], 5) has shape (3, 4): you used the largest label + 1 "
                              "as the number of classes. Use num_classes: a class that does not "
                              "appear in y still has its column")
    expect(Y.shape == (3, 5), f"one_hot([2, 0, 3], 5) should have shape (3, 5), not {Y.shape}")
    expect(Y.dtype.kind in "iuf", f"one_hot should return numbers 0 and 1 (ints), not {Y.dtype}")
    want = np.array([[0, 0, 1, 0, 0], [1, 0, 0, 0, 0], [0, 0, 0, 1, 0]])
    expect(np.array_equal(Y, want),
           f"one_hot([2, 0, 3], 5) should be\n{want}\nwith the 1 of row i in column y[i], not\n{Y}")
    try:
        last = call(f, np.array([4]), 5)
    except ValueError as error:
        raise Hint(f"one_hot([4], 5) raised ValueError ({error}), but 4 is a valid label: "
                   "the labels of 5 classes are 0 to 4, so only y < 0 or y >= num_classes "
                   "is outside the range") from None
    expect(np.array_equal(last, [[0, 0, 0, 0, 1]]),
           "one_hot([4], 5) should be [[0, 0, 0, 0, 1]]: the largest valid label is num_classes - 1")


@visible_check
def one_hot_validation(f):
    """A label outside [0, num_classes) raises a ValueError that names it."""
    __tracebackhide__ = True
    for bad, why in [(7, "7 is not a class when there are 5 classes (0 to 4)"),
                     (5, "the labels of 5 classes are 0 to 4, so 5 is outside [0, 5): "
                         "check y >= num_classes, not y > num_classes"),
                     (-1, "numpy's negative indexing would silently put the 1 in the last column, "
                          "so check y < 0 too")]:
        y = np.array([0, bad, 1])
        try:
            call(f, y, 5)
        except ValueError as error:
            message = str(error)
        except Hint:
            raise
        except IndexError as error:
            raise Hint(f"one_hot([0, {bad}, 1], 5) raised IndexError ({error}), not ValueError: "
                       f"{why}. Check the labels yourself before using them and "
                       "`raise ValueError(...)` with a message that names the bad label") from None
        except Exception as error:
            raise Hint(f"one_hot([0, {bad}, 1], 5) raised {type(error).__name__} ({error}), not "
                       "ValueError: use `raise ValueError(...)` for a label outside "
                       "[0, num_classes)") from None
        else:
            raise Hint(f"one_hot([0, {bad}, 1], 5) returned without an error: {why}. "
                       "Raise a ValueError for any label outside [0, num_classes)")
        rest = message.replace(str(bad), "", 1)
        expect(str(bad) in message and ("5" in rest or "4" in rest),
               f"one_hot([0, {bad}, 1], 5) raised ValueError({message!r}); make the message help "
               f"the reader: name the bad label ({bad}) and the valid range [0, 5)")


@visible_check
def forward(f):
    """The cache of a small D-H1-H2-C network, checked layer by layer."""
    __tracebackhide__ = True
    rng = np.random.default_rng(2)
    N, D, H1, H2, C = 2, 3, 5, 4, 6
    X = rng.normal(size=(N, D))
    params = {"W1": rng.normal(size=(D, H1)), "b1": rng.normal(size=H1),
              "W2": rng.normal(size=(H1, H2)), "b2": rng.normal(size=H2),
              "W3": rng.normal(size=(H2, C)), "b3": rng.normal(size=C)}
    try:
        cache = call(f, X, params)
    except ValueError as error:
        raise Hint(f"forward(X of shape {X.shape}, W1 {(D, H1)}, W2 {(H1, H2)}, W3 {(H2, C)}) "
                   f"failed: {error}. Rows are examples, so each layer is A_prev @ W + b with "
                   "A_prev of shape (N, n_in) and W of shape (n_in, n_out): W @ A_prev and W.T "
                   "belong to the other (column) convention") from None
    expect(cache is not None, "forward returned None: did you forget `return`?")
    expect(isinstance(cache, dict), f"forward should return a dict (the cache), not {type(cache).__name__}")
    missing = [key for key in KEYS if key not in cache]
    expect(not missing, f"the cache is missing the keys {missing}: it needs Z1 A1 Z2 A2 Z3 P")
    shapes = {"Z1": (N, H1), "A1": (N, H1), "Z2": (N, H2), "A2": (N, H2), "Z3": (N, C), "P": (N, C)}
    for key, shape in shapes.items():
        got = np.shape(cache[key])
        expect(got != shape[::-1], f"cache[{key!r}] has shape {got}: transposed. With X of shape "
                                   f"(N, D) = {X.shape}, {key} has one row per example: {shape}")
        expect(got == shape, f"cache[{key!r}] should have shape {shape} for N, D, H1, H2, C = "
                             f"{N, D, H1, H2, C}, not {got}")
    Z1, A1, Z2, A2, Z3, P = (np.asarray(cache[key], dtype=float) for key in KEYS)
    _layer(Z1, "Z1", X, "X", params, "1")
    _hidden_activation(A1, "A1", Z1, "Z1")
    expect(not np.allclose(Z2, Z1 @ params["W2"] + params["b2"]),
           "Z2 was computed from the pre-activations Z1; the next layer takes the activations: "
           "Z2 = A1 @ W2 + b2")
    _layer(Z2, "Z2", A1, "A1", params, "2")
    _hidden_activation(A2, "A2", Z2, "Z2")
    expect(not np.allclose(Z3, Z2 @ params["W3"] + params["b3"]),
           "Z3 was computed from the pre-activations Z2; the next layer takes the activations: "
           "Z3 = A2 @ W3 + b3")
    _layer(Z3, "Z3", A2, "A2", params, "3")
    expect(not np.allclose(P, 0.5 * (1 + np.tanh(Z3 / 2))),
           "P is sigmoid(Z3): the output layer uses softmax, so that each row of P is a "
           "probability distribution over the classes")
    expect(not np.allclose(P, Z3), "P equals Z3 (the logits): apply softmax, P = softmax(Z3)")
    E = np.exp(Z3)
    expect(np.allclose(P, E / E.sum(axis=1, keepdims=True)),
           "P should be softmax(Z3), each row summing to 1 (if your softmax passed its own check, "
           "did you give it Z3?)")


def _layer(Z, name, A_prev, prev, params, layer):
    """One layer's pre-activations Z = A_prev @ W + b, with a hint for a forgotten bias."""
    __tracebackhide__ = True
    W, b = params["W" + layer], params["b" + layer]
    expect(not np.allclose(Z, A_prev @ W), f"{name} is {prev} @ W{layer} without the bias: add b{layer}")
    expect(np.allclose(Z, A_prev @ W + b), f"{name} should be {prev} @ W{layer} + b{layer}")


def _hidden_activation(A, name, Z, z_name):
    """A hidden layer's activations: the sigmoid of its pre-activations, entry by entry."""
    __tracebackhide__ = True
    E = np.exp(Z)
    expect(not np.allclose(A, E / E.sum(axis=1, keepdims=True)),
           f"{name} is the softmax of {z_name}: hidden layers use the sigmoid; softmax is only "
           "for the output layer")
    expect(not np.allclose(A, Z), f"{name} equals {z_name}: apply the sigmoid, {name} = sigmoid({z_name})")
    expect(np.allclose(A, 0.5 * (1 + np.tanh(Z / 2))), f"{name} should be sigmoid({z_name})")


@visible_check
def predict(f):
    """The index of the most probable class of each example."""
    __tracebackhide__ = True
    # A network that passes its input straight through: an input with a 1 at
    # position k drives hidden unit k of each layer near 1 and the others near 0,
    # so class k gets by far the largest logit.
    eye = np.eye(4)
    params = {"W1": 10 * eye, "b1": np.full(4, -5.0), "W2": 10 * eye, "b2": np.full(4, -5.0),
              "W3": 10 * eye, "b3": np.zeros(4)}
    y = np.array([2, 0, 3, 1, 2])
    got = call(f, eye[y], params)
    expect(got is not None, "predict returned None: did you forget `return`?")
    got = np.asarray(got)
    expect(got.shape != (5, 4), "predict returned shape (5, 4), the probabilities P: predict "
                                "returns one class index per example, the position of the "
                                "largest probability in each row (np.argmax along axis=1)")
    expect(got.shape != (4,), "predict returned shape (4,), one number per class: you took argmax "
                              "over axis 0 (down the columns); each row is an example, so use axis=1")
    expect(got.shape == (5,), f"predict on 5 examples should return shape (5,), not {got.shape}")
    expect(not (np.all((got > 0) & (got < 1))),
           f"predict returned {got}: those are the largest probabilities, not their positions. "
           "Use np.argmax, which returns the index of the largest entry")
    expect(np.issubdtype(got.dtype, np.integer),
           f"predict should return integer class indices, not {got.dtype}")
    expect(np.array_equal(got, y), f"predict should return the classes {y} here, not {got}")


def _softmax_of(f, Z):
    """f(Z) as a float array, with a hint when a row max or sum was not kept as a column."""
    __tracebackhide__ = True
    try:
        P = call(f, Z, name="softmax")
    except ValueError as error:
        if "broadcast" in str(error):
            raise Hint(f"softmax of a {Z.shape} array failed: {error}. {KEEPDIMS}") from None
        raise
    expect(P is not None, "softmax returned None: did you forget `return`?")
    return np.asarray(P, dtype=float)


def _stable(f, Z, overflow_hint):
    """f(Z) with numpy's floating-point errors raised; any failure or nan becomes the hint."""
    __tracebackhide__ = True
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            P = _softmax_of(f, Z)
    except (FloatingPointError, OverflowError) as error:
        raise Hint(f"softmax({Z.tolist()}) failed with {type(error).__name__} ({error}): "
                   f"{overflow_hint}") from None
    expect(not np.isnan(P).any(), f"softmax({Z.tolist()}) contains nan: {overflow_hint}")
    return P


@visible_check
def targets(shape_of_y, shape_of_one_hot, sum_of_one_hot):
    """Question 4.1: the shapes of one example's label and of its one-hot encoding, and the sum of
    the encoding's entries. Recognises the likely wrong answers; the right ones are judged when
    you hand in."""
    __tracebackhide__ = True
    label, encoding = as_shape(shape_of_y, "shape_of_y"), as_shape(shape_of_one_hot, "shape_of_one_hot")
    total = as_number(sum_of_one_hot, "sum_of_one_hot")
    expect(label not in [(1,), (1, 1)], f"shape_of_y = {label}: one label is a single integer, like "
                                        "np.array([3, 7, 0])[0]; an array of one element is something else")
    expect(label != (10,), f"shape_of_y = {label}: that is the shape of the one-hot encoding; the label itself "
                           "is the class number")
    expect(encoding not in [(1, 10), (10, 1)],
           f"shape_of_one_hot = {encoding}: the encoding of one example is a plain vector, one entry per "
           "class; a batch stacks those vectors as the rows of Y")
    expect(len(encoding) != 2, f"shape_of_one_hot = {encoding}: that is a batch's Y; the question asks "
                               "about one example")
    expect(total != 10, "sum_of_one_hot: a one-hot vector has ten entries, but not ten ones")
    expect(total >= 0, "sum_of_one_hot: the entries are 0s and 1s; their sum cannot be negative")

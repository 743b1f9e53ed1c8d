"""Visible checks for 00_shapes: the shapes of X, W and b, and the pre-activations of a layer.

The checks run on a small layer worked out by hand, with distinct sizes N = 4 examples,
D = 2 inputs and H = 3 units, so that a transposed product or a misplaced bias shows up.
"""
import numpy as np

from .answers import as_choice, as_shape
from .asserts import Hint, call, expect, expect_no_loop, visible_check

# The hand-made layer: X is (N, D) = (4, 2), W is (D, H) = (2, 3), b is (H,) = (3,).
X = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5], [-2.0, 1.0]])
W = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.5]])
B = np.array([0.5, -1.0, 2.0])
# Worked out by hand, entry by entry: the weighted sums of the inputs (no bias yet) ...
XW = np.array([[5.0, 2.0, 0.0], [-2.0, -1.0, -0.5], [4.0, 0.5, -2.75], [0.0, 1.0, 2.5]])
# ... and the pre-activations, with the bias of each unit added to its column.
Z = np.array([[5.5, 1.0, 2.0], [-1.5, -2.0, 1.5], [4.5, -0.5, -0.75], [0.5, 0.0, 4.5]])

# A square layer (D = H = 2), where W @ x runs without an error but gives other numbers.
X_SQUARE = np.array([1.0, -1.0])
W_SQUARE = np.array([[1.0, 2.0], [3.0, 4.0]])
B_SQUARE = np.array([0.5, 0.25])
Z_SQUARE = np.array([-1.5, -1.75])              # x @ W + b
Z_SQUARE_WX = np.array([-0.5, -0.75])           # W @ x + b: row j of W instead of column j

# What each array of the network holds, for the hints of layer_shapes.
MEANING = {
    "X": "one row per example, one column per input",
    "W1": "one row per input, one column per unit of the first hidden layer",
    "b1": "one bias per unit of the first hidden layer",
    "Z1": "one row per example, one column per unit of the first hidden layer",
    "A1": "the sigmoid of Z1, entry by entry",
    "W2": "one row per unit of the first hidden layer (its inputs), one column per unit of the second",
    "b2": "one bias per unit of the second hidden layer",
    "Z2": "one row per example, one column per unit of the second hidden layer",
    "A2": "the sigmoid of Z2, entry by entry",
    "W3": "one row per unit of the second hidden layer, one column per class",
    "b3": "one bias per class",
    "Z3": "one row per example, one column per class",
    "P": "one row per example holding one probability per class",
}
SIZES = dict(n=7, d=11, h1=5, h2=4, c=3)         # distinct, so every swap shows
# The shapes for those sizes, written out by hand.
EXPECTED = {"X": (7, 11), "W1": (11, 5), "b1": (5,), "Z1": (7, 5), "A1": (7, 5),
            "W2": (5, 4), "b2": (4,), "Z2": (7, 4), "A2": (7, 4),
            "W3": (4, 3), "b3": (3,), "Z3": (7, 3), "P": (7, 3)}


@visible_check
def layer_shapes(f):
    """Every shape of the forward pass, for distinct sizes and for the running example."""
    __tracebackhide__ = True
    n, d, h1, h2, c = SIZES.values()
    shapes = call(f, n, d, h1, h2, c)
    where = f"layer_shapes({n}, {d}, {h1}, {h2}, {c})"
    expect(shapes is not None, "layer_shapes returned None: did you forget `return`?")
    expect(isinstance(shapes, dict), f"layer_shapes should return a dict, not {type(shapes).__name__}")
    missing = [key for key in MEANING if key not in shapes]
    expect(not missing, f"{where} is missing the keys {missing}; keys are case-sensitive")
    for key, meaning in MEANING.items():
        got = shapes[key]
        expect(not isinstance(got, (int, np.integer)),
               f"{where}[{key!r}] is the number {got}, not a tuple: a tuple of one element "
               "needs a comma, (h1,) and not (h1)")
        expect(isinstance(got, tuple),
               f"{where}[{key!r}] is a {type(got).__name__}; write shapes as tuples, like numpy's .shape")
    expect(shapes["X"] != (d, n),
           f"{where}['X'] is {shapes['X']}, the column convention (examples as columns): "
           "here each row is one example, so X is (N, D)")
    transposed = {"W1": (h1, d), "W2": (h2, h1), "W3": (c, h2)}
    for key, wrong in transposed.items():
        expect(shapes[key] != wrong,
               f"{where}[{key!r}] is {wrong}: that is the column convention Z = W X. Here "
               f"Z = X @ W, so W has one row per input and one column per unit (n_in, n_out)")
    vector_for = {"b1": h1, "b2": h2, "b3": c}
    for key, h in vector_for.items():
        got = shapes[key]
        expect(got not in [(1, h), (h, 1)],
               f"{where}[{key!r}] is {got}: a bias is a plain vector with one number per unit, "
               f"shape ({h},) here, which numpy adds to every row of an (N, {h}) matrix by "
               "broadcasting. No (1, H) row or (H, 1) column: the (H, 1) column bias belongs to "
               "the column convention")
    for key, h in [("Z1", h1), ("A1", h1), ("Z2", h2), ("A2", h2), ("Z3", c), ("P", c)]:
        expect(shapes[key] != (h, n),
               f"{where}[{key!r}] is {(h, n)}, the transpose: rows are examples, so {key} is (N, units)")
    expect(shapes["A1"] == shapes["Z1"] and shapes["A2"] == shapes["Z2"],
           f"{where}: A1 is {shapes['A1']} but Z1 is {shapes['Z1']} (or A2 and Z2 differ): "
           "the sigmoid acts on each entry on its own, so A has the shape of Z")
    expect(shapes["P"] not in [(n,), (c,)],
           f"{where}['P'] is {shapes['P']}: P holds a probability for every class of every example, "
           "so it has the shape of Z3")
    sizes = ", ".join(f"{name.upper()} = {value}" for name, value in SIZES.items())
    for key in MEANING:
        fixed = [size for size in shapes[key] if size not in SIZES.values()]
        if fixed:
            raise Hint(f"{where}[{key!r}] is {shapes[key]}, with a fixed number: {fixed[0]} is none of "
                       f"the sizes passed in ({sizes}). Build every shape from the arguments n, d, h1, "
                       "h2, c, not from fixed numbers such as the running example's: hard-coded sizes "
                       "fit one network only")
    for key, meaning in MEANING.items():
        got = shapes[key]
        expect(got == EXPECTED[key],
               f"{where}[{key!r}] is {got}, which does not fit what {key} holds: {meaning} "
               f"(the sizes are {sizes})")
    running = call(f, 32, 1024, 128, 64, 10)
    expect(running["X"] == (32, 1024) and running["W1"] == (1024, 128) and running["b2"] == (64,)
           and running["P"] == (32, 10),
           "layer_shapes(32, 1024, 128, 64, 10) should give X (32, 1024), W1 (1024, 128), b2 (64,) "
           "and P (32, 10): use the arguments n, d, h1, h2, c, not fixed numbers")


@visible_check
def preactivation(f):
    """z = x @ W + b for one example x of shape (D,)."""
    __tracebackhide__ = True
    for n in range(len(X)):
        z = _layer(f, "preactivation", X[n], W, B)
        _one_example_shape(z, "preactivation")
        expect(not np.allclose(z, XW[n]),
               f"preactivation(x, W, b) for x = {X[n]} gives {z}: that is x @ W without the bias; add b")
        expect(np.allclose(z, Z[n]),
               f"preactivation(x, W, b) for x = {X[n]} should be {Z[n]}, not {z}: "
               "z_j = sum_i x_i W_ij + b_j")
    z = _layer(f, "preactivation", X_SQUARE, W_SQUARE, B_SQUARE)
    expect(not np.allclose(z, Z_SQUARE_WX),
           "preactivation computed W @ x + b: with a square W that runs, but it combines x with the "
           "rows of W. W has one row per input, so the product is x @ W")
    expect(np.allclose(z, Z_SQUARE), f"preactivation([1, -1], [[1, 2], [3, 4]], [0.5, 0.25]) "
                                     f"should be {Z_SQUARE}, not {z}")


@visible_check
def preactivation_unit(f):
    """The single pre-activation z_j = sum_i x_i W_ij + b_j, column j of W."""
    __tracebackhide__ = True
    for j in range(2):
        got = _unit(f, X_SQUARE, W_SQUARE, B_SQUARE, j)
        expect(not np.isclose(got, Z_SQUARE_WX[j]),
               f"preactivation_unit(x, W, b, j={j}) used row j of W (W[j, :]): that row holds the "
               "weights going out of input j. The weights into unit j are column j, W[:, j], so "
               "z_j = sum_i x[i] * W[i, j] + b[j]")
    x = X[0]
    for j in range(W.shape[1]):
        got = _unit(f, x, W, B, j)
        expect(not np.isclose(got, XW[0, j]),
               f"preactivation_unit(x, W, b, j={j}) is {got}, the weighted sum without the bias: add b[j]")
        expect(not (j > 0 and np.isclose(got, XW[0, j] + B[0])),
               f"preactivation_unit(x, W, b, j={j}) added b[0]: the bias of unit j is b[j]")
        expect(np.isclose(got, Z[0, j]),
               f"preactivation_unit({x}, W, b, j={j}) should be {Z[0, j]}, not {got} "
               f"(W = {W.tolist()}, b = {B.tolist()})")


@visible_check
def preactivations(f):
    """Z = X @ W + b for a batch, b added to every row; also for a batch of one example."""
    __tracebackhide__ = True
    got = _layer(f, "preactivations", X, W, B)
    _batch_shape(got, "preactivations", len(X))
    expect(not np.allclose(got, XW), "preactivations gives X @ W without the bias: add b")
    expect(np.allclose(got, Z), f"preactivations(X, W, b) should be\n{Z}\nnot\n{got}")
    one = _layer(f, "preactivations", X[:1], W, B)
    _batch_shape(one, "preactivations", 1)
    expect(np.allclose(one, Z[:1]), f"preactivations on a batch of one example should be {Z[:1]}, not {one}")
    square = _layer(f, "preactivations", X[:3], W, B)     # N = H = 3
    expect(not np.allclose(square, XW[:3] + B[:, None]),
           "preactivations added b as a column (H, 1): when N == H that broadcasts without an "
           "error but adds b[i] to the whole of row i. Keep b as (H,); numpy adds it to every row")
    expect(np.allclose(square, Z[:3]), f"preactivations on the first three rows of X should be\n{Z[:3]}\nnot\n{square}")


@visible_check
def preactivations_no_loop(f):
    """preactivations is one matrix product and a broadcast addition, without Python loops."""
    __tracebackhide__ = True
    _layer(f, "preactivations", X, W, B)  # it must run before its form matters
    expect_no_loop(f, "preactivations",
                   "the whole batch is one matrix product X @ W, "
                   "and numpy adds b to every row by broadcasting. Write it without a loop")


def _layer(f, name, x, W, b):
    """Call f(x, W, b) and turn the usual shape errors into hints."""
    __tracebackhide__ = True
    try:
        got = call(f, x, W, b, name=name)
    except ValueError as error:
        shapes = f"x or X of shape {x.shape}, W of shape {W.shape} and b of shape {b.shape}"
        if "broadcast" in str(error):
            raise Hint(f"{name} raised ValueError ({error}) on {shapes}: adding b failed. Did you "
                       "reshape b into a column (H, 1)? Keep b as (H,): numpy adds it to every row") from None
        raise Hint(f"{name} raised ValueError ({error}) on {shapes}: W has one row per input, so "
                   "the product is x @ W (or X @ W), not W @ x") from None
    expect(got is not None, f"{name} returned None: did you forget `return`?")
    return np.asarray(got)


def _one_example_shape(z, name):
    __tracebackhide__ = True
    h = W.shape[1]
    expect(z.shape != (h, h),
           f"{name} returned shape {z.shape}: b was made a column (H, 1), and adding it to the "
           f"vector x @ W of shape ({h},) broadcasts to ({h}, {h}). Keep b as (H,)")
    expect(z.shape not in [(1, h), (h, 1)],
           f"{name} returned shape {z.shape}: z is a plain vector of shape ({h},), one entry per unit; "
           "do not reshape x or b into rows or columns")
    expect(z.shape == (h,), f"{name} should return shape ({h},), one entry per hidden unit, not {z.shape}")


def _batch_shape(Z, name, n):
    __tracebackhide__ = True
    h = W.shape[1]
    expect(Z.shape != (h, n) or n == h,
           f"{name} returned shape {Z.shape} = (H, N), the transpose: rows are examples, so Z is (N, H)")
    expect(Z.shape != (h,),
           f"{name} returned shape {Z.shape} for a batch of one example: keep the batch axis, (1, {h})")
    expect(Z.shape == (n, h), f"{name} should return shape ({n}, {h}), one row per example and one "
                              f"column per unit, not {Z.shape}")


def _unit(f, x, W, b, j):
    """Call f(x, W, b, j), turning index and shape errors and array results into hints."""
    __tracebackhide__ = True
    try:
        got = call(f, x, W, b, j, name="preactivation_unit")
    except (IndexError, ValueError) as error:
        raise Hint(f"preactivation_unit(x, W, b, j={j}) raised {type(error).__name__} ({error}) with x "
                   f"of shape {x.shape} and W of shape {W.shape}: W has one row per input and one "
                   "column per unit, so the weights into unit j are column j, W[:, j], and the sum runs "
                   "over the inputs i = 0 .. D-1 of x[i] * W[i, j]") from None
    expect(got is not None, "preactivation_unit returned None: did you forget `return`?")
    expect(np.shape(got) != (W.shape[1],),
           f"preactivation_unit returned {W.shape[1]} numbers: return only z_j, and add only "
           "b[j], the bias of unit j")
    expect(np.ndim(got) == 0, f"preactivation_unit should return one number (a float), not an array "
                              f"of shape {np.shape(got)}")
    return float(got)



# The questions with one right answer: what rows, columns and entries hold, and shapes.
# These checks recognise the likely wrong answers; the right ones are judged when you hand in.
OPTIONS = "abcd"


@visible_check
def rows_and_columns_of_X(row_of_X, column_of_X, shape_of_X):
    """Question 1.1: what a row and a column of X hold, and the shape of X for a batch of 50."""
    __tracebackhide__ = True
    row, column = as_choice(row_of_X, "row_of_X", OPTIONS), as_choice(column_of_X, "column_of_X", OPTIONS)
    shape = as_shape(shape_of_X, "shape_of_X")
    expect((row, column) != ("b", "a"),
           "row_of_X and column_of_X are swapped: that is the column convention (examples as columns). "
           "Here X[n] is image n of the batch")
    expect(row != "c", "row_of_X: the network never sees the 32x32 picture; each image is flattened into "
                       "one row of 1024 numbers, so a row of X is more than one line of 32 pixels")
    expect("d" not in (row, column), "X holds the inputs, no weights: the weights are in W")
    expect(row != column, "row_of_X and column_of_X are the same: rows and columns of X hold different things")
    expect(shape != (1024, 50), f"shape_of_X = {shape}: that is the column convention. Here each row of X is one "
                               "example, so X is (N, D)")
    expect(len(shape) == 2, f"shape_of_X = {shape}: X is a matrix, one flattened image per row, so its shape "
                            "has two numbers (a 32x32 picture appears only when we draw a row)")


@visible_check
def W1_and_b1(shape_of_W1, shape_of_b1, superscript):
    """Question 2.1: the shapes of W1 and b1 in the running example, and what [1] means."""
    __tracebackhide__ = True
    shape_W, shape_b = as_shape(shape_of_W1, "shape_of_W1"), as_shape(shape_of_b1, "shape_of_b1")
    meaning = as_choice(superscript, "superscript", OPTIONS)
    expect(shape_W != (128, 1024), f"shape_of_W1 = {shape_W}: that is the column convention Z = W X. Here "
                                   "z = x W, so W has one row per input and one column per unit (n_in, n_out)")
    expect(shape_b not in [(128, 1), (1, 128)],
           f"shape_of_b1 = {shape_b}: a bias is a plain vector, one number per unit; broadcasting adds it to "
           "every row. The (H, 1) column bias belongs to the column convention")
    expect(meaning != "a", "superscript: the [1] is no power; the brackets are there so that it is not read as one")
    expect(meaning not in "cd", "superscript: W^[1] holds the weights of every unit and is used for every "
                                "example: the [1] numbers something else")


@visible_check
def column_and_row_of_W1(column_of_W1, row_of_W1):
    """Question 3.2: what a column and a row of W1 hold."""
    __tracebackhide__ = True
    column, row = as_choice(column_of_W1, "column_of_W1", OPTIONS), as_choice(row_of_W1, "row_of_W1", OPTIONS)
    expect((column, row) != ("b", "a"),
           "column_of_W1 and row_of_W1 are swapped: that is the column convention. Here W[i, j] is the "
           "weight from input i to unit j, and z_j uses column j")
    expect("c" not in (column, row), "W holds weights, the same for every example: pre-activations are in Z")
    expect("d" not in (column, row), "the biases are in b, not in W")
    expect(column != row, "column_of_W1 and row_of_W1 are the same: a row and a column of W hold different weights")


@visible_check
def rows_of_Z2(row_of_Z2, entry_of_Z2, shape_of_Z2):
    """Question 4.2: what a row and an entry of Z2 hold, and the shape of Z2 for a batch of 32."""
    __tracebackhide__ = True
    row, entry = as_choice(row_of_Z2, "row_of_Z2", OPTIONS), as_choice(entry_of_Z2, "entry_of_Z2", OPTIONS)
    shape = as_shape(shape_of_Z2, "shape_of_Z2")
    expect(row != "b", "row_of_Z2: a row of Z2 belongs to one example (the column convention would have it "
                       "the other way round)")
    expect("d" not in (row, entry), "Z2 holds pre-activations, computed from the weights; the weights are in W2")
    expect(row != entry, "row_of_Z2 and entry_of_Z2 are the same: a row holds several numbers, an entry one")
    expect(shape != (64, 32), f"shape_of_Z2 = {shape}: that is the column convention; Z2 has one row per example")
    expect(shape != (128, 64), f"shape_of_Z2 = {shape} is the shape of W2, the weights; Z2 has one row per example")
    expect(len(shape) != 2 or shape[1] != 128,
           f"shape_of_Z2 = {shape}: 128 is the size of the first hidden layer; Z2 has one column per unit of "
           "the second")

"""00_shapes: the shapes of X, W, b and the pre-activations of a layer."""
from . import correct, mistake

WB = "00_shapes"
NBSRC = "nbsrc/00_shapes_mistakes.py"

SHAPES = '''
def layer_shapes(n, d, h1, h2, c):
    return {{"X": {X}, "W1": {W1}, "b1": {b1}, "Z1": (n, h1), "A1": (n, h1),
            "W2": {W2}, "b2": {b2}, "Z2": (n, h2), "A2": (n, h2),
            "W3": {W3}, "b3": {b3}, "Z3": (n, c), "P": {P}}}
'''
ROWS = dict(X="(n, d)", W1="(d, h1)", b1="(h1,)", W2="(h1, h2)", b2="(h2,)", W3="(h2, c)", b3="(c,)", P="(n, c)")


def shapes(**changes):
    return SHAPES.format(**{**ROWS, **changes})


MISTAKES = [
    # layer_shapes
    mistake(WB, "shapes-column-convention", "layer_shapes", "test_layer_shapes", r"column convention", '''
        def layer_shapes(n, d, h1, h2, c):
            return {"X": (d, n), "W1": (h1, d), "b1": (h1, 1), "Z1": (h1, n), "A1": (h1, n),
                    "W2": (h2, h1), "b2": (h2, 1), "Z2": (h2, n), "A2": (h2, n),
                    "W3": (c, h2), "b3": (c, 1), "Z3": (c, n), "P": (c, n)}
        ''', NBSRC),
    mistake(WB, "shapes-bias-rows", "layer_shapes", "test_layer_shapes", r"plain vector|\(1, H\) row",
            shapes(b1="(1, h1)", b2="(1, h2)", b3="(1, c)"), NBSRC),
    mistake(WB, "shapes-no-comma", "layer_shapes", "test_layer_shapes", r"needs a comma",
            shapes(b1="(h1)", b2="(h2)", b3="(c)"), NBSRC),
    mistake(WB, "shapes-p-vector", "layer_shapes", "test_layer_shapes", r"probability for every class",
            shapes(P="(n,)"), NBSRC),
    mistake(WB, "shapes-w2-from-inputs", "layer_shapes", "test_layer_shapes",
            r"W2.*one row per unit of the first hidden layer", shapes(W2="(d, h2)", W3="(d, c)"), NBSRC),
    mistake(WB, "shapes-hard-coded", "layer_shapes", "test_layer_shapes", r"fixed numbers|hard-coded", '''
        def layer_shapes(n, d, h1, h2, c):
            return {"X": (n, 1024), "W1": (1024, 128), "b1": (128,), "Z1": (n, 128), "A1": (n, 128),
                    "W2": (128, 64), "b2": (64,), "Z2": (n, 64), "A2": (n, 64),
                    "W3": (64, 10), "b3": (10,), "Z3": (n, 10), "P": (n, 10)}
        ''', "classic: hard-coded sizes (the running example's)"),

    # preactivation
    mistake(WB, "one-w-times-x", "preactivation", "test_preactivation", r"not W @ x", '''
        def preactivation(x, W, b):
            return W @ x + b
        ''', NBSRC),
    mistake(WB, "one-no-bias", "preactivation", "test_preactivation", r"without the bias", '''
        def preactivation(x, W, b):
            return x @ W
        ''', NBSRC),
    mistake(WB, "one-bias-column", "preactivation", "test_preactivation", r"column \(H, 1\)", '''
        def preactivation(x, W, b):
            return x @ W + b.reshape(-1, 1)
        ''', NBSRC + "; classic: a rank-1 array against a column"),

    # preactivation_unit
    mistake(WB, "unit-row-of-w", "preactivation_unit", "test_preactivation_unit", r"row j of W", '''
        def preactivation_unit(x, W, b, j):
            z_j = b[j]
            for i in range(len(x)):
                z_j += x[i] * W[j, i]
            return z_j
        ''', NBSRC + "; classic: a transpose"),
    mistake(WB, "unit-no-bias", "preactivation_unit", "test_preactivation_unit", r"without the bias", '''
        def preactivation_unit(x, W, b, j):
            return float(np.sum(x * W[:, j]))
        ''', NBSRC),
    mistake(WB, "unit-all-units", "preactivation_unit", "test_preactivation_unit", r"return only z_j", '''
        def preactivation_unit(x, W, b, j):
            total = b
            for i in range(len(x)):
                total = total + x[i] * W[i]
            return total
        ''', NBSRC),

    # preactivations
    mistake(WB, "batch-loop", "preactivations", "test_preactivations_no_loop", r"without a loop", '''
        def preactivations(X, W, b):
            return np.array([x @ W + b for x in X])
        ''', NBSRC),
    mistake(WB, "batch-no-bias", "preactivations", ["test_preactivations", "test_preactivations_no_loop"],
            r"without the bias", '''
        def preactivations(X, W, b):
            return X @ W
        ''', NBSRC),
    mistake(WB, "batch-column-convention", "preactivations", ["test_preactivations", "test_preactivations_no_loop"],
            r"the transpose", '''
        def preactivations(X, W, b):
            return W.T @ X.T + b.reshape(-1, 1)
        ''', NBSRC + "; classic: a transpose"),
    mistake(WB, "batch-bias-column", "preactivations", ["test_preactivations", "test_preactivations_no_loop"],
            r"column \(H, 1\)", '''
        def preactivations(X, W, b):
            return X @ W + b[:, np.newaxis]
        ''', NBSRC + "; classic: a rank-1 array against a column"),
]

CORRECT = [
    correct(WB, "A", "preactivation", "np.dot", '''
        def preactivation(x, W, b):
            return np.dot(x, W) + b
        '''),
    correct(WB, "B", "preactivation", "einsum over the input index", '''
        def preactivation(x, W, b):
            return np.einsum("i,ij->j", x, W) + b
        '''),
    correct(WB, "A", "preactivations", "np.matmul and an explicit row of biases", '''
        def preactivations(X, W, b):
            return np.matmul(X, W) + b[np.newaxis, :]
        '''),
    correct(WB, "B", "preactivations", "einsum", '''
        def preactivations(X, W, b):
            return np.einsum("nd,dh->nh", X, W) + b
        '''),
    correct(WB, "A", "preactivation_unit", "a generator expression with sum", '''
        def preactivation_unit(x, W, b, j):
            return float(sum(x[i] * W[i, j] for i in range(len(x))) + b[j])
        '''),
    correct(WB, "B", "preactivation_unit", "dot product with column j", '''
        def preactivation_unit(x, W, b, j):
            column = W[:, j]
            return float(np.dot(x, column) + b[j])
        '''),
    correct(WB, "A", "layer_shapes", "a loop over the layers", '''
        def layer_shapes(n, d, h1, h2, c):
            sizes = [d, h1, h2, c]
            shapes = {"X": (n, d)}
            for layer in (1, 2, 3):
                n_in, n_out = sizes[layer - 1], sizes[layer]
                shapes[f"W{layer}"] = (n_in, n_out)
                shapes[f"b{layer}"] = (n_out,)
                shapes[f"Z{layer}"] = (n, n_out)
                shapes["P" if layer == 3 else f"A{layer}"] = (n, n_out)
            return shapes
        '''),
    correct(WB, "B", "layer_shapes", "the shapes of real zero arrays pushed through the layers", '''
        def layer_shapes(n, d, h1, h2, c):
            X = np.zeros((n, d))
            arrays = {"X": X}
            A = X
            for layer, units in enumerate([h1, h2, c], start=1):
                W, b = np.zeros((A.shape[1], units)), np.zeros(units)
                Z = A @ W + b
                A = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True) if layer == 3 else 1 / (1 + np.exp(-Z))
                arrays.update({f"W{layer}": W, f"b{layer}": b, f"Z{layer}": Z,
                               ("P" if layer == 3 else f"A{layer}"): A})
            return {name: array.shape for name, array in arrays.items()}
        '''),
]

# The questions with one right answer (one cell each, assigning the answers)
ANSWERS = {
    "rows_and_columns_of_X": dict(row_of_X='"a"', column_of_X='"b"', shape_of_X="(50, 1024)"),
    "W1_and_b1": dict(shape_of_W1="(1024, 128)", shape_of_b1="(128,)", superscript='"b"'),
    "column_and_row_of_W1": dict(column_of_W1='"a"', row_of_W1='"b"'),
    "rows_of_Z2": dict(row_of_Z2='"a"', entry_of_Z2='"c"', shape_of_Z2="(32, 64)"),
}


def answers(question, **changes):
    """The code of the cell of `question` with the right answers but for `changes` (name: code)."""
    return "".join(f"{name} = {value}\n" for name, value in {**ANSWERS[question], **changes}.items())


def answer_mistake(name, question, hint, origin, **changes):
    return mistake(WB, name, question, f"test_{question}", hint, answers(question, **changes), origin)


MISTAKES += [
    answer_mistake("X-column-convention", "rows_and_columns_of_X", r"swapped.*column convention",
                   "classic: the column convention", row_of_X='"b"', column_of_X='"a"'),
    answer_mistake("X-row-is-a-line", "rows_and_columns_of_X", r"flattened", "classic: the picture, not the vector",
                   row_of_X='"c"'),
    answer_mistake("X-shape-transposed", "rows_and_columns_of_X", r"shape_of_X.*column convention",
                   "classic: the column convention", shape_of_X="(1024, 50)"),
    answer_mistake("X-shape-picture", "rows_and_columns_of_X", r"flattened image per row",
                   "classic: the picture, not the vector", shape_of_X="(50, 32, 32)"),
    answer_mistake("X-shape-of-the-six", "rows_and_columns_of_X", None,
                   "the batch of six shown above, not the one asked for", shape_of_X='"6 x 1024"'),
    answer_mistake("W1-column-convention", "W1_and_b1", r"column convention Z = W X",
                   "classic: the column convention", shape_of_W1="(128, 1024)"),
    answer_mistake("b1-column", "W1_and_b1", r"plain vector", "classic: a column bias", shape_of_b1="(128, 1)"),
    answer_mistake("b1-no-comma", "W1_and_b1", r"needs a comma", "classic: (h1) is not a tuple",
                   shape_of_b1="(128)"),
    answer_mistake("superscript-power", "W1_and_b1", r"no power", "seed: why the superscripts", superscript='"a"'),
    answer_mistake("superscript-example", "W1_and_b1", r"numbers something else", "seed: why the superscripts",
                   superscript='"c"'),
    answer_mistake("W1-hidden-sizes", "W1_and_b1", None, "a slip: the second layer's sizes",
                   shape_of_W1="(128, 64)", shape_of_b1="(64,)"),
    answer_mistake("W-column-convention", "column_and_row_of_W1", r"swapped.*column convention",
                   "classic: the column convention", column_of_W1='"b"', row_of_W1='"a"'),
    answer_mistake("W-column-preactivations", "column_and_row_of_W1", r"pre-activations are in Z",
                   "seed: what a column of W represents", column_of_W1='"c"'),
    answer_mistake("W-row-bias", "column_and_row_of_W1", r"biases are in b", "seed: what a row of W represents",
                   row_of_W1='"d"'),
    answer_mistake("Z2-row-is-a-unit", "rows_of_Z2", r"row of Z2 belongs to one example",
                   "classic: the column convention", row_of_Z2='"b"'),
    answer_mistake("Z2-entry-weight", "rows_of_Z2", r"weights are in W2", "seed: what an entry of Z2 represents",
                   entry_of_Z2='"d"'),
    answer_mistake("Z2-shape-transposed", "rows_of_Z2", r"column convention", "classic: the column convention",
                   shape_of_Z2="(64, 32)"),
    answer_mistake("Z2-shape-of-W2", "rows_of_Z2", r"shape of W2", "classic: the weights' shape",
                   shape_of_Z2="(128, 64)"),
    answer_mistake("Z2-shape-first-layer", "rows_of_Z2", r"size of the first hidden layer",
                   "a slip: the first layer's size", shape_of_Z2="(32, 128)"),
    answer_mistake("Z2-shape-of-the-six", "rows_of_Z2", None, "the batch of six shown above, not the one asked for",
                   shape_of_Z2="(6, 64)"),
    answer_mistake("Z2-entry-is-a-row", "rows_of_Z2", None, "seed: what an entry of Z2 represents",
                   entry_of_Z2='"b"'),
]

CORRECT += [
    correct(WB, "A", "rows_and_columns_of_X", "tuples and lower-case letters", answers("rows_and_columns_of_X")),
    correct(WB, "B", "rows_and_columns_of_X", "capitals and the shape as text",
            answers("rows_and_columns_of_X", row_of_X='"A"', column_of_X='"(b)"', shape_of_X='"50 x 1024"')),
    correct(WB, "C", "rows_and_columns_of_X", "the shape as a list", answers("rows_and_columns_of_X",
                                                                           shape_of_X="[50, 1024]")),
    correct(WB, "A", "W1_and_b1", "tuples", answers("W1_and_b1")),
    correct(WB, "B", "W1_and_b1", "shapes as text",
            answers("W1_and_b1", shape_of_W1='"1024x128"', shape_of_b1='"(128,)"', superscript='"B"')),
    correct(WB, "A", "column_and_row_of_W1", "lower-case letters", answers("column_and_row_of_W1")),
    correct(WB, "B", "column_and_row_of_W1", "letters in brackets",
            answers("column_and_row_of_W1", column_of_W1='"(a)"', row_of_W1='" B "')),
    correct(WB, "A", "rows_of_Z2", "tuples and lower-case letters", answers("rows_of_Z2")),
    correct(WB, "B", "rows_of_Z2", "the shape as text", answers("rows_of_Z2", shape_of_Z2='"32 by 64"',
                                                                  entry_of_Z2='"C"')),
]

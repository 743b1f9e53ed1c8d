"""04_backprop: gates, numerical gradients, the 2-2-1 network of seed 004, and backward."""
from . import correct, mistake

WB = "04_backprop"
NBSRC = "nbsrc/04_backprop_mistakes.py"
NUMGRAD = ["test_numerical_gradient", "test_numerical_gradient_restores"]
# A wrong backward also loses its no-loop cell, whose hidden test compares it with the reference.
BACKWARD_TESTS = ["test_backward", "test_backward_no_loop"]

BACKWARD = '''
def backward(X, Y, params, cache):
    A1, A2, P = cache["A1"], cache["A2"], cache["P"]
    dZ3 = {dZ3}
    dZ2 = (dZ3 @ params["W3"].T) * {slope2}
    dZ1 = (dZ2 @ params["W2"].T) * {slope1}
    return {{"W3": {dW3}, "b3": {db3}, "W2": {dW2}, "b2": {db2}, "W1": {dW1}, "b1": {db1}}}
'''
RIGHT = dict(dZ3="(P - Y) / X.shape[0]", slope2="A2 * (1 - A2)", slope1="A1 * (1 - A1)",
             dW3="A2.T @ dZ3", db3="dZ3.sum(axis=0)", dW2="A1.T @ dZ2", db2="dZ2.sum(axis=0)",
             dW1="X.T @ dZ1", db1="dZ1.sum(axis=0)")


def backward(**changes):
    return BACKWARD.format(**{**RIGHT, **changes})


MISTAKES = [
    # add_mul_backward
    mistake(WB, "addmul-dfdz-is-z", "add_mul_backward", "test_add_mul_backward", r"the OTHER input", '''
        def add_mul_backward(x, y, z):
            q = x + y
            f = q * z
            return f, z, z, z
        ''', NBSRC),
    mistake(WB, "addmul-split", "add_mul_backward", "test_add_mul_backward", r"does not split", '''
        def add_mul_backward(x, y, z):
            q = x + y
            f = q * z
            return f, z / 2, z / 2, q
        ''', NBSRC),
    mistake(WB, "addmul-no-upstream", "add_mul_backward", "test_add_mul_backward", r"local gradient alone", '''
        def add_mul_backward(x, y, z):
            return (x + y) * z, 1.0, 1.0, x + y
        ''', NBSRC),

    # max_gate_backward
    mistake(WB, "max-both", "max_gate_backward", "test_max_gate_backward", r"router", '''
        def max_gate_backward(x, y, upstream):
            up = np.asarray(upstream, dtype=float)
            return up.copy(), up.copy()
        ''', NBSRC),
    mistake(WB, "max-smaller", "max_gate_backward", "test_max_gate_backward", r"went to the smaller input", '''
        def max_gate_backward(x, y, upstream):
            up = np.asarray(upstream, dtype=float)
            x_wins = np.asarray(x) >= np.asarray(y)
            return np.where(x_wins, 0.0, up), np.where(x_wins, up, 0.0)
        ''', NBSRC),
    mistake(WB, "max-if", "max_gate_backward", "test_max_gate_backward", r"only works on single numbers", '''
        def max_gate_backward(x, y, upstream):
            if x >= y:
                return upstream, 0.0
            return 0.0, upstream
        ''', NBSRC),

    # sigmoid_neuron
    mistake(WB, "neuron-slope-of-s", "sigmoid_neuron", "test_sigmoid_neuron", r"applied to the pre-activation", '''
        def sigmoid_neuron(w, x):
            w, x = np.asarray(w, dtype=float), np.asarray(x, dtype=float)
            s = w[:-1] @ x + w[-1]
            f = float(sigmoid(s))
            ds = s * (1 - s)
            return f, np.append(x, 1.0) * ds, w[:-1] * ds
        ''', NBSRC + "; classic: sigma' applied to the wrong quantity"),
    mistake(WB, "neuron-swapped", "sigmoid_neuron", "test_sigmoid_neuron", r"swapped", '''
        def sigmoid_neuron(w, x):
            w, x = np.asarray(w, dtype=float), np.asarray(x, dtype=float)
            f = float(sigmoid(w[:-1] @ x + w[-1]))
            ds = f * (1 - f)
            return f, np.append(w[:-1], 1.0) * ds, x * ds
        ''', NBSRC),
    mistake(WB, "neuron-no-bias-grad", "sigmoid_neuron", "test_sigmoid_neuron", r"the bias w\[-1\] included", '''
        def sigmoid_neuron(w, x):
            w, x = np.asarray(w, dtype=float), np.asarray(x, dtype=float)
            f = float(sigmoid(w[:-1] @ x + w[-1]))
            ds = f * (1 - f)
            return f, x * ds, w[:-1] * ds
        ''', NBSRC),

    # numerical_gradient
    mistake(WB, "numgrad-forward-difference", "numerical_gradient", "test_numerical_gradient",
            r"forward difference", '''
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros(x.shape)
            fx = f(x)
            for i in np.ndindex(x.shape):
                old = x[i]
                x[i] = old + h
                grad[i] = (f(x) - fx) / h
                x[i] = old
            return grad
        ''', NBSRC + "; classic: forward differences in the gradient check"),
    mistake(WB, "numgrad-no-restore", "numerical_gradient", NUMGRAD, r"restore|put every other entry back", '''
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros(x.shape)
            for i in np.ndindex(x.shape):
                x[i] += h
                f_plus = f(x)
                x[i] -= 2 * h
                f_minus = f(x)
                grad[i] = (f_plus - f_minus) / (2 * h)
            return grad
        ''', NBSRC + "; classic: a checker that does not restore its input"),
    mistake(WB, "numgrad-restore-by-adding", "numerical_gradient", "test_numerical_gradient_restores",
            r"not always exactly x", '''
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros(x.shape)
            for i in np.ndindex(x.shape):
                x[i] += h
                f_plus = f(x)
                x[i] -= 2 * h
                f_minus = f(x)
                x[i] += h
                grad[i] = (f_plus - f_minus) / (2 * h)
            return grad
        ''', NBSRC + "; classic: a checker that does not restore its input (exactly)"),

    # relative_error
    mistake(WB, "relerr-whole-array", "relative_error", "test_relative_error", r"entry by entry", '''
        def relative_error(a, b):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            return float(np.max(np.abs(a - b)) / max(1e-8, np.max(np.abs(a) + np.abs(b))))
        ''', NBSRC),
    mistake(WB, "relerr-no-floor", "relative_error", "test_relative_error", r"max\(1e-8", '''
        def relative_error(a, b):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b))))
        ''', NBSRC),

    # tiny_forward
    mistake(WB, "tinyfwd-log10", "tiny_forward", "test_tiny_forward", r"log10", '''
        def tiny_forward(w, x):
            w1, w2, w3, w4, w5, w6 = w
            x1, x2 = x
            a1 = x1 * w1 + x2 * w3
            z1 = np.log10(a1)
            a2 = x1 * w2 + x2 * w4
            z2 = np.log10(a2)
            a3 = z1 * w5 + z2 * w6
            return {"a1": a1, "z1": z1, "a2": a2, "z2": z2, "a3": a3, "y_hat": np.log10(a3)}
        ''', NBSRC + "; seed 004: the activations written as log10"),
    mistake(WB, "tinyfwd-wrong-wiring", "tiny_forward", "test_tiny_forward", r"w2 connects x1 to h2", '''
        def tiny_forward(w, x):
            w1, w2, w3, w4, w5, w6 = w
            x1, x2 = x
            a1 = x1 * w1 + x2 * w2
            z1 = float(sigmoid(a1))
            a2 = x1 * w3 + x2 * w4
            z2 = float(sigmoid(a2))
            a3 = z1 * w5 + z2 * w6
            return {"a1": a1, "z1": z1, "a2": a2, "z2": z2, "a3": a3, "y_hat": float(sigmoid(a3))}
        ''', NBSRC),

    # tiny_gradients
    mistake(WB, "tinygrad-double-sigma", "tiny_gradients", "test_tiny_gradients", r"counted twice", '''
        def tiny_gradients(w, x, y):
            w1, w2, w3, w4, w5, w6 = w
            x1, x2 = x
            v = tiny_forward(w, x)
            d3 = (v["y_hat"] - y) * v["y_hat"] * (1 - v["y_hat"])
            d1 = d3 * w5 * v["z1"] * (1 - v["z1"])
            d2 = d3 * w6 * v["z2"] * (1 - v["z2"])
            return np.array([d1 * x1, d2 * x1, d1 * x2, d2 * x2, d3 * v["z1"], d3 * v["z2"]])
        ''', NBSRC + "; seed 004 lines [8]-[9]: the sigmoid's derivative counted twice"),
    mistake(WB, "tinygrad-slope-of-a", "tiny_gradients", "test_tiny_gradients",
            r"a \(1 - a\) to the pre-activation", '''
        def tiny_gradients(w, x, y):
            w1, w2, w3, w4, w5, w6 = w
            x1, x2 = x
            v = tiny_forward(w, x)
            d3 = v["y_hat"] - y
            d1 = d3 * w5 * v["a1"] * (1 - v["a1"])
            d2 = d3 * w6 * v["a2"] * (1 - v["a2"])
            return np.array([d1 * x1, d2 * x1, d1 * x2, d2 * x2, d3 * v["z1"], d3 * v["z2"]])
        ''', NBSRC + "; seed 004 lines [14]-[15]: a(1 - a) on the pre-activation"),
    mistake(WB, "tinygrad-board", "tiny_gradients", "test_tiny_gradients", r"office-hours board", '''
        def tiny_gradients(w, x, y):
            w1, w2, w3, w4, w5, w6 = w
            x1, x2 = x
            v = tiny_forward(w, x)
            d3 = (v["y_hat"] - y) * v["y_hat"] * (1 - v["y_hat"])
            d1 = d3 * w5 * v["a1"] * (1 - v["a1"])
            d2 = d3 * w6 * v["a2"] * (1 - v["a2"])
            return np.array([d1 * x1, d2 * x1, d1 * x2, d2 * x2, d3 * v["z1"], d3 * v["z2"]])
        ''', NBSRC + "; seed 004: the board's whole chain"),
    mistake(WB, "tinygrad-updated-w5", "tiny_gradients", "test_tiny_gradients",
            r"old weights|updated w5|before (every|all) gradient", '''
        def tiny_gradients(w, x, y):
            w = np.array(w, dtype=float)
            x1, x2 = x
            v = tiny_forward(w, x)
            alpha = 0.2
            dE_da3 = v["y_hat"] - y
            dE_dw5, dE_dw6 = dE_da3 * v["z1"], dE_da3 * v["z2"]
            w[4] -= alpha * dE_dw5          # the output layer is updated first ...
            w[5] -= alpha * dE_dw6
            dE_da1 = dE_da3 * w[4] * v["z1"] * (1 - v["z1"])   # ... and its new weights used here
            dE_da2 = dE_da3 * w[5] * v["z2"] * (1 - v["z2"])
            return np.array([dE_da1 * x1, dE_da2 * x1, dE_da1 * x2, dE_da2 * x2, dE_dw5, dE_dw6])
        ''', "seed 004 (question of the session): weights updated before every gradient is taken"),

    # tiny_update
    mistake(WB, "tinyupdate-w6-uses-dw5", "tiny_update", "test_tiny_update", r"w6 was updated with dE/dw5", '''
        def tiny_update(w, grads, alpha):
            w_new = np.array(w, dtype=float) - alpha * np.asarray(grads)
            w_new[5] = w[5] - alpha * grads[4]
            return w_new
        ''', NBSRC + "; seed 004 line [21]: the w6 update uses dE_dw_5"),
    mistake(WB, "tinyupdate-in-place", "tiny_update", "test_tiny_update", r"changed the array w", '''
        def tiny_update(w, grads, alpha):
            w -= alpha * grads
            return w
        ''', NBSRC + "; classic: mutated input (the old weights are lost before every gradient is taken)"),
    mistake(WB, "tinyupdate-plus", "tiny_update", "test_tiny_update", r"uphill", '''
        def tiny_update(w, grads, alpha):
            return np.asarray(w) + alpha * np.asarray(grads)
        ''', NBSRC),

    # backward
    mistake(WB, "backward-slope-of-Z", "backward", BACKWARD_TESTS, r"applied to the pre-activation",
            backward(slope2='cache["Z2"] * (1 - cache["Z2"])', slope1='cache["Z1"] * (1 - cache["Z1"])'),
            NBSRC + "; classic: sigma' applied to the wrong quantity"),
    mistake(WB, "backward-sigmoid-of-A", "backward", BACKWARD_TESTS, r"derivative OF the activation",
            backward(slope2="sigmoid(A2) * (1 - sigmoid(A2))", slope1="sigmoid(A1) * (1 - sigmoid(A1))"),
            "classic: sigma' applied to the wrong quantity (the activation)"),
    mistake(WB, "backward-no-mean", "backward", BACKWARD_TESTS, r"did not divide by the batch size",
            backward(dZ3="P - Y"), NBSRC + "; classic: no mean over the batch"),
    mistake(WB, "backward-transposed-dW", "backward", BACKWARD_TESTS, r"the transpose",
            backward(dW3="dZ3.T @ A2", dW2="dZ2.T @ A1", dW1="dZ1.T @ X"), NBSRC + "; classic: transposes"),
    mistake(WB, "backward-db-axis-1", "backward", BACKWARD_TESTS, r"axis 1",
            backward(db3="dZ3.sum(axis=1)", db2="dZ2.sum(axis=1)", db1="dZ1.sum(axis=1)"),
            NBSRC + "; classic: wrong sum axis"),
    mistake(WB, "backward-db-keepdims", "backward", BACKWARD_TESTS, r"shape \(1, 4\).*shape of its parameter",
            backward(db3="dZ3.sum(axis=0, keepdims=True)", db2="dZ2.sum(axis=0, keepdims=True)",
                     db1="dZ1.sum(axis=0, keepdims=True)"),
            "classic: a (1, n) row where a rank-1 array (n,) belongs"),
    mistake(WB, "backward-in-place-cache", "backward", BACKWARD_TESTS, r"modified its argument", '''
        def backward(X, Y, params, cache):
            A1, A2, dZ3 = cache["A1"], cache["A2"], cache["P"]
            dZ3 -= Y
            dZ3 /= X.shape[0]
            dZ2 = (dZ3 @ params["W3"].T) * A2 * (1 - A2)
            dZ1 = (dZ2 @ params["W2"].T) * A1 * (1 - A1)
            return {"W3": A2.T @ dZ3, "b3": dZ3.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0),
                    "W1": X.T @ dZ1, "b1": dZ1.sum(axis=0)}
        ''', NBSRC + "; classic: mutated input"),
    mistake(WB, "backward-loop-examples", "backward", "test_backward_no_loop", r"backward uses a Python for loop", '''
        def backward(X, Y, params, cache):
            A1, A2, P = cache["A1"], cache["A2"], cache["P"]
            N = X.shape[0]
            grads = {"W1": 0.0, "b1": 0.0, "W2": 0.0, "b2": 0.0, "W3": 0.0, "b3": 0.0}
            for i in range(N):
                dz3 = (P[i] - Y[i]) / N
                dz2 = (params["W3"] @ dz3) * A2[i] * (1 - A2[i])
                dz1 = (params["W2"] @ dz2) * A1[i] * (1 - A1[i])
                for layer, a_prev, dz in ((3, A2[i], dz3), (2, A1[i], dz2), (1, X[i], dz1)):
                    grads[f"W{layer}"] = grads[f"W{layer}"] + np.outer(a_prev, dz)
                    grads[f"b{layer}"] = grads[f"b{layer}"] + dz
            return grads
        ''', "classic: backprop one example at a time, as the per-example equations read"),
]

CORRECT = [
    correct(WB, "A", "add_mul_backward", "no intermediate names: the gradients returned directly", '''
        def add_mul_backward(x, y, z):
            q = x + y
            return q * z, z, z, q
        '''),
    correct(WB, "B", "add_mul_backward", "the expanded product xz + yz", '''
        def add_mul_backward(x, y, z):
            f = x * z + y * z
            dfdx = z          # d(xz + yz)/dx
            dfdy = z
            dfdz = x + y
            return f, dfdx, dfdy, dfdz
        '''),
    correct(WB, "A", "max_gate_backward", "a float mask and its complement", '''
        def max_gate_backward(x, y, upstream):
            mask = (np.asarray(x) >= np.asarray(y)).astype(float)
            upstream = np.asarray(upstream, dtype=float)
            return mask * upstream, (1.0 - mask) * upstream
        '''),
    correct(WB, "B", "max_gate_backward", "np.maximum decides the winner", '''
        def max_gate_backward(x, y, upstream):
            x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
            upstream = np.asarray(upstream, dtype=float)
            x_wins = np.maximum(x, y) == x
            return np.where(x_wins, upstream, 0.0), np.where(x_wins, 0.0, upstream)
        '''),
    correct(WB, "A", "sigmoid_neuron", "np.dot and the slope sigmoid(s) * sigmoid(-s)", '''
        def sigmoid_neuron(w, x):
            w, x = np.asarray(w, dtype=float), np.asarray(x, dtype=float)
            s = np.dot(w[:-1], x) + w[-1]
            f = float(sigmoid(s))
            slope = float(sigmoid(s) * sigmoid(-s))
            return f, slope * np.concatenate([x, [1.0]]), slope * w[:-1]
        '''),
    correct(WB, "B", "sigmoid_neuron", "x extended with a constant 1 for the bias", '''
        def sigmoid_neuron(w, x):
            w = np.asarray(w, dtype=float)
            x_ext = np.r_[np.asarray(x, dtype=float), 1.0]
            f = float(1.0 / (1.0 + np.exp(-(w @ x_ext))))
            upstream = f * (1.0 - f)
            return f, upstream * x_ext, upstream * w[:-1]
        '''),
    correct(WB, "A", "numerical_gradient", "a flat index with np.unravel_index", '''
        def numerical_gradient(f, x, h=1e-5):
            grad = np.empty(x.shape)
            for flat in range(x.size):
                i = np.unravel_index(flat, x.shape)
                saved = x[i]
                x[i] = saved + h
                above = f(x)
                x[i] = saved - h
                below = f(x)
                x[i] = saved
                grad[i] = (above - below) / (2 * h)
            return grad
        '''),
    correct(WB, "B", "numerical_gradient", "perturbed copies: x itself is never touched", '''
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros(x.shape)
            it = np.nditer(x, flags=["multi_index"])
            for _ in it:
                i = it.multi_index
                plus, minus = x.copy(), x.copy()
                plus[i] += h
                minus[i] -= h
                grad[i] = (f(plus) - f(minus)) / (2 * h)
            return grad
        '''),
    correct(WB, "A", "relative_error", "np.fmax for the floor", '''
        def relative_error(a, b):
            a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
            return float((np.abs(a - b) / np.fmax(np.abs(a) + np.abs(b), 1e-8)).max())
        '''),
    correct(WB, "B", "relative_error", "a Python loop over the entries", '''
        def relative_error(a, b):
            pairs = zip(np.ravel(a).astype(float), np.ravel(b).astype(float))
            return float(max(abs(p - q) / max(1e-8, abs(p) + abs(q)) for p, q in pairs))
        '''),
    correct(WB, "A", "tiny_forward", "the hidden layer as a 2x2 matrix product", '''
        def tiny_forward(w, x):
            w = np.asarray(w, dtype=float)
            W_hidden = np.array([[w[0], w[1]], [w[2], w[3]]])   # rows: x1, x2; columns: h1, h2
            a = np.asarray(x, dtype=float) @ W_hidden
            z = sigmoid(a)
            a3 = float(z @ w[4:])
            return {"a1": float(a[0]), "z1": float(z[0]), "a2": float(a[1]), "z2": float(z[1]),
                    "a3": a3, "y_hat": float(sigmoid(a3))}
        '''),
    correct(WB, "B", "tiny_forward", "scipy.special.expit, one unit at a time", '''
        from scipy.special import expit

        def tiny_forward(w, x):
            values = {}
            values["a1"] = float(x[0] * w[0] + x[1] * w[2])
            values["z1"] = float(expit(values["a1"]))
            values["a2"] = float(x[0] * w[1] + x[1] * w[3])
            values["z2"] = float(expit(values["a2"]))
            values["a3"] = values["z1"] * w[4] + values["z2"] * w[5]
            values["y_hat"] = float(expit(values["a3"]))
            values["a3"] = float(values["a3"])
            return values
        '''),
    correct(WB, "A", "tiny_gradients", "vectorised: np.outer for the hidden weights", '''
        def tiny_gradients(w, x, y):
            w = np.asarray(w, dtype=float)
            v = tiny_forward(w, x)
            z = np.array([v["z1"], v["z2"]])
            dE_da3 = v["y_hat"] - y
            dE_da_hidden = dE_da3 * w[4:] * z * (1 - z)
            dE_dW_hidden = np.outer(np.asarray(x, dtype=float), dE_da_hidden)   # [[w1, w2], [w3, w4]]
            return np.concatenate([dE_dW_hidden.ravel(), dE_da3 * z])
        '''),
    correct(WB, "B", "tiny_gradients", "the true dE/dy_hat times the output slope (seed 004's [8] fixed)", '''
        from scipy.special import expit

        def tiny_gradients(w, x, y):
            w1, w2, w3, w4, w5, w6 = np.asarray(w, dtype=float)
            x1, x2 = np.asarray(x, dtype=float)
            z1, z2 = expit(x1 * w1 + x2 * w3), expit(x1 * w2 + x2 * w4)
            y_hat = expit(z1 * w5 + z2 * w6)
            dE_dyhat = -y / y_hat + (1 - y) / (1 - y_hat)
            dE_da3 = dE_dyhat * y_hat * (1 - y_hat)
            dE_dz1, dE_dz2 = dE_da3 * w5, dE_da3 * w6
            dE_da1, dE_da2 = dE_dz1 * z1 * (1 - z1), dE_dz2 * z2 * (1 - z2)
            return np.array([dE_da1 * x1, dE_da2 * x1, dE_da1 * x2, dE_da2 * x2, dE_da3 * z1, dE_da3 * z2])
        '''),
    correct(WB, "A", "tiny_update", "an explicit copy, then -= on the copy", '''
        def tiny_update(w, grads, alpha):
            w_new = np.array(w, dtype=float, copy=True)
            w_new -= alpha * np.asarray(grads, dtype=float)
            return w_new
        '''),
    correct(WB, "B", "tiny_update", "a list comprehension over the pairs", '''
        def tiny_update(w, grads, alpha):
            return np.array([w_i - alpha * g_i for w_i, g_i in zip(w, grads)], dtype=float)
        '''),
    correct(WB, "A", "backward", "a loop over the layers, from the output back", '''
        def backward(X, Y, params, cache):
            inputs = {1: np.asarray(X, dtype=float), 2: cache["A1"], 3: cache["A2"]}
            grads = {}
            dZ = (cache["P"] - Y) / X.shape[0]
            for layer in (3, 2, 1):
                A_prev = inputs[layer]
                grads[f"W{layer}"] = A_prev.T @ dZ
                grads[f"b{layer}"] = dZ.sum(axis=0)
                if layer > 1:
                    dZ = (dZ @ params[f"W{layer}"].T) * A_prev * (1 - A_prev)
            return grads
        '''),
    correct(WB, "C", "backward", "a loop over the layers by range(3, 0, -1), the dict built by a comprehension", '''
        def backward(X, Y, params, cache):
            activations = [np.asarray(X, dtype=float), cache["A1"], cache["A2"]]
            dZ = (cache["P"] - Y) / X.shape[0]
            dW, db = {}, {}
            for layer in range(3, 0, -1):
                A_prev = activations[layer - 1]
                dW[layer], db[layer] = A_prev.T @ dZ, np.sum(dZ, axis=0)
                if layer > 1:
                    dZ = (dZ @ params[f"W{layer}"].T) * A_prev * (1 - A_prev)
            return {f"{kind}{layer}": grad[layer] for layer in (1, 2, 3) for kind, grad in zip(("W", "b"), (dW, db))}
        '''),
    correct(WB, "B", "backward", "einsum, means over the batch, the slopes from Z with scipy.special.expit", '''
        from scipy.special import expit

        def backward(X, Y, params, cache):
            N = X.shape[0]
            delta3 = cache["P"] - Y                             # per example, not yet averaged
            s2 = expit(cache["Z2"])
            delta2 = np.einsum("nc,hc->nh", delta3, params["W3"]) * s2 * (1 - s2)
            s1 = expit(cache["Z1"])
            delta1 = np.einsum("nh,kh->nk", delta2, params["W2"]) * s1 * (1 - s1)
            return {"W1": np.einsum("nd,nk->dk", X, delta1) / N, "b1": delta1.mean(axis=0),
                    "W2": np.einsum("nk,nh->kh", cache["A1"], delta2) / N, "b2": delta2.mean(axis=0),
                    "W3": np.einsum("nh,nc->hc", cache["A2"], delta3) / N, "b3": delta3.mean(axis=0)}
        '''),
]

# Find and fix (questions 5.2 and 5.3), answered by assigning names
ANSWERS = {
    "board_forward": dict(wrong_steps="{2, 4, 6, 7}", correct_cost="0.4213"),
    "board_backward": dict(wrong_lines="{7, 8, 14, 15, 21}", gradient_factor="0.2256"),
}


def answers(question, **changes):
    """The code of the cell of `question` with the right answers but for `changes` (name: code)."""
    return "".join(f"{name} = {value}\n" for name, value in {**ANSWERS[question], **changes}.items())


def answer_mistake(name, question, hint, origin, **changes):
    return mistake(WB, name, question, f"test_{question}", hint, answers(question, **changes), origin)


SEED_004 = "seed 004: the worked example"
MISTAKES += [
    answer_mistake("board-cost-log10", "board_forward", r"number on the board", SEED_004, correct_cost="0.18"),
    answer_mistake("board-cost-sign", "board_forward", r"never negative", "classic: the minus sign",
                   correct_cost="-0.4213"),
    answer_mistake("board-cost-is-y-hat", "board_forward", r"that is y_hat", "classic: the output for the loss",
                   correct_cost="0.6562"),
    answer_mistake("board-sums-wrong", "board_forward", r"steps 1 and 3", SEED_004, wrong_steps="{1, 2, 3, 4, 6, 7}"),
    answer_mistake("board-misses-cost", "board_forward", None, SEED_004, wrong_steps="{2, 4, 6}"),
    answer_mistake("board-misses-sigmoid", "board_forward", None, SEED_004, wrong_steps="[7]"),
    answer_mistake("lines-forward", "board_backward", r"forward part", SEED_004,
                   wrong_lines="{6, 7, 8, 14, 15, 21}"),
    answer_mistake("lines-every-use", "board_backward", r"not each line that uses it", SEED_004,
                   wrong_lines="{7, 8, 14, 15, 16, 17, 18, 19, 21}"),
    answer_mistake("lines-misses-update", "board_backward", None, SEED_004, wrong_lines="{7, 8, 14, 15}"),
    answer_mistake("lines-misses-slope", "board_backward", None, SEED_004, wrong_lines="{7, 8, 21}"),
    answer_mistake("lines-misses-double-count", "board_backward", None, SEED_004, wrong_lines="{7, 14, 15, 21}"),
    answer_mistake("lines-misses-log", "board_backward", None, SEED_004, wrong_lines="{8, 14, 15, 21}"),
    answer_mistake("factor-inverted", "board_backward", r"divided by the board's", "classic: a ratio upside down",
                   gradient_factor="4.433"),
    answer_mistake("factor-one", "board_backward", r"would mean the board's dE/dw5 is right", SEED_004,
                   gradient_factor="1"),
    answer_mistake("factor-y-hat", "board_backward", None, "classic: y_hat for y_hat (1 - y_hat)",
                   gradient_factor="0.6562"),
]

CORRECT += [
    correct(WB, "A", "board_forward", "a set and four decimals", answers("board_forward")),
    correct(WB, "B", "board_forward", "a list with step 5 (the rounding), three decimals",
            answers("board_forward", wrong_steps="[2, 4, 5, 6, 7]", correct_cost="0.421")),
    correct(WB, "A", "board_backward", "the double count at [8]", answers("board_backward")),
    correct(WB, "B", "board_backward", "the double count at [9] and its uses, as text",
            answers("board_backward", wrong_lines='"7, 9, 10, 11, 12, 13, 14, 15, 21"', gradient_factor="0.226")),
]

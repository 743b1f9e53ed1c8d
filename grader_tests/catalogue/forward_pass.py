"""02_forward_pass: softmax, one-hot targets, the forward pass and predict."""
from . import correct, mistake

WB = "02_forward_pass"
NBSRC = "nbsrc/02_forward_pass_mistakes.py"

SOFTMAX = '''
def softmax(Z):
    Z = np.asarray(Z, dtype=float)
{body}
'''
FORWARD = '''
def forward(X, params):
    Z1 = X @ params["W1"] + params["b1"]
    A1 = {a1}
    Z2 = A1 @ params["W2"] + {b2}
    A2 = sigmoid(Z2)
    Z3 = A2 @ params["W3"] + params["b3"]
    P = {p}
    return {{"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2, "Z3": Z3, "P": P}}
'''
ONE_HOT = '''
def one_hot(y, num_classes):
    y = np.asarray(y{dtype})
{check}    Y = np.zeros((len(y), {columns}))
    Y[np.arange(len(y)), y] = 1
    return Y{transpose}
'''
CHECK = '''    if np.any((y < 0) | (y {op} num_classes)):
        raise ValueError(f"labels must lie in [0, {{num_classes}}), got {{y}}")
'''


def one_hot(dtype="", check=CHECK.format(op=">="), columns="num_classes", transpose=""):
    return ONE_HOT.format(dtype=dtype, check=check, columns=columns, transpose=transpose)


BOTH_SOFTMAX = ["test_softmax", "test_softmax_stability"]

MISTAKES = [
    # softmax
    mistake(WB, "softmax-axis0", "softmax", BOTH_SOFTMAX, r"axis 0", SOFTMAX.format(body='''
    E = np.exp(Z - Z.max(axis=0))
    return E / E.sum(axis=0)'''), NBSRC + "; classic: wrong sum axis"),
    mistake(WB, "softmax-no-max", "softmax", "test_softmax_stability", r"exp overflowed", SOFTMAX.format(body='''
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)'''), NBSRC + "; classic: exp overflow"),
    mistake(WB, "softmax-global-max", "softmax", "test_softmax_stability", r"largest entry of the whole matrix",
            SOFTMAX.format(body='''
    E = np.exp(Z - np.max(Z))
    return E / E.sum(axis=1, keepdims=True)'''), NBSRC),
    mistake(WB, "softmax-no-keepdims", "softmax", BOTH_SOFTMAX, r"keepdims", SOFTMAX.format(body='''
    E = np.exp(Z - Z.max(axis=1))
    return E / E.sum(axis=1)'''), NBSRC + "; classic: no keepdims"),
    mistake(WB, "softmax-in-place", "softmax", BOTH_SOFTMAX, r"modified its argument", '''
        def softmax(Z):
            Z -= Z.max(axis=1, keepdims=True)
            np.exp(Z, out=Z)
            Z /= Z.sum(axis=1, keepdims=True)
            return Z
        ''', "classic: mutated input"),

    # forward
    mistake(WB, "forward-no-bias", "forward", "test_forward", r"without the bias",
            FORWARD.format(a1="sigmoid(Z1)", b2="0", p="softmax(Z3)"), NBSRC),
    mistake(WB, "forward-sigmoid-output", "forward", "test_forward", r"P is sigmoid\(Z3\)",
            FORWARD.format(a1="sigmoid(Z1)", b2='params["b2"]', p="sigmoid(Z3)"), NBSRC),
    mistake(WB, "forward-softmax-hidden", "forward", "test_forward", r"hidden layers use the sigmoid",
            FORWARD.format(a1="softmax(Z1)", b2='params["b2"]', p="softmax(Z3)"), NBSRC),
    mistake(WB, "forward-from-pre-activations", "forward", "test_forward", r"computed from the pre-activations",
            FORWARD.format(a1="sigmoid(Z1)", b2='params["b2"]', p="softmax(Z3)")
            .replace('Z2 = A1 @ params["W2"]', 'Z2 = Z1 @ params["W2"]'),
            "classic: the next layer fed the pre-activations"),

    # predict
    mistake(WB, "predict-probabilities", "predict", "test_predict", r"the probabilities P", '''
        def predict(X, params):
            return forward(X, params)["P"]
        ''', NBSRC),
    mistake(WB, "predict-axis0", "predict", "test_predict", r"axis 0", '''
        def predict(X, params):
            return np.argmax(forward(X, params)["P"], axis=0)
        ''', NBSRC + "; classic: wrong axis"),
    mistake(WB, "predict-max", "predict", "test_predict", r"not their positions", '''
        def predict(X, params):
            return np.max(forward(X, params)["P"], axis=1)
        ''', NBSRC),

    # one_hot
    mistake(WB, "one_hot-no-check", "one_hot", "test_one_hot_validation", r"ValueError",
            one_hot(check=""), NBSRC),
    mistake(WB, "one_hot-float-labels", "one_hot", "test_one_hot", r"dtype=float",
            one_hot(dtype=", dtype=float"), NBSRC),
    mistake(WB, "one_hot-off-by-one", "one_hot", "test_one_hot_validation", r"y >= num_classes, not y > num_classes",
            one_hot(check=CHECK.format(op=">")), NBSRC),
    mistake(WB, "one_hot-transposed", "one_hot", "test_one_hot", r"transposed", one_hot(transpose=".T"),
            NBSRC + "; classic: a transpose"),
    mistake(WB, "one_hot-largest-label", "one_hot", "test_one_hot", r"largest label \+ 1",
            one_hot(columns="y.max() + 1"), "classic: sizes taken from the data, not the arguments"),
]

CORRECT = [
    correct(WB, "A", "softmax", "scipy.special.softmax", '''
        from scipy.special import softmax as scipy_softmax

        def softmax(Z):
            return scipy_softmax(np.asarray(Z, dtype=float), axis=1)
        '''),
    correct(WB, "B", "softmax", "exp(Z - logsumexp(Z)) with scipy.special.logsumexp", '''
        from scipy.special import logsumexp

        def softmax(Z):
            Z = np.asarray(Z, dtype=float)
            return np.exp(Z - logsumexp(Z, axis=1, keepdims=True))
        '''),
    correct(WB, "C", "softmax", "np.amax and [:, None] instead of keepdims", '''
        def softmax(Z):
            Z = np.array(Z, dtype=float)
            E = np.exp(Z - np.amax(Z, axis=1)[:, None])
            return E / np.sum(E, axis=1)[:, None]
        '''),
    correct(WB, "A", "one_hot", "rows of the identity matrix", '''
        def one_hot(y, num_classes):
            y = np.asarray(y)
            bad = (y < 0) | (y >= num_classes)
            if bad.any():
                raise ValueError(f"label {y[bad][0]} is not in [0, {num_classes})")
            return np.eye(num_classes, dtype=int)[y]
        '''),
    correct(WB, "B", "one_hot", "broadcast comparison with np.arange", '''
        def one_hot(y, num_classes):
            y = np.asarray(y)
            for label in y:
                if not 0 <= label < num_classes:
                    raise ValueError(f"got label {label}; labels must be in [0, {num_classes})")
            return (y[:, None] == np.arange(num_classes)).astype(int)
        '''),
    correct(WB, "A", "forward", "a loop over the three layers", '''
        def forward(X, params):
            cache = {}
            A = X
            for layer in (1, 2, 3):
                Z = A @ params[f"W{layer}"] + params[f"b{layer}"]
                A = softmax(Z) if layer == 3 else sigmoid(Z)
                cache[f"Z{layer}"] = Z
                cache["P" if layer == 3 else f"A{layer}"] = A
            return cache
        '''),
    correct(WB, "B", "forward", "np.dot, scipy.special.expit and scipy.special.softmax", '''
        from scipy.special import expit, softmax as scipy_softmax

        def forward(X, params):
            Z1 = np.dot(X, params["W1"]) + params["b1"]
            A1 = expit(Z1)
            Z2 = np.dot(A1, params["W2"]) + params["b2"]
            A2 = expit(Z2)
            Z3 = np.dot(A2, params["W3"]) + params["b3"]
            return dict(Z1=Z1, A1=A1, Z2=Z2, A2=A2, Z3=Z3, P=scipy_softmax(Z3, axis=1))
        '''),
    correct(WB, "A", "predict", "the argmax method of P", '''
        def predict(X, params):
            return forward(X, params)["P"].argmax(axis=1)
        '''),
    correct(WB, "B", "predict", "argmax of the logits Z3 (softmax keeps their order)", '''
        def predict(X, params):
            logits = forward(X, params)["Z3"]
            return np.argmax(logits, axis=1)
        '''),
]

# Question 4.1, answered by assigning names
TARGETS = dict(shape_of_y="()", shape_of_one_hot="(10,)", sum_of_one_hot="1")


def targets(**changes):
    return "".join(f"{name} = {value}\n" for name, value in {**TARGETS, **changes}.items())


MISTAKES += [
    mistake(WB, "targets-label-array", "targets", "test_targets", r"single integer", targets(shape_of_y="(1,)"),
            "classic: a label as an array of one element"),
    mistake(WB, "targets-label-one-hot", "targets", "test_targets", r"shape of the one-hot encoding",
            targets(shape_of_y="(10,)"), "seed: target outputs"),
    mistake(WB, "targets-row-matrix", "targets", "test_targets", r"plain vector", targets(shape_of_one_hot="(1, 10)"),
            "classic: a row matrix for a vector"),
    mistake(WB, "targets-batch", "targets", "test_targets", r"batch's Y", targets(shape_of_one_hot="(3, 10)"),
            "seed: target outputs (the batch)"),
    mistake(WB, "targets-sum-ten", "targets", "test_targets", r"not ten ones", targets(sum_of_one_hot="10"),
            "seed: target outputs"),
    mistake(WB, "targets-nine-classes", "targets", "test_targets", None, targets(shape_of_one_hot="(9,)"),
            "classic: C - 1, the largest label, for C"),
]

CORRECT += [
    correct(WB, "A", "targets", "tuples and an int", targets()),
    correct(WB, "B", "targets", "shapes as text and a float",
            targets(shape_of_y='"scalar"', shape_of_one_hot='"(10,)"', sum_of_one_hot="1.0")),
]

"""Visible checks for 04_backprop: gates, numerical gradients, the 2-2-1 network, backward.

Expected values are small hand-made cases, written out as numbers (the inputs are given
beside them), so that each classic mistake can be recognised by the value it would give.
"""
import warnings

import numpy as np

from .answers import as_number, as_numbers
from .asserts import Hint, call, expect, expect_no_loop, visible_check

# The office-hours example: w = [w1..w6], x = [x1, x2], target y = 1.
SEED_W, SEED_X, SEED_Y = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [0.0, 1.0], 1
SEED_FORWARD = {"a1": 0.3, "z1": 0.574442516812, "a2": 0.4, "z2": 0.598687660112,
                "a3": 0.646433854473, "y_hat": 0.656206390563}
SEED_GRADS = [0.0, 0.0, -0.0420216027, -0.0495600654, -0.1974896663, -0.2058249916]
# A second example, where x1 is not 0 and the target is 0.
OTHER_W, OTHER_X, OTHER_Y = [0.3, -0.2, 0.8, 0.1, -0.7, 1.2], [0.5, -1.5], 0
OTHER_FORWARD = {"a1": -1.05, "z1": 0.259225100818, "a2": -0.25, "z2": 0.437823499114,
                 "a3": 0.343930628365, "y_hat": 0.585145002472}
OTHER_GRADS = [-0.0393273655, 0.0864144771, 0.1179820966, -0.2592434312, 0.1516842723,
               0.2561902325]


@visible_check
def add_mul_backward(f):
    """f = (x + y) z with q = x + y: df/dz = q, df/dq = z, df/dx = df/dy = z."""
    __tracebackhide__ = True
    got = call(f, -2.0, 5.0, -4.0)
    expect(isinstance(got, tuple) and len(got) == 4,
           "add_mul_backward should return four values: (f, dfdx, dfdy, dfdz)")
    value, dfdx, dfdy, dfdz = got
    expect(np.isclose(value, -12), f"f = (x + y) * z = (-2 + 5) * (-4) = -12, not {value}")
    expect(not np.isclose(dfdz, -4), "dfdz is z = -4: a mul gate gives each input the OTHER input, "
                                     "so df/dz = q = x + y = 3")
    expect(np.isclose(dfdz, 3), f"df/dz should be q = x + y = 3, not {dfdz}")
    for name, d in [("dfdx", dfdx), ("dfdy", dfdy)]:
        expect(not np.isclose(d, 1), f"{name} is 1, the add gate's local gradient alone: multiply it "
                                     "by the upstream gradient df/dq = z (chain rule)")
        expect(not np.isclose(d, -2), f"{name} is -2, half of df/dq: the add gate does not split the "
                                      "gradient, each input gets all of it")
        expect(not np.isclose(d, 8) and not np.isclose(d, -20) and not np.isclose(d, 20)
               and not np.isclose(d, -12),
               f"{name} is {d}: the add gate does not scale the gradient by anything; "
               "its local gradient is 1, so df/dx = df/dy = df/dq = z")
        expect(np.isclose(d, -4), f"{name} should be df/dq = z = -4, not {d}")
    again = call(f, 1.5, -0.5, 2.0)
    expect(np.allclose(again, (2.0, 2.0, 2.0, 1.0)),
           "add_mul_backward(1.5, -0.5, 2) should be (2, 2, 2, 1): compute from x, y, z, "
           "do not hard-code the example")


@visible_check
def max_gate_backward(f):
    """The max gate routes the whole upstream gradient to the larger input."""
    __tracebackhide__ = True
    got = call(f, 3.0, -1.0, 2.0)
    expect(isinstance(got, tuple) and len(got) == 2, "max_gate_backward should return two values: (dx, dy)")
    dx, dy = got
    expect(not (np.isclose(dx, 2) and np.isclose(dy, 2)),
           "both inputs got the gradient: the max gate is a router, the larger input gets the "
           "upstream gradient and the smaller one gets 0 (it did not affect the output)")
    expect(not (np.isclose(dx, 0) and np.isclose(dy, 2)),
           "the gradient went to the smaller input: max(3, -1) is x, so x gets it")
    expect(not (np.isclose(dx, 1) and np.isclose(dy, 0)),
           "dx is 1, the local gradient alone: multiply it by the upstream gradient")
    expect(np.isclose(dx, 2) and np.isclose(dy, 0),
           f"max_gate_backward(3, -1, upstream=2) should be (2, 0), not ({dx}, {dy})")
    x, y = np.array([1.0, -2.0, 5.0]), np.array([0.0, 3.0, 4.5])
    up = np.array([10.0, 20.0, 30.0])
    try:
        dx, dy = call(f, x, y, up)
    except ValueError as error:
        raise Hint(f"max_gate_backward failed on arrays ({error}): `if x > y` only works on single "
                   "numbers; use a boolean mask and np.where so each entry takes its own branch") from None
    expect(np.shape(dx) == (3,) and np.shape(dy) == (3,), "on arrays of shape (3,), dx and dy have shape (3,)")
    expect(np.array_equal(dx, [10, 0, 30]) and np.array_equal(dy, [0, 20, 0]),
           f"with x = {x}, y = {y} and upstream {up}, dx should be [10, 0, 30] and dy [0, 20, 0]; "
           f"got {dx} and {dy}")


@visible_check
def sigmoid_neuron(f):
    """The neuron of seed 001: w = [2, -3, -3], x = [-1, -2], so dot = 1 and f = sigmoid(1)."""
    __tracebackhide__ = True
    w, x = np.array([2.0, -3.0, -3.0]), np.array([-1.0, -2.0])
    got = call(f, w, x)
    expect(isinstance(got, tuple) and len(got) == 3, "sigmoid_neuron should return three values: (f, dw, dx)")
    out, dw, dx = got
    expect(not np.isclose(out, 1.0), "f is 1, the dot product itself: apply the sigmoid to it")
    expect(not np.isclose(out, 0.9820137900379085),
           "f is sigmoid(4): you left out the bias; the last weight w[-1] is added to the dot product")
    expect(np.isclose(out, 0.7310585786300049), f"f should be sigmoid(1) = 0.7311, not {out}")
    expect(np.shape(dw) == (3,),
           f"dw has shape {np.shape(dw)}, expected (3,): one entry per weight, the bias w[-1] included "
           "(its local gradient is 1)")
    expect(np.shape(dx) == (2,), f"dx has shape {np.shape(dx)}, expected (2,): one entry per input")
    expect(not np.allclose(dw, 0),
           "dw is all zeros: you computed dot * (1 - dot) with dot = 1, the sigmoid's derivative "
           "applied to the pre-activation. Use f * (1 - f) with f = sigmoid(dot)")
    expect(not np.allclose(dw, [-1, -2, 1]),
           "dw equals [x, 1]: you left out the sigmoid's local gradient f * (1 - f)")
    expect(not np.allclose(dw[:2], [0.3932238665, -0.5898357997]),
           "dw and dx are swapped: a mul gate gives each input the other one, so the weight "
           "w[i] gets x[i] * upstream and the input x[i] gets w[i] * upstream")
    expect(np.allclose(dw, [-0.1966119332, -0.3932238665, 0.1966119332]),
           f"dw should be [-0.197, -0.393, 0.197] (that is [x0, x1, 1] * 0.1966), not {dw}")
    expect(np.allclose(dx, [0.3932238665, -0.5898357997]),
           f"dx should be [0.393, -0.590] (that is w[:-1] * 0.1966), not {dx}")
    out, dw, dx = call(f, np.array([0.5, -1.0, 2.0, 0.1]), np.array([1.0, 2.0, -0.5]))
    expect(np.isclose(out, 0.08317269649392238)
           and np.allclose(dw, [0.0762549991, 0.1525099981, -0.0381274995, 0.0762549991])
           and np.allclose(dx, [0.0381274995, -0.0762549991, 0.1525099981]),
           "sigmoid_neuron is right on the example with 2 inputs but wrong with 3 inputs: "
           "use w[:-1] and w[-1], not a fixed number of weights")


@visible_check
def numerical_gradient(f):
    """Centred differences, and the argument h is used (restoring x is numerical_gradient_restores)."""
    __tracebackhide__ = True
    cube = lambda v: float(np.sum(v ** 3))  # noqa: E731  (gradient 3 v**2)
    got = _on_copies(f, cube, np.array([1.0]))
    expect(got is not None, "numerical_gradient returned None: did you forget `return`?")
    got = float(np.ravel(got)[0])
    expect(abs(got - 3.00003) > 1e-7,
           "for f(x) = x**3 at x = 1 you got 3.00003, the forward difference (f(x + h) - f(x)) / h, "
           "whose error is about h. Use the centred difference (f(x + h) - f(x - h)) / (2 h): "
           "its error is about h**2")
    expect(abs(got - 2.99997) > 1e-7,
           "you got 2.99997, the backward difference (f(x) - f(x - h)) / h; use the centred "
           "difference (f(x + h) - f(x - h)) / (2 h)")
    expect(abs(got - 6.0) > 1e-4, "you got 6 instead of 3: divide f(x + h) - f(x - h) by 2 h, not by h")
    expect(abs(got - 3.0) < 1e-8, f"the derivative of x**3 at x = 1 is 3, and the centred difference "
                                  f"gives 3.0000000001; you got {got}")
    coarse = float(np.ravel(_on_copies(f, cube, np.array([1.0]), 1e-2))[0])
    expect(abs(coarse - 3.0001) < 1e-9,
           f"with h = 0.01 the centred difference gives 3.0001, you got {coarse}: use the argument h")
    x = np.array([[1.0, -2.0, 0.5], [0.3, 2.0, -1.0]])
    mixed = lambda v: float(np.sum(v ** 2) + v[0, 0] * v[1, 2])  # noqa: E731
    grad = _on_copies(f, mixed, x)
    expect(np.shape(grad) == (2, 3), f"the gradient has the shape of x, (2, 3), not {np.shape(grad)}")
    want = 2 * x
    want[0, 0] += x[1, 2]
    want[1, 2] += x[0, 0]
    expect(np.allclose(grad, want, rtol=1e-7, atol=1e-8),
           "wrong gradient for f(x) = sum(x**2) + x[0, 0] * x[1, 2] on a (2, 3) array: perturb one "
           "entry at a time, and put every other entry back before moving on")


@visible_check
def numerical_gradient_restores(f):
    """x is unchanged afterwards: every entry restored exactly."""
    __tracebackhide__ = True
    x = np.array([0.1, 1 / 3, -2.7, 1e3, 0.7])
    before = x.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f(lambda v: float(np.sum(np.sin(v))), x)
    if not np.array_equal(x, before):
        off = np.max(np.abs(x - before))
        expect(off > 1e-9,
               f"x changed by {off:.1e} after the call: x + h - 2 h + h is not always exactly x in "
               "floating point. Save the old value and put it back (x[i] = old) instead of "
               "adding h back")
        raise Hint(f"x changed after the call (by up to {off:.3g}): after evaluating f at x[i] + h "
                   "and x[i] - h, restore x[i] to its old value")


@visible_check
def relative_error(f):
    """max over entries of |a - b| / max(1e-8, |a| + |b|)."""
    __tracebackhide__ = True
    same = call(f, np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    expect(np.ndim(same) == 0, f"relative_error returns one number (the largest error), not shape {np.shape(same)}")
    expect(same == 0, f"equal arrays have relative error 0, not {same}")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            zero = f(np.zeros(3), np.zeros(3))
        except (Warning, ZeroDivisionError, FloatingPointError) as error:
            raise Hint(f"relative_error(0, 0) failed ({type(error).__name__}: {error}): 0 / 0. "
                       "Divide by max(1e-8, |a| + |b|), which is never 0") from None
    expect(zero == 0, f"relative_error of two zero arrays is 0, not {zero}")
    got = call(f, np.array([1.0, 100.0]), np.array([1.1, 100.0]))
    expect(np.ndim(got) == 0, f"relative_error returns one number (the largest error), not shape {np.shape(got)}")
    expect(not np.isclose(got, 0.1 / 200) and not np.isclose(got, 0.1 / 202.1),
           "you divided the largest |a - b| by the largest (or the total) |a| + |b| of the whole "
           "arrays: divide entry by entry, then take the largest ratio")
    expect(not np.isclose(got, 0.1 / 2.1 / 2), "take the largest ratio (np.max), not the mean")
    expect(not np.isclose(got, 0.1 / 1.1) and not np.isclose(got, 0.1),
           "divide by |a| + |b|, not by |a| or |b| alone (the error is then symmetric in a and b)")
    expect(np.isclose(got, 0.1 / 2.1), f"relative_error([1, 100], [1.1, 100]) is 0.1 / 2.1 = 0.0476, not {got}")
    opposite = call(f, 1.0, -1.0)
    expect(opposite < 2, "relative_error(1, -1) is huge: divide by |a| + |b|, not |a + b|")
    expect(np.isclose(opposite, 1.0), f"relative_error(1, -1) is |2| / (1 + 1) = 1, not {opposite}")


@visible_check
def tiny_forward(f):
    """The forward pass of the office-hours network on its own example, and on another one."""
    __tracebackhide__ = True
    for w, x, want in [(SEED_W, SEED_X, SEED_FORWARD), (OTHER_W, OTHER_X, OTHER_FORWARD)]:
        with np.errstate(all="ignore"):  # a log10 of a negative number is recognised below
            got = call(f, np.array(w), np.array(x))
        expect(isinstance(got, dict), f"tiny_forward should return a dict, not {type(got).__name__}")
        missing = [key for key in want if key not in got]
        expect(not missing, f"tiny_forward's dict is missing the keys {missing} (a1 z1 a2 z2 a3 y_hat)")
        case = f"with w = {w} and x = {x}"
        expect(not np.isclose(got["a1"], x[0] * w[0] + x[1] * w[1]),
               f"{case}, a1 = {got['a1']:.4g} uses w2: w2 connects x1 to h2. Hidden unit 1 gets "
               "x1 through w1 and x2 through w3: a1 = x1 w1 + x2 w3")
        expect(not np.isclose(got["a1"], want["z1"]),
               f"{case}, a1 is the activation: in this example a is the pre-activation (the weighted "
               "sum) and z = sigmoid(a) the activation")
        expect(np.isclose(got["a1"], want["a1"]) and np.isclose(got["a2"], want["a2"]),
               f"{case}, a1 and a2 should be {want['a1']} and {want['a2']} "
               f"(a1 = x1 w1 + x2 w3, a2 = x1 w2 + x2 w4), not {got['a1']} and {got['a2']}")
        with np.errstate(invalid="ignore"):
            log10 = np.log10(want["a1"])
        expect(not np.isclose(got["z1"], log10),
               f"{case}, z1 = log10(a1): the activation is the logistic sigmoid, z1 = sigmoid(a1)")
        expect(not np.isclose(got["z1"], want["a1"]), f"{case}, z1 = a1: apply the sigmoid, z1 = sigmoid(a1)")
        expect(np.isclose(got["z1"], want["z1"]) and np.isclose(got["z2"], want["z2"]),
               f"{case}, z1 and z2 should be sigmoid(a1) = {want['z1']:.6f} and sigmoid(a2) = {want['z2']:.6f}")
        expect(np.isclose(got["a3"], want["a3"]),
               f"{case}, a3 should be z1 w5 + z2 w6 = {want['a3']:.6f}, not {got['a3']}")
        expect(not np.isclose(got["y_hat"], want["a3"]), f"{case}, y_hat = a3: apply the output sigmoid")
        expect(np.isclose(got["y_hat"], want["y_hat"]),
               f"{case}, y_hat should be sigmoid(a3) = {want['y_hat']:.6f}, not {got['y_hat']}")


@visible_check
def tiny_gradients(f):
    """The six dE/dw_i of the binary cross-entropy, on the office-hours example and another one."""
    __tracebackhide__ = True
    for w, x, y, forward, right in [(SEED_W, SEED_X, SEED_Y, SEED_FORWARD, SEED_GRADS),
                                    (OTHER_W, OTHER_X, OTHER_Y, OTHER_FORWARD, OTHER_GRADS)]:
        got = call(f, np.array(w), np.array(x), y)
        expect(got is not None, "tiny_gradients returned None: did you forget `return`?")
        got = np.asarray(got, dtype=float)
        expect(got.shape == (6,), f"tiny_gradients should return an array of the six dE/dw_i, shape (6,), "
                                  f"not {got.shape}")
        right = np.array(right)
        if np.allclose(got, right, atol=1e-9):
            continue
        case = f"With w = {w}, x = {x}, y = {y}:"
        y_hat, z1, z2 = forward["y_hat"], forward["z1"], forward["z2"]
        slope = y_hat * (1 - y_hat)
        hidden = np.array([z1 * (1 - z1), z2 * (1 - z2), z1 * (1 - z1), z2 * (1 - z2)])
        on_a = np.array([forward["a1"] * (1 - forward["a1"]), forward["a2"] * (1 - forward["a2"])] * 2)
        sign = "" if np.all(got[4:] * right[4:] > 0) else " and check the sign"
        expect(not np.allclose(got, -right),
               f"{case} every gradient has the wrong sign: dE/da3 = y_hat - y, not y - y_hat")
        expect(not np.allclose(got, right / np.log(10)),
               f"{case} your gradients are those of the cost with log10. The loss is the binary "
               "cross-entropy with the natural log")
        expect(not (np.allclose(got[4:], right[4:] * slope) and np.allclose(got[:4], right[:4] * slope * on_a / hidden)),
               f"{case} this is the office-hours board's chain: y_hat (1 - y_hat) counted twice AND "
               "a (1 - a) of the pre-activation. y_hat - y is already dE/da3, and the hidden "
               "units' slope is z (1 - z) of the activation")
        expect(not np.allclose(got, right * slope),
               f"{case} every gradient is y_hat (1 - y_hat) = {slope:.4f} times too small: the sigmoid's "
               "derivative is counted twice. y_hat - y is dE/da3 (the derivative with respect to the "
               "PRE-activation a3, output sigmoid included), not dE/dy_hat = -y/y_hat + (1-y)/(1-y_hat)")
        expect(not np.allclose(got, right / slope),
               f"{case} every gradient is 1 / (y_hat (1 - y_hat)) times too large: dE/dy_hat needs "
               "the output sigmoid's derivative y_hat (1 - y_hat) to become dE/da3")
        expect(not (np.allclose(got[4:], right[4:]) and np.allclose(got[:4], right[:4] * on_a / hidden)),
               f"{case} dE/dw5 and dE/dw6 are right, the hidden ones are not: you applied a (1 - a) "
               "to the pre-activation. The sigmoid's slope at a1 is z1 (1 - z1) with z1 = sigmoid(a1)")
        expect(np.allclose(got[4:], right[4:]),
               f"{case} dE/dw5 and dE/dw6 should be (y_hat - y) z1 and (y_hat - y) z2 = "
               f"{right[4]:.6f} and {right[5]:.6f}, not {got[4]:.6f} and {got[5]:.6f}{sign}")
        used = _output_weights_used(got, right, w)
        if used is not None:
            rate = (np.array(w[4:]) - used) / right[4:]   # used = w - rate * dE/dw, for w5 and w6
            if rate[0] > 0 and np.isclose(rate[0], rate[1]):
                raise Hint(f"{case} dE/dw5 and dE/dw6 are right, but the hidden gradients were taken "
                           f"with w5 = {used[0]:.4f} and w6 = {used[1]:.4f} instead of {w[4]} and {w[5]}: "
                           f"w5 and w6 after a gradient step with learning rate {rate[0]:.3g}. You updated "
                           "w5 and w6 before the hidden-layer gradients were taken. Take all six "
                           "gradients at the old weights first, then update (tiny_update does that)")
        swap = right[[0, 1, 2, 3]] * np.array([w[5] / w[4], w[4] / w[5]] * 2)
        expect(not np.allclose(got[:4], swap),
               f"{case} hidden unit 1 reaches the output through w5 and hidden unit 2 through w6: "
               "dE/dz1 = (y_hat - y) w5, dE/dz2 = (y_hat - y) w6")
        expect(not np.allclose(got[:4], right[[0, 2, 1, 3]]),
               f"{case} the hidden gradients are in the wrong order: w1 is x1->h1, w2 is x1->h2, "
               "w3 is x2->h1, w4 is x2->h2")
        expect(False, f"{case} dE/dw1..dE/dw4 should be {np.round(right[:4], 6)}, not {np.round(got[:4], 6)}. "
                      "dE/dw1 = (y_hat - y) w5 z1 (1 - z1) x1, and so on (if tiny_forward's check "
                      "fails, fix it first: tiny_gradients uses it)")


@visible_check
def tiny_update(f):
    """w - alpha * grads, as a new array."""
    __tracebackhide__ = True
    w = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    grads = np.array([0.5, -1.0, 2.0, 0.25, -3.0, 4.0])
    passed = w.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = f(passed, grads.copy(), 0.1)
    expect(np.array_equal(passed, w),
           "tiny_update changed the array w it was given: build the new weights as a new array "
           "(w - alpha * grads). The old weights must stay as they are: every gradient is taken "
           "at the OLD weights")
    expect(got is not None, "tiny_update returned None: did you forget `return`?")
    got = np.asarray(got, dtype=float)
    want = w - 0.1 * grads
    expect(got.shape == (6,), f"tiny_update should return the six new weights, shape (6,), not {got.shape}")
    expect(not np.allclose(got, w + 0.1 * grads),
           "the weights moved uphill: gradient descent subtracts, w - alpha * grads")
    expect(not np.allclose(got, w - grads), "you left out the learning rate alpha: w - alpha * grads")
    expect(not (np.allclose(got[:5], want[:5]) and np.isclose(got[5], w[5] - 0.1 * grads[4])),
           "w6 was updated with dE/dw5 (grads[4]): w6 needs its own gradient grads[5]. This is the "
           "office-hours code's bug, and why its w5 and w6 moved by exactly the same amount")
    expect(np.allclose(got, want), f"tiny_update(w, grads, 0.1) should be w - 0.1 * grads = {want}, not {got}")


# The small batch backward is checked on: N=3, D=2, H1=4, H2=2, C=4.
BATCH_X = np.array([[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]])
BATCH_Y = np.eye(4)[[2, 0, 3]]
BATCH_PARAMS = {"W1": np.array([[0.2, -0.5, 0.9, 0.1], [-0.7, 0.4, 0.3, -0.2]]),
                "b1": np.array([0.1, -0.1, 0.0, 0.2]),
                "W2": np.array([[0.6, -0.3], [-0.4, 0.8], [0.5, 0.1], [-0.9, 0.7]]),
                "b2": np.array([0.05, -0.15]),
                "W3": np.array([[1.0, -0.6, 0.3, -0.2], [-0.5, 0.9, -0.8, 0.4]]),
                "b3": np.array([0.1, 0.0, -0.1, 0.2])}


@visible_check
def backward(f, forward):
    """Shapes, then values, of the gradients on the small batch BATCH_X, BATCH_Y, BATCH_PARAMS."""
    __tracebackhide__ = True
    X, Y, params = BATCH_X, BATCH_Y, BATCH_PARAMS
    right = {"W1": [[-0.0259350395, 0.0305959726, -0.0082455805, 0.0464447248],
                    [0.007119381, -0.0157939098, 0.0009681077, -0.0172737943]],
             "b1": [-0.0160839192, 0.022578668, -0.0027553557, 0.0310012577],
             "W2": [[-0.0435896696, 0.071177127], [-0.0146047756, 0.0268453341],
                    [-0.0556698487, 0.0676861546], [-0.0400220986, 0.0619788004]],
             "b2": [-0.0655696678, 0.1006960493],
             "W3": [[-0.0337158907, 0.1378014027, -0.10299831, -0.001087202],
                    [-0.0248207765, 0.1689150843, -0.1132069946, -0.0308873131]],
             "b3": [-0.0462361856, 0.2743626372, -0.1960128474, -0.0321136042]}
    # db2 and db1 when the sigmoid's derivative is taken the wrong way in that layer.
    wrong_slopes = {
        "b2": {"Z(1-Z)": [-0.0581231429, 0.0985163783], "sigmoid'(A)": [-0.0609601236, 0.0951103095],
               "none": [-0.2632349013, 0.4140093025]},
        "b1": {"Z(1-Z)": [-0.0292647014, -0.1815155233, 0.0179767459, 0.0367853224],
               "sigmoid'(A)": [-0.0155553584, 0.0263840268, -0.0046552709, 0.0295256611],
               "none": [-0.0695506155, 0.1067847066, -0.022715229, 0.1294999356]}}
    grads = call(f, X, Y, params, forward(X, params))
    expect(isinstance(grads, dict), f"backward should return a dict of gradients, not {type(grads).__name__}")
    missing = [k for k in right if k not in grads]
    expect(not missing, f"backward's dict is missing the keys {missing}")
    n = 3
    for name in right:
        want_shape = params[name].shape
        shape = np.shape(grads[name])
        if name.startswith("W"):
            expect(shape != want_shape[::-1],
                   f"d{name} has shape {shape}, the transpose of {name}'s {want_shape} (n_in, n_out): "
                   f"compute it as A_prev.T @ dZ, not dZ.T @ A_prev")
        else:
            expect(shape != (n, want_shape[0]),
                   f"d{name} has shape {shape}: the bias is added to every row, so its gradient is "
                   f"summed over the batch: dZ.sum(axis=0)")
            expect(shape != (n,),
                   f"d{name} has shape {shape}: you summed over axis 1 (across the units). Sum over the "
                   "examples, axis=0")
        recipe = (f"d{name} = {'X' if name == 'W1' else 'A' + str(int(name[1]) - 1)}.T @ dZ{name[1]}"
                  if name.startswith("W") else f"d{name} = dZ{name[1]}.sum(axis=0)")
        expect(shape == want_shape, f"d{name} has shape {shape}; each gradient has the shape of its "
                                    f"parameter, {want_shape}: {recipe}")
    got = {k: np.asarray(grads[k], dtype=float) for k in right}
    want = {k: np.array(v) for k, v in right.items()}
    if all(np.allclose(got[k], want[k], rtol=1e-7, atol=1e-10) for k in right):
        return
    ratio = {k: _ratio(got[k], want[k]) for k in right}
    expect(not np.isclose(ratio["W3"], n),
           f"dW3 is N = {n} times too large: you did not divide by the batch size N. The loss is the "
           "MEAN cross-entropy, so dZ3 = (P - Y) / N")
    expect(not np.isclose(ratio["W3"], 1 / n),
           f"dW3 is N = {n} times too small: you divided by N twice (dZ3 = (P - Y) / N already holds it)")
    expect(not np.isclose(ratio["W3"], -1), "dW3 has the wrong sign: dZ3 = (P - Y) / N, not (Y - P) / N")
    expect(np.allclose(got["W3"], want["W3"]), "dW3 is wrong: dZ3 = (P - Y) / N and dW3 = A2.T @ dZ3")
    expect(not np.isclose(ratio["b3"], 1 / n),
           "db3 is N times too small: dZ3 is already divided by N, so sum it over the batch, do not "
           "take the mean")
    expect(np.allclose(got["b3"], want["b3"]), "db3 is wrong: db3 = dZ3.sum(axis=0)")
    for name, layer, prev in [("b2", "2", "3"), ("b1", "1", "2")]:
        if np.allclose(got[name], want[name]):
            continue
        slopes = wrong_slopes[name]
        expect(not np.isclose(_ratio(got[name], want[name]), n),
               f"db{layer} is N = {n} times too large: the 1/N must reach every layer. Divide dZ3 itself "
               "by N; then dA2 = dZ3 @ W3.T carries it backwards")
        expect(not np.allclose(got[name], slopes["Z(1-Z)"]),
               f"db{layer} is wrong: the sigmoid's derivative was applied to the pre-activation, "
               f"Z{layer} * (1 - Z{layer}). It is A{layer} * (1 - A{layer}) with A{layer} = sigmoid(Z{layer})")
        expect(not np.allclose(got[name], slopes["sigmoid'(A)"]),
               f"db{layer} is wrong: you took the sigmoid's derivative OF the activation, "
               f"sigmoid(A{layer}) (1 - sigmoid(A{layer})). A{layer} is already sigmoid(Z{layer}): use "
               f"A{layer} * (1 - A{layer})")
        expect(not np.allclose(got[name], slopes["none"]),
               f"db{layer} is wrong: you left out the sigmoid's derivative. dZ{layer} = dA{layer} * "
               f"A{layer} * (1 - A{layer})")
        expect(False, f"db{layer} is wrong (dW{prev}, db{prev} are right): dA{layer} = dZ{prev} @ "
                      f"W{prev}.T, dZ{layer} = dA{layer} * A{layer} * (1 - A{layer}), "
                      f"db{layer} = dZ{layer}.sum(axis=0)")
    for name, prev in [("W2", "A1"), ("W1", "X")]:
        expect(np.allclose(got[name], want[name]),
               f"d{name} is wrong while d{name.replace('W', 'b')} is right: d{name} = {prev}.T @ dZ{name[1]}")


@visible_check
def backward_no_loop(f, forward):
    """backward computes each layer's gradients for the whole batch at once, without a loop
    over the examples (a loop over the three layers is allowed: see asserts.python_loop)."""
    __tracebackhide__ = True
    call(f, BATCH_X, BATCH_Y, BATCH_PARAMS, forward(BATCH_X, BATCH_PARAMS))  # it must run before its form matters
    expect_no_loop(f, "backward",
                   "each gradient is one matrix expression for the whole "
                   "batch (dW3 = A2.T @ dZ3 already sums over the examples, db3 = dZ3.sum(axis=0)). "
                   "Write it without a loop over the examples; a loop over the three layers is fine when "
                   "it runs over numbers written out, such as `for layer in (3, 2, 1)`")


def _on_copies(f, *args):
    """f(*args) on copies of args, warnings turned into hints (no check that args are unchanged)."""
    __tracebackhide__ = True
    args = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return f(*args)
        except Warning as warning:
            raise Hint(f"{getattr(f, '__name__', 'your function')} raised {type(warning).__name__}: "
                       f"{warning}") from None


def _output_weights_used(got, right, w):
    """The output weights (w5, w6) that the hidden gradients got[:4] were taken with, or None.

    got, right: the six gradients, shape (6,); w: the six weights. dE/dw1 and dE/dw3 (hidden
    unit 1) are proportional to w5, dE/dw2 and dE/dw4 (unit 2) to w6, so when got[:4] is
    right[:4] with each unit's pair scaled by its own factor, the factors scale w5 and w6.
    """
    used = np.array([w[4] * _ratio(got[[0, 2]], right[[0, 2]]), w[5] * _ratio(got[[1, 3]], right[[1, 3]])])
    return None if np.isnan(used).any() else used


def _ratio(got, want):
    """got / want when got is a multiple of want, else nan."""
    scale = np.sum(got * want) / np.sum(want * want)
    return scale if np.allclose(got, scale * want, rtol=1e-6, atol=1e-12) else np.nan


# Find and fix (questions 5.2 and 5.3). These checks recognise misreadings of the question and
# the board's own numbers; which steps and lines are wrong is judged when you hand in.


@visible_check
def board_forward(wrong_steps, correct_cost):
    """Question 5.2: the wrong steps of the board's forward pass, and the cost as it should be."""
    __tracebackhide__ = True
    steps, cost = as_numbers(wrong_steps, "wrong_steps"), as_number(correct_cost, "correct_cost")
    expect(steps <= set(range(1, 8)), f"wrong_steps = {sorted(steps)}: the board has steps 1 to 7")
    expect(not steps & {1, 3}, "wrong_steps: steps 1 and 3 are weighted sums of the inputs; work them out "
                               "with x = (0, 1) and the weights .1, .3 and .2, .4 before calling them wrong")
    expect(abs(cost - 0.18) > 0.005, f"correct_cost = {cost}: that is the number on the board; compute "
                                     "the cost as the cross-entropy of workbook 03 computes it")
    expect(cost > 0, f"correct_cost = {cost}: a cross-entropy is never negative (mind the minus sign)")
    expect(abs(cost - 0.656) > 0.005, f"correct_cost = {cost}: that is y_hat, the prediction; the cost is "
                                      "computed from it")


@visible_check
def board_backward(wrong_lines, gradient_factor):
    """Question 5.3: the wrong lines of board_backprop, and how far off its dE/dw5 is."""
    __tracebackhide__ = True
    lines, factor = as_numbers(wrong_lines, "wrong_lines"), as_number(gradient_factor, "gradient_factor")
    expect(lines <= set(range(1, 26)), f"wrong_lines = {sorted(lines)}: the lines are numbered [1] to [25]")
    expect(not lines & set(range(1, 7)), "wrong_lines: lines [1] to [6], the forward part, are right (the "
                                         "text before the code says so)")
    expect(not lines & set(range(16, 20)), "wrong_lines: lines [16] to [19] multiply the factors computed above "
                                           "them, as the chain rule says; name the line where a wrong factor is "
                                           "computed, not each line that uses it")
    expect(abs(factor - 1) > 1e-3, "gradient_factor = 1 would mean the board's dE/dw5 is right: compare it with "
                                   "the numerical gradient printed above")
    expect(factor < 1, f"gradient_factor = {factor} is more than 1, but the board's dE/dw5 is smaller than the "
                       "numerical one printed above: that is the true dE/dw5 divided by the board's; the question "
                       "asks for the board's divided by the true")
    expect(factor > 0, f"gradient_factor = {factor}: both gradients have the same sign")

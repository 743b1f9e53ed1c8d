"""Visible checks for 01_sigmoid: odds, the logistic function and other activations."""
import warnings

import numpy as np

from .answers import as_number
from .asserts import Hint, call, expect, visible_check

LN3 = np.log(3.0)


def _logistic(z):
    """The sigmoid of a moderate z (|z| < 700), to work out what a mistake would give."""
    return 1 / (1 + np.exp(-z))


@visible_check
def odds_to_probability(f):
    """Odds o (o wins for every loss) become the probability o / (1 + o)."""
    __tracebackhide__ = True
    got = call(f, 3.0)
    expect(not np.isclose(got, -1.5),
           "odds_to_probability(3) is -1.5: you computed o / (1 - o); odds of 3 to 1 "
           "mean 3 wins out of 3 + 1 games, so divide by 1 + o")
    expect(not np.isclose(got, 0.25),
           "odds_to_probability(3) is 0.25, the chance of losing: 1 / (1 + o) is the probability of "
           "the 1 loss in 3 + 1 games. The chance of winning is o / (1 + o)")
    expect(np.isclose(got, 0.75), f"odds_to_probability(3) should be 0.75 (3 wins in 4 games), not {got}")
    expect(call(f, 1.0) == 0.5, "even odds (1 to 1) are a probability of 0.5")
    many = call(f, np.array([0.0, 1.0, 3.0]))
    expect(np.shape(many) == (3,) and np.allclose(many, [0, 0.5, 0.75]),
           "odds_to_probability should work elementwise on an array of odds")


@visible_check
def probability_to_odds(f):
    """A probability p becomes the odds p / (1 - p)."""
    __tracebackhide__ = True
    got = call(f, 0.75)
    expect(not np.isclose(got, 0.75 / 1.75),
           "probability_to_odds(0.75) is 0.43: you computed p / (1 + p); the odds are "
           "wins per loss, p / (1 - p)")
    expect(not np.isclose(got, 0.25 / 0.75),
           "probability_to_odds(0.75) is 1/3, the odds upside down (losses per win): you computed "
           "(1 - p) / p. The odds are wins per loss, p / (1 - p)")
    expect(np.isclose(got, 3.0), f"probability_to_odds(0.75) should be 3 (3 to 1), not {got}")
    many = call(f, np.array([0.5, 0.75, 0.2]))
    expect(np.shape(many) == (3,) and np.allclose(many, [1, 3, 0.25]),
           "probability_to_odds should work elementwise on an array of probabilities")


@visible_check
def logit(f):
    """The log-odds ln(p / (1 - p)), natural log."""
    __tracebackhide__ = True
    got = call(f, 0.75)
    expect(not np.isclose(got, np.log10(3.0)),
           "logit(0.75) is log10(3): use the natural log, np.log, not np.log10")
    expect(not np.isclose(got, -LN3), "logit(0.75) has the wrong sign: it is ln(p / (1 - p))")
    expect(not np.isclose(got, np.log(0.75) / np.log(0.25)),
           "logit(0.75) is ln(0.75) / ln(0.25) = 0.21, a ratio of logs. The log of a ratio is a "
           "difference of logs: ln(p / (1 - p)) = ln p - ln(1 - p)")
    expect(np.isclose(got, LN3), f"logit(0.75) should be ln 3 = {LN3:.4f}, not {got}")
    expect(call(f, 0.5) == 0, "logit(0.5) should be 0: even odds have log-odds 0")
    expect(np.shape(call(f, np.array([0.1, 0.5, 0.9]))) == (3,), "logit should work elementwise on arrays")


@visible_check
def sigmoid_naive(f):
    """The textbook form exp(z) / (1 + exp(z))."""
    __tracebackhide__ = True
    _logistic_values(f, "sigmoid_naive")


@visible_check
def sigmoid(f):
    """The stable sigmoid on everyday inputs (the extreme ones are sigmoid_stability)."""
    __tracebackhide__ = True
    _logistic_values(f, "sigmoid")
    z = np.random.default_rng(0).normal(0, 5, size=(4, 3))
    s = call(f, z)
    expect(np.all((s >= 0) & (s <= 1)), "sigmoid must stay within [0, 1]")
    expect(np.allclose(call(f, -z), 1 - s), "sigmoid(-z) should equal 1 - sigmoid(z)")


@visible_check
def sigmoid_stability(f):
    """No overflow at the extremes: +-1000 and +-1e308 give exactly 1 and 0."""
    __tracebackhide__ = True
    for z, want in [(1000.0, 1.0), (-1000.0, 0.0), (1e308, 1.0), (-1e308, 0.0)]:
        try:
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                got = f(z)
        except (FloatingPointError, OverflowError) as error:
            raise Hint(f"sigmoid({z:g}) overflowed ({type(error).__name__}: {error}): exp(z) "
                       "overflows for z > 709. Arrange the formula so that exp only ever sees "
                       "non-positive numbers, e.g. exp(-|z|). np.where evaluates both of its "
                       "branches for every entry, so an overflowing branch still overflows.") from None
        expect(not np.isnan(got), f"sigmoid({z:g}) is nan: exp overflowed to inf and inf / inf is nan")
        far = np.copysign(1e5, z)
        clipped = 0 < abs(got - want) < 1e-3 and _same_value(f, far, got)
        expect(not clipped,
               f"sigmoid({z:g}) is {got}, not {want}, as if z were clipped (np.clip) before exp: "
               f"sigmoid({far:g}) gives the same value. Clipping avoids the overflow but gives wrong "
               "values beyond the clip. Arrange the formula so that exp only ever sees non-positive "
               "numbers, e.g. exp(-|z|), instead of clipping z")
        expect(got == want, f"sigmoid({z:g}) should be {want}, not {got}")
    try:
        mixed = call(f, np.array([-1000.0, 0.0, 1000.0]))
    except ValueError as error:
        raise Hint(f"sigmoid failed on an array ({error}): `if z >= 0` only works on a single "
                   "number; use boolean masks so that each entry takes its own branch") from None
    expect(np.array_equal(mixed, [0.0, 0.5, 1.0]),
           f"sigmoid([-1000, 0, 1000]) should be [0, 0.5, 1], not {mixed}")


@visible_check
def sigmoid_derivative(f):
    """sigmoid(z) * (1 - sigmoid(z)), taken at the pre-activation z."""
    __tracebackhide__ = True
    at_zero, at_two = call(f, 0.0), call(f, 2.0)
    expect(at_zero != 0, "sigmoid_derivative(0) is 0: you computed z * (1 - z). Apply the "
                         "formula to s = sigmoid(z), not to z itself")
    expect(not (np.isclose(at_zero, 0.5) and np.isclose(at_two, -_logistic(2.0))),
           "sigmoid_derivative computed s * (1 - z) with s = sigmoid(z): it gives 0.5 at z = 0 and "
           "-0.88 at z = 2. Both factors use s: s * (1 - s)")
    slope_at_half = _logistic(0.5) * (1 - _logistic(0.5))
    expect(not np.isclose(at_zero, slope_at_half),
           f"sigmoid_derivative(0) is {slope_at_half:.3f}, the sigmoid applied twice: the slope at "
           "s = sigmoid(0) = 0.5 instead of at z = 0. sigmoid_derivative gets the pre-activation z, not "
           "the activation: take s = sigmoid(z) once, return s * (1 - s)")
    expect(np.isclose(at_zero, 0.25), f"sigmoid_derivative(0) should be 0.25, not {at_zero}")
    expect(np.isclose(at_two, 0.10499358540350652),
           "sigmoid_derivative(2) should be 0.105 (that is s * (1 - s) with s = sigmoid(2) = 0.881)")
    z = np.linspace(-4, 4, 9).reshape(3, 3)
    d = call(f, z)
    expect(np.shape(d) == (3, 3) and np.allclose(d, d[::-1, ::-1]),
           "sigmoid_derivative should work elementwise and be symmetric: f(-z) == f(z)")


@visible_check
def relu(f):
    """max(0, z), elementwise."""
    __tracebackhide__ = True
    z = np.array([[-2.0, 0.0], [0.5, 3.0]])
    try:
        got = call(f, z)
    except TypeError as error:
        raise Hint(f"relu failed on an array, as np.max(0, z) does (TypeError: {error}): np.max gives the "
                   "largest entry of ONE array, and np.max(0, z) even reads z as an axis. "
                   "np.maximum(0, z) compares 0 with every entry of z") from None
    except ValueError as error:
        raise Hint(f"relu failed on an array, as Python's max(0, z) and `if z > 0` do (ValueError: "
                   f"{error}): they compare the whole array at once. np.maximum(0, z) compares 0 with "
                   "every entry of z") from None
    expect(np.shape(got) == (2, 2),
           f"relu should keep the shape (2, 2), not {np.shape(got)}: np.max reduces an array (to its "
           "largest entry, or along an axis); np.maximum(0, z) works entry by entry")
    expect(not (np.array_equal(got, z > 0) or np.array_equal(got, z >= 0)),
           f"relu({z.tolist()}) is {np.asarray(got).tolist()}, a mask of 0s and 1s marking where z > 0 "
           "(or z >= 0). That boolean mask is relu's derivative; relu keeps the VALUE of z where "
           "z > 0: z * (z > 0), or np.maximum(0, z)")
    expect(not np.array_equal(got, np.minimum(0, z)),
           f"relu({z.tolist()}) is {np.asarray(got).tolist()}, the negative entries kept and the "
           "positive ones zeroed: the mask is the wrong way round. relu keeps z where z > 0")
    expect(np.array_equal(got, [[0, 0], [0.5, 3]]), f"relu([[-2, 0], [0.5, 3]]) should be [[0, 0], [0.5, 3]], not {got}")
    expect(np.asarray(got).dtype == np.float64, "relu of a float array should return floats, not booleans or ints")


@visible_check
def tanh_from_sigmoid(f):
    """tanh written with the sigmoid: 2 * sigmoid(2 z) - 1."""
    __tracebackhide__ = True
    z = np.linspace(-3, 3, 7)
    got = call(f, z)
    expect(not np.allclose(got, np.tanh(z / 2)),
           "you computed 2 * sigmoid(z) - 1 = tanh(z / 2): the sigmoid's argument must be 2 z")
    expect(not np.allclose(got, np.tanh(z) + 1),
           "tanh_from_sigmoid(z) is tanh(z) + 1, the - 1 is missing: 2 * sigmoid(2 z) lies between "
           "0 and 2; subtract 1 to get tanh, which lies between -1 and 1")
    expect(np.allclose(got, np.tanh(z)), "tanh_from_sigmoid(z) should equal np.tanh(z)")


def _logistic_values(f, name):
    """The values every form of the logistic function must give on everyday inputs."""
    __tracebackhide__ = True
    at_zero = call(f, 0.0, name=name)
    expect(not np.isclose(at_zero, 2.0),
           f"{name}(0) is 2, not 0.5, a matter of parentheses: Python divides before it adds "
           "(operator precedence), so exp(z) / 1 + exp(z) is exp(z) + exp(z). Put the denominator in "
           "parentheses: exp(z) / (1 + exp(z))")
    expect(at_zero == 0.5, f"{name}(0) should be exactly 0.5")
    at_two = call(f, 2.0, name=name)
    expect(not np.isclose(at_two, 0.11920292202211755),
           f"{name}(2) is 0.119, which is the value at z = -2: the sign of z is flipped "
           "(exp(z) / (1 + exp(z)) and 1 / (1 + exp(-z)) are the two correct forms)")
    expect(np.isclose(at_two, 0.8807970779778823), f"{name}(2) should be 0.8808, not {at_two}")
    z = np.array([[-3.0, -1.0, 0.0], [1.0, 2.0, 3.0]])
    try:
        got = call(f, z, name=name)
    except TypeError as error:
        raise Hint(f"{name} works on one number but not on an array, like math.exp (TypeError on "
                   f"shape (2, 3): {error}): the math module's functions take one number at a time. "
                   "Use np.exp, which works elementwise on whole arrays") from None
    expect(np.shape(got) == (2, 3),
           f"{name} should work elementwise: an input of shape (2, 3) gives an output of shape (2, 3)")


def _same_value(f, z, value):
    """True when f(z) == value; False when f(z) differs or fails (its warnings are ignored)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return bool(np.all(f(z) == value))
        except Exception:  # a failure at the probe only means the values differ
            return False


@visible_check
def one_half(z_at_one_half, odds_at_one_half):
    """Question 2.3: the input z and the odds at which sigma(z) is one half. Recognises the likely
    wrong answers; the right ones are judged when you hand in."""
    __tracebackhide__ = True
    z, odds = as_number(z_at_one_half, "z_at_one_half"), as_number(odds_at_one_half, "odds_at_one_half")
    expect(z != 0.5, "z_at_one_half = 0.5: that is the output sigma(z); the question asks for the input z")
    expect(odds != 0.5, "odds_at_one_half = 0.5: that is the probability; odds are p / (1 - p)")
    expect(odds >= 0, "odds_at_one_half: odds p / (1 - p) are never negative")

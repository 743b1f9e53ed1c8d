"""01_sigmoid: odds, the logistic function, its stable form and other activations."""
from . import correct, mistake

WB = "01_sigmoid"

MISTAKES = [
    # odds_to_probability
    mistake(WB, "odds-over-one-minus", "odds_to_probability", "test_odds_to_probability",
            r"o / \(1 - o\)", '''
        def odds_to_probability(odds):
            odds = np.asarray(odds, dtype=float)
            return odds / (1 - odds)
        '''),
    mistake(WB, "odds-chance-of-losing", "odds_to_probability", "test_odds_to_probability",
            r"losing|los(s|es) per win", '''
        def odds_to_probability(odds):
            return 1 / (1 + np.asarray(odds, dtype=float))
        '''),

    # probability_to_odds
    mistake(WB, "p-over-one-plus-p", "probability_to_odds", "test_probability_to_odds", r"p / \(1 \+ p\)", '''
        def probability_to_odds(p):
            p = np.asarray(p, dtype=float)
            return p / (1 + p)
        '''),
    mistake(WB, "odds-upside-down", "probability_to_odds", "test_probability_to_odds",
            r"upside down|losses per win|\(1 - p\) / p", '''
        def probability_to_odds(p):
            p = np.asarray(p, dtype=float)
            return (1 - p) / p
        '''),

    # sigmoid_naive
    mistake(WB, "naive-sign-flipped", "sigmoid_naive", "test_sigmoid_naive", r"sign of z is flipped", '''
        def sigmoid_naive(z):
            e = np.exp(-np.asarray(z, dtype=float))
            return e / (1 + e)
        '''),
    mistake(WB, "naive-precedence", "sigmoid_naive", "test_sigmoid_naive", r"parenthes|precedence", '''
        def sigmoid_naive(z):
            return np.exp(z) / 1 + np.exp(z)
        ''', "classic: operator precedence"),
    mistake(WB, "naive-math-exp", "sigmoid_naive", "test_sigmoid_naive", r"math\.exp|elementwise", '''
        import math

        def sigmoid_naive(z):
            return math.exp(z) / (1 + math.exp(z))
        ''', "classic: math.exp works on single numbers only"),

    # logit
    mistake(WB, "logit-log10", "logit", "test_logit", r"log10", '''
        def logit(p):
            return np.log10(p / (1 - p))
        ''', "autograder/demo.py; classic: log10 for ln"),
    mistake(WB, "logit-upside-down", "logit", "test_logit", r"wrong sign", '''
        def logit(p):
            p = np.asarray(p, dtype=float)
            return np.log((1 - p) / p)
        '''),
    mistake(WB, "logit-ratio-of-logs", "logit", "test_logit", r"ln p - ln\(1 - p\)|ratio of (the )?logs", '''
        def logit(p):
            p = np.asarray(p, dtype=float)
            return np.log(p) / np.log(1 - p)
        '''),

    # sigmoid
    mistake(WB, "sigmoid-naive", "sigmoid", "test_sigmoid_stability", r"overflow", '''
        def sigmoid(z):
            return np.exp(z) / (1 + np.exp(z))
        ''', "autograder/demo.py; classic: exp overflow"),
    mistake(WB, "sigmoid-exp-of-minus-z", "sigmoid", "test_sigmoid_stability", r"overflow", '''
        def sigmoid(z):
            return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))
        ''', "classic: exp overflow (for z < -709)"),
    mistake(WB, "sigmoid-where-both-branches", "sigmoid", "test_sigmoid_stability", r"np\.where evaluates both", '''
        def sigmoid(z):
            z = np.asarray(z, dtype=float)
            return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))
        ''', "classic: exp overflow inside np.where"),
    mistake(WB, "sigmoid-if-on-arrays", "sigmoid", ["test_sigmoid", "test_sigmoid_stability"],
            r"only works on a single number", '''
        def sigmoid(z):
            if z >= 0:
                return 1 / (1 + np.exp(-z))
            e = np.exp(z)
            return e / (1 + e)
        '''),
    mistake(WB, "sigmoid-clipped", "sigmoid", "test_sigmoid_stability", r"clip", '''
        def sigmoid(z):
            z = np.clip(z, -500, 500)   # "to avoid overflow": but sigmoid(-1000) is 0, not 7e-218
            return 1 / (1 + np.exp(-z))
        '''),

    # sigmoid_derivative
    mistake(WB, "derivative-of-z", "sigmoid_derivative", "test_sigmoid_derivative", r"z \* \(1 - z\)", '''
        def sigmoid_derivative(z):
            return z * (1 - z)
        ''', "autograder/demo.py; classic: sigma' applied to the wrong quantity"),
    mistake(WB, "derivative-half-applied", "sigmoid_derivative", "test_sigmoid_derivative",
            r"s \* \(1 - z\)|1 - z", '''
        def sigmoid_derivative(z):
            return sigmoid(z) * (1 - z)
        '''),
    mistake(WB, "derivative-of-activation", "sigmoid_derivative", "test_sigmoid_derivative",
            r"sigmoid\(s\)|twice|of the activation", '''
        def sigmoid_derivative(z):
            a = sigmoid(z)
            return sigmoid(a) * (1 - sigmoid(a))     # the slope taken at the activation a, not at z
        ''', "classic: sigma' applied to the activation"),

    # relu
    mistake(WB, "relu-np-max", "relu", "test_relu", r"np\.maximum", '''
        def relu(z):
            return np.max(0, z)
        ''', "classic: np.max (a reduction) for np.maximum (elementwise)"),
    mistake(WB, "relu-mask", "relu", "test_relu", r"mask|boolean|derivative", '''
        def relu(z):
            return (np.asarray(z) > 0).astype(float)
        '''),
    mistake(WB, "relu-in-place", "relu", "test_relu", r"modified its argument", '''
        def relu(z):
            z[z < 0] = 0
            return z
        ''', "classic: mutated input"),

    # tanh_from_sigmoid
    mistake(WB, "tanh-argument-z", "tanh_from_sigmoid", "test_tanh_from_sigmoid", r"argument must be 2 z", '''
        def tanh_from_sigmoid(z):
            return 2 * sigmoid(z) - 1
        '''),
    mistake(WB, "tanh-no-minus-one", "tanh_from_sigmoid", "test_tanh_from_sigmoid", r"- 1|minus one|subtract 1", '''
        def tanh_from_sigmoid(z):
            return 2 * sigmoid(2 * z)
        '''),
]

CORRECT = [
    correct(WB, "A", "odds_to_probability", "one minus the chance of losing", '''
        def odds_to_probability(odds):
            return 1 - 1 / (1 + np.asarray(odds, dtype=float))
        '''),
    correct(WB, "B", "odds_to_probability", "np.divide and np.add", '''
        def odds_to_probability(odds):
            return np.divide(odds, np.add(odds, 1.0))
        '''),
    correct(WB, "A", "probability_to_odds", "1 / (1 - p) - 1", '''
        def probability_to_odds(p):
            return 1 / (1 - np.asarray(p, dtype=float)) - 1
        '''),
    correct(WB, "B", "probability_to_odds", "exp of the log-odds, with log1p", '''
        def probability_to_odds(p):
            p = np.asarray(p, dtype=float)
            return np.exp(np.log(p) - np.log1p(-p))
        '''),
    correct(WB, "A", "sigmoid_naive", "exp computed once, added to 1 on the right", '''
        def sigmoid_naive(z):
            ez = np.exp(np.asarray(z, dtype=float))
            return ez / (ez + 1)
        '''),
    correct(WB, "B", "sigmoid_naive", "np.power(np.e, z)", '''
        def sigmoid_naive(z):
            e_to_z = np.power(np.e, np.asarray(z, dtype=float))
            return e_to_z / (1 + e_to_z)
        '''),
    correct(WB, "A", "logit", "a difference of logs with log1p", '''
        def logit(p):
            p = np.asarray(p, dtype=float)
            return np.log(p) - np.log1p(-p)
        '''),
    correct(WB, "B", "logit", "scipy.special.logit", '''
        from scipy.special import logit as scipy_logit

        def logit(p):
            return scipy_logit(np.asarray(p, dtype=float))
        '''),
    correct(WB, "A", "sigmoid", "scipy.special.expit", '''
        from scipy.special import expit

        def sigmoid(z):
            return expit(np.asarray(z, dtype=float))
        '''),
    correct(WB, "B", "sigmoid", "exp(-log(1 + exp(-z))) with np.logaddexp", '''
        def sigmoid(z):
            z = np.asarray(z, dtype=float)
            return np.exp(-np.logaddexp(0.0, -z))
        '''),
    correct(WB, "C", "sigmoid", "boolean masks filling an empty array", '''
        def sigmoid(z):
            z = np.asarray(z, dtype=float)
            out = np.empty_like(z)
            positive = z >= 0
            out[positive] = 1 / (1 + np.exp(-z[positive]))
            e = np.exp(z[~positive])
            out[~positive] = e / (1 + e)
            return out
        '''),
    correct(WB, "A", "sigmoid_derivative", "s - s**2", '''
        def sigmoid_derivative(z):
            s = sigmoid(z)
            return s - s ** 2
        '''),
    correct(WB, "B", "sigmoid_derivative", "sigmoid(z) * sigmoid(-z)", '''
        def sigmoid_derivative(z):
            z = np.asarray(z, dtype=float)
            return sigmoid(z) * sigmoid(-z)
        '''),
    correct(WB, "A", "relu", "np.where", '''
        def relu(z):
            z = np.asarray(z, dtype=float)
            return np.where(z > 0, z, 0.0)
        '''),
    correct(WB, "B", "relu", "(z + |z|) / 2", '''
        def relu(z):
            z = np.asarray(z, dtype=float)
            return 0.5 * (z + np.abs(z))
        '''),
    correct(WB, "C", "relu", "a copy, then the negatives set to zero", '''
        def relu(z):
            out = np.array(z, dtype=float)     # np.array copies: the input stays as it is
            out[out < 0] = 0.0
            return out
        '''),
    correct(WB, "A", "tanh_from_sigmoid", "s - (1 - s)", '''
        def tanh_from_sigmoid(z):
            s = sigmoid(2 * np.asarray(z, dtype=float))
            return s - (1 - s)
        '''),
    correct(WB, "B", "tanh_from_sigmoid", "sigmoid(2z) - sigmoid(-2z)", '''
        def tanh_from_sigmoid(z):
            two_z = 2 * np.asarray(z, dtype=float)
            return sigmoid(two_z) - sigmoid(-two_z)
        '''),
]

# Question 2.3, answered by assigning names
ONE_HALF = dict(z_at_one_half="0", odds_at_one_half="1")


def one_half(**changes):
    return "".join(f"{name} = {value}\n" for name, value in {**ONE_HALF, **changes}.items())


MISTAKES += [
    mistake(WB, "half-z-is-output", "one_half", "test_one_half", r"that is the output sigma\(z\)",
            one_half(z_at_one_half="0.5"), "seed: sigmoid questions 3"),
    mistake(WB, "half-odds-are-p", "one_half", "test_one_half", r"odds are p / \(1 - p\)",
            one_half(odds_at_one_half="0.5"), "classic: odds for a probability"),
    mistake(WB, "half-odds-zero", "one_half", "test_one_half", None, one_half(odds_at_one_half="0"),
            "classic: log-odds 0 read as odds 0"),
]

CORRECT += [
    correct(WB, "A", "one_half", "ints", one_half()),
    correct(WB, "B", "one_half", "floats and text", one_half(z_at_one_half="0.0", odds_at_one_half='"1"')),
]

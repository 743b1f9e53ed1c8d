"""Visible checks for 03_cross_entropy: the cross-entropy loss (natural log), loops to one line.

Every check runs on a small hand-made batch whose losses were worked out by hand:
N = 2 examples, C = 3 classes, so a sum over the wrong axis shows up as a wrong shape.
"""
import numpy as np

from .answers import as_choice, as_number, as_shape, unanswered
from .asserts import Hint, call, expect, expect_no_loop, visible_check

# Predicted probabilities of two examples over three classes, their labels and one-hot rows.
P = np.array([[0.7, 0.2, 0.1],
              [0.1, 0.5, 0.4]])
y = np.array([0, 2])
Y = np.array([[1, 0, 0],
              [0, 0, 1]])
P_CORRECT = [0.7, 0.4]                            # P[0, 0] and P[1, 2]
LOSSES = [0.35667494393873245, 0.916290731874155]  # -ln 0.7 and -ln 0.4
MEAN = 0.6364828379064438                         # (-ln 0.7 - ln 0.4) / 2
SUM = 1.2729656758128876                          # the same without dividing by N = 2
MEAN_LOG10 = 0.2764209843288904                   # (-log10 0.7 - log10 0.4) / 2

NOT_DIVIDED = "did not divide by the batch size N: the loss of a batch is the mean over its examples"
LOG10 = "used log10; use the natural log, np.log"
MINUS = "is negative: you forgot the minus sign in -ln p (ln p <= 0 for a probability p)"
LOG_OF_ZERO = ("You took the log of a probability of exactly 0 (ln 0 = -inf). Pick out the correct "
               "class's probability first and take the log of that number only")


@visible_check
def cross_entropy_single(f):
    """-ln p[y] for one example."""
    __tracebackhide__ = True
    name = "cross_entropy_single"
    got = call(f, P[0], 0)
    expect(got is not None, f"{name} returned None: did you forget `return`?")
    expect(np.ndim(got) == 0,
           f"{name}(p, y) returned {np.shape(got)}: the loss of one example is one number, "
           "-ln p[y]. Did you take the log of the whole vector p and forget to index it with y?")
    expect(not np.isclose(got, -np.log10(0.7)), f"{name}([0.7, 0.2, 0.1], 0) is 0.155: {LOG10}")
    expect(not np.isclose(got, -LOSSES[0]), f"{name}([0.7, 0.2, 0.1], 0) {MINUS}")
    expect(not np.isclose(got, 0.8018185525433372),
           f"{name}([0.7, 0.2, 0.1], 0) is 0.802, the entropy -sum(p ln p) of p, which does not "
           "look at the label at all. The cross-entropy is -ln of the probability of the "
           "correct class, p[y]")
    expect(np.isclose(got, LOSSES[0]), f"{name}([0.7, 0.2, 0.1], 0) should be -ln 0.7 = 0.3567, not {got}")
    other = call(f, P[0], 2)
    expect(not np.isclose(other, LOSSES[0]), f"{name}(p, 2) gave the loss for class 0: use the label y")
    expect(np.isclose(other, 2.302585092994046), f"{name}([0.7, 0.2, 0.1], 2) should be -ln 0.1 = 2.3026, not {other}")
    perfect = _run(f, np.array([0.0, 1.0, 0.0]), 1, name=name)
    expect(perfect == 0, f"{name}([0, 1, 0], 1) should be 0: a perfect prediction costs nothing, not {perfect}")


@visible_check
def cross_entropy_loop(f):
    """The batch mean of -ln P[i, y[i]] with Python loops; y holds integer labels."""
    __tracebackhide__ = True
    name = "cross_entropy_loop"
    try:
        got = call(f, P, y)
    except (IndexError, TypeError) as error:
        raise Hint(f"{name}(P, y) failed ({type(error).__name__}: {error}). It takes integer "
                   "labels y of shape (N,), not one-hot rows: y[i] is the number of the correct "
                   "class of example i, so its loss is -ln P[i, y[i]]") from None
    expect(got is not None, f"{name} returned None: did you forget `return`?")
    expect(np.ndim(got) == 0, f"{name} returned {np.shape(got)}: the loss of a batch is one number, the mean")
    expect(not np.isclose(got, SUM), f"{name}(P, y) is {SUM:.4f}, the sum of the losses: {NOT_DIVIDED}")
    expect(not np.isclose(got, -MEAN), f"{name}(P, y) {MINUS}")
    expect(not np.isclose(got, MEAN_LOG10), f"{name}(P, y) is {MEAN_LOG10:.4f}: {LOG10}")
    expect(not np.isclose(got, 1.4695339654502446),
           f"{name}(P, y) is the mean of -ln P[:, y]: P[:, y] is an (N, N) matrix (every row, "
           "at every label), not the N correct-class probabilities. Loop over the examples and "
           "take P[i, y[i]] (or, without a loop, P[np.arange(N), y])")
    expect(np.isclose(got, MEAN), f"{name}(P, y) should be (-ln 0.7 - ln 0.4) / 2 = {MEAN:.4f}, not {got}")
    one = call(f, P[1:], y[1:])
    expect(np.isclose(one, LOSSES[1]),
           f"{name} on a batch of one example should be -ln 0.4 = {LOSSES[1]:.4f}, not {one}: "
           "divide by the batch size len(y), do not hard-code it")


@visible_check
def correct_class_probs(f):
    """np.sum(P * Y, axis=1): the probability each example gives its correct class, shape (N,)."""
    __tracebackhide__ = True
    name = "correct_class_probs"
    try:
        got = call(f, P, Y)
    except IndexError as error:
        raise Hint(f"{name}(P, Y) failed (IndexError: {error}): did you index P with the one-hot "
                   "Y as if it held labels? Y[i] is a row of zeros with a single 1; multiply P * Y "
                   "entry by entry and sum each row") from None
    expect(got is not None, f"{name} returned None: did you forget `return`?")
    shape = np.shape(got)
    expect(shape != (3,), f"{name} returned shape (3,), one number per class: you summed over axis 0 "
                          "(down the columns). Each row is one example, so sum along axis=1")
    expect(shape != (2, 2), f"{name} returned shape (2, 2), an (N, N) matrix: P[:, y] takes every row "
                            "at every label. Use P[np.arange(N), y], or better np.sum(P * Y, axis=1)")
    expect(not (shape == (2, 3) and np.allclose(got, P * Y)),
           f"{name} returned P * Y, shape (2, 3): now sum each row (axis=1) to keep the one non-zero entry")
    expect(shape != (2, 3), f"{name} returned shape (2, 3), the shape of P: did you index P with the "
                            "one-hot Y as if it held labels? Multiply P * Y and sum along axis=1")
    expect(shape != (), f"{name} returned one number: sum each row separately (axis=1), not the whole matrix")
    expect(shape == (2,), f"{name} should return one probability per example, shape (N,) = (2,), not {shape}")
    expect(np.allclose(got, P_CORRECT), f"{name}(P, Y) should be [0.7, 0.4], the entries of P where Y is 1, not {got}")


@visible_check
def correct_class_probs_no_loop(f):
    """correct_class_probs multiplies P * Y and sums each row, without a Python loop."""
    __tracebackhide__ = True
    call(f, P, Y)  # it must run before its form matters
    expect_no_loop(f, "correct_class_probs",
                   "P * Y multiplies every entry of the batch "
                   "at once and np.sum(..., axis=1) adds up each row. Write it without a loop")


@visible_check
def cross_entropies(f):
    """-ln of the correct-class probabilities: one loss per example, shape (N,)."""
    __tracebackhide__ = True
    name = "cross_entropies"
    got = _run(f, P, Y, name=name)
    expect(got is not None, f"{name} returned None: did you forget `return`?")
    shape = np.shape(got)
    expect(shape != (), f"{name} returned one number: it gives the loss of every example, shape (N,); "
                        "the mean comes in the next exercise")
    expect(shape != (3,), f"{name} returned shape (3,), one number per class: sum P * Y along axis=1, "
                          "not axis 0 (each row is one example)")
    expect(shape == (2,), f"{name} should return one loss per example, shape (N,) = (2,), not {shape}")
    expect(not np.allclose(got, -np.log10(P_CORRECT)), f"{name}(P, Y): {LOG10}")
    expect(not np.allclose(got, np.negative(LOSSES)), f"{name}(P, Y) {MINUS}")
    expect(np.allclose(got, LOSSES), f"{name}(P, Y) should be [-ln 0.7, -ln 0.4] = [0.3567, 0.9163], not {got}")
    perfect = _run(f, Y.astype(float), Y, name=name)
    expect(np.array_equal(perfect, [0.0, 0.0]),
           f"{name}(Y, Y) should be [0, 0]: a perfect prediction costs nothing, not {perfect}")


@visible_check
def cross_entropies_no_loop(f):
    """cross_entropies takes -ln of all the correct-class probabilities at once."""
    __tracebackhide__ = True
    _run(f, P, Y, name="cross_entropies")  # it must run before its form matters
    expect_no_loop(f, "cross_entropies",
                   "correct_class_probs(P, Y) is an (N,) array, "
                   "and -np.log of it gives every example's loss at once. Write it without a loop")


@visible_check
def mean_cross_entropy(f):
    """The mean of the cross-entropies over the batch, one float."""
    __tracebackhide__ = True
    name = "mean_cross_entropy"
    got = _run(f, P, Y, name=name)
    expect(got is not None, f"{name} returned None: did you forget `return`?")
    expect(np.ndim(got) == 0, f"{name} returned {np.shape(got)}: the loss of a batch is one number, the mean")
    expect(not np.isclose(got, SUM), f"{name}(P, Y) is {SUM:.4f}, the sum of the losses: {NOT_DIVIDED}")
    expect(not np.isclose(got, SUM / 3),
           f"{name}(P, Y) divided the sum by the number of classes C = P.shape[1]; divide by the "
           "batch size N = P.shape[0]")
    expect(not np.isclose(got, SUM / 6),
           f"{name}(P, Y) averaged over all N * C entries of the matrix: average the N per-example "
           "losses (np.mean of an (N,) vector, or its sum divided by N)")
    expect(not np.isclose(got, -MEAN), f"{name}(P, Y) {MINUS}")
    expect(not np.isclose(got, MEAN_LOG10), f"{name}(P, Y) is {MEAN_LOG10:.4f}: {LOG10}")
    expect(np.isclose(got, MEAN), f"{name}(P, Y) should be (-ln 0.7 - ln 0.4) / 2 = {MEAN:.4f}, not {got}")
    perfect = _run(f, Y.astype(float), Y, name=name)
    expect(perfect == 0, f"{name}(Y, Y) should be 0: a perfect prediction costs nothing, not {perfect}")


@visible_check
def mean_cross_entropy_no_loop(f):
    """mean_cross_entropy averages the losses with numpy, without a Python loop."""
    __tracebackhide__ = True
    _run(f, P, Y, name="mean_cross_entropy")  # it must run before its form matters
    expect_no_loop(f, "mean_cross_entropy",
                   "cross_entropies(P, Y) gives the (N,) losses "
                   "of the whole batch, and np.mean (or np.sum divided by N) averages them in compiled "
                   "code, far faster than the interpreter. Write it without a loop")


@visible_check
def binary_cross_entropy(f):
    """The mean of -(y ln y_hat + (1 - y) ln(1 - y_hat)), for any shape."""
    __tracebackhide__ = True
    name = "binary_cross_entropy"
    swapped = "did you swap y_hat and y? The arguments are (y_hat, y): the prediction first, the target second"
    got = _run(f, 0.656206, 1, name=name, swapped=swapped)
    expect(got is not None, f"{name} returned None: did you forget `return`?")
    expect(np.ndim(got) == 0, f"{name} returned {np.shape(got)}: the cost is one number, the mean")
    expect(not np.isclose(got, 0.18295980297316758, atol=1e-4),
           f"{name}(0.656206, 1) is 0.18, the log10 value of the worked example in workbook 04: {LOG10}")
    expect(not np.isclose(got, -0.42128051494314334), f"{name}(0.656206, 1) {MINUS}")
    expect(np.isfinite(got), f"{name}(0.656206, 1) is {got}: {swapped}")
    expect(np.isclose(got, 0.42128051494314334), f"{name}(0.656206, 1) should be -ln 0.656206 = 0.4213, not {got}")
    y_hat, targets = np.array([0.9, 0.2, 0.6]), np.array([1, 0, 1])
    many = _run(f, y_hat, targets, name=name, swapped=swapped)
    expect(np.ndim(many) == 0, f"{name} of 3 examples returned {np.shape(many)}: the cost is one number, the mean")
    expect(np.isfinite(many), f"{name}([0.9, 0.2, 0.6], [1, 0, 1]) is {many}: {swapped}")
    expect(not np.isclose(many, 0.8393296907380268),
           f"{name}([0.9, 0.2, 0.6], [1, 0, 1]) is 0.839, the sum of the losses: did not divide by "
           "the number of examples m; the cost J is their mean")
    expect(not np.isclose(many, 0.205395379807939),
           f"{name}([0.9, 0.2, 0.6], [1, 0, 1]) is 0.205: you left out the (1 - y) ln(1 - y_hat) term, "
           "so an example with y = 0 costs nothing however wrong its prediction is")
    expect(np.isclose(many, 0.2797765635793423),
           f"{name}([0.9, 0.2, 0.6], [1, 0, 1]) should be (-ln 0.9 - ln 0.8 - ln 0.6) / 3 = 0.2798, not {many}")
    row = _run(f, y_hat.reshape(1, 3), targets.reshape(1, 3), name=name, swapped=swapped)
    expect(np.ndim(row) == 0 and np.isclose(row, 0.2797765635793423),
           f"{name} on y_hat and y of shape (1, 3) (one row of m = 3 examples, the column convention) "
           f"should also be 0.2798, not {row}: take the mean over every entry (np.mean), "
           "not a division by len(y), which is 1 here")


Z = np.array([[2.0, 1.0, 0.0],
              [0.0, 0.0, 0.0]])
Y_Z = np.array([[0, 1, 0],
                [1, 0, 0]])
MEAN_Z = 1.2531091265562448   # (ln(e^2 + e + 1) - 1 + ln 3) / 2


@visible_check
def cross_entropy_from_logits(f):
    """The mean cross-entropy of softmax(Z), computed from the logits Z."""
    __tracebackhide__ = True
    name = "cross_entropy_from_logits"
    got = _logits(f, Z, Y_Z)
    expect(got is not None, f"{name} returned None: did you forget `return`?")
    expect(np.ndim(got) == 0, f"{name} returned {np.shape(got)}: the loss of a batch is one number, the mean")
    expect(not np.isclose(got, 2 * MEAN_Z), f"{name}(Z, Y) is the sum of the two losses: {NOT_DIVIDED}")
    expect(not np.isclose(got, -MEAN_Z), f"{name}(Z, Y) {MINUS}")
    expect(not np.isclose(got, MEAN_Z / np.log(10)), f"{name}(Z, Y): {LOG10}")
    expect(not np.isclose(got, 1.003204434039084),
           f"{name}(Z, Y) summed the exponentials down the columns (axis 0): the log-sum-exp of "
           "example i runs over its own row, np.sum(..., axis=1, keepdims=True)")
    expect(not np.isclose(got, 1.7531091265562453),
           f"{name}(Z, Y) subtracted the maximum of each column: subtract each row's own maximum, "
           "Z.max(axis=1, keepdims=True)")
    expect(np.isclose(got, MEAN_Z),
           f"{name}([[2, 1, 0], [0, 0, 0]], [[0, 1, 0], [1, 0, 0]]) should be "
           f"(ln(e^2 + e + 1) - 1 + ln 3) / 2 = {MEAN_Z:.4f}, not {got}. Check that the max and the "
           "sum are both taken per row (axis=1, keepdims=True)")


@visible_check
def cross_entropy_from_logits_no_loop(f):
    """cross_entropy_from_logits works on the whole (N, C) matrix of logits at once."""
    __tracebackhide__ = True
    _logits(f, Z, Y_Z)  # it must run before its form matters
    expect_no_loop(f, "cross_entropy_from_logits",
                   "take the row maxima and the row sums "
                   "of the whole (N, C) matrix at once (axis=1, keepdims=True) and the mean with np.mean. "
                   "Write it without a loop")


@visible_check
def cross_entropy_from_logits_stability(f):
    """Finite, exact losses for logits far beyond where exp overflows."""
    __tracebackhide__ = True
    name = "cross_entropy_from_logits"
    for logits, targets, want in [
            ([[1000.0, 0.0]], [[0, 1]], 1000.0),   # the true class gets e^-1000 / (1 + e^-1000)
            ([[0.0, 1000.0]], [[0, 1]], 0.0),      # the true class gets 1 / (1 + e^-1000) = 1
            ([[1e4, -1e4, 0.0], [-1e4, 1e4, 5e3]], [[0, 0, 1], [0, 1, 0]], 5e3)]:
        got = _logits(f, np.array(logits), np.array(targets))
        where = f"{name}({logits}, {targets})"
        expect(got is not None, f"{name} returned None: did you forget `return`?")
        expect(np.isfinite(got), f"{where} is {got}: the softmax rounds the true class's probability "
                                 "to 0 and ln 0 = -inf. Use log-sum-exp: ln softmax(z)_c = "
                                 "z_c - m - ln sum_k exp(z_k - m), with m the row's maximum")
        expect(np.isclose(got, want, rtol=1e-12, atol=1e-12), f"{where} should be {want:g}, not {got}")


def _logits(f, logits, targets):
    """call f(logits, targets), turning the classic failures of log-softmax into hints."""
    __tracebackhide__ = True
    name = "cross_entropy_from_logits"
    try:
        return _run(f, logits, targets, name=name)
    except ValueError as error:
        if "broadcast" not in str(error):
            raise
        raise Hint(f"{name} failed ({error}): a row maximum or a row sum of shape (N,) does not "
                   "broadcast against (N, C). Keep the summed axis with keepdims=True, so that it "
                   "has shape (N, 1)") from None


def _run(f, *args, name, swapped=None):
    """call(f, *args), naming the usual cause when numpy warns."""
    __tracebackhide__ = True
    try:
        return call(f, *args, name=name)
    except Hint as hint:
        text = str(hint)
        if "RuntimeWarning" not in text:
            raise
        if swapped and ("divide by zero" in text or "invalid value" in text):
            cause = f"The log of 0 appeared: with targets of 0 and 1 only, {swapped}"
        elif "overflow" in text:
            cause = ("Exp overflowed: subtract each row's maximum from the logits before exp, so "
                     "that exp only ever sees numbers <= 0")
        elif name == "cross_entropy_from_logits" and ("divide by zero" in text or "invalid value" in text):
            cause = ("A number rounded to 0 reached np.log (ln 0 = -inf), as happens when you take "
                     "the log of the softmax. Compute ln softmax(z)_c = z_c - m - ln sum_k exp(z_k - m) "
                     "directly (log-sum-exp), with m the row's maximum: the sum over the row then "
                     "contains exp(0) = 1 and is never 0")
        elif "divide by zero" in text or "invalid value" in text:
            cause = LOG_OF_ZERO
        else:
            raise
        raise Hint(f"{text}. {cause}") from None


# The questions with one right answer. These checks recognise the likely wrong answers; the right
# ones are judged when you hand in.


@visible_check
def best_and_worst_p(best_p, worst_p, larger_p_is_better):
    """Question 1.2: the ideal and the worst probability of the correct class, and which way is better."""
    __tracebackhide__ = True
    best, worst = as_number(best_p, "best_p"), as_number(worst_p, "worst_p")
    unanswered(larger_p_is_better, "larger_p_is_better")
    expect(isinstance(larger_p_is_better, (bool, np.bool_)),
           f"larger_p_is_better = {larger_p_is_better!r}: assign True or False")
    expect((best, worst) != (0, 1), "best_p and worst_p are swapped: p is the probability the network gives the "
                                    "correct class, not a loss")
    expect(0 <= best <= 1 and 0 <= worst <= 1,
           "best_p and worst_p are probabilities: between 0 and 1 (write 100% as 1)")
    expect(bool(larger_p_is_better) == (best > worst),
           "larger_p_is_better does not agree with your best_p and worst_p")


# What people call -ln P[i, y_i], written without case, spaces, hyphens or underscores.
LOSS_NAMES_NOT = {"entropy": "entropy is -sum q ln q, of ONE distribution; this loss compares two",
                  "softmax": "the softmax makes the probabilities; it is no loss",
                  "sigmoid": "the sigmoid is an activation function; it is no loss",
                  "squarederror": "the squared error is another loss, (p - y)^2; this one has a logarithm",
                  "meansquarederror": "the squared error is another loss, (p - y)^2; this one has a logarithm"}


def loss_words(name):
    """A name of a loss in one canonical spelling: lower case, without spaces, hyphens, underscores
    and the words "loss" and "function"."""
    text = name.lower()
    for word in ("loss", "function"):
        text = text.replace(word, "")
    return "".join(ch for ch in text if ch.isalpha())


@visible_check
def loss_name(name_of_loss, nonzero_terms):
    """Question 2.4: the name of the loss, and how many terms of -sum_c Y_ic ln P_ic are not zero."""
    __tracebackhide__ = True
    unanswered(name_of_loss, "name_of_loss")
    expect(isinstance(name_of_loss, str), f"name_of_loss = {name_of_loss!r}: assign the name as a string")
    wrong = LOSS_NAMES_NOT.get(loss_words(name_of_loss))
    expect(wrong is None, f"name_of_loss = {name_of_loss!r}: {wrong}")
    terms = as_number(nonzero_terms, "nonzero_terms")
    expect(terms != 10 and terms != 0,
           f"nonzero_terms = {nonzero_terms}: Y_i is one-hot, so Y_ic is 0 for every class c but one")


@visible_check
def sum_axis(axis_of_sum, shape_of_correct_class_probs):
    """Question 4.2: the axis np.sum adds along, and the shape of correct_class_probs(P, Y)."""
    __tracebackhide__ = True
    unanswered(axis_of_sum, "axis_of_sum")
    expect(isinstance(axis_of_sum, (int, np.integer)) and not isinstance(axis_of_sum, bool),
           f"axis_of_sum = {axis_of_sum!r}: assign the number you passed as axis=")
    shape = as_shape(shape_of_correct_class_probs, "shape_of_correct_class_probs")
    expect(axis_of_sum not in (0, -2), "axis_of_sum: axis 0 adds down the columns, over the examples; each "
                                       "example needs the sum of its own row")
    expect(shape != (10,), f"shape_of_correct_class_probs = {shape}: one number per class would be a sum over "
                           "the examples; the result has one number per example")
    expect(shape not in [(3, 1), (1, 3)], f"shape_of_correct_class_probs = {shape}: np.sum without keepdims "
                                          "drops the summed axis")

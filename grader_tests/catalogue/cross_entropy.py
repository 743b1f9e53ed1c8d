"""03_cross_entropy: the cross-entropy loss, from loops to one line, and from logits."""
from . import correct, mistake

WB = "03_cross_entropy"
NBSRC = "nbsrc/03_cross_entropy_mistakes.py"
# A wrong function also loses its no-loop cell, whose hidden test compares it with the reference.
PROBS = ["test_correct_class_probs", "test_correct_class_probs_no_loop"]
ENTROPIES = ["test_cross_entropies", "test_cross_entropies_no_loop"]
MEAN = ["test_mean_cross_entropy", "test_mean_cross_entropy_no_loop"]
LOGITS = ["test_cross_entropy_from_logits", "test_cross_entropy_from_logits_stability",
          "test_cross_entropy_from_logits_no_loop"]

MISTAKES = [
    # cross_entropy_single
    mistake(WB, "single-log10", "cross_entropy_single", "test_cross_entropy_single", r"log10", '''
        def cross_entropy_single(p, y):
            return float(-np.log10(p[y]))
        ''', NBSRC + "; classic: log10 for ln"),
    mistake(WB, "single-no-minus", "cross_entropy_single", "test_cross_entropy_single", r"minus sign", '''
        def cross_entropy_single(p, y):
            return float(np.log(p[y]))
        ''', NBSRC),
    mistake(WB, "single-entropy", "cross_entropy_single", "test_cross_entropy_single",
            r"does not look at the label", '''
        def cross_entropy_single(p, y):
            return float(-np.sum(p * np.log(p)))
        ''', NBSRC),
    mistake(WB, "single-log-of-all", "cross_entropy_single", "test_cross_entropy_single",
            r"log of a probability of exactly 0", '''
        def cross_entropy_single(p, y):
            return float(-np.log(p)[y])
        ''', "classic: the log of every probability, zeros included"),

    # cross_entropy_loop
    mistake(WB, "loop-sum", "cross_entropy_loop", "test_cross_entropy_loop", r"did not divide by the batch size", '''
        def cross_entropy_loop(P, y):
            total = 0.0
            for i in range(len(y)):
                total += cross_entropy_single(P[i], y[i])
            return total
        ''', NBSRC + "; classic: no mean over the batch"),
    mistake(WB, "loop-P-colon-y", "cross_entropy_loop", "test_cross_entropy_loop", r"P\[:, y\]", '''
        def cross_entropy_loop(P, y):
            return float(np.mean(-np.log(P[:, y])))
        ''', NBSRC),
    mistake(WB, "loop-one-hot", "cross_entropy_loop", "test_cross_entropy_loop", r"not one-hot rows", '''
        def cross_entropy_loop(P, y):
            total = 0.0
            for i in range(P.shape[0]):
                for c in range(P.shape[1]):
                    total -= y[i, c] * np.log(P[i, c])
            return total / P.shape[0]
        ''', NBSRC),
    mistake(WB, "loop-hardcoded-n", "cross_entropy_loop", "test_cross_entropy_loop", r"hard-code", '''
        def cross_entropy_loop(P, y):
            total = 0.0
            for i in range(len(y)):
                total += cross_entropy_single(P[i], y[i])
            return total / 2
        ''', NBSRC + "; classic: hard-coded sizes"),

    # correct_class_probs
    mistake(WB, "probs-axis0", "correct_class_probs", PROBS, r"axis 0", '''
        def correct_class_probs(P, Y):
            return np.sum(P * Y, axis=0)
        ''', NBSRC + "; classic: wrong sum axis"),
    mistake(WB, "probs-P-colon-y", "correct_class_probs", PROBS, r"P\[:, y\]", '''
        def correct_class_probs(P, Y):
            return P[:, np.argmax(Y, axis=1)]
        ''', NBSRC),
    mistake(WB, "probs-no-sum", "correct_class_probs", PROBS, r"sum each row", '''
        def correct_class_probs(P, Y):
            return P * Y
        ''', NBSRC),
    mistake(WB, "probs-keepdims", "correct_class_probs", PROBS, r"shape \(N,\)", '''
        def correct_class_probs(P, Y):
            return np.sum(P * Y, axis=1, keepdims=True)
        ''', "classic: a column (N, 1) where a rank-1 array (N,) belongs"),
    mistake(WB, "probs-loop", "correct_class_probs", "test_correct_class_probs_no_loop",
            r"correct_class_probs uses a Python comprehension", '''
        def correct_class_probs(P, Y):
            return np.array([P[i] @ Y[i] for i in range(len(P))])
        ''', "classic: a loop over the examples where numpy works on the whole batch"),

    # cross_entropies
    mistake(WB, "entropies-log10", "cross_entropies", ENTROPIES, r"log10", '''
        def cross_entropies(P, Y):
            return -np.log10(correct_class_probs(P, Y))
        ''', NBSRC + "; classic: log10 for ln"),
    mistake(WB, "entropies-no-minus", "cross_entropies", ENTROPIES, r"minus sign", '''
        def cross_entropies(P, Y):
            return np.log(correct_class_probs(P, Y))
        ''', NBSRC),
    mistake(WB, "entropies-mean", "cross_entropies", ENTROPIES, r"returned one number", '''
        def cross_entropies(P, Y):
            return np.mean(-np.log(correct_class_probs(P, Y)))
        ''', NBSRC),
    mistake(WB, "entropies-log-of-P", "cross_entropies", "test_cross_entropies",
            r"log of a probability of exactly 0", '''
        def cross_entropies(P, Y):
            return -np.sum(Y * np.log(P), axis=1)
        ''', "classic: the log of every probability, zeros included"),
    mistake(WB, "entropies-loop", "cross_entropies", "test_cross_entropies_no_loop",
            r"cross_entropies uses a Python for loop", '''
        def cross_entropies(P, Y):
            p = correct_class_probs(P, Y)
            losses = np.empty(len(p))
            for i in range(len(p)):
                losses[i] = -np.log(p[i])
            return losses
        ''', "classic: a loop over the examples where numpy works on the whole batch"),

    # mean_cross_entropy
    mistake(WB, "mean-sum", "mean_cross_entropy", MEAN, r"did not divide by the batch size", '''
        def mean_cross_entropy(P, Y):
            return float(np.sum(cross_entropies(P, Y)))
        ''', NBSRC + "; classic: no mean over the batch"),
    mistake(WB, "mean-over-C", "mean_cross_entropy", MEAN, r"number of classes", '''
        def mean_cross_entropy(P, Y):
            return float(np.sum(cross_entropies(P, Y)) / P.shape[1])
        ''', NBSRC),
    mistake(WB, "mean-all-entries", "mean_cross_entropy", MEAN, r"all N \* C entries", '''
        def mean_cross_entropy(P, Y):
            with np.errstate(divide="ignore", invalid="ignore"):
                return float(-np.nanmean(Y * np.log(P)))
        ''', NBSRC),
    mistake(WB, "mean-loop", "mean_cross_entropy", "test_mean_cross_entropy_no_loop",
            r"mean_cross_entropy uses a Python for loop", '''
        def mean_cross_entropy(P, Y):
            total = 0.0
            for loss in cross_entropies(P, Y):
                total += loss
            return float(total / len(P))
        ''', "classic: a loop over the examples where numpy works on the whole batch"),

    # binary_cross_entropy
    mistake(WB, "bce-swapped", "binary_cross_entropy", "test_binary_cross_entropy", r"swap", '''
        def binary_cross_entropy(y_hat, y):
            return float(np.mean(-(y_hat * np.log(y) + (1 - y_hat) * np.log(1 - y))))
        ''', NBSRC),
    mistake(WB, "bce-log10", "binary_cross_entropy", "test_binary_cross_entropy", r"log10", '''
        def binary_cross_entropy(y_hat, y):
            return float(np.mean(-(y * np.log10(y_hat) + (1 - y) * np.log10(1 - y_hat))))
        ''', NBSRC + "; seed 004 line [7]: the cost with log10"),
    mistake(WB, "bce-sum-over-len", "binary_cross_entropy", "test_binary_cross_entropy", r"len\(y\)", '''
        def binary_cross_entropy(y_hat, y):
            y_hat = np.atleast_1d(y_hat)
            return float(np.sum(-(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))) / len(y_hat))
        ''', NBSRC),
    mistake(WB, "bce-clip", "binary_cross_entropy", "test_binary_cross_entropy", None, '''
        def binary_cross_entropy(y_hat, y):
            y_hat = np.clip(y_hat, 0.05, 0.95)  # "to avoid log(0)": but it changes the answer
            return float(np.mean(-(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))))
        ''', NBSRC),
    mistake(WB, "bce-no-zero-term", "binary_cross_entropy", "test_binary_cross_entropy", r"left out the \(1 - y\)", '''
        def binary_cross_entropy(y_hat, y):
            return float(np.mean(-y * np.log(y_hat)))
        ''', NBSRC),

    # cross_entropy_from_logits
    mistake(WB, "logits-log-softmax", "cross_entropy_from_logits", "test_cross_entropy_from_logits_stability",
            r"log-sum-exp", '''
        def cross_entropy_from_logits(Z, Y):
            return mean_cross_entropy(softmax(Z), Y)
        ''', NBSRC),
    mistake(WB, "logits-no-keepdims", "cross_entropy_from_logits", LOGITS, r"keepdims", '''
        def cross_entropy_from_logits(Z, Y):
            shifted = Z - Z.max(axis=1)
            log_P = shifted - np.log(np.sum(np.exp(shifted), axis=1))
            return float(-np.mean(np.sum(log_P * Y, axis=1)))
        ''', NBSRC + "; classic: no keepdims"),
    mistake(WB, "logits-no-shift", "cross_entropy_from_logits", "test_cross_entropy_from_logits_stability",
            r"overflow", '''
        def cross_entropy_from_logits(Z, Y):
            log_P = Z - np.log(np.sum(np.exp(Z), axis=1, keepdims=True))
            return float(-np.mean(np.sum(log_P * Y, axis=1)))
        ''', NBSRC + "; classic: exp overflow"),
    mistake(WB, "logits-axis0-sum", "cross_entropy_from_logits", LOGITS, r"axis 0", '''
        def cross_entropy_from_logits(Z, Y):
            shifted = Z - Z.max(axis=1, keepdims=True)
            log_P = shifted - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))
            return float(-np.mean(np.sum(log_P * Y, axis=1)))
        ''', NBSRC + "; classic: wrong sum axis"),
    mistake(WB, "logits-sum", "cross_entropy_from_logits", LOGITS, r"did not divide", '''
        def cross_entropy_from_logits(Z, Y):
            shifted = Z - Z.max(axis=1, keepdims=True)
            log_P = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
            return float(-np.sum(log_P * Y))
        ''', NBSRC + "; classic: no mean over the batch"),
    mistake(WB, "logits-loop", "cross_entropy_from_logits", "test_cross_entropy_from_logits_no_loop",
            r"cross_entropy_from_logits uses a Python for loop", '''
        def cross_entropy_from_logits(Z, Y):
            losses = []
            for z, y_row in zip(Z, Y):
                m = np.max(z)
                losses.append(m + np.log(np.sum(np.exp(z - m))) - z @ y_row)
            return float(np.mean(losses))
        ''', "classic: log-sum-exp one example at a time"),
]

CORRECT = [
    correct(WB, "A", "cross_entropy_single", "math.log of one number", '''
        import math

        def cross_entropy_single(p, y):
            return -math.log(p[y])
        '''),
    correct(WB, "B", "cross_entropy_single", "scipy.special.xlogy against a one-hot row", '''
        from scipy.special import xlogy

        def cross_entropy_single(p, y):
            target = np.arange(len(p)) == y
            return float(-np.sum(xlogy(target, p)))
        '''),
    correct(WB, "A", "cross_entropy_loop", "a list of losses over zip(P, y)", '''
        def cross_entropy_loop(P, y):
            losses = [cross_entropy_single(p_i, y_i) for p_i, y_i in zip(P, y)]
            return sum(losses) / len(losses)
        '''),
    correct(WB, "B", "cross_entropy_loop", "a while loop with math.log", '''
        import math

        def cross_entropy_loop(P, y):
            total, i = 0.0, 0
            while i < len(y):
                total -= math.log(P[i][y[i]])
                i += 1
            return total / i
        '''),
    correct(WB, "A", "correct_class_probs", "fancy indexing with the labels from argmax", '''
        def correct_class_probs(P, Y):
            labels = np.argmax(Y, axis=1)
            return P[np.arange(P.shape[0]), labels]
        '''),
    correct(WB, "B", "correct_class_probs", "einsum row-wise dot product", '''
        def correct_class_probs(P, Y):
            return np.einsum("nc,nc->n", P, Y)
        '''),
    correct(WB, "A", "cross_entropies", "log of the reciprocal", '''
        def cross_entropies(P, Y):
            return np.log(1.0 / correct_class_probs(P, Y))
        '''),
    correct(WB, "B", "cross_entropies", "scipy.special.xlogy summed along each row", '''
        from scipy.special import xlogy

        def cross_entropies(P, Y):
            return -np.sum(xlogy(Y, P), axis=1)
        '''),
    correct(WB, "A", "mean_cross_entropy", "np.mean of cross_entropies", '''
        def mean_cross_entropy(P, Y):
            return float(np.mean(cross_entropies(P, Y)))
        '''),
    correct(WB, "B", "mean_cross_entropy", "scipy.special.xlogy over the whole matrix, divided by N", '''
        from scipy.special import xlogy

        def mean_cross_entropy(P, Y):
            return float(-xlogy(Y, P).sum() / P.shape[0])
        '''),
    correct(WB, "A", "binary_cross_entropy", "scipy.special.xlogy for both terms", '''
        from scipy.special import xlogy

        def binary_cross_entropy(y_hat, y):
            y_hat, y = np.asarray(y_hat, dtype=float), np.asarray(y, dtype=float)
            return float(np.mean(-xlogy(y, y_hat) - xlogy(1 - y, 1 - y_hat)))
        '''),
    correct(WB, "B", "binary_cross_entropy", "np.where picks ln y_hat or ln(1 - y_hat) (log1p)", '''
        def binary_cross_entropy(y_hat, y):
            y_hat = np.asarray(y_hat, dtype=float)
            y = np.asarray(y)
            return float(-np.mean(np.where(y == 1, np.log(y_hat), np.log1p(-y_hat))))
        '''),
    correct(WB, "A", "cross_entropy_from_logits", "scipy.special.logsumexp minus the true logit", '''
        from scipy.special import logsumexp

        def cross_entropy_from_logits(Z, Y):
            Z = np.asarray(Z, dtype=float)
            return float(np.mean(logsumexp(Z, axis=1) - np.sum(Z * Y, axis=1)))
        '''),
    correct(WB, "B", "cross_entropy_from_logits", "the row maximum by hand, the true logit by fancy indexing", '''
        def cross_entropy_from_logits(Z, Y):
            Z = np.asarray(Z, dtype=float)
            m = Z.max(axis=1)
            log_sum = m + np.log(np.exp(Z - m[:, None]).sum(axis=1))
            true_logit = Z[np.arange(len(Z)), np.argmax(Y, axis=1)]
            return float(np.mean(log_sum - true_logit))
        '''),
]

# The questions with one right answer (one cell each, assigning the answers)
ANSWERS = {
    "best_and_worst_p": dict(best_p="1.0", worst_p="0.0", larger_p_is_better="True"),
    "loss_name": dict(name_of_loss='"cross-entropy"', nonzero_terms="1"),
    "sum_axis": dict(axis_of_sum="1", shape_of_correct_class_probs="(3,)"),
}


def answers(question, **changes):
    """The code of the cell of `question` with the right answers but for `changes` (name: code)."""
    return "".join(f"{name} = {value}\n" for name, value in {**ANSWERS[question], **changes}.items())


def answer_mistake(name, question, hint, origin, **changes):
    return mistake(WB, name, question, f"test_{question}", hint, answers(question, **changes), origin)


MISTAKES += [
    answer_mistake("p-swapped", "best_and_worst_p", r"swapped.*not a loss", "seed: preliminaries 2",
                   best_p="0", worst_p="1", larger_p_is_better="False"),
    answer_mistake("p-percent", "best_and_worst_p", r"between 0 and 1", "classic: percent for a probability",
                   best_p="100"),
    answer_mistake("p-smaller-better", "best_and_worst_p", r"does not agree", "seed: preliminaries 2",
                   larger_p_is_better="False"),
    answer_mistake("p-worst-half", "best_and_worst_p", None, "classic: a coin toss as the worst prediction",
                   worst_p="0.5"),
    answer_mistake("name-entropy", "loss_name", r"entropy is", "seed: preliminaries 9", name_of_loss='"entropy"'),
    answer_mistake("name-softmax", "loss_name", r"makes the probabilities", "seed: preliminaries 9",
                   name_of_loss='"softmax loss"'),
    answer_mistake("name-all-terms", "loss_name", r"one-hot", "seed: cross-entropy calculations",
                   nonzero_terms="10"),
    answer_mistake("name-hinge", "loss_name", None, "classic: the SVM's loss", name_of_loss='"hinge loss"'),
    answer_mistake("axis-zero", "sum_axis", r"axis 0 adds down the columns", "seed: cross-entropy calculations 3",
                   axis_of_sum="0", shape_of_correct_class_probs="(10,)"),
    answer_mistake("axis-keepdims", "sum_axis", r"keepdims", "classic: a column for a vector",
                   shape_of_correct_class_probs="(3, 1)"),
    answer_mistake("axis-shape-of-P", "sum_axis", None, "classic: the shape of the input",
                   shape_of_correct_class_probs="(3, 10)"),
]

CORRECT += [
    correct(WB, "A", "best_and_worst_p", "floats", answers("best_and_worst_p")),
    correct(WB, "B", "best_and_worst_p", "ints and a percentage", answers("best_and_worst_p", best_p='"100%"',
                                                                          worst_p="0")),
    correct(WB, "A", "loss_name", "hyphenated", answers("loss_name")),
    correct(WB, "B", "loss_name", "capitals and 'loss'", answers("loss_name", name_of_loss='"Cross Entropy Loss"',
                                                                 nonzero_terms="1.0")),
    correct(WB, "C", "loss_name", "another name of it", answers("loss_name", name_of_loss='"negative log-likelihood"')),
    correct(WB, "A", "sum_axis", "axis 1", answers("sum_axis")),
    correct(WB, "B", "sum_axis", "the last axis, the shape as text", answers("sum_axis", axis_of_sum="-1",
                                                                             shape_of_correct_class_probs='"(3,)"')),
]

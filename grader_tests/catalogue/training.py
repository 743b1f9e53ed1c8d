"""05_training: mini-batch arithmetic, initialisation, mini-batches, update steps, L2, the training
loop and the expected initial loss."""
from . import correct, mistake

WB = "05_training"
NBSRC = "nbsrc/05_training_mistakes.py"

INIT_HEAD = '''def init_params(layer_sizes, rng, scheme="xavier"):
    gain = {"xavier": 1.0, "he": 2.0}[scheme]
    params = {}
    for l in range(1, len(layer_sizes)):
        n_in, n_out = layer_sizes[l - 1], layer_sizes[l]
'''
INIT_TAIL = '''    return params
'''
MOMENTUM_HEAD = '''def momentum_step(params, grads, velocity, lr, beta):
    new_params, new_velocity = {}, {}
    for k in params:
'''
MOMENTUM_TAIL = '''    return new_params, new_velocity
'''
TRAIN = '''def train(X, y, layer_sizes, epochs=30, batch_size=32, lr=0.1, rng=None, beta=0.9, lam=0.0,
          scheme="xavier", X_val=None, y_val=None, callback=None):
    if rng is None:
        rng = np.random.default_rng(0)
    RNG
    X = np.asarray(X, dtype=float)
    Y = one_hot(y, layer_sizes[-1])
    params = init_params(layer_sizes, rng, scheme)
    velocity = {}
    history = {"loss": [], "accuracy": []}
    if X_val is not None:
        history["val_accuracy"] = []
    for epoch in range(1, epochs + 1):
        for batch in minibatches(len(X), batch_size, rng):
            cache = forward(X[batch], params)
            grads = backward(X[batch], Y[batch], params, cache)
            GRADIENT
            params, velocity = momentum_step(params, grads, velocity, lr, beta)
        P = forward(X, params)["P"]
        LOSS
        ACCURACY
        if X_val is not None:
            history["val_accuracy"].append(float(np.mean(predict(X_val, params) == y_val)))
        if callback is not None:
            callback(epoch, history)
    return params, history
'''
GRADIENT = 'grads = {k: g + lam * params[k] if k.startswith("W") else g for k, g in grads.items()}'
LOSS = 'history["loss"].append(mean_cross_entropy(P, Y) + l2_penalty(params, lam))'
ACCURACY = 'history["accuracy"].append(float(np.mean(np.argmax(P, axis=1) == y)))'


def train_with(gradient=GRADIENT, loss=LOSS, accuracy=ACCURACY, rng="pass"):
    return (TRAIN.replace("GRADIENT", gradient).replace("LOSS", loss).replace("ACCURACY", accuracy)
            .replace("RNG", rng))


def init_with(weights, biases="np.zeros(n_out)"):
    return (INIT_HEAD + f'        params[f"W{{l}}"] = {weights}\n        params[f"b{{l}}"] = {biases}\n'
            + INIT_TAIL)


HISTORY = "test_train_history"

MISTAKES = [
    # init_params
    mistake(WB, "init-variance-as-scale", "init_params", "test_init_params", r"where the standard deviation belongs",
            init_with("rng.normal(0.0, gain / n_in, size=(n_in, n_out))"), NBSRC),
    mistake(WB, "init-n-out", "init_params", "test_init_params", r"not by n_out",
            init_with("rng.normal(0.0, np.sqrt(gain / n_out), size=(n_in, n_out))"), NBSRC),
    mistake(WB, "init-random-biases", "init_params", "test_init_params", r"b1 is not zero",
            init_with("rng.normal(0.0, np.sqrt(gain / n_in), size=(n_in, n_out))",
                      "rng.normal(0.0, 0.01, size=n_out)"), NBSRC),
    mistake(WB, "init-ignores-scheme", "init_params", "test_init_params", r"ignore the scheme",
            init_with("rng.normal(0.0, np.sqrt(1 / n_in), size=(n_in, n_out))"), NBSRC),
    mistake(WB, "init-standard-normal", "init_params", "test_init_params", r"not scaled",
            init_with("rng.normal(size=(n_in, n_out))"), "classic: unscaled weights"),

    # minibatches
    mistake(WB, "batches-not-shuffled", "minibatches", "test_minibatches", r"not shuffled", '''
        def minibatches(n, batch_size, rng):
            order = np.arange(n)
            return [order[start:start + batch_size] for start in range(0, n, batch_size)]
        ''', NBSRC),
    mistake(WB, "batches-drop-last", "minibatches", "test_minibatches", r"partial batch", '''
        def minibatches(n, batch_size, rng):
            order = rng.permutation(n)
            return [order[i * batch_size:(i + 1) * batch_size] for i in range(n // batch_size)]
        ''', NBSRC),
    mistake(WB, "batches-with-replacement", "minibatches", "test_minibatches", r"appear twice", '''
        def minibatches(n, batch_size, rng):
            return [rng.integers(0, n, size=min(batch_size, n - start)) for start in range(0, n, batch_size)]
        ''', NBSRC),
    mistake(WB, "batches-np-random", "minibatches", "test_minibatches", r"not with np\.random", '''
        def minibatches(n, batch_size, rng):
            order = np.random.permutation(n)
            return [order[start:start + batch_size] for start in range(0, n, batch_size)]
        ''', "classic: the global generator instead of the one given"),

    # epoch_arithmetic (1347 examples, batches of 32, 30 epochs)
    mistake(WB, "arithmetic-drops-partial-batch", "epoch_arithmetic", "test_epoch_arithmetic", r"full batches of 32 only", '''
        def epoch_arithmetic():
            return 42, 3, 30 * 42
        ''', "classic: 1347 // 32"),
    mistake(WB, "arithmetic-fraction", "epoch_arithmetic", "test_epoch_arithmetic", r"count batches, a whole number", '''
        def epoch_arithmetic():
            return 1347 / 32, 1347 % 32, 30 * 1347 / 32
        ''', "classic: N / batch size, unrounded"),
    mistake(WB, "arithmetic-last-batch-full", "epoch_arithmetic", "test_epoch_arithmetic", r"shorter than 32", '''
        def epoch_arithmetic():
            return 43, 32, 30 * 43
        '''),
    mistake(WB, "arithmetic-last-batch-missing", "epoch_arithmetic", "test_epoch_arithmetic", r"how many examples the last batch lacks", '''
        def epoch_arithmetic():
            return 43, 32 - 1347 % 32, 30 * 43
        '''),
    mistake(WB, "arithmetic-update-per-epoch", "epoch_arithmetic", "test_epoch_arithmetic", r"one update per batch, not one per epoch", '''
        def epoch_arithmetic():
            return 43, 3, 30
        '''),
    mistake(WB, "arithmetic-updates-drop-partial", "epoch_arithmetic", "test_epoch_arithmetic", r"leaves out the last, partial batch", '''
        def epoch_arithmetic():
            return 43, 3, 30 * 42
        '''),
    mistake(WB, "arithmetic-examples-as-updates", "epoch_arithmetic", "test_epoch_arithmetic", r"that counts examples", '''
        def epoch_arithmetic():
            return 43, 3, 30 * 1347
        '''),

    # sgd_step
    mistake(WB, "sgd-in-place", "sgd_step", "test_sgd_step", r"modified its argument", '''
        def sgd_step(params, grads, lr):
            for k in params:
                params[k] -= lr * grads[k]
            return params
        ''', NBSRC + "; classic: mutated input"),
    mistake(WB, "sgd-uphill", "sgd_step", "test_sgd_step", r"uphill", '''
        def sgd_step(params, grads, lr):
            return {k: params[k] + lr * grads[k] for k in params}
        ''', NBSRC),
    mistake(WB, "sgd-no-lr", "sgd_step", "test_sgd_step", r"by the learning rate", '''
        def sgd_step(params, grads, lr):
            return {k: params[k] - grads[k] for k in params}
        '''),

    # momentum_step
    mistake(WB, "momentum-plus-lr-grad", "momentum_step", "test_momentum_step", r"the sign is wrong",
            MOMENTUM_HEAD + '''        v = beta * velocity.get(k, 0.0) + lr * grads[k]
        new_velocity[k] = v
        new_params[k] = params[k] + v
''' + MOMENTUM_TAIL, NBSRC),
    mistake(WB, "momentum-velocity-not-returned", "momentum_step", "test_momentum_step",
            r"return the new velocities", MOMENTUM_HEAD + '''        v = beta * velocity.get(k, 0.0) - lr * grads[k]
        new_params[k] = params[k] + v
    return new_params, velocity
''', NBSRC),
    mistake(WB, "momentum-empty-velocity", "momentum_step", "test_momentum_step", r"velocity\.get", MOMENTUM_HEAD + '''        v = beta * velocity[k] - lr * grads[k]
        new_velocity[k] = v
        new_params[k] = params[k] + v
''' + MOMENTUM_TAIL, NBSRC),
    mistake(WB, "momentum-old-velocity", "momentum_step", "test_momentum_step", r"moved by the old velocity",
            MOMENTUM_HEAD + '''        v = velocity.get(k, 0.0)
        new_params[k] = params[k] + v - lr * grads[k]
        new_velocity[k] = beta * v - lr * grads[k]
''' + MOMENTUM_TAIL, "classic: the step taken with the old velocity"),

    # l2_penalty
    mistake(WB, "l2-with-biases", "l2_penalty", "test_l2_penalty", r"included the biases", '''
        def l2_penalty(params, lam):
            return float(lam / 2 * sum(np.sum(p ** 2) for p in params.values()))
        ''', NBSRC),
    mistake(WB, "l2-no-half", "l2_penalty", "test_l2_penalty", r"1/2 is missing", '''
        def l2_penalty(params, lam):
            return float(lam * sum(np.sum(W ** 2) for k, W in params.items() if k.startswith("W")))
        ''', NBSRC),
    mistake(WB, "l2-norms", "l2_penalty", "test_l2_penalty", r"you took the norm", '''
        def l2_penalty(params, lam):
            return float(lam / 2 * sum(np.linalg.norm(W) for k, W in params.items() if k.startswith("W")))
        ''', "classic: the norm for the squared norm"),

    # expected_initial_loss
    mistake(WB, "initial-loss-probability", "expected_initial_loss", "test_expected_initial_loss", r"probability 1/C", '''
        def expected_initial_loss(num_classes):
            return 1 / num_classes
        '''),
    mistake(WB, "initial-loss-sign", "expected_initial_loss", "test_expected_initial_loss", r"the sign is wrong", '''
        def expected_initial_loss(num_classes):
            return float(np.log(1 / num_classes))
        '''),
    mistake(WB, "initial-loss-log10", "expected_initial_loss", "test_expected_initial_loss", r"log base 10", '''
        def expected_initial_loss(num_classes):
            return float(-np.log10(1 / num_classes))
        ''', "classic: log10 for ln"),
    mistake(WB, "initial-loss-log2", "expected_initial_loss", "test_expected_initial_loss", r"log base 2", '''
        def expected_initial_loss(num_classes):
            return float(np.log2(num_classes))
        '''),
    mistake(WB, "initial-loss-summed", "expected_initial_loss", "test_expected_initial_loss", r"only the right class", '''
        def expected_initial_loss(num_classes):
            return float(-np.sum(np.log(np.full(num_classes, 1 / num_classes))))
        '''),
    mistake(WB, "initial-loss-fixed-ten", "expected_initial_loss", "test_expected_initial_loss", r"not a fixed 10", '''
        def expected_initial_loss(num_classes):
            return float(np.log(10))
        '''),

    # validation_split
    mistake(WB, "split-overlapping", "validation_split", "test_validation_split", r"are in both parts", '''
        def validation_split(n, n_val, rng):
            return rng.permutation(n)[:n_val], rng.permutation(n)[n_val:]
        ''', "classic: two shuffles, one for each part"),
    mistake(WB, "split-not-shuffled", "validation_split", "test_validation_split", r"first \(or last\) n_val examples", '''
        def validation_split(n, n_val, rng):
            return np.arange(n_val), np.arange(n_val, n)
        ''', "classic: the first examples as validation set"),
    mistake(WB, "split-swapped", "validation_split", "test_validation_split", r"the parts are swapped", '''
        def validation_split(n, n_val, rng):
            order = rng.permutation(n)
            return order[n_val:], order[:n_val]
        '''),
    mistake(WB, "split-with-replacement", "validation_split", "test_validation_split", r"appear twice", '''
        def validation_split(n, n_val, rng):
            val = rng.integers(0, n, size=n_val)
            return val, np.setdiff1d(np.arange(n), val)
        '''),
    mistake(WB, "split-np-random", "validation_split", "test_validation_split", r"not with np\.random", '''
        def validation_split(n, n_val, rng):
            order = np.random.permutation(n)
            return order[:n_val], order[n_val:]
        '''),

    # train
    mistake(WB, "train-accuracy-one-hot", "train", HISTORY, r"one-hot rows entry by entry", train_with(
        accuracy='history["accuracy"].append(float(np.mean(one_hot(np.argmax(P, axis=1), layer_sizes[-1]) == Y)))'),
        NBSRC),
    mistake(WB, "train-loss-without-l2", "train", HISTORY, r"add l2_penalty", train_with(
        loss='history["loss"].append(mean_cross_entropy(P, Y))'), NBSRC),
    mistake(WB, "train-no-l2-gradient", "train", HISTORY, r"lam had no effect", train_with(gradient="pass"), NBSRC),
    mistake(WB, "train-loss-of-last-batch", "train", HISTORY, r"not on the last batch", train_with(
        loss='history["loss"].append(mean_cross_entropy(cache["P"], Y[batch]) + l2_penalty(params, lam))',
        accuracy='history["accuracy"].append(float(np.mean(np.argmax(cache["P"], axis=1) == y[batch])))'), NBSRC),
    mistake(WB, "train-own-rng", "train", "test_train", None, train_with(
        rng="rng = np.random.default_rng(0)  # always the same, for reproducibility"),
        "classic: a fixed generator instead of the one given"),
]

CORRECT = [
    correct(WB, "A", "epoch_arithmetic", "plain numbers", '''
        def epoch_arithmetic():
            return 43, 3, 1290
        '''),
    correct(WB, "B", "epoch_arithmetic", "a list computed with ceiling division, floats and numpy ints", '''
        def epoch_arithmetic():
            iterations = -(-1347 // 32)
            return [float(iterations), 1347 - 32 * (iterations - 1), np.int64(30) * iterations]
        '''),
    correct(WB, "C", "epoch_arithmetic", "np.ceil and np.mod", '''
        def epoch_arithmetic():
            iterations_per_epoch = np.ceil(1347 / 32)
            return iterations_per_epoch, np.mod(1347, 32), 30 * iterations_per_epoch
        '''),
    correct(WB, "A", "expected_initial_loss", "minus the log of 1/C", '''
        def expected_initial_loss(num_classes):
            return -np.log(1 / num_classes)
        '''),
    correct(WB, "B", "expected_initial_loss", "math.log, imported in the function", '''
        def expected_initial_loss(num_classes):
            import math
            return math.log(num_classes)
        '''),
    correct(WB, "A", "validation_split", "rng.choice without replacement, the rest by np.setdiff1d", '''
        def validation_split(n, n_val, rng):
            val = rng.choice(n, size=n_val, replace=False)
            return val, np.setdiff1d(np.arange(n), val)
        '''),
    correct(WB, "B", "validation_split", "rng.shuffle of np.arange, then np.split into a list", '''
        def validation_split(n, n_val, rng):
            indices = np.arange(n)
            rng.shuffle(indices)
            return list(np.split(indices, [n_val]))
        '''),
    correct(WB, "A", "sgd_step", "copies updated with -=", '''
        def sgd_step(params, grads, lr):
            new_params = {k: np.array(v, dtype=float, copy=True) for k, v in params.items()}
            for k in new_params:
                new_params[k] -= lr * np.asarray(grads[k])
            return new_params
        '''),
    correct(WB, "B", "sgd_step", "dict(zip(...)) with np.subtract", '''
        def sgd_step(params, grads, lr):
            keys = list(params)
            return dict(zip(keys, (np.subtract(params[k], np.multiply(lr, grads[k])) for k in keys)))
        '''),
    correct(WB, "A", "minibatches", "np.split of one permutation", '''
        def minibatches(n, batch_size, rng):
            order = rng.permutation(n)
            return np.split(order, np.arange(batch_size, n, batch_size))
        '''),
    correct(WB, "B", "minibatches", "rng.shuffle of np.arange, then slices", '''
        def minibatches(n, batch_size, rng):
            indices = np.arange(n)
            rng.shuffle(indices)
            batches = []
            start = 0
            while start < n:
                batches.append(indices[start:start + batch_size])
                start += batch_size
            return batches
        '''),
    correct(WB, "A", "momentum_step", "dict comprehensions, a missing velocity handled by `in`", '''
        def momentum_step(params, grads, velocity, lr, beta):
            new_velocity = {k: (beta * velocity[k] if k in velocity else 0.0) - lr * grads[k] for k in params}
            new_params = {k: params[k] + new_velocity[k] for k in params}
            return new_params, new_velocity
        '''),
    correct(WB, "B", "momentum_step", "zeros_like for a missing velocity, np.multiply and np.add", '''
        def momentum_step(params, grads, velocity, lr, beta):
            new_params, new_velocity = {}, {}
            for key, value in params.items():
                v_old = velocity[key] if key in velocity else np.zeros_like(value, dtype=float)
                v_new = np.subtract(np.multiply(beta, v_old), np.multiply(lr, grads[key]))
                new_velocity[key] = v_new
                new_params[key] = np.add(value, v_new)
            return new_params, new_velocity
        '''),
    correct(WB, "A", "init_params", "standard normals scaled by the standard deviation", '''
        def init_params(layer_sizes, rng, scheme="xavier"):
            gain = 2.0 if scheme == "he" else 1.0
            params = {}
            for l, (n_in, n_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:]), start=1):
                params[f"W{l}"] = rng.standard_normal((n_in, n_out)) * np.sqrt(gain / n_in)
                params[f"b{l}"] = np.zeros(n_out)
            return params
        '''),
    correct(WB, "B", "init_params", "rng.normal with scale and size keywords, a variance table", '''
        def init_params(layer_sizes, rng, scheme="xavier"):
            variance = {"xavier": lambda n_in: 1.0 / n_in, "he": lambda n_in: 2.0 / n_in}[scheme]
            params = {}
            for l in range(1, len(layer_sizes)):
                n_in, n_out = int(layer_sizes[l - 1]), int(layer_sizes[l])
                params["W" + str(l)] = rng.normal(loc=0.0, scale=np.sqrt(variance(n_in)), size=(n_in, n_out))
                params["b" + str(l)] = np.zeros((n_out,), dtype=float)
            return params
        '''),
    correct(WB, "A", "l2_penalty", "np.vdot in a loop", '''
        def l2_penalty(params, lam):
            total = 0.0
            for key, value in params.items():
                if key[0] == "W":
                    total += float(np.vdot(value, value))
            return lam / 2 * total
        '''),
    correct(WB, "B", "l2_penalty", "squared Frobenius norms with np.linalg.norm", '''
        def l2_penalty(params, lam):
            squares = [np.linalg.norm(np.ravel(W)) ** 2 for name, W in params.items() if name.startswith("W")]
            return float(0.5 * lam * np.sum(squares))
        '''),
    correct(WB, "A", "train", "the graded helpers, accuracy with predict", '''
        def train(X, y, layer_sizes, epochs=30, batch_size=32, lr=0.1, rng=None, beta=0.9, lam=0.0,
                  scheme="xavier", X_val=None, y_val=None, callback=None):
            rng = np.random.default_rng(0) if rng is None else rng
            X, y = np.asarray(X, dtype=float), np.asarray(y)
            Y = one_hot(y, layer_sizes[-1])
            params = init_params(layer_sizes, rng, scheme)
            velocity = {}
            history = {"loss": [], "accuracy": []}
            if X_val is not None:
                history["val_accuracy"] = []
            for epoch in range(epochs):
                for batch in minibatches(X.shape[0], batch_size, rng):
                    grads = backward(X[batch], Y[batch], params, forward(X[batch], params))
                    for key in grads:
                        if key[0] == "W":
                            grads[key] = grads[key] + lam * params[key]
                    params, velocity = momentum_step(params, grads, velocity, lr, beta)
                loss = mean_cross_entropy(forward(X, params)["P"], Y) + l2_penalty(params, lam)
                history["loss"].append(float(loss))
                history["accuracy"].append(float(np.mean(predict(X, params) == y)))
                if X_val is not None:
                    history["val_accuracy"].append(float(np.mean(predict(X_val, params) == np.asarray(y_val))))
                if callback:
                    callback(epoch + 1, history)
            return params, history
        '''),
    correct(WB, "B", "train", "momentum and batches written inline, the loss by fancy indexing", '''
        def train(X, y, layer_sizes, epochs=30, batch_size=32, lr=0.1, rng=None, beta=0.9, lam=0.0,
                  scheme="xavier", X_val=None, y_val=None, callback=None):
            if rng is None:
                rng = np.random.default_rng(0)
            X = np.asarray(X, dtype=float)
            labels = np.asarray(y)
            n = len(X)
            targets = np.eye(layer_sizes[-1])[labels]
            params = init_params(layer_sizes, rng, scheme)
            velocity = {k: np.zeros_like(v) for k, v in params.items()}
            history = {"loss": [], "accuracy": []} | ({"val_accuracy": []} if X_val is not None else {})
            epoch = 0
            while epoch < epochs:
                epoch += 1
                order = rng.permutation(n)
                for start in range(0, n, batch_size):
                    rows = order[start:start + batch_size]
                    grads = backward(X[rows], targets[rows], params, forward(X[rows], params))
                    for k in params:
                        g = grads[k] + lam * params[k] if k.startswith("W") else grads[k]
                        velocity[k] = beta * velocity[k] - lr * g
                        params[k] = params[k] + velocity[k]
                P = forward(X, params)["P"]
                weights = sum(np.sum(params[k] ** 2) for k in params if k.startswith("W"))
                history["loss"].append(float(-np.mean(np.log(P[np.arange(n), labels])) + lam / 2 * weights))
                history["accuracy"].append(float(np.mean(P.argmax(axis=1) == labels)))
                if X_val is not None:
                    history["val_accuracy"].append(float(np.mean(predict(X_val, params) == y_val)))
                if callback is not None:
                    callback(epoch, history)
            return params, history
        '''),
]

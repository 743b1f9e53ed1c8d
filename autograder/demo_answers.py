"""The written answers of the demo's made-up students, in their own words: {grade_id: {student: text}}.

`complete` answers well, `mistakes-a` gets the main point with less care, `mistakes-b` is vaguer and
sometimes wrong. (`blank` hands in the workbook as released.) None of them is the master's model
answer, so the feedback and formgrader show what a class might really write.
"""

WRITTEN = {
    # 01_sigmoid
    "q_log_odds": {
        "complete": "z is the log-odds, ln(p / (1 - p)). z = 0 gives 0.5, odds of 1 to 1. Negative z means "
                    "a probability under one half, positive z over one half.",
        "mistakes-a": "z is the log of the odds. z = 0 gives 0.5, so even odds.",
        "mistakes-b": "z is the input of the neuron. At z = 0 the sigmoid is 0.5.",
    },
    "q_overflow": {
        "complete": "For z above about 710, exp(z) overflows to inf and inf / inf is nan, although the "
                    "answer should be 1. For very negative z, exp(z) underflows to 0 and we get 0 / 1 = 0, "
                    "which is right.",
        "mistakes-a": "exp(z) becomes inf so the result is nan instead of 1. Negative z is fine because "
                      "exp goes to 0.",
        "mistakes-b": "Big numbers overflow and you get an error.",
    },
    "q_activation_purpose": {
        "complete": "Without a non-linearity, stacked layers collapse into one linear map. A sigmoid near 1 "
                    "says the unit's feature is there and near 0 that it is not, so the next layer can "
                    "combine these detections into features of features.",
        "mistakes-a": "It makes the network non-linear; otherwise many layers are the same as one.",
        "mistakes-b": "It squashes the output between 0 and 1 so it is a probability.",
    },
    # 02_forward_pass
    "q_softmax_vs_argmax": {
        "complete": "Softmax returns a whole distribution: C positive numbers that sum to 1, in the order "
                    "of the logits. Argmax picks the highest, and belongs in predict. We train on softmax "
                    "because it changes smoothly with the weights; argmax has no useful gradient.",
        "mistakes-a": "Softmax gives probabilities for all classes; argmax takes the highest one, for the "
                      "prediction.",
        "mistakes-b": "Softmax picks the most likely class, but softly.",
    },
    "q_softmax_like_sigmoid": {
        "complete": "Dividing by e^z1: e^z1 / (e^z0 + e^z1) = 1 / (1 + e^-(z1 - z0)) = sigma(z1 - z0). So "
                    "z1 - z0 = ln(p1 / p0) is the log-odds of class 1 against class 0, and z_k - z_j the "
                    "log-odds between classes k and j.",
        "mistakes-a": "Both squash scores into (0, 1). With two classes softmax is the sigmoid of z1 - z0, "
                      "the log-odds.",
        "mistakes-b": "They both give numbers between 0 and 1.",
    },
    # 03_cross_entropy
    "q_output_properties": {
        "complete": "Each entry between 0 and 1 and each row summing to 1. Ideally each row is one-hot at "
                    "the correct class, so P equals Y.",
        "mistakes-a": "Rows sum to 1. The ideal P is one-hot.",
        "mistakes-b": "All entries must be positive.",
    },
    "q_loss_properties": {
        "complete": "Never negative, zero for a perfect prediction (p = 1), and larger the worse the "
                    "prediction, growing as p goes to 0.",
        "mistakes-a": "It should be 0 when p = 1 and get bigger when p gets smaller.",
        "mistakes-b": "Small for good predictions.",
    },
    "q_why_not_p": {
        "complete": "p goes up when predictions improve, so minimising it makes them worse. -p has the "
                    "right direction but is negative and equals -1, not 0, for a perfect prediction.",
        "mistakes-a": "p is the wrong way round. -p is negative.",
        "mistakes-b": "p is not a loss because it is a probability.",
    },
    "q_max_likelihood": {
        "complete": "For independent examples the likelihood of the labels is the product of the "
                    "correct-class probabilities. ln is increasing, so maximising it is maximising the sum "
                    "of ln p_i, i.e. minimising the sum of -ln p_i; dividing by N changes nothing. The sum "
                    "is easier to differentiate, and a product of many small numbers underflows to 0.",
        "mistakes-a": "Minimising -ln p is maximum likelihood: the log of the product of the probabilities "
                      "is a sum. Products of small numbers underflow.",
        "mistakes-b": "-ln p punishes wrong answers more than 1 - p.",
    },
    # 04_backprop
    "q_gate_patterns": {
        "complete": "Each input gets the upstream gradient times the local derivative. Add: derivative 1, "
                    "so both inputs get a copy. Mul: each input gets the upstream gradient times the other "
                    "input, so df/dz = q = 3. Max: all of it goes to the larger input, none to the other.",
        "mistakes-a": "Add passes the gradient through to both, mul swaps the inputs, max routes it to the "
                      "biggest input.",
        "mistakes-b": "Add splits the gradient in half between the inputs, mul multiplies them.",
    },
    "q_centred_difference": {
        "complete": "By Taylor, the forward difference has an error of order h and the centred one of order "
                    "h^2, since the h^2 terms cancel. A tiny h loses digits to round-off when subtracting "
                    "two nearly equal numbers, so h around 1e-5 is best.",
        "mistakes-a": "Its error is O(h^2) instead of O(h). Too small an h gives rounding errors.",
        "mistakes-b": "It looks on both sides so it is more accurate.",
    },
    "q_old_weights": {
        "complete": "The old one: the gradient is the slope at the weights that made y_hat, and all the "
                    "weights move together afterwards. What is true is that the hidden layer reuses the "
                    "output layer's gradient, dE/da3 times w5.",
        "mistakes-a": "Before the update, because the gradient is taken at one point.",
        "mistakes-b": "After the update, because w5 has already changed.",
    },
    "q_backprop_cost": {
        "complete": "The network has 140,106 parameters, so about 280,000 forward passes, against roughly "
                    "one or two forward passes' work for backprop, which reuses each layer's dZ for all its "
                    "weights and the layers before. The numerical gradient is only for checking.",
        "mistakes-a": "Two forward passes per parameter, about 280k. Backprop reuses intermediate results. "
                      "Numerical gradients are for checking.",
        "mistakes-b": "One forward pass per weight, so it is slow.",
    },
    # 05_training
    "q_preprocessing": {
        "complete": "Features on very different scales give gradients of very different sizes, so one "
                    "learning rate cannot suit all weights, and sigmoids may saturate. The mean and scale "
                    "come from the training set only, so nothing leaks from the test set; the test set is "
                    "transformed with the same numbers.",
        "mistakes-a": "So no feature dominates. Use the training statistics for the test set too.",
        "mistakes-b": "Scaling makes training faster. Normalise the test set with its own mean.",
    },
    "q_momentum": {
        "complete": "The learning rate scales the current gradient's step; momentum says how much of the "
                    "previous steps carries over. Across a narrow valley the gradient flips sign and cancels "
                    "in the velocity, along it it adds up. With beta close to 1 it overshoots and oscillates.",
        "mistakes-a": "Learning rate is the step size, momentum keeps part of the last step. It speeds up "
                      "along the valley; too much overshoots.",
        "mistakes-b": "Momentum makes the learning rate bigger.",
    },
    "q_symmetry": {
        "complete": "Equal weights give equal activations, so equal gradients and equal updates: the units "
                    "stay copies of one another. Random weights break the symmetry. Biases can start at 0 "
                    "because the random weights already make the units differ.",
        "mistakes-a": "All units would get the same gradient and stay the same. Random weights fix it; the "
                      "biases don't matter.",
        "mistakes-b": "Zero weights give zero gradients so nothing is learned.",
    },
}

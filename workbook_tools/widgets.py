"""Interactive plots of the student's own functions (ipywidgets 8 and matplotlib).

Each widget draws with a matplotlib Figure of its own (no pyplot, so nothing is
shown twice) and shows it as a PNG in an `ipywidgets.Image`. `figure` and
`image` are public so that tests can check what a redraw changed.

    SigmoidExplorer(sigmoid_naive, sigmoid)       # 01_sigmoid
    LossExplorer(cross_entropy_single, binary_cross_entropy)   # 03_cross_entropy
    TrainingCurves(epochs)                        # 05_training: train(..., callback=curves.update)
"""
import io

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

OVERFLOW_Z = np.log(np.finfo(float).max)  # exp(z) is inf above this, about 709.78


def png(figure):
    """The figure rendered as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


def evaluate(f, *args):
    """f(*args) with floating-point warnings silenced, or the exception it raised."""
    with np.errstate(all="ignore"):
        try:
            return np.asarray(f(*args), dtype=float)
        except Exception as error:  # a student's function may raise anything; show it, don't crash
            return error


class _Plot:
    """A figure shown in an Image widget under some controls; subclasses draw it."""

    def __init__(self, controls, figsize):
        self.figure = Figure(figsize=figsize, layout="constrained")
        self.image = widgets.Image(format="png")
        self.widget = widgets.VBox([*controls, self.image])

    def show(self):
        self.image.value = png(self.figure)

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget)


class SigmoidExplorer(_Plot):
    """Your sigmoid_naive against your stable sigmoid over a range of z.

    Drag the range past z = 709.78: the naive form overflows there (exp(z) is
    inf and inf / inf is nan) and the shaded region marks where it fails.
    """

    MIN_GAP = 20.0  # the narrowest z range shown; dragging one handle onto the other keeps this much

    def __init__(self, sigmoid_naive, sigmoid):
        self.sigmoid_naive, self.sigmoid = sigmoid_naive, sigmoid
        # The handles start a fifth of the slider apart, so that each can be grabbed on its own.
        self.slider = widgets.FloatRangeSlider(
            value=(-200.0, 200.0), min=-1000.0, max=1000.0, step=5.0, description="z range",
            continuous_update=False, layout=widgets.Layout(width="95%"))
        super().__init__([self.slider], figsize=(7, 3.2))
        self.slider.observe(self.redraw, names="value")
        self.redraw()

    def apart(self, low, high):
        """(low, high) widened to at least MIN_GAP around its middle, kept inside the slider."""
        if high - low >= self.MIN_GAP:
            return low, high
        middle = min(max((low + high) / 2, self.slider.min + self.MIN_GAP / 2), self.slider.max - self.MIN_GAP / 2)
        return middle - self.MIN_GAP / 2, middle + self.MIN_GAP / 2

    def redraw(self, change=None):
        low, high = self.apart(*self.slider.value)
        if (low, high) != tuple(self.slider.value):
            self.slider.value = (low, high)  # observed: draws again with the wider range
            return
        z = np.linspace(low, high, 1001)
        ax = self.figure.subplots() if not self.figure.axes else self.figure.axes[0]
        ax.clear()
        for f, style in [(self.sigmoid, dict(linewidth=4, alpha=0.5)), (self.sigmoid_naive, dict(linestyle="--"))]:
            s = evaluate(f, z)
            if isinstance(s, Exception):
                ax.plot([], [], label=f"{f.__name__}: {type(s).__name__}", **style)
                continue
            ax.plot(z, s, label=f.__name__, **style)
            if f is self.sigmoid_naive and not np.isfinite(s).all():
                bad = z[~np.isfinite(s)]
                ax.axvspan(bad.min(), bad.max(), color="red", alpha=0.15,
                           label=f"sigmoid_naive is nan/inf ({(~np.isfinite(s)).sum()} of {z.size} points)")
        ax.set(xlabel="z", ylabel="sigma(z)", xlim=(low, high), ylim=(-0.05, 1.05),
               title=f"exp(z) overflows for z > {OVERFLOW_Z:.2f}")
        ax.legend(loc="lower right", fontsize="small")
        self.show()


class LossExplorer(_Plot):
    """The loss -ln p against the probability p of the correct class, and the
    binary cross-entropy for y = 1 and y = 0, drawn with your functions. The slider
    sets p: for y = 1 that is y_hat, for y = 0 it is 1 - y_hat, and each curve marks
    the prediction whose correct class gets probability p."""

    def __init__(self, cross_entropy_single, binary_cross_entropy):
        self.cross_entropy_single = cross_entropy_single
        self.binary_cross_entropy = binary_cross_entropy
        self.slider = widgets.FloatSlider(
            value=0.5, min=0.01, max=0.99, step=0.01, description="p correct",
            continuous_update=False, layout=widgets.Layout(width="95%"))
        super().__init__([self.slider], figsize=(8, 3.2))
        self.slider.observe(self.redraw, names="value")
        self.redraw()

    def redraw(self, change=None):
        p = self.slider.value
        grid = np.linspace(0.01, 0.99, 99)
        if not self.figure.axes:
            self.figure.subplots(1, 2)
        left, right = self.figure.axes
        left.clear()
        right.clear()
        losses = [evaluate(self.cross_entropy_single, np.array([1 - q, q]), 1) for q in grid]
        if not any(isinstance(loss, Exception) for loss in losses):
            left.plot(grid, losses, label="cross_entropy_single")
            here = float(evaluate(self.cross_entropy_single, np.array([1 - p, p]), 1))
            left.plot([p], [here], "o", color="red")
            left.annotate(f"p = {p:.2f}: loss {here:.3f}", (p, here), textcoords="offset points",
                          xytext=(8, 8) if p < 0.6 else (-120, 8))
        left.set(xlabel="probability of the correct class", ylabel="loss", title="-ln p")
        for y, y_hat, colour in [(1.0, p, "tab:blue"), (0.0, 1 - p, "tab:orange")]:
            curve = [evaluate(self.binary_cross_entropy, q, y) for q in grid]
            if not any(isinstance(c, Exception) for c in curve):
                right.plot(grid, curve, color=colour, label=f"y = {y:g}: marked at y_hat = {y_hat:.2f}")
                right.plot([y_hat], [float(evaluate(self.binary_cross_entropy, y_hat, y))], "o", color=colour)
        right.set(xlabel="y_hat", title="binary cross-entropy")
        right.legend(loc="upper center", fontsize="small")
        self.show()


class TrainingCurves(_Plot):
    """Loss and accuracy per epoch, redrawn live: pass `update` as train's callback."""

    def __init__(self, epochs):
        self.progress = widgets.IntProgress(value=0, min=0, max=epochs, description="epoch 0")
        super().__init__([self.progress], figsize=(8, 3))
        self.figure.subplots(1, 2)
        self.update(0, {"loss": [], "accuracy": []})

    def update(self, epoch, history):
        """Redraw with `history` (lists per epoch: loss, accuracy, optionally val_accuracy)."""
        loss_ax, accuracy_ax = self.figure.axes
        loss_ax.clear()
        accuracy_ax.clear()
        epochs = np.arange(1, len(history["loss"]) + 1)
        loss_ax.plot(epochs, history["loss"], marker=".")
        loss_ax.set(xlabel="epoch", ylabel="mean cross-entropy", title="training loss")
        for key in ["accuracy", "val_accuracy"]:
            if history.get(key):
                accuracy_ax.plot(epochs, history[key], marker=".", label=key.replace("_", " "))
        accuracy_ax.set(xlabel="epoch", ylim=(0, 1.02), title="accuracy")
        if history.get("accuracy"):
            accuracy_ax.legend(loc="lower right", fontsize="small")
        self.progress.value = len(epochs)
        self.progress.description = f"epoch {len(epochs)}"
        self.show()

"""The widgets, built in Python as a notebook builds them, with the reference functions."""
import numpy as np
import pytest

from solutions.activations import sigmoid, sigmoid_naive
from solutions.cross_entropy import binary_cross_entropy, cross_entropy_single
from workbook_tools.widgets import LossExplorer, SigmoidExplorer


def drawn_lines(ax):
    return [line for line in ax.get_lines() if len(line.get_xdata())]


def test_sigmoid_explorer_starts_with_its_handles_apart():
    explorer = SigmoidExplorer(sigmoid_naive, sigmoid)
    low, high = explorer.slider.value
    span = explorer.slider.max - explorer.slider.min
    assert high - low >= 0.1 * span, "handles this close sit on top of each other on the slider"
    assert low < 0 < high  # the S of the sigmoid is in view


@pytest.mark.parametrize("dragged", [(10.0, 10.0), (-1000.0, -1000.0), (1000.0, 1000.0), (705.0, 710.0)])
def test_sigmoid_explorer_keeps_a_minimum_range(dragged):
    explorer = SigmoidExplorer(sigmoid_naive, sigmoid)
    explorer.slider.value = dragged
    low, high = explorer.slider.value
    assert high - low >= SigmoidExplorer.MIN_GAP
    assert explorer.slider.min <= low and high <= explorer.slider.max
    [ax] = explorer.figure.axes
    assert ax.get_xlim() == (low, high)
    assert drawn_lines(ax), "nothing was drawn"


def test_sigmoid_explorer_marks_where_the_naive_form_fails():
    explorer = SigmoidExplorer(sigmoid_naive, sigmoid)
    explorer.slider.value = (0.0, 1000.0)
    [ax] = explorer.figure.axes
    assert any("nan/inf" in text.get_text() for text in ax.get_legend().get_texts())


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_loss_explorer_marks_the_probability_of_the_correct_class_for_both_targets(p):
    explorer = LossExplorer(cross_entropy_single, binary_cross_entropy)
    explorer.slider.value = p
    left, right = explorer.figure.axes
    dots = sorted((float(line.get_xdata()[0]), float(line.get_ydata()[0]))
                  for line in right.get_lines() if len(line.get_xdata()) == 1)
    # For y = 1 the correct class has probability y_hat, for y = 0 it has 1 - y_hat: both dots
    # show the loss -ln p of the slider's p, at y_hat = p and at y_hat = 1 - p.
    assert np.allclose(dots, sorted([(p, -np.log(p)), (1 - p, -np.log(p))])), dots
    [here] = [line for line in left.get_lines() if len(line.get_xdata()) == 1]
    assert float(here.get_ydata()[0]) == pytest.approx(-np.log(p))

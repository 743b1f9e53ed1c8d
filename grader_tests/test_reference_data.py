"""workbook_tools.data.load_digits_32 against scikit-learn's 8x8 digits."""
import numpy as np
import pytest
from sklearn.datasets import load_digits

from workbook_tools.data import load_digits_32


@pytest.fixture(scope="module")
def split():
    return load_digits_32()


def test_shapes_types_and_range(split):
    X_train, y_train, X_test, y_test = split
    assert X_train.shape == (1347, 1024) and X_test.shape == (450, 1024)
    assert y_train.shape == (1347,) and y_test.shape == (450,)
    assert X_train.dtype == X_test.dtype == np.float64
    assert np.issubdtype(y_train.dtype, np.integer)
    X = np.vstack([X_train, X_test])
    assert X.min() == 0.0 and X.max() == 1.0


def test_every_image_is_an_original_digit_upsampled_in_4x4_blocks(split):
    X_train, y_train, X_test, y_test = split
    images = np.vstack([X_train, X_test]).reshape(-1, 32, 32)
    small = images[:, ::4, ::4]
    upsampled = np.array([np.kron(image, np.ones((4, 4))) for image in small])
    np.testing.assert_array_equal(images, upsampled)

    digits = load_digits()
    ours = np.column_stack([small.reshape(-1, 64) * 16, np.concatenate([y_train, y_test])])
    original = np.column_stack([digits.images.reshape(-1, 64), digits.target])
    np.testing.assert_array_equal(np.unique(ours, axis=0), np.unique(original, axis=0))
    assert len(ours) == len(original)


def test_the_split_is_stratified(split):
    _, y_train, _, y_test = split
    counts_test = np.bincount(y_test, minlength=10)
    counts_all = counts_test + np.bincount(y_train, minlength=10)
    assert np.all(np.abs(counts_test - 0.25 * counts_all) <= 1)


def test_the_split_follows_the_seed_and_the_fraction():
    a, b, c = load_digits_32(seed=0), load_digits_32(seed=0), load_digits_32(seed=1)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    assert len(load_digits_32(test_fraction=0.5)[2]) == 899

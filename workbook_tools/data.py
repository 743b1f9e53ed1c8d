"""Offline data for the workbooks: scikit-learn's handwritten digits, upsampled to 32x32.

load_digits ships inside scikit-learn, so nothing is downloaded. Its 1797 images are 8x8 with
grey levels 0..16; each is upsampled to 32x32 by repeating every pixel as a 4x4 block (the same
as np.kron(image, np.ones((4, 4)))), so that an example has D = 1024 inputs like the 32x32 grey
images of the workbooks.
"""
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

UPSAMPLE = 4        # 8x8 -> 32x32
MAX_GREY = 16.0     # grey levels of load_digits are 0..16


def load_digits_32(test_fraction=0.25, seed=0):
    """The digits as 32x32 images, flattened, scaled to [0, 1] and split stratified by class.

    Inputs:
    - test_fraction: fraction of the examples held out for testing
    - seed: seed of the shuffle before the split

    Returns:
    - X_train: (N, 1024) float64 in [0, 1], one flattened image per row
    - y_train: (N,) int labels 0..9
    - X_test: (M, 1024) float64 in [0, 1]
    - y_test: (M,) int labels 0..9
    """
    digits = load_digits()
    images = digits.images.repeat(UPSAMPLE, axis=1).repeat(UPSAMPLE, axis=2)
    X = images.reshape(len(images), -1) / MAX_GREY
    y = digits.target
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_fraction, random_state=seed, stratify=y)
    return X_train, y_train, X_test, y_test

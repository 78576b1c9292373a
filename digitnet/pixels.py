"""Pixels as the network reads them: numbers in [0, 1].

MNIST stores a pixel as a byte, 0 (background) to 255 (full ink); digitnet reads a uint8 pixel
k as k / 255, rounded once to the network's float type.  Float images are taken as they are.
"""

import numpy as np


def pixel_values(images, dtype=np.float32):
    """``images`` (any shape) as ``dtype`` numbers in [0, 1]: uint8 k → k / 255, floats unchanged
    (converted to ``dtype``; no copy when they already are)."""
    images = np.asarray(images)
    dtype = np.dtype(dtype)
    if images.dtype == np.uint8:
        return images.astype(dtype) / dtype.type(255)
    return images.astype(dtype, copy=False)

"""A network's parameters as one list: the one order in which digitnet flattens them.

The order is the video's "13,002 numbers" laid out layer by layer: W1, b1, W2, b2, …, each
array row by row (C order).  ``Network.get_parameters``, the gradient as one vector (in
``digitnet.insight``) and the optimisers' state all use it.
"""

from typing import NamedTuple

import numpy as np


class Gradient(NamedTuple):
    """∇C split by layer: ``weights[l]`` has the shape of W[l], ``biases[l]`` that of b[l]."""

    weights: list
    biases: list


def in_order(weights, biases):
    """The arrays W1, b1, W2, b2, … (the same objects, not copies)."""
    return [array for W, b in zip(weights, biases) for array in (W, b)]


def flatten(weights, biases, dtype=None):
    """Every number of ``weights`` and ``biases`` as one vector, in the order of ``in_order``."""
    vector = np.concatenate([array.ravel() for array in in_order(weights, biases)])
    return vector if dtype is None else vector.astype(dtype)


def unflatten_into(vector, weights, biases):
    """Fill ``weights`` and ``biases`` in place from one vector laid out by ``flatten``."""
    start = 0
    for array in in_order(weights, biases):
        array[...] = vector[start : start + array.size].reshape(array.shape)
        start += array.size

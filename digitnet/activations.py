"""Activation functions σ and their derivatives σ′, elementwise on arrays of weighted sums z.

Each activation is a pair of functions next to each other, so the derivative that
backpropagation uses sits beside the formula it differentiates:

    sigmoid   σ(z) = 1 / (1 + e^−z)        σ′(z) = σ(z) (1 − σ(z))
    tanh      σ(z) = tanh z                σ′(z) = 1 − tanh² z
    relu      σ(z) = max(0, z)             σ′(z) = 1 if z > 0 else 0
    softmax   a_j = e^{z_j} / Σ_k e^{z_k}   (output layer only; its Jacobian is handled in costs)

The sigmoid is computed as ½ (1 + tanh(z/2)), which is the same function but never
overflows, whatever the size of z.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def sigmoid(z):
    """σ(z) = 1 / (1 + e^−z), computed stably as ½(1 + tanh(z/2)); values in (0, 1)."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def sigmoid_prime(z):
    """σ′(z) = σ(z)(1 − σ(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh_prime(z):
    """tanh′(z) = 1 − tanh²(z)."""
    t = np.tanh(z)
    return 1.0 - t * t


def relu(z):
    """max(0, z)."""
    return np.maximum(z, 0)


def relu_prime(z):
    """1 where z > 0, else 0 (the subgradient 0 is used at z = 0)."""
    return (z > 0).astype(z.dtype)


def softmax(z):
    """Softmax over the first axis of z (neurons × examples), shifted by the max so it never overflows."""
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax_prime(z):
    """Softmax has no elementwise derivative (each output depends on every z): its Jacobian is
    used where the output error is computed, in ``digitnet.costs``."""
    raise ValueError("softmax is an output activation; its derivative is the Jacobian used by digitnet.costs")


@dataclass(frozen=True)
class Activation:
    """A named activation: ``function(z)`` and its elementwise derivative ``prime(z)``."""

    name: str
    function: Callable
    prime: Callable


ACTIVATIONS = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_prime),
    "tanh": Activation("tanh", np.tanh, tanh_prime),
    "relu": Activation("relu", relu, relu_prime),
}
HIDDEN_ACTIVATIONS = tuple(ACTIVATIONS)
OUTPUT_ACTIVATIONS = ("sigmoid", "softmax")
SOFTMAX = Activation("softmax", softmax, softmax_prime)


def get_activation(name):
    """The Activation called ``name`` (hidden: sigmoid, tanh, relu; output also softmax)."""
    if name == "softmax":
        return SOFTMAX
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; choose one of {', '.join(HIDDEN_ACTIVATIONS + ('softmax',))}"
        ) from None

"""Engines: interchangeable ways to run a Network's feedforward and training epochs.

``reference`` is the plain NumPy maths of ``digitnet.network`` (the specification).
Other engines must give the same results within float32 rounding; the tests check it.
An engine provides:

    outputs(net, images)            (n, 784) → (n, 10) output activations
    train_epoch(net, images, labels, order, batch_size, lr, on_progress)
                                    one epoch of mini-batch SGD over ``images[order]``
"""

from ..errors import DigitnetError
from .reference import ReferenceEngine

ENGINES = ("auto", "reference")

_reference = ReferenceEngine()


def get_engine(name, net=None):
    """The engine called ``name``; ``auto`` picks the fastest one that supports ``net``."""
    if name in ("auto", "reference"):
        return _reference
    raise DigitnetError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")

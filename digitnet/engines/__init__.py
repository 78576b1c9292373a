"""Engines: interchangeable ways to run a Network's feedforward and training epochs.

``reference`` is the plain NumPy maths of ``digitnet.network`` (the specification).
``fast`` compiles the same maths with Numba (``digitnet.engines.fast``).  Other engines
must give the same results within float rounding; the tests check it.  An engine provides:

    outputs(net, images)            (n, 784) → (n, 10) output activations
    train_epoch(net, images, labels, order, batch_size, lr, on_progress)
                                    one epoch of mini-batch SGD over ``images[order]``
"""

from ..errors import DigitnetError
from .reference import ReferenceEngine

ENGINES = ("auto", "reference", "fast")

#: From this many images in one call, ``auto`` feeds forward with the reference engine: its
#: BLAS matrix products beat the fast engine's per-image loop there (default network, µs per
#: image, fast against reference: 1.7 / 2.0 at 10 images, 1.1 / 0.84 at 32, 0.76 / 0.56 at
#: 10,000; benchmarks/inference_crossover.py, output in benchmarks/results/).
AUTO_REFERENCE_FROM = 32

_reference = ReferenceEngine()
_fast = None  # the module digitnet.engines.fast, imported on first use: loading Numba takes a moment


def _fast_module():
    global _fast
    if _fast is None:
        from . import fast
        _fast = fast
    return _fast


def get_engine(name, net=None, count=None):
    """The engine called ``name``; ``auto`` picks the fastest one that supports ``net``
    (for feeding ``count`` images forward in one call, when given; for training otherwise).

    ``fast`` raises DigitnetError saying why when it cannot run ``net`` (e.g. Numba is missing).
    """
    if name == "reference" or (name == "auto" and count is not None and count >= AUTO_REFERENCE_FROM):
        return _reference
    if name in ("auto", "fast"):
        fast = _fast_module()
        reason = fast.unsupported(net)
        if reason is None:
            return fast.ENGINE
        if name == "fast":
            raise DigitnetError(f"the fast engine cannot run this network: {reason}")
        return _reference
    raise DigitnetError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")

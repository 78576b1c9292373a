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

_reference = ReferenceEngine()
_fast = None  # the module digitnet.engines.fast, imported on first use: loading Numba takes a moment


def _fast_module():
    global _fast
    if _fast is None:
        from . import fast
        _fast = fast
    return _fast


def get_engine(name, net=None):
    """The engine called ``name``; ``auto`` picks the fast one where it can run ``net``, else the reference.

    ``fast`` raises DigitnetError saying why when it cannot run ``net`` (e.g. Numba is missing).
    """
    if name == "reference":
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

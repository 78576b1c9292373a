"""Engines: interchangeable ways to run a Network's feedforward and training epochs.

``reference`` is the plain NumPy maths of ``digitnet.network`` (the specification).
``fast`` compiles the same maths with Numba (``digitnet.engines.fast``).  Other engines
must give the same results within float rounding; the tests check it.  An engine provides:

    name                            "reference", "fast"
    supports(recipe)                whether it can train by that digitnet.recipe.Recipe
    outputs(net, images)            (n, n_in) → (n, n_out) output activations
    train_epoch(net, images, labels, order, batch_size, lr, on_progress)
                                    one epoch of mini-batch SGD over ``images[order]``

``auto`` is a choice made for each piece of work, so that nobody waits for the compiler
without a reason.  Training takes the fast engine wherever it runs, except for a small run
(``small_run``: at most ``SMALL_RUN`` multiply-adds in all, about one epoch of the video's
network on MNIST's 60,000 images), which the reference finishes in about a second, sooner than
the compiler's few seconds on a first run, and for wide layers in large mini-batches, where
the reference's matrix products win (``suits_reference``).  An epoch of the video's network
takes a few times longer on the reference, so on longer runs the compiler pays for itself
within the first epochs.  The choice depends on the work only, never on whether a compile cache exists (the
same seed and engine train the same network bit for bit).  Feeding
forward takes the fast engine only where its code for that kind of network and images is
already compiled in this process (after training, say): otherwise the reference answers in
milliseconds where loading the compiler and its cache, or compiling, takes seconds.  Where the
fast engine is loaded already (it trained here, say) but its code for such work is not ready,
``auto`` makes it ready in the background (``_make_ready_later``) and answers on the reference
meanwhile: a process that never asks for that work (``digitnet train``) never compiles it.  Where both
are ready, it takes the one measured faster on this machine for that kind of work
(``engine_for_outputs``): which one wins differs between CPUs, numbers of images and image
types (``benchmarks/inference_crossover.py``; docs/performance.md has the measured crossovers).
"""

import threading
import time
import weakref

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


SMALL_RUN = 1e9  # multiply-adds of a training run that ``auto`` leaves to the reference (see the docstring)


def small_run(net, examples, epochs):
    """Whether training ``net`` for ``epochs`` on ``examples`` examples is at most ``SMALL_RUN``
    multiply-adds of feeding forward (W a for every layer of every example, every epoch)."""
    weights = sum(n_in * n_out for n_in, n_out in zip(net.sizes[:-1], net.sizes[1:]))
    return epochs * examples * weights <= SMALL_RUN


WIDE = 256  # hidden units from which ``auto`` trains on the reference at any mini-batch size
BLAS_FROM = 10_000  # hidden units × examples per mini-batch from which it does too


def suits_reference(net, examples, recipe):
    """Whether ``auto`` trains ``net`` by ``recipe`` on ``examples`` examples on the reference engine:
    a recipe with a teacher (only the reference learns from one), a small run (``small_run``), or wide
    layers (a hidden layer of ``WIDE`` units, or its units times the mini-batch size at least
    ``BLAS_FROM``), whose matrix products the reference's BLAS computes faster than the fast engine
    goes through them one example at a time (``benchmarks/train_crossover.py``; docs/performance.md).
    It depends on the work only, never on timing or on the compile cache."""
    widest = max(net.sizes[1:-1], default=0)
    return (
        recipe.teacher is not None  # only the reference learns from a teacher
        or small_run(net, examples, recipe.epochs)
        or widest >= WIDE
        or widest * recipe.batch_size >= BLAS_FROM
    )


def get_engine(name, net=None, images=None):
    """The engine called ``name`` for training ``net`` on ``images``; ``auto`` picks the fast one
    where it can run them, else the reference.

    ``fast`` raises DigitnetError saying why when it cannot run ``net`` (e.g. Numba is missing).
    """
    if not isinstance(name, str):  # an engine already
        return name
    if name == "reference":
        return _reference
    if name in ("auto", "fast"):
        fast = _fast_module()
        reason = fast.unsupported(net, getattr(images, "dtype", "uint8"))
        if reason is None:
            return fast.ENGINE
        if name == "fast":
            raise DigitnetError(f"the fast engine cannot run this network: {reason}")
        return _reference
    raise DigitnetError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")


def engine_for_outputs(name, net, images):
    """The engine called ``name`` for feeding ``images`` forward through ``net``.

    ``auto`` picks the fast one only where its code for them is compiled already (see the module's
    docstring); then, for each kind of work (``_work``), it tries each engine ``TRIALS`` times and
    from then on takes the one that was faster here (the median of its last ``TRIALS`` times in
    ``feed_forward``): which one is faster depends on the CPU, on the number of images and on their
    type (``benchmarks/inference_crossover.py``).  Once it has chosen, one call in ``RETRY_EVERY``
    goes to the other engine and the next one to the chosen engine, both timed, so that their times
    are measured afresh and a few unlucky ones do not decide for ever; the calls between are not
    timed (timing costs a good part of one image's time).
    """
    if name != "auto":
        return get_engine(name, net, images)
    kind = _kinds.get(_work(net, images))
    return _auto_choice(net, images, kind.timings if kind else _UNTIMED)


def feed_forward(name, net, images):
    """(n, n_in) images (a NumPy array) → (n, n_out) output activations by
    ``engine_for_outputs(name, net, images)``, timing the engines ``auto`` chooses.

    Once ``auto`` has chosen the fast engine for a few images of a kind through ``net``, it keeps
    that engine's call for them (``fast.bound_outputs``) and goes straight to it, until its next
    timed call: one image then costs about what the fast engine's own call does."""
    if name == "auto":
        settled = _settled.get(id(net))
        if settled is not None:
            kind, size, call, _ = settled
            calls = kind.calls + 1
            if kind.chosen is _fast.ENGINE and calls % RETRY_EVERY > 1 and _size_class(len(images)) == size:
                outputs = call(net, images)
                if outputs is not None:
                    kind.calls = calls
                    return outputs
        return _auto_outputs(net, images)
    if name == "fast":  # its outputs refuse, as get_engine would, what it cannot run
        return _fast_module().ENGINE.outputs(net, images)
    return get_engine(name, net, images).outputs(net, images)


def _auto_outputs(net, images):
    """``feed_forward`` by ``auto`` (see ``engine_for_outputs``), keeping the fast engine's call for
    ``net`` and a few such images once it is the one chosen for them (``_settled``)."""
    work = _work(net, images)
    kind = _kinds.get(work)
    if kind is None:
        kind = _kinds[work] = _Kind()
    kind.calls += 1
    phase = kind.calls % RETRY_EVERY
    if kind.chosen is not None and phase > 1:  # chosen, and not a timed call
        engine = kind.chosen
        outputs = engine.outputs(net, images)
    else:
        engine = _auto_choice(net, images, kind.timings, retry=phase == 0)
        started = time.perf_counter()
        outputs = engine.outputs(net, images)
        times = kind.timings[engine.name]
        times.append((time.perf_counter() - started) / max(1, len(images)))
        del times[:-TRIALS]
        tried = min(len(kind.timings["fast"]), len(kind.timings["reference"])) >= TRIALS
        kind.chosen = _auto_choice(net, images, kind.timings) if tried else None
    if engine is kind.chosen and engine is not _reference:
        call = _fast.bound_outputs(net, images)
        if call is not None:
            _keep_settled(net, kind, _size_class(len(images)), call.run)
    return outputs


def _keep_settled(net, kind, size, call):
    """Keep ``auto``'s settled ``call`` for ``net`` in ``_settled`` while ``net`` lives."""
    key = id(net)
    _settled[key] = (kind, size, call, weakref.ref(net, lambda _: _settled.pop(key, None)))


def _auto_choice(net, images, timings, retry=False):
    """``auto``'s engine for feeding ``images`` forward, a kind of work whose ``timings`` (see
    ``_Kind``) are given; with ``retry``, once both engines are timed, the one measured slower (its
    timings are refreshed so that a few unlucky ones, on a machine busy for a moment, do not decide
    for ever)."""
    if _fast is None:
        return _reference
    if not _fast.warm(net, images):
        _make_ready_later(net, images)
        return _reference
    fast, reference = timings["fast"], timings["reference"]
    if len(fast) < TRIALS or len(reference) < TRIALS:  # still trying: the one tried less often
        return _fast.ENGINE if len(fast) <= len(reference) else _reference
    fast_wins = _median(fast) <= _median(reference)
    return _fast.ENGINE if fast_wins != retry else _reference


def _make_ready_later(net, images):
    """Start making ready, in the background, the fast engine's kernel for feeding ``images`` forward
    through ``net`` (once for each kind of network and images in this process; ``prepare``), so that
    ``auto`` may take it once it has run here.  The process does not wait for it at its end."""
    asked = (_fast.outputs_kernel(len(images)), len(net.weights), net.dtype, images.dtype)
    if asked not in _asked:
        _asked.add(asked)
        prepare("fast", net, images.dtype, kernels=asked[:1], wait=False)


_asked = set()  # (kernel, layers, float type, images' type) that ``_make_ready_later`` started making ready


def _median(times):
    """The median of an odd number of ``times`` (``TRIALS``): a third of ``statistics.median``'s
    cost, which one image's call pays twice."""
    return sorted(times)[len(times) // 2]


class _Kind:
    """What ``auto`` knows of one kind of work (``_work``) in this process."""

    __slots__ = ("timings", "calls", "chosen")

    def __init__(self):
        self.timings = {"fast": [], "reference": []}  # engine name → its last TRIALS seconds per image
        self.calls = 0  # ``auto``'s calls for it
        self.chosen = None  # the engine its timings chose at its last timed call (None while trying; the
        #                     fast engine only where its code for that kind of work is ready: it stays so)


TRIALS = 3  # timings of each engine on a kind of work before ``auto`` chooses by them (odd: see _median)
RETRY_EVERY = 100  # of ``auto``'s calls for a kind of work, one in so many goes to the engine measured slower
_kinds = {}  # kind of work (``_work``) → its ``_Kind``
_UNTIMED = {"fast": (), "reference": ()}  # the timings of a kind of work not done yet
_settled = {}  # id(network) → (its _Kind, ``_work``'s number of images, the fast engine's call for them, a
#                weak reference that clears the entry when the network goes): where ``auto`` has chosen the
#                fast engine for a few images through that network


def _size_class(count):
    """A number of images to within a factor of 4: the same for counts ``auto`` times as one kind."""
    return count.bit_length() >> 1


def _work(net, images):
    """A kind of feeding forward, as far as its speed goes: the network's sizes, activations and float
    type, the images' type, their number to within a factor of 4, and (once the fast engine is
    loaded) which of its kernels they would go through, so that its code being ready
    (``fast.warm``) is one fact for all the work of a kind."""
    count = len(images)
    return (
        tuple(net.sizes),
        net.activation,
        net.output,
        net.dtype,
        images.dtype,
        _size_class(count),
        _fast and _fast.outputs_kernel(count),
    )


def prepare(name, net, images_dtype="uint8", kernels=("train", "rows"), wait=True):
    """Start making ready, in a background thread, the fast engine's ``kernels`` for ``net`` on images
    of ``images_dtype``, in turn, where ``get_engine(name, net, images)`` would give that engine:
    import Numba, then compile (or load from the disk cache) and check its training kernel, then
    its kernel for feeding many images forward (or those named), while the caller does other work:
    reading MNIST (whose decompression leaves the interpreter free), then training (whose kernel
    releases it).  A kernel that passes its check has run in this process, so ``auto`` feeds
    images forward with it from then on (the test set after training, say, not on the reference).
    Returns at once; ``get_engine`` waits for the training kernel only.  Changes only when the work
    is done, never which engine is chosen for training.  With ``wait`` False, the process does not
    wait for the work at its end (a child process compiling into the disk cache finishes it)."""
    if name not in ("auto", "fast"):
        return

    def make_ready():
        fast = _fast_module()
        for position, kernel in enumerate(kernels):
            if fast.unsupported(net, images_dtype, kernel, then=kernels[position + 1 :]) is not None:
                return

    threading.Thread(target=make_ready, name="digitnet-prepare", daemon=not wait).start()  # waiting, the
    # process waits for the compiler rather than stopping it midway

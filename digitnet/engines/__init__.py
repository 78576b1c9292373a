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
milliseconds where loading the compiler and its cache, or compiling, takes seconds.  Where both
are ready, it takes the one measured faster on this machine for that kind of work
(``engine_for_outputs``): which one wins differs between CPUs, numbers of images and image
types (``benchmarks/inference_crossover.py``; docs/performance.md has the measured crossovers).
"""

import threading
import time

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
    a small run (``small_run``), or wide layers (a hidden layer of ``WIDE`` units, or its units
    times the mini-batch size at least ``BLAS_FROM``), whose matrix products the reference's BLAS
    computes faster than the fast engine goes through them one example at a time
    (``benchmarks/train_crossover.py``; docs/performance.md).  It depends on the work only, never
    on timing or on the compile cache."""
    widest = max(net.sizes[1:-1], default=0)
    return small_run(net, examples, recipe.epochs) or widest >= WIDE or widest * recipe.batch_size >= BLAS_FROM


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
    ``feed_forward``, which times one call in ``TIME_EVERY``, the cost of timing being a good part
    of one image's, and sends one call in ``RETRY_EVERY`` to the other one, so that its times are
    measured afresh and a few unlucky ones do not decide for ever): which one is faster depends on
    the CPU, on the number of images and on their type (``benchmarks/inference_crossover.py``).
    """
    if name != "auto":
        return get_engine(name, net, images)
    return _auto_choice(net, images, _timings.get(_work(net, images), _UNTIMED))


def feed_forward(name, net, images):
    """(n, n_in) images → (n, n_out) output activations by ``engine_for_outputs(name, net, images)``,
    timing the engines ``auto`` chooses."""
    if name == "fast":  # its outputs refuse, as get_engine would, what it cannot run
        return _fast_module().ENGINE.outputs(net, images)
    if name != "auto":
        return get_engine(name, net, images).outputs(net, images)
    work = _work(net, images)
    _calls[work] = calls = _calls.get(work, 0) + 1
    retry = calls % RETRY_EVERY == 0
    chosen = _chosen.get(work)
    if chosen is not None and not retry and calls % TIME_EVERY:  # decided, and not one of the calls timed
        return chosen.outputs(net, images)
    timings = _timings.get(work)
    if timings is None:
        timings = _timings[work] = {"fast": [], "reference": []}
    engine = _auto_choice(net, images, timings, retry)
    started = time.perf_counter()
    outputs = engine.outputs(net, images)
    times = timings[engine.name]
    times.append((time.perf_counter() - started) / max(1, len(images)))
    del times[:-TRIALS]
    tried = min(len(timings["fast"]), len(timings["reference"])) >= TRIALS
    _chosen[work] = _auto_choice(net, images, timings) if tried else None
    return outputs


def _auto_choice(net, images, timings, retry=False):
    """``auto``'s engine for feeding ``images`` forward, a kind of work whose ``timings`` (see
    ``_timings``) are given; with ``retry``, once both engines are timed, the one measured slower (its
    timings are refreshed so that a few unlucky ones, on a machine busy for a moment, do not decide
    for ever)."""
    if _fast is None or not _fast.warm(net, images):
        return _reference
    fast, reference = timings["fast"], timings["reference"]
    if len(fast) < TRIALS or len(reference) < TRIALS:  # still trying: the one tried less often
        return _fast.ENGINE if len(fast) <= len(reference) else _reference
    fast_wins = _median(fast) <= _median(reference)
    return _fast.ENGINE if fast_wins != retry else _reference


def _median(times):
    """The median of an odd number of ``times`` (``TRIALS``): a third of ``statistics.median``'s
    cost, which one image's call pays twice."""
    return sorted(times)[len(times) // 2]


TRIALS = 3  # timings of each engine on a kind of work before ``auto`` chooses by them (odd: see _median)
_timings = {}  # kind of work → {engine name: its last TRIALS seconds per image in this process}
_UNTIMED = {"fast": (), "reference": ()}  # the timings of a kind of work not done yet
RETRY_EVERY = 100  # of ``auto``'s calls for a kind of work, every so many goes to the engine measured slower
TIME_EVERY = 10  # once both engines are tried on a kind of work, ``auto`` times one call in so many
_calls = {}  # kind of work → ``auto``'s calls for it in this process
_chosen = {}  # kind of work → the engine its timings chose at its last timed call (None while trying; the
#               fast engine only where its code for that kind of work is ready: it stays so)


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
        max(1, count).bit_length() // 2,
        _fast and _fast.outputs_kernel(count),
    )


def prepare(name, net, images_dtype="uint8", kernels=("train", "rows"), wait=True):
    """Start making ready, in a background thread, the fast engine's ``kernels`` for ``net`` on images
    of ``images_dtype``, in turn, where ``get_engine(name, net, images)`` would give that engine:
    import Numba, then compile (or load from the disk cache) and check its training kernel, then
    its kernel for feeding many images forward (or those named), while the caller does other work:
    reading MNIST (whose decompression leaves the interpreter free), then training (whose kernel
    releases it).  A kernel that passes its check has run in this process, so ``auto`` feeds
    images forward with it from then on (one image after training, say, not on the reference).
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

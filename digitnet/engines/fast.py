"""The fast engine: the reference's feedforward and mini-batch SGD, compiled by Numba.

It computes what ``digitnet.network`` specifies, for every size, hidden activation (sigmoid,
tanh, relu), output (sigmoid, softmax) and cost (quadratic, cross-entropy):

    z = W a + b,  a = σ(z)                          feed forward
    δᴸ = ∂C_x/∂zᴸ / n                               as in ``costs.output_error``, for the mean cost
    δˡ = (W[l+1]ᵀ δˡ⁺¹) ⊙ σ′(zˡ)                    backpropagate
    W[l] −= lr · Σ_x δˡ (aˡ⁻¹)ᵀ,  b[l] −= lr · Σ_x δˡ     step, once per mini-batch

What makes it fast:

* A stretch of mini-batches runs in one compiled loop over preallocated buffers: no Python
  and no allocation per step.
* Every layer is a sum of rows: z = W a + b = Σ_k a_k Wᵀ[k] + b, with Wᵀ held so that the
  weights out of one unit (or pixel) are one contiguous row, padded with zeros to whole SIMD
  vectors (a row of 16 float32 is one 64-byte vector).  The sum stays in vector registers
  (``digitnet.engines.simd``); δ below is the same kind of sum over the rows of W, so each W
  is also held untransposed, and both copies take identical steps.
* In training, the first layer skips zero pixels (about 81% of an MNIST image): its sum runs
  over the rows of the nonzero pixels only, found 16 pixels at a time, and a step changes those
  rows only.  Feeding many images forward through a first layer of one vector of units (16
  float32), it takes every layer 4 images at a time instead (``simd.block_sums``: over the
  inputs not 0 in all 4, each row loaded once for the 4, their sums in registers), which costs
  less than finding each image's nonzero pixels (``_outputs_blocks``).
* σ(z) is computed a vector at a time (``simd.sigmoid``), and σ′ is read off the activation
  itself: σ(1 − σ), 1 − a², [a > 0]; z is never stored.
* It works on one example at a time, not on matrices of a mini-batch (at these sizes the
  bookkeeping of a matrix product costs more than its arithmetic), but feeds a mini-batch
  (or 16 images) forward layer by layer, so that each example's chain of dependent steps
  overlaps the next one's in the CPU.
* The kernels work on views of their arrays that keep no count of their users
  (``simd.unowned``): Numba's counting is an atomic operation per slice, which stops one
  image's work overlapping the next one's.
* While a kernel runs, numbers below the float type's normal range (|x| < 1.2e−38 in float32)
  count as 0 (``simd.flush_subnormals``, the CPU's flush-to-zero mode, as TensorFlow's CPU
  kernels run): a saturated sigmoid's output, about 1e−38, times a small δ is such a number,
  training makes many of them, and Intel CPUs handle each operation on
  one in slow microcode (``benchmarks/train_speed.py``: an epoch 0.231 s before, 0.105 s after,
  docs/performance.md).  Results change by less than 1e−38.
* Where the first layer goes by nonzero pixels, the next images are fetched into the
  (second-level) cache while the current ones are worked on: training takes them in a shuffled
  order, so the CPU could not guess which come next.

What stays the same: each step is −lr times the gradient of the mini-batch, as in the
reference (W1 takes it as the examples' terms −lr δ xᵀ one after another, the other weights
and the biases as their sum), so the only differences are the order of additions, and σ(z) computed
as 1 / (1 + e^−z) rather than ½(1 + tanh(z/2)) (the same function; in float32, e^−z comes
from a polynomial, σ within 3 units in the last place, see ``simd.sigmoid``).  Images may be
float (values in [0, 1]) or uint8 (pixel values 0–255, read as value / 255 rounded exactly as
the reference's float values are).  A few images (the explorer's path) go through the
network's own W in a plain loop, without making the copies: below ``SPARSE_FROM`` images,
that is faster; what that call needs besides the images is kept for the network between calls
(``_ThroughWeights``), so that one image costs a few microseconds of Python, not ten.

Training runs on one core: each step needs the previous one, and at 10 examples a step,
handing work to a second core costs more than it saves (and on a loaded machine the step
waits for the slower core).  Inference of a large batch runs on all cores, in threads, an equal
share each, the last in the calling thread: the kernels release the GIL.  Training
(``_train_steps``) and inference (``_outputs_rows``, ``_outputs_dense``) are separate compiled
functions, each compiled (and checked) on its first use: a program that only trains or only
infers waits for its own code alone, and one that does both can compile the inference while it
trains (``engines.prepare``).  Compiled code is cached on disk (``cache=True``), so the compile
cost is paid once per install; where no cache folder is writable it compiles in memory
instead, once per process.
"""

import functools
import itertools
import math
import operator
import os
import subprocess
import sys
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np

from ..activations import HIDDEN_ACTIVATIONS
from ..costs import COSTS
from ..optimizers import Adam
from ..parameters import in_order
from ..pixels import pixel_values
from .batches import mini_batches
from .reference import PROGRESS_STEPS

try:
    import numba
    from numba import types
    from numba.extending import overload

    from . import simd
except ImportError as error:  # the package installs without compilers, but a broken install is possible
    numba = None
    UNAVAILABLE = f"numba cannot be imported ({error})"
else:
    UNAVAILABLE = None

# The kernels' codes for the activations and costs of digitnet.activations and digitnet.costs.
ACTIVATION_CODES = {name: code for code, name in enumerate(HIDDEN_ACTIVATIONS + ("softmax",))}
SIGMOID, TANH, RELU, SOFTMAX = (ACTIVATION_CODES[name] for name in ("sigmoid", "tanh", "relu", "softmax"))
COST_CODES = {name: code for code, name in enumerate(COSTS)}
QUADRATIC, CROSS_ENTROPY = COST_CODES["quadratic"], COST_CODES["cross-entropy"]
SGD, MOMENTUM, NESTEROV, ADAM = range(4)  # the kernels' codes for the optimisers (Stepping.kind)
ADAM_BETAS, ADAM_EPSILON = (Adam.beta1, Adam.beta2), Adam.epsilon
DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_UINT8 = np.dtype(np.uint8)
SPARSE_FROM = 128  # from this many images in one call, feed forward through the padded copies
# (below it, through W itself: no copies to make; benchmarks/inference_crossover.py, on an Intel Xeon)
CHILD_TIMEOUT = 600  # seconds a child process may take to compile a kernel (see _compile_in_child)
PARALLEL_FROM = 1000  # batches of at least this many images are fed forward on all cores
TOGETHER = 16  # images fed forward together, layer by layer (a multiple of simd.IMAGES_TOGETHER)
FASTMATH = {"reassoc", "contract", "nsz", "arcp"}  # exact IEEE rules relaxed; inf and NaN still honoured


class Layers(NamedTuple):
    """A network as the kernels read it (tuples hold one array per weight layer; see ``_layers``)."""

    forward_rows: tuple  # every Wᵀ (n_{l−1}, m_l), padded with zero columns to whole vectors
    backward_rows: tuple  # every W (n_l, m_{l−1}) but the first (a placeholder), padded the same way
    biases: tuple  # every b (m_l,), padded the same way
    units: np.ndarray  # the true sizes n_l past the input (n_layers,)
    offsets: np.ndarray  # where each layer starts in a row of the activation buffers (n_layers + 1,)
    every_row: np.ndarray  # 0, 1, 2, … < max n_l (int32): "all rows" for ``simd.sum_rows``
    pixel_values: np.ndarray  # k / 255 for k = 0 … 255 in the network's float type


class Codes(NamedTuple):
    """The network's hidden activation, output activation and cost, as the kernels' codes."""

    hidden: int
    output: int
    cost: int


class Buffers(NamedTuple):
    """Scratch arrays for ``rows`` examples at a time (see ``_buffers``)."""

    activations: np.ndarray  # (rows, offsets[-1]): every layer's a, zeros in the padding
    deltas: np.ndarray  # (rows, offsets[-1]): every layer's δ
    pixels: np.ndarray  # (rows, n_in) int32: the indices of an example's nonzero pixels
    values: np.ndarray  # (rows, n_in): their values in [0, 1]
    counts: np.ndarray  # (rows,) int64: how many there are
    step: np.ndarray  # (max m_l,) scratch
    zeros: np.ndarray  # (max m_l,) zeros
    gradients: tuple  # ∂C/∂W summed over a mini-batch, zeros between them: shaped like ``backward_rows``,
    #                  but the first like ``forward_rows[0]`` when the optimiser needs all of ∇C (a
    #                  placeholder otherwise: plain SGD steps W1ᵀ example by example)
    keep: np.ndarray  # dropout: (examples of the call, offsets[-1]): every hidden unit's mask, 0 or
    #                   1/(1 − rate), replaced by σ′ · mask as the example is fed forward; (0, 0): none


class Stepping(NamedTuple):
    """How a mini-batch's gradient moves the parameters (``digitnet.optimizers``), as the training
    kernel reads it, with the optimiser's state laid out like the kernels' copies of the parameters:
    ``weights`` tuples like (``forward_rows[0]``, ``backward_rows[1]``, …), ``biases`` like ``biases``
    (placeholders for state an optimiser does not have)."""

    kind: int  # SGD, MOMENTUM, NESTEROV or ADAM
    momentum: float  # μ
    weight_decay: float  # λ
    steps: np.ndarray  # (1,) int64: Adam's steps t so far, counted on by the kernel
    first_weights: tuple  # momentum's velocities v, or Adam's means m
    first_biases: tuple
    second_weights: tuple  # Adam's mean squares s
    second_biases: tuple


_compiled = set()  # (kernel, n_layers, network dtype, images dtype) that passed its check and ran here
_checked = {}  # the same keys: why that kernel fails here (a line), or None
_checking = {}  # a lock for each key: a second caller waits for the first one's answer
_locks = threading.Lock()  # guards ``_checking``


def unsupported(net, images_dtype=np.uint8, kernel="train", then=()):
    """Why the fast engine cannot run ``kernel`` ("train"; "rows" or "dense": feeding forward through
    the padded copies or through W, see ``outputs_kernel``) for ``net`` on images of
    ``images_dtype`` (one line), or None if it can.

    The first time for a kernel and a kind of network and images it compiles (or loads from the
    disk cache) that kernel, and checks it on a small network of the same kind (``_kernel_fails``).
    ``then`` names kernels the caller will ask for next, for the same network and images: where
    the disk cache has none of them either, the child process that compiles ``kernel`` (see
    ``_compile_in_child``) goes on to compile them.  A kernel that passes its check has run in
    this process, so it counts as ``warm`` from then on.
    """
    if UNAVAILABLE:
        return UNAVAILABLE
    if net is None:
        return None
    if net.dtype not in DTYPES:
        return f"it computes in float32 or float64, not {net.dtype}"
    key = _key(kernel, net, images_dtype)
    if key not in _checked:
        with _locks:
            lock = _checking.setdefault(key, threading.Lock())
        with lock:
            if key not in _checked:
                compiling = _children.pop(key, None)
                if compiling is not None:  # a child started for an earlier kernel compiles this one
                    _finish(compiling)
                elif not _in_disk_cache(kernel):
                    _compile_in_child(key, [later for later in then if not _in_disk_cache(later)])
                _checked[key] = _kernel_fails(*key)
                if _checked[key] is None:  # it ran here, on a network of the same kind: ``warm`` from now on
                    _compiled.add(key)
    return _checked[key]


def _kernel_function(kernel):
    """The compiled function behind ``kernel`` ("train", "rows" or "dense")."""
    return {"train": _train_steps, "rows": _outputs_rows, "dense": _outputs_dense}[kernel]


def _in_disk_cache(kernel):
    """Whether Numba's disk cache holds code of ``kernel``'s function compiled from this source (for
    some argument types), or caching is off; then it is loaded (or compiled) in this process."""
    try:
        return bool(_kernel_function(kernel)._cache._cache_file._load_index())
    except AttributeError:  # no disk cache (``_jit``'s fallback), or a Numba laid out otherwise
        return True


_children = {}  # key (see ``_key``) → the child process compiling that kernel into the disk cache


def _compile_in_child(key, later=()):
    """Compile (and check) the kernel of ``key`` (see ``_key``) into the disk cache in a child process,
    and wait until it is there; the child goes on with the kernels ``later`` (for the same network
    and images; ``unsupported`` waits for it when one is asked for).  Compiling leaves the
    compiler's memory behind in the process that compiled (about 50 MB for the training kernel:
    benchmarks/first_call.py), which a child hands back when it ends; this process then loads
    the code from the cache.  Should the child fail, the kernel is compiled here instead, as
    without this."""
    kernel, n_layers, dtype, images_dtype = key
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
    command = (
        "import sys, numpy; from digitnet.engines import fast\n"
        "for kernel in sys.argv[4:]:\n"
        "    fast._kernel_fails(kernel, int(sys.argv[1]), numpy.dtype(sys.argv[2]), numpy.dtype(sys.argv[3]))\n"
        "    print(kernel, flush=True)\n"
    )
    try:
        child = subprocess.Popen(
            [sys.executable, "-c", command, str(n_layers), dtype.name, images_dtype.name, kernel, *later],
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
    except OSError:
        return
    if not later:
        _finish(child)
        return
    for name in later:
        _children[(name, *key[1:])] = child
    deadline = threading.Timer(CHILD_TIMEOUT, child.kill)  # a child that hangs is stopped
    deadline.start()
    child.stdout.readline()  # the first kernel is in the cache (or the child ended)
    deadline.cancel()


def _finish(child):
    """Wait for a compiling child process to end (stopped after ``CHILD_TIMEOUT`` seconds)."""
    try:
        child.communicate(timeout=CHILD_TIMEOUT)
    except subprocess.TimeoutExpired:  # then what it did not compile compiles here
        child.kill()
        child.communicate()


def warm(net, images):
    """Whether feeding ``images`` forward through ``net`` would run already compiled code (no compiler
    wait, no disk cache to read): true once the same kind of network and images ran in this process."""
    if UNAVAILABLE or net.dtype not in DTYPES:
        return False
    images = np.asarray(images)
    return _key(outputs_kernel(len(images)), net, images.dtype) in _compiled


def outputs_kernel(n_images):
    """The kernel that feeds ``n_images`` images forward: "dense" for a few, else "rows"."""
    return "dense" if n_images < SPARSE_FROM else "rows"


def _key(kernel, net, images_dtype):
    images_dtype = np.dtype(images_dtype)
    return (kernel, len(net.weights), net.dtype, _UINT8 if images_dtype == _UINT8 else net.dtype)


def _kernel_fails(kernel, n_layers, dtype, images_dtype):
    """Why ``kernel`` does not build or run right on this machine (one line), or None.

    A small network's outputs, or one epoch of its training, against the reference.  The types, not
    the sizes, decide what is compiled, so this compiles exactly what the real work uses (it matters
    for the time and peak memory of a first run, when the compiler is at work).
    """
    from ..network import Network
    from .reference import ReferenceEngine

    try:
        net = Network((20,) + (4,) * (n_layers - 1) + (3,), seed=0, dtype=dtype)
        rng = np.random.default_rng(0)
        images = rng.integers(0, 256, (3 if kernel == "dense" else SPARSE_FROM + 3, 20), dtype=np.uint8)
        if images_dtype != np.uint8:
            images = pixel_values(images, images_dtype)
        if kernel != "train":
            outputs = ENGINE.outputs(net, images, check=False)
            if not np.allclose(outputs, net.feedforward(images), rtol=1e-4, atol=1e-6):
                return "its compiled kernels give wrong outputs on this machine"
            return None
        labels = rng.integers(0, 3, len(images))
        trained, expected = net.copy(), net.copy()
        ENGINE.train_epoch(trained, images, labels, np.arange(len(images)), 10, 0.5, check=False)
        ReferenceEngine().train_epoch(expected, images, labels, np.arange(len(images)), 10, 0.5)
        if not np.allclose(trained.get_parameters(), expected.get_parameters(), rtol=1e-4, atol=1e-5):
            return "its compiled kernels train wrongly on this machine"
    except Exception as error:  # noqa: BLE001 - whatever the compiler says, the reference still runs
        first_line = str(error).splitlines()[0]
        return f"its compiled kernels do not build on this machine ({type(error).__name__}: {first_line})"
    return None


def _jit(**options):
    """numba.njit releasing the GIL (other threads run on while a kernel works), with the on-disk
    cache, or without it where no cache folder is writable."""
    options = {"fastmath": FASTMATH, "nogil": True, **options}

    def decorate(function):
        try:
            return numba.njit(cache=True, **options)(function)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            return numba.njit(**options)(function)

    return decorate if numba else (lambda function: function)


# ---------------------------------------------------------------------------------- kernels
def _pixel_value(raw, pixel_values):
    """A pixel as a number in [0, 1]: float pixels as they are, uint8 ones through the table."""
    return pixel_values[raw] if isinstance(raw, (int, np.integer)) else raw


if numba:

    @overload(_pixel_value)
    def _pixel_value_compiled(raw, pixel_values):
        if isinstance(raw, types.Integer):
            return lambda raw, pixel_values: pixel_values[raw]
        return lambda raw, pixel_values: raw


@_jit()
def _activate(z, kind):
    """a = σ(z) in place on one layer's weighted sums (softmax over the whole layer)."""
    if kind == SIGMOID:  # 1 / (1 + e^−z), a vector at a time
        simd.sigmoid(z)
    elif kind == TANH:
        for j in range(z.shape[0]):
            z[j] = math.tanh(z[j])
    elif kind == RELU:
        for j in range(z.shape[0]):
            z[j] = max(z[j], 0.0)
    else:
        largest = z[0]
        for j in range(1, z.shape[0]):
            largest = max(largest, z[j])
        total = 0.0
        for j in range(z.shape[0]):
            z[j] = math.exp(z[j] - largest)
            total += z[j]
        for j in range(z.shape[0]):
            z[j] /= total


@_jit()
def _derivative(a, kind):
    """σ′(z) from a = σ(z), for the hidden activations."""
    if kind == SIGMOID:
        return a * (1.0 - a)
    if kind == TANH:
        return 1.0 - a * a
    return 1.0 if a > 0 else 0.0


@_jit()
def _nonzero_pixels(image, pixel_values, pixels, values):
    """Write the indices of ``image``'s nonzero pixels to ``pixels`` and their values in [0, 1] to
    ``values`` (both ≥ n_in long), in order; return how many there are."""
    count = simd.nonzero_pixels(image, pixels, values)  # the whole blocks of simd.BLOCK pixels
    for p in range(image.shape[0] - image.shape[0] % simd.BLOCK, image.shape[0]):
        if image[p] != 0:
            pixels[count] = p
            values[count] = _pixel_value(image[p], pixel_values)
            count += 1
    return count


@_jit()
def _feed_forward(images, examples, upcoming, layers, codes, buffers, kept_from):
    """Feed ``images[examples[i]]`` forward for each i, the first layer by nonzero pixels only,
    with dropout where ``buffers.keep`` holds masks: example i's in its row
    ``kept_from + i``, which then holds σ′(z) · mask for backpropagating.

    z = W a + b is b + Σ_k a_k Wᵀ[k] over the rows of ``layers.forward_rows[l]``.  Example i's
    nonzero pixels go to ``buffers.pixels[i]``, their values in [0, 1] to ``buffers.values[i]``,
    their number to ``buffers.counts[i]``, and its activations to ``buffers.activations[i]``
    (layer l at offsets[l]:offsets[l+1]).  It goes layer by layer through all the examples, so
    that one example's chain of dependent steps overlaps the next one's, and while the first
    layer's sums are worked out, the ``upcoming`` images (the next call's examples) are fetched
    into the cache, one per example.
    """
    activations, offsets, units = buffers.activations, layers.offsets, layers.units
    for i in range(examples.shape[0]):
        buffers.counts[i] = _nonzero_pixels(
            images[examples[i]], layers.pixel_values, buffers.pixels[i], buffers.values[i]
        )
    n_layers = len(layers.forward_rows)
    for l in range(n_layers):
        for i in range(examples.shape[0]):
            z = activations[i, offsets[l] : offsets[l + 1]]
            if l == 0:
                if i < upcoming.shape[0]:
                    simd.prefetch(images[upcoming[i]])
                simd.sum_rows(
                    z, layers.forward_rows[0], buffers.pixels[i], buffers.values[i], buffers.counts[i], layers.biases[0]
                )
            elif l > 0:
                simd.sum_rows(
                    z,
                    layers.forward_rows[l],
                    layers.every_row,
                    activations[i, offsets[l - 1] : offsets[l]],
                    units[l - 1],
                    layers.biases[l],
                )
            _activate(z[: units[l]], codes.output if l == n_layers - 1 else codes.hidden)
            if l < n_layers - 1 and buffers.keep.shape[0] > 0:  # dropout: a ⊙ mask (digitnet.dropout)
                keep = buffers.keep[kept_from + i, offsets[l] : offsets[l + 1]]
                for k in range(units[l]):
                    mask = keep[k]
                    keep[k] = _derivative(z[k], codes.hidden) * mask
                    z[k] *= mask


@_jit()
def _output_error(a, label, output, cost, n, delta):
    """δᴸ / n for one example (``costs.output_error``): a = outputs, y = one-hot ``label``."""
    if cost == CROSS_ENTROPY:
        for j in range(a.shape[0]):
            delta[j] = (a[j] - (1.0 if j == label else 0.0)) / n
    elif output == SOFTMAX:  # J(z)ᵀ 2(a − y) with J = diag(a) − a aᵀ
        weighted = 0.0
        for j in range(a.shape[0]):
            weighted += a[j] * 2.0 * (a[j] - (1.0 if j == label else 0.0))
        for j in range(a.shape[0]):
            delta[j] = a[j] * (2.0 * (a[j] - (1.0 if j == label else 0.0)) - weighted) / n
    else:  # 2(a − y) ⊙ σ′(z), σ′ = a(1 − a)
        for j in range(a.shape[0]):
            delta[j] = 2.0 * (a[j] - (1.0 if j == label else 0.0)) * a[j] * (1.0 - a[j]) / n


@_jit()
def _change(value, gradient, first, second, index, lr, stepping, mean_correction, square_correction):
    """How far one parameter moves (``digitnet.optimizers``): ``value`` p, ``gradient`` ∂C/∂p (with
    weight decay's λ p already added), the optimiser's state at ``first[index]`` and
    ``second[index]`` (flat views), updated in place."""
    if stepping.kind == SGD:
        return -lr * gradient
    if stepping.kind == ADAM:  # m ← β₁ m + (1 − β₁) ∇C,  s ← β₂ s + (1 − β₂) ∇C²,  −η m̂ / (√ŝ + ε)
        mean = first[index] * ADAM_BETAS[0] + (1 - ADAM_BETAS[0]) * gradient
        square = second[index] * ADAM_BETAS[1] + (1 - ADAM_BETAS[1]) * gradient * gradient
        first[index], second[index] = mean, square
        return -lr * (mean / mean_correction) / (math.sqrt(square / square_correction) + ADAM_EPSILON)
    step = lr * gradient  # v ← μ v − η ∇C, then v (or, Nesterov, μ v − η ∇C)
    velocity = first[index] * stepping.momentum - step
    first[index] = velocity
    return stepping.momentum * velocity - step if stepping.kind == NESTEROV else velocity


@_jit()
def _train_steps(images, order, labels, lr, layers, codes, buffers, stepping):
    """Mini-batch gradient descent over ``images[order]`` in mini-batches of ``buffers``' rows, in
    place on the weights and biases of ``layers`` (and the optimiser's state in ``stepping``; None:
    plain SGD), with dropout where ``buffers.keep`` has a row of masks for each example of ``order``.

    Each W is held twice, as ``forward_rows[l]`` = Wᵀ for feeding forward (see ``_feed_forward``)
    and (for l ≥ 1) as ``backward_rows[l]`` = W, padded like Wᵀ, for δ below = Σ_j δ_j W[j];
    both take the same steps (the same products, so they stay equal to the last bit).  In plain
    SGD each example's step of W1ᵀ goes in at once, since adding it up first would mean a
    gradient as large as W1ᵀ (the step only touches the rows of the example's nonzero pixels);
    the other optimisers and weight decay move every weight, from the mini-batch's whole ∇C.
    Numba compiles the kernel for plain SGD (``stepping`` None) without their code: each ``if
    stepping is None`` is decided as it compiles.
    """
    saved = simd.flush_subnormals()  # see simd.flush_subnormals
    images, order, labels, layers, buffers = simd.unowned((images, order, labels, layers, buffers))  # see unowned
    forward_rows, backward_rows, biases = layers.forward_rows, layers.backward_rows, layers.biases
    units, offsets, every_row = layers.units, layers.offsets, layers.every_row
    activations, deltas, step, zeros = buffers.activations, buffers.deltas, buffers.step, buffers.zeros
    dropout = buffers.keep.shape[0] > 0
    batch_size = activations.shape[0]
    n_layers = len(forward_rows)
    last = offsets[n_layers - 1]
    for start in range(0, order.shape[0], batch_size):
        n = min(batch_size, order.shape[0] - start)
        mean_correction = square_correction = 1.0
        if stepping is not None:
            if stepping.kind == ADAM:
                stepping.steps[0] += 1
                mean_correction = 1 - ADAM_BETAS[0] ** stepping.steps[0]
                square_correction = 1 - ADAM_BETAS[1] ** stepping.steps[0]
        # 1. feed the mini-batch forward and find each example's output error
        _feed_forward(
            images,
            order[start : start + n],
            order[start + n : start + 2 * n],
            layers,
            codes,
            buffers,
            start,
        )
        for i in range(n):
            _output_error(
                activations[i, last : last + units[-1]],
                labels[order[start + i]],
                codes.output,
                codes.cost,
                n,
                deltas[i, last : last + units[-1]],
            )
        # 2. from the top down: δ of the layer below (with the weights from before the step), then the step
        for l in range(n_layers - 1, -1, -1):
            width = forward_rows[l].shape[1]
            if l > 0:
                for i in range(n):  # δˡ⁻¹ = (Wᵀ δˡ) ⊙ σ′(zˡ⁻¹) (⊙ maskˡ⁻¹)
                    below = deltas[i, offsets[l - 1] : offsets[l]]
                    simd.sum_rows(
                        below,
                        backward_rows[l],
                        every_row,
                        deltas[i, offsets[l] : offsets[l + 1]],
                        units[l],
                        zeros[: below.shape[0]],
                    )
                    if dropout:
                        for k in range(units[l - 1]):
                            below[k] *= buffers.keep[start + i, offsets[l - 1] + k]
                    else:
                        for k in range(units[l - 1]):
                            below[k] *= _derivative(activations[i, offsets[l - 1] + k], codes.hidden)
            if l == 0:
                if stepping is None:  # W1ᵀ: nothing reads it after the forward pass, so each example's
                    #                 −lr δ xᵀ goes straight into the rows of its nonzero pixels (a zero adds 0)
                    for i in range(n):
                        for j in range(width):
                            step[j] = -lr * deltas[i, offsets[0] + j]
                        simd.add_to_rows(
                            forward_rows[0], buffers.pixels[i], buffers.values[i], step[:width], buffers.counts[i]
                        )
                else:  # ∂C/∂W1ᵀ = Σ_x x δᵀ over the rows of the nonzero pixels, then every weight moves
                    gradient = buffers.gradients[0]
                    for i in range(n):
                        simd.add_to_rows(
                            gradient,
                            buffers.pixels[i],
                            buffers.values[i],
                            deltas[i, offsets[0] : offsets[1]],
                            buffers.counts[i],
                        )
                    first, second = stepping.first_weights[0].reshape(-1), stepping.second_weights[0].reshape(-1)
                    for k in range(forward_rows[0].shape[0]):
                        for j in range(units[0]):
                            value = forward_rows[0][k, j]
                            forward_rows[0][k, j] = value + _change(
                                value,
                                gradient[k, j] + stepping.weight_decay * value,
                                first,
                                second,
                                k * width + j,
                                lr,
                                stepping,
                                mean_correction,
                                square_correction,
                            )
                            gradient[k, j] = 0.0
            else:  # ∂C/∂W = Σ_x δ aᵀ (δ already holds the 1/n), then W moves in both copies
                gradient = buffers.gradients[l]
                for i in range(n):
                    simd.add_to_rows(
                        gradient,
                        every_row,
                        deltas[i, offsets[l] : offsets[l + 1]],
                        activations[i, offsets[l - 1] : offsets[l]],
                        units[l],
                    )
                if stepping is None:
                    for j in range(units[l]):
                        for k in range(units[l - 1]):
                            change = lr * gradient[j, k]
                            backward_rows[l][j, k] -= change
                            forward_rows[l][k, j] -= change
                            gradient[j, k] = 0.0
                else:
                    first, second = stepping.first_weights[l].reshape(-1), stepping.second_weights[l].reshape(-1)
                    columns = backward_rows[l].shape[1]
                    for j in range(units[l]):
                        for k in range(units[l - 1]):
                            value = backward_rows[l][j, k]
                            value += _change(
                                value,
                                gradient[j, k] + stepping.weight_decay * value,
                                first,
                                second,
                                j * columns + k,
                                lr,
                                stepping,
                                mean_correction,
                                square_correction,
                            )
                            backward_rows[l][j, k] = forward_rows[l][k, j] = value
                            gradient[j, k] = 0.0
            for j in range(units[l]):  # ∂C/∂b = Σ_x δ
                bias_gradient = biases[l].dtype.type(0)
                for i in range(n):
                    bias_gradient += deltas[i, offsets[l] + j]
                if stepping is None:
                    biases[l][j] -= lr * bias_gradient
                else:
                    biases[l][j] += _change(
                        biases[l][j],
                        bias_gradient,
                        stepping.first_biases[l],
                        stepping.second_biases[l],
                        j,
                        lr,
                        stepping,
                        mean_correction,
                        square_correction,
                    )
    simd.restore_float_mode(saved)


def _block_inputs(images, start, pixel_values, values):
    """The first layer's inputs for ``simd.block_sums``, as (an array, its first row): float images as
    they are (from row ``start``); uint8 ones as numbers in [0, 1], written to ``values`` (rows
    ``start`` … ``start + simd.IMAGES_TOGETHER − 1``, the last image repeated past the end).
    Compiled code only: the overload below is the implementation for each type of images."""


if numba:

    @overload(_block_inputs)
    def _block_inputs_compiled(images, start, pixel_values, values):
        if images.dtype == types.uint8:

            def from_pixels(images, start, pixel_values, values):
                simd.pixel_floats(images, start, values)
                for i in range(simd.IMAGES_TOGETHER):
                    row = min(start + i, images.shape[0] - 1)
                    for p in range(images.shape[1] - images.shape[1] % simd.BLOCK, images.shape[1]):
                        values[i, p] = pixel_values[images[row, p]]
                return values, 0

            return from_pixels
        return lambda images, start, pixel_values, values: (images, start)


@_jit()
def _outputs_rows(images, dense, layers, codes, buffers, outputs):
    """Output activations of ``images`` (n, n_in) into ``outputs`` (n, n_out).

    With ``dense`` (a first layer of one vector of units), ``simd.IMAGES_TOGETHER`` images at a
    time, every layer over all its inputs (``simd.block_sums``: each row of weights loaded once
    for all of them, their sums in registers; for such a first layer, that costs less than finding
    the nonzero pixels).  Otherwise as many images at a time as ``buffers`` has rows, the first
    layer over their nonzero pixels (``_feed_forward``)."""
    saved = simd.flush_subnormals()
    images, outputs, layers, buffers = simd.unowned((images, outputs, layers, buffers))  # see unowned
    activations, last, width = buffers.activations, layers.offsets[-2], layers.units[-1]
    if dense:
        _outputs_blocks(images, layers, codes, buffers, outputs)
    else:
        order = np.arange(images.shape[0])
        for start in range(0, images.shape[0], activations.shape[0]):
            n = min(activations.shape[0], images.shape[0] - start)
            _feed_forward(
                images, order[start : start + n], order[start + n : start + 2 * n], layers, codes, buffers, np.int64(0)
            )
            for i in range(n):
                for j in range(width):
                    outputs[start + i, j] = activations[i, last + j]
    simd.restore_float_mode(saved)


@_jit()
def _outputs_blocks(images, layers, codes, buffers, outputs):
    """``_outputs_rows``' way for a first layer of one vector of units: as many images at a time as
    ``buffers`` has rows, layer by layer, ``simd.IMAGES_TOGETHER`` of them at a time through each
    layer's sums (``simd.block_sums``).  Layer l's sums for all of them are in
    ``buffers.activations`` read as one flat array, (rows, offsets[l + 1] − offsets[l]) from
    rows · offsets[l] on, so that its σ is one call over all of them: many independent vectors
    for the CPU to work on at once."""
    together, offsets, units = buffers.activations.shape[0], layers.offsets, layers.units
    n_layers, width = len(layers.forward_rows), units[-1]
    flat = buffers.activations.reshape(-1)
    used = np.empty(max(images.shape[1], offsets[-1]), np.int32)  # for simd.block_sums
    for start in range(0, images.shape[0], together):
        below = flat[: together * offsets[1]].reshape(together, -1)  # a placeholder for the first layer
        for l in range(n_layers):
            sums = flat[together * offsets[l] : together * offsets[l + 1]].reshape(together, -1)
            for block in range(0, together, simd.IMAGES_TOGETHER):  # past the last image: it, repeated
                if l == 0:
                    inputs, row = _block_inputs(images, start + block, layers.pixel_values, buffers.values)
                    simd.block_sums(layers.forward_rows[0], inputs, row, sums, block, layers.biases[0], used)
                else:
                    simd.block_sums(layers.forward_rows[l], below, block, sums, block, layers.biases[l], used)
            kind = codes.output if l == n_layers - 1 else codes.hidden
            if kind == SIGMOID:  # padding too (not read: the rows of W go up to units[l] only)
                simd.sigmoid(flat[together * offsets[l] : together * offsets[l + 1]])
            else:
                for i in range(together):
                    _activate(sums[i, : units[l]], kind)
            below = sums
        for i in range(min(together, images.shape[0] - start)):
            for j in range(width):
                outputs[start + i, j] = below[i, j]


@_jit()
def _outputs_dense(images, pixel_values, weights, biases, hidden, output, outputs):
    """Output activations of a few images into ``outputs``, with every W (n_out, n_in) as the
    network holds it, in plain loops."""
    saved = simd.flush_subnormals()  # see simd.flush_subnormals
    images, weights, biases, outputs = simd.unowned((images, weights, biases, outputs))  # see simd.unowned
    widest = 0
    for b in biases:
        widest = max(widest, b.shape[0])
    activations = np.empty((len(biases), widest), dtype=outputs.dtype)
    inputs = np.empty(images.shape[1], dtype=outputs.dtype)
    n_layers = len(weights)
    for i in range(images.shape[0]):
        for p in range(images.shape[1]):
            inputs[p] = _pixel_value(images[i, p], pixel_values)
        a_in = inputs
        for l in range(n_layers):
            W, b = weights[l], biases[l]
            z = activations[l, : b.shape[0]]
            rows = W.shape[0]
            for j in range(0, rows - rows % 4, 4):  # four rows at a time: four sums in flight, not one
                t0 = t1 = t2 = t3 = z.dtype.type(0)  # sums in the network's float type
                for k in range(W.shape[1]):
                    x = a_in[k]
                    t0 += W[j, k] * x
                    t1 += W[j + 1, k] * x
                    t2 += W[j + 2, k] * x
                    t3 += W[j + 3, k] * x
                z[j], z[j + 1], z[j + 2], z[j + 3] = t0 + b[j], t1 + b[j + 1], t2 + b[j + 2], t3 + b[j + 3]
            for j in range(rows - rows % 4, rows):
                total = z.dtype.type(0)
                for k in range(W.shape[1]):
                    total += W[j, k] * a_in[k]
                z[j] = total + b[j]
            _activate(z, output if l == n_layers - 1 else hidden)
            a_in = z
        outputs[i] = a_in
    simd.restore_float_mode(saved)


# ---------------------------------------------------------------------------------- the engine
_PIXEL_VALUES = {dtype: pixel_values(np.arange(256, dtype=np.uint8), dtype) for dtype in DTYPES}
_pool = None
_pool_lock = threading.Lock()


def _cores():
    """How many cores the kernels may use (NUMBA_NUM_THREADS sets it; all by default)."""
    return max(1, numba.config.NUMBA_NUM_THREADS)


def _on_cores(tasks):
    """Run the calls ``tasks`` (functions without arguments) at once, the last one in this thread
    and the others in the pool's threads (the kernels release the GIL); wait for all of them."""
    global _pool
    if len(tasks) > 1:
        with _pool_lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(max(1, _cores() - 1), thread_name_prefix="digitnet-fast")
    others = [_pool.submit(task) for task in tasks[:-1]]
    tasks[-1]()
    for result in others:
        result.result()


def _images_for(net, images):
    """``images`` as a C-contiguous (n, n_in) array the kernels read: uint8 as it is, else net.dtype."""
    images = np.asarray(images)
    if images.ndim != 2 or images.shape[1] != net.sizes[0]:
        raise ValueError(f"expected images of shape (n, {net.sizes[0]}) or ({net.sizes[0]},), got {images.shape}")
    if images.dtype != net.dtype and images.dtype != np.uint8:
        images = images.astype(net.dtype)
    return images if images.flags.c_contiguous else np.ascontiguousarray(images)


class FastEngine:
    name = "fast"

    def supports(self, recipe):
        """Whether it can train by ``recipe`` (a digitnet.recipe.Recipe): without a teacher (its steps
        take the wanted outputs from the labels only)."""
        return recipe.teacher is None

    def outputs(self, net, images, check=True):
        """(n, n_in) images (floats in [0, 1], or uint8 pixel values 0–255) → (n, n_out) output activations."""
        images = _images_for(net, images)
        outputs = np.empty((images.shape[0], net.sizes[-1]), dtype=net.dtype)
        if images.shape[0] < SPARSE_FROM:  # the explorer's path: through W itself, no padded copies of it
            ready = _kept_through_weights(net)
            compiled = ready and ready.compiled.get((images.dtype, images.flags.num))  # what Numba's type says
            if compiled:  # it ran here on such images: checked, and in _compiled
                compiled(images, *ready.arguments, outputs)
                return outputs
        key = _key(outputs_kernel(images.shape[0]), net, images.dtype)
        if key not in _compiled:
            self._check(net, images, check, key[0])
        if key[0] == "dense":
            _through_weights(net).run(images, outputs, keep=check)
            if check:
                _compiled.add(key)
            return outputs
        layers, codes = _layers(net), _codes(net)
        dense = layers.forward_rows[0].shape[1] == simd.lanes(net.dtype)  # a first layer of one vector of units
        shares = _cores() if len(images) >= PARALLEL_FROM else 1
        bounds = [len(images) * share // shares for share in range(shares + 1)]  # an equal share per core

        def share(first, last):
            _outputs_rows(images[first:last], dense, layers, codes, _buffers(net, TOGETHER), outputs[first:last])

        _on_cores([functools.partial(share, first, last) for first, last in zip(bounds[:-1], bounds[1:])])
        if check:
            _compiled.add(key)
        return outputs

    def train_epoch(
        self,
        net,
        images,
        labels,
        order,
        batch_size,
        lr,
        on_progress=None,
        check=True,
        *,
        optimizer=None,
        dropout=0.0,
        augmentation=None,
        rng=None,
    ):
        """One epoch over ``images[order]``, like the reference engine's, with the same options:
        ``optimizer`` (a ``digitnet.optimizers.Optimizer``; None is plain SGD), ``dropout``,
        ``augmentation``, ``rng`` (see ``ReferenceEngine._train_epoch``).  With augmentation or
        dropout, each mini-batch's moved images and masks come from ``batches.mini_batches``, as
        the reference engine's do.

        Runs in stretches of whole mini-batches, about ``PROGRESS_STEPS`` of them per epoch when
        ``on_progress`` is given or the mini-batches are drawn (one stretch otherwise); the
        network holds the current weights whenever ``on_progress`` is called.
        """
        labels = np.ascontiguousarray(labels, dtype=np.int64)
        order = np.ascontiguousarray(order, dtype=np.int64)
        total = len(order)
        if total == 0:
            return
        drawn = augmentation is not None or bool(dropout)
        images = np.asarray(images) if augmentation is not None else _images_for(net, images)
        kernel_images = net.dtype if augmentation is not None else images.dtype  # moved images are floats
        self._check(net, np.empty((0, net.sizes[0]), kernel_images), check, "train")
        layers, codes, stepping = _layers(net), _codes(net), _stepping(net, optimizer)
        buffers = _buffers(net, min(batch_size, total), layers, whole_gradient=stepping is not None)
        steps = -(-total // batch_size)
        per_stretch = max(1, steps // PROGRESS_STEPS) if on_progress or drawn else steps
        stretch, lr = batch_size * per_stretch, net.dtype.type(lr)
        if drawn:
            # in this thread: a thread ahead spends its time waiting for the GIL (moving images is many
            # small NumPy steps)
            batches = mini_batches(net, images, order, batch_size, augmentation, dropout, rng, labels)
            for start in range(0, total, stretch):
                taken = list(itertools.islice(batches, per_stretch))
                examples = np.concatenate([batch for batch, _, _ in taken])
                moved = _images_for(net, np.concatenate([batch_images for _, batch_images, _ in taken]))
                kept = buffers._replace(keep=_kept(net, taken))
                _train_steps(moved, np.arange(len(examples)), labels[examples], lr, layers, codes, kept, stepping)
                self._stretch_done(net, layers, start + len(examples), total, on_progress)
        else:
            for start in range(0, total, stretch):
                _train_steps(images, order[start : start + stretch], labels, lr, layers, codes, buffers, stepping)
                self._stretch_done(net, layers, min(start + stretch, total), total, on_progress)
        _keep_state(net, optimizer, stepping)
        if check:
            _compiled.add(_key("train", net, kernel_images))

    @staticmethod
    def _stretch_done(net, layers, done, total, on_progress):
        _hand_back(net, layers)
        if on_progress is not None:
            on_progress(done, total)

    @staticmethod
    def _check(net, images, check, kernel):
        """Refuse (DigitnetError) a kind of network and images ``kernel`` cannot run here."""
        reason = unsupported(net, images.dtype, kernel) if check else None
        if reason:
            from ..errors import DigitnetError

            raise DigitnetError(f"the fast engine cannot run this network: {reason}")


class _ThroughWeights:
    """A network's own weights and biases as ``_outputs_dense`` reads them, and that kernel's compiled
    code for each kind of images, kept from one call of a few images to the next (the explorer's
    path): the tuples, the checks on each array and Numba's matching of the arguments' types are
    most of one image's time when worked out on every call.  The kernel reads the network's arrays
    themselves, so a change to their numbers shows at once; ``holds`` checks that the network still
    has these arrays (not others put in their place), activations and float type.  A network whose
    arrays need copies (another float type, not contiguous) is not kept: its copies would go stale.
    """

    def __init__(self, net):
        codes = _codes(net)
        self.activation, self.output, self.dtype = net.activation, net.output, net.dtype
        self.weights = _as_kernels_read(net.weights, net.dtype)
        self.biases = _as_kernels_read(net.biases, net.dtype)
        self.arguments = (_PIXEL_VALUES[net.dtype], self.weights, self.biases, codes.hidden, codes.output)
        self.compiled = {}  # (images' dtype, flags) → the kernel's compiled code for such images, once it ran

    def holds(self, net):
        """Whether ``net`` still has exactly these arrays, activations and float type."""
        weights, biases = net.weights, net.biases
        return (
            len(weights) == len(self.weights)
            and len(biases) == len(self.biases)
            and all(map(operator.is_, weights, self.weights))
            and all(map(operator.is_, biases, self.biases))
            and net.dtype is self.dtype
            and net.activation == self.activation
            and net.output == self.output
        )

    def run(self, images, outputs, keep=True):
        """Write the output activations of ``images`` (C-contiguous, uint8 or the network's dtype) into
        ``outputs`` (the network's dtype) through Numba's dispatcher, which finds (or compiles) the
        code; with ``keep``, keep that code in ``compiled`` for such images (``FastEngine.outputs``
        then calls it directly)."""
        _outputs_dense(images, *self.arguments, outputs)
        if keep:
            self.compiled[images.dtype, images.flags.num] = _compiled_code(
                _outputs_dense, (images, *self.arguments, outputs)
            )


class FewImages:
    """``FastEngine.outputs`` for a few images of one kind (type, memory layout, ndim and width) through
    one network, worked out once (``bound_outputs``), for a caller that calls it on such images
    again and again (``engines.feed_forward``'s ``auto``, once it has settled on this engine)."""

    __slots__ = ("ready", "code", "dtype", "flags", "width", "units", "float_type")

    def __init__(self, net, ready, code, images):
        self.ready, self.code = ready, code
        self.dtype, self.flags, self.width = images.dtype, images.flags.num, images.shape[1]
        self.units, self.float_type = net.sizes[-1], net.dtype

    def run(self, net, images):
        """The (n, n_out) outputs of ``images`` (a NumPy array), or None where they are not of this
        kind or ``net`` no longer holds the arrays, activations and float type the code was given."""
        if (
            images.dtype is not self.dtype
            or images.ndim != 2
            or images.shape[1] != self.width
            or images.flags.num != self.flags
            or not self.ready.holds(net)
        ):
            return None
        outputs = np.empty((images.shape[0], self.units), self.float_type)
        self.code(images, *self.ready.arguments, outputs)
        return outputs


def bound_outputs(net, images):
    """A ``FewImages`` for ``net`` and images of the kind of ``images`` (a few, through the network's
    own W), where such images already ran through it here (``FastEngine.outputs``), else None."""
    ready = _kept_through_weights(net)
    code = ready and ready.compiled.get((images.dtype, images.flags.num))
    if not code or images.ndim != 2 or images.shape[0] >= SPARSE_FROM:
        return None
    return FewImages(net, ready, code, images)


def _compiled_code(kernel, arguments):
    """The compiled code Numba's dispatcher calls for ``kernel`` on ``arguments`` (it has run on
    them), to be called on arguments of the same types without the dispatcher working out their
    types again; the dispatcher itself where Numba does not expose it."""
    try:
        return kernel.overloads[tuple(kernel.typeof_pyval(argument) for argument in arguments)].entry_point
    except (AttributeError, KeyError):
        return kernel


_few_images = {}  # id(network) → (a weak reference to it, its _ThroughWeights), while it lives


def _kept_through_weights(net):
    """The ``_ThroughWeights`` kept for ``net`` if it still holds, else None."""
    kept = _few_images.get(id(net))
    return kept[1] if kept is not None and kept[0]() is net and kept[1].holds(net) else None


def _through_weights(net):
    """``net``'s ``_ThroughWeights``: the one kept for it if it still holds, else a new one (kept if
    the kernel reads the network's own arrays)."""
    ready = _kept_through_weights(net)
    if ready is None:
        ready = _ThroughWeights(net)
        if ready.holds(net):
            key = id(net)
            _few_images[key] = (weakref.ref(net, lambda _, key=key: _few_images.pop(key, None)), ready)
    return ready


def _codes(net):
    """The kernels' codes for ``net``'s hidden activation, output activation and cost."""
    return _codes_of(net.activation, net.output, net.cost_name)


@functools.cache  # a few kinds of network: made once each, not on every call of one image
def _codes_of(hidden, output, cost):
    return Codes(ACTIVATION_CODES[hidden], ACTIVATION_CODES[output], COST_CODES[cost])


def _as_kernels_read(arrays, dtype):
    """A tuple of C-contiguous, aligned, writeable ``dtype`` arrays (copies only where needed): the
    network's lists are the user's to change, and Numba needs one array type for all of them."""
    return tuple(
        [
            array if array.dtype == dtype and array.flags.carray else np.require(array, dtype, ("C", "A", "W"))
            for array in arrays
        ]
    )


def _padded(matrix, dtype):
    """A C-contiguous copy of ``matrix`` (r, c) in ``dtype``, with zero columns added up to whole
    vectors (a multiple of ``simd.lanes(dtype)``)."""
    lanes = simd.lanes(dtype)
    rows = np.zeros((matrix.shape[0], -(-matrix.shape[1] // lanes) * lanes), dtype)
    rows[:, : matrix.shape[1]] = matrix
    return rows


def _layers(net):
    """``net`` as the kernels read it (``Layers``): fresh padded copies of its weights and biases.

    Row k of Wᵀ holds the weights out of unit k of the layer below (for W1, out of pixel k); the
    extra columns stay 0 (their steps are a · 0).
    """
    placeholder = np.zeros((0, simd.lanes(net.dtype)), net.dtype)
    return Layers(
        forward_rows=tuple(_padded(W.T, net.dtype) for W in net.weights),
        backward_rows=(placeholder,) + tuple(_padded(W, net.dtype) for W in net.weights[1:]),
        biases=tuple(_padded(b[None, :], net.dtype)[0] for b in net.biases),
        units=np.array(net.sizes[1:], dtype=np.int64),
        offsets=_offsets(net.sizes[1:], simd.lanes(net.dtype)),
        every_row=np.arange(max(net.sizes[1:]), dtype=np.int32),
        pixel_values=_PIXEL_VALUES[net.dtype],
    )


def _offsets(units, lanes):
    """Where each layer's units start in a row of the activation buffers (n_layers + 1,), each
    layer taking its size ``units[l]`` rounded up to a multiple of ``lanes`` (the extra places hold 0)."""
    widths = -(-np.asarray(units, dtype=np.int64) // lanes) * lanes
    return np.concatenate(([0], np.cumsum(widths)))


def _buffers(net, rows, layers=None, whole_gradient=False):
    """The scratch arrays (``Buffers``) the kernels work in, for ``rows`` examples at a time; with
    ``layers``, the gradients for training (``whole_gradient``: W1's too), and no dropout masks."""
    offsets = _offsets(net.sizes[1:], simd.lanes(net.dtype))
    width, widest = net.sizes[0], np.diff(offsets).max()
    placeholder = np.zeros((0, simd.lanes(net.dtype)), net.dtype)
    gradients = (
        ((np.zeros_like(layers.forward_rows[0]) if whole_gradient else placeholder),)
        + tuple(np.zeros_like(matrix) for matrix in layers.backward_rows[1:])
        if layers
        else tuple(placeholder for _ in net.weights)
    )
    return Buffers(
        np.zeros((rows, offsets[-1]), net.dtype),
        np.zeros((rows, offsets[-1]), net.dtype),
        np.empty((rows, width), np.int32),
        np.empty((rows, width), net.dtype),
        np.empty(rows, np.int64),
        np.empty(widest, net.dtype),
        np.zeros(widest, net.dtype),
        gradients,
        np.zeros((0, 0), net.dtype),
    )


def _kept(net, taken):
    """The dropout masks of a stretch's mini-batches (``taken``: each as ``batches.mini_batches``
    yields it, its masks None or one (n_l, m) array per hidden layer) as ``Buffers.keep``: one row
    per example, each layer at its offset; (0, 0) without dropout or without hidden layers."""
    if taken[0][2] is None or len(net.sizes) == 2:
        return np.zeros((0, 0), net.dtype)
    offsets = _offsets(net.sizes[1:], simd.lanes(net.dtype))
    keep, row = np.zeros((sum(len(batch) for batch, _, _ in taken), offsets[-1]), net.dtype), 0
    for batch, _, masks in taken:
        for l, mask in enumerate(masks):
            keep[row : row + len(batch), offsets[l] : offsets[l] + mask.shape[0]] = mask.T
        row += len(batch)
    return keep


def _rows_of(weights, biases, dtype):
    """Arrays shaped like the network's weights and biases as the training kernel steps them: (W1ᵀ, W2,
    W3, …) and (b1, b2, …), each a padded copy (``_padded``)."""
    rows = (_padded(weights[0].T, dtype),) + tuple(_padded(W, dtype) for W in weights[1:])
    return rows, tuple(_padded(b[None, :], dtype)[0] for b in biases)


def _put_back(rows, bias_rows, weights, biases):
    """The inverse of ``_rows_of``: write ``rows`` and ``bias_rows`` into ``weights`` and ``biases``."""
    weights[0][...] = rows[0][:, : weights[0].shape[0]].T
    for l in range(1, len(weights)):
        weights[l][...] = rows[l][:, : weights[l].shape[1]]
    for target, trained in zip(biases, bias_rows):
        target[...] = trained[: len(target)]


def _hand_back(net, layers):
    """Put the trained parameters into the network's own arrays."""
    _put_back((layers.forward_rows[0],) + layers.backward_rows[1:], layers.biases, net.weights, net.biases)


def _stepping(net, optimizer):
    """``optimizer`` (a ``digitnet.optimizers.Optimizer``, or None: plain SGD) and its state as the
    training kernel reads them (``Stepping``), or None for plain SGD without weight decay."""
    dtype, lanes = net.dtype, simd.lanes(net.dtype)
    none = tuple(np.zeros((0, lanes), dtype) for _ in net.weights), tuple(np.zeros(0, dtype) for _ in net.biases)
    decay, name = (optimizer.weight_decay, optimizer.name) if optimizer is not None else (0.0, "sgd")
    if name == "sgd":
        return Stepping(SGD, 0.0, decay, np.zeros(1, np.int64), *none, *none) if decay else None
    states = (optimizer.velocities,) if name == "momentum" else (optimizer.means, optimizer.squares)
    laid_out = [
        _rows_of(state[0::2], state[1::2], dtype) if state is not None else _rows_of(net.weights, net.biases, dtype)
        for state in states
    ]
    if any(state is None for state in states):  # a fresh optimiser: its state starts at zero
        laid_out = [tuple(tuple(np.zeros_like(array) for array in part) for part in pair) for pair in laid_out]
    if name == "momentum":
        kind = NESTEROV if optimizer.nesterov else MOMENTUM
        return Stepping(kind, optimizer.momentum, decay, np.zeros(1, np.int64), *laid_out[0], *none)
    return Stepping(ADAM, 0.0, decay, np.array([optimizer.steps], np.int64), *laid_out[0], *laid_out[1])


def _keep_state(net, optimizer, stepping):
    """Write the kernel's optimiser state (``stepping``) back into ``optimizer``'s own arrays."""
    if stepping is None or stepping.kind == SGD:
        return

    def network_shaped(weights_rows, bias_rows):
        weights = [np.empty_like(W) for W in net.weights]
        biases = [np.empty_like(b) for b in net.biases]
        _put_back(weights_rows, bias_rows, weights, biases)
        return in_order(weights, biases)

    first = network_shaped(stepping.first_weights, stepping.first_biases)
    if stepping.kind == ADAM:
        optimizer.means, optimizer.squares = first, network_shaped(stepping.second_weights, stepping.second_biases)
        optimizer.steps = int(stepping.steps[0])
    else:
        optimizer.velocities = first


ENGINE = FastEngine()

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
* The first layer skips zero pixels (about 81% of an MNIST image): its sum runs over the
  rows of the nonzero pixels only, found 16 pixels at a time, and a step changes those rows only.
* σ(z) is computed a vector at a time (``simd.sigmoid``), and σ′ is read off the activation
  itself: σ(1 − σ), 1 − a², [a > 0]; z is never stored.
* It works on one example at a time, not on matrices of a mini-batch (at these sizes the
  bookkeeping of a matrix product costs more than its arithmetic), but feeds a mini-batch
  (or 16 images) forward layer by layer, so that each example's chain of dependent steps
  overlaps the next one's in the CPU.
* The next images are fetched into the (second-level) cache while the current ones are worked
  on: in training, which takes them in a shuffled order, the CPU could not guess which come
  next; in inference it could, but would only start once they are asked for.

What stays the same: each step is −lr times the gradient of the mini-batch, as in the
reference (W1 takes it as the examples' terms −lr δ xᵀ one after another, the other weights
and the biases as their sum), so the only differences are the order of additions, and σ(z) computed
as 1 / (1 + e^−z) rather than ½(1 + tanh(z/2)) (the same function; in float32, e^−z comes
from a polynomial, σ within 3 units in the last place, see ``simd.sigmoid``).  Images may be
float (values in [0, 1]) or uint8 (pixel values 0–255, read as value / 255 rounded exactly as
the reference's float values are).  A few images (the explorer's path) go through the
network's own W in a plain loop, without making the copies: below ``SPARSE_FROM`` images,
that is faster.

Training runs on one core: each step needs the previous one, and at 10 examples a step,
handing work to a second core costs more than it saves (and on a loaded machine the step
waits for the slower core).  Inference of a large batch runs on all cores.  Compiled code is
cached on disk (``cache=True``), so the compile cost is paid once per install; where no cache
folder is writable it compiles in memory instead, once per process.
"""

import functools
import math

import numpy as np

from .reference import PROGRESS_STEPS

try:
    import numba
    from numba import prange, types
    from numba.extending import overload

    from . import simd
except ImportError as error:  # the package installs without compilers, but a broken install is possible
    numba = None
    UNAVAILABLE = f"numba cannot be imported ({error})"
else:
    UNAVAILABLE = None

# Activation codes shared by the kernels: the hidden ones, then the output-only softmax.
SIGMOID, TANH, RELU, SOFTMAX = 0, 1, 2, 3
ACTIVATION_CODES = {"sigmoid": SIGMOID, "tanh": TANH, "relu": RELU, "softmax": SOFTMAX}
QUADRATIC, CROSS_ENTROPY = 0, 1
COST_CODES = {"quadratic": QUADRATIC, "cross-entropy": CROSS_ENTROPY}
DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
SPARSE_FROM = 50       # from this many images in one call, feed forward through the padded copies
                       # (below it, through W itself: no copies to make; benchmarks/inference_crossover.py)
PARALLEL_FROM = 1000   # batches of at least this many images are fed forward on all cores
TASK_IMAGES = 256      # images per parallel work item
TOGETHER = 16          # images fed forward together, layer by layer
FASTMATH = {"reassoc", "contract", "nsz", "arcp"}  # exact IEEE rules relaxed; inf and NaN still honoured


def unsupported(net):
    """Why the fast engine cannot run ``net`` (one line), or None if it can."""
    if UNAVAILABLE:
        return UNAVAILABLE
    if net is not None and net.dtype not in DTYPES:
        return f"it computes in float32 or float64, not {net.dtype}"
    return _kernels_fail()


@functools.cache
def _kernels_fail():
    """Why the vector kernels do not build or run right on this machine (one line), or None.

    Checked once per process, on first use: a small network's outputs through every kernel of
    the feedforward, against the reference.  The types, not the sizes, decide what is compiled:
    three layers in float32 and uint8 images on all cores is what ``digitnet train`` evaluates
    with, so the check compiles nothing that training would not (it matters for the peak memory
    of a first run, when the compiler is at work), and the code lands in the disk cache.
    """
    from ..network import Network
    try:
        net = Network((20, 4, 3, 2), seed=0)
        images = np.random.default_rng(0).integers(0, 256, (PARALLEL_FROM, 20), dtype=np.uint8)
        if not np.allclose(ENGINE.outputs(net, images), net.outputs(images, engine="reference"), rtol=1e-4, atol=1e-6):
            return "its compiled kernels give wrong outputs on this machine"
    except Exception as error:  # noqa: BLE001 - whatever the compiler says, the reference still runs
        return f"its compiled kernels do not build on this machine ({type(error).__name__}: {str(error).splitlines()[0]})"
    return None


def _jit(**options):
    """numba.njit with the on-disk cache, or without it where no cache folder is writable."""
    options = {"fastmath": FASTMATH, **options}

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
        largest = z.max()
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
def _dense_layer(W, b, a_in, z):
    """z = W a_in + b for one example (W (n_out, n_in) row-major)."""
    for j in range(W.shape[0]):
        total = z.dtype.type(0)  # sum in the network's float type
        for k in range(W.shape[1]):
            total += W[j, k] * a_in[k]
        z[j] = total + b[j]


@_jit(inline="always")  # compiled into each caller, not called
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


@_jit(inline="always")  # compiled into each caller, not called
def _feed_forward(images, examples, upcoming, pixel_values, forward_rows, biases, units, hidden, output, offsets,
                  every_row, activations, pixels, values, counts):
    """Feed ``images[examples[i]]`` forward for each i, the first layer by nonzero pixels only.

    ``forward_rows[l]`` is Wᵀ (n_{l−1}, m_l), one row per unit of the layer below, and
    ``biases[l]`` is b (m_l,), both padded with zeros to whole vectors (``_forward_rows``), so
    z = W a + b is b + Σ_k a_k Wᵀ[k]; ``units`` holds the true sizes n_l.  Example i's nonzero
    pixels go to ``pixels[i]``, their values in [0, 1] to ``values[i]``, their number to
    ``counts[i]``, and its activations to ``activations[i]`` (zeros in the padding, layer l at
    offsets[l]:offsets[l+1]); ``every_row`` is 0, 1, 2, ….  It goes layer by layer through all
    the examples, so that one example's chain of dependent steps overlaps the next one's, and
    while the first layer's sums are worked out, the ``upcoming`` images (the next call's
    examples) are fetched into the cache, one per example.
    """
    for i in range(examples.shape[0]):
        counts[i] = _nonzero_pixels(images[examples[i]], pixel_values, pixels[i], values[i])
    n_layers = len(forward_rows)
    for l in range(n_layers):
        for i in range(examples.shape[0]):
            z = activations[i, offsets[l]:offsets[l + 1]]
            if l == 0:
                if i < upcoming.shape[0]:
                    simd.prefetch(images[upcoming[i]])
                simd.sum_rows(z, forward_rows[0], pixels[i], values[i], counts[i], biases[0])
            else:
                simd.sum_rows(z, forward_rows[l], every_row, activations[i, offsets[l - 1]:offsets[l]], units[l - 1],
                              biases[l])
            _activate(z[:units[l]], output if l == n_layers - 1 else hidden)


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
    else:                    # 2(a − y) ⊙ σ′(z), σ′ = a(1 − a)
        for j in range(a.shape[0]):
            delta[j] = 2.0 * (a[j] - (1.0 if j == label else 0.0)) * a[j] * (1.0 - a[j]) / n


@_jit()
def _train_steps(images, labels, order, batch_size, lr, pixel_values, forward_rows, backward_rows, biases, units,
                 hidden, output, cost, offsets, every_row, buffers):
    """Mini-batch SGD over ``images[order]``, in place on the weights and ``biases``.

    Each W is held twice, as ``forward_rows[l]`` = Wᵀ for feeding forward (see ``_feed_forward``)
    and (for l ≥ 1) as ``backward_rows[l]`` = W (n_l, m_{l−1}), padded like Wᵀ, for δ below =
    Σ_j δ_j W[j]; both take the same steps (the same products, so they stay equal to the last
    bit).  ``buffers`` (see ``_buffers``): per example of a mini-batch, its ``activations`` and
    ``deltas`` (batch, offsets[-1], zeros in the padding), its nonzero ``pixels`` (batch,
    n_in), their ``values`` (same shape) and their ``counts`` (batch,); scratch
    ``step`` and ``zeros`` (max m_l,); the sums ∂C/∂W over a mini-batch, shaped like
    ``backward_rows``, zeros between mini-batches.  Each example's step of W1ᵀ goes in at once,
    since adding it up first would mean a gradient as large as W1ᵀ (the step only touches the
    rows of the example's nonzero pixels).
    """
    activations, deltas, pixels, values, counts, step, zeros, gradients = buffers
    n_layers = len(forward_rows)
    last = offsets[n_layers - 1]
    for start in range(0, order.shape[0], batch_size):
        n = min(batch_size, order.shape[0] - start)
        # 1. feed the mini-batch forward and find each example's output error
        _feed_forward(images, order[start:start + n], order[start + n:start + 2 * n], pixel_values, forward_rows,
                      biases, units, hidden, output, offsets, every_row, activations, pixels, values, counts)
        for i in range(n):
            _output_error(activations[i, last:last + units[-1]], labels[order[start + i]], output, cost, n,
                          deltas[i, last:last + units[-1]])
        # 2. from the top down: δ of the layer below (with the weights from before the step), then the step
        for l in range(n_layers - 1, -1, -1):
            width = forward_rows[l].shape[1]
            if l > 0:
                for i in range(n):  # δˡ⁻¹ = (Wᵀ δˡ) ⊙ σ′(zˡ⁻¹)
                    below = deltas[i, offsets[l - 1]:offsets[l]]
                    simd.sum_rows(below, backward_rows[l], every_row, deltas[i, offsets[l]:offsets[l + 1]], units[l],
                                  zeros[:below.shape[0]])
                    for k in range(units[l - 1]):
                        below[k] *= _derivative(activations[i, offsets[l - 1] + k], hidden)
            if l == 0:  # W1ᵀ: nothing reads it after the forward pass, so each example's −lr δ xᵀ goes
                #         straight into the rows of its nonzero pixels (a zero pixel adds 0)
                for i in range(n):
                    for j in range(width):
                        step[j] = -lr * deltas[i, offsets[0] + j]
                    simd.add_to_rows(forward_rows[0], pixels[i], values[i], step[:width], counts[i])
            else:  # ∂C/∂W = Σ_x δ aᵀ (δ already holds the 1/n), then W −= lr ∂C/∂W in both copies
                gradient = gradients[l]
                for i in range(n):
                    simd.add_to_rows(gradient, every_row, deltas[i, offsets[l]:offsets[l + 1]],
                                     activations[i, offsets[l - 1]:offsets[l]], units[l])
                for j in range(units[l]):
                    for k in range(units[l - 1]):
                        change = lr * gradient[j, k]
                        backward_rows[l][j, k] -= change
                        forward_rows[l][k, j] -= change
                        gradient[j, k] = 0.0
            for j in range(units[l]):  # ∂C/∂b = Σ_x δ
                bias_gradient = biases[l].dtype.type(0)
                for i in range(n):
                    bias_gradient += deltas[i, offsets[l] + j]
                biases[l][j] -= lr * bias_gradient


def _buffers(net, batch_size, offsets, backward_rows):
    """The scratch arrays ``_train_steps`` works in, for mini-batches of ``batch_size``."""
    rows, width, widest = batch_size, net.sizes[0], np.diff(offsets).max()
    return (np.zeros((rows, offsets[-1]), net.dtype), np.zeros((rows, offsets[-1]), net.dtype),
            np.empty((rows, width), np.int32), np.empty((rows, width), net.dtype), np.empty(rows, np.int64),
            np.empty(widest, net.dtype), np.zeros(widest, net.dtype),
            tuple(np.zeros_like(matrix) for matrix in backward_rows))


@_jit()
def _feed_forward_dense(image, pixel_values, weights, biases, hidden, output, activations, inputs):
    """Feed one image forward with every W (n_out, n_in) as the network holds it; last layer's a.

    ``activations`` (n_layers, max n_l) gets layer l's in row l; ``inputs`` (n_in,) is scratch.
    """
    for p in range(image.shape[0]):
        inputs[p] = _pixel_value(image[p], pixel_values)
    n_layers = len(weights)
    a_in = inputs
    for l in range(n_layers):
        z = activations[l, :biases[l].shape[0]]
        _dense_layer(weights[l], biases[l], a_in, z)
        _activate(z, output if l == n_layers - 1 else hidden)
        a_in = z
    return a_in


@_jit()
def _outputs_block(images, first, last, pixel_values, forward_rows, biases, units, hidden, output, offsets,
                   every_row, outputs):
    """Output activations of ``images[first:last]`` into ``outputs[first:last]`` (see ``_feed_forward``),
    ``TOGETHER`` images at a time."""
    activations = np.zeros((TOGETHER, offsets[-1]), dtype=outputs.dtype)
    pixels = np.empty((TOGETHER, images.shape[1]), dtype=np.int32)
    values = np.empty(pixels.shape, dtype=outputs.dtype)
    counts = np.empty(TOGETHER, dtype=np.int64)
    for start in range(first, last, TOGETHER):
        examples = np.arange(start, min(start + TOGETHER, last))
        upcoming = np.arange(examples[-1] + 1, min(examples[-1] + 1 + TOGETHER, last))
        _feed_forward(images, examples, upcoming, pixel_values, forward_rows, biases, units, hidden, output, offsets,
                      every_row, activations, pixels, values, counts)
        for i in range(examples.shape[0]):
            outputs[start + i] = activations[i, offsets[-2]:offsets[-2] + units[-1]]


@_jit()
def _outputs_serial(images, pixel_values, forward_rows, biases, units, hidden, output, offsets, every_row, outputs):
    _outputs_block(images, 0, images.shape[0], pixel_values, forward_rows, biases, units, hidden, output, offsets,
                   every_row, outputs)


@_jit(parallel=True)
def _outputs_parallel(images, pixel_values, forward_rows, biases, units, hidden, output, offsets, every_row, outputs):
    tasks = (images.shape[0] + TASK_IMAGES - 1) // TASK_IMAGES
    for task in prange(tasks):
        _outputs_block(images, task * TASK_IMAGES, min((task + 1) * TASK_IMAGES, images.shape[0]), pixel_values,
                       forward_rows, biases, units, hidden, output, offsets, every_row, outputs)


@_jit()
def _outputs_dense(images, pixel_values, weights, biases, hidden, output, outputs):
    """Output activations of a few images into ``outputs``, with every W as the network holds it."""
    widest = 0
    for b in biases:
        widest = max(widest, b.shape[0])
    activations = np.empty((len(biases), widest), dtype=outputs.dtype)
    inputs = np.empty(images.shape[1], dtype=outputs.dtype)
    for i in range(images.shape[0]):
        outputs[i] = _feed_forward_dense(images[i], pixel_values, weights, biases, hidden, output, activations,
                                         inputs)


# ---------------------------------------------------------------------------------- the engine
_PIXEL_VALUES = {dtype: np.arange(256, dtype=dtype) / dtype.type(255) for dtype in DTYPES}


def _images_for(net, images):
    """``images`` as a C-contiguous (n, n_in) array the kernels read: uint8 as it is, else net.dtype."""
    images = np.asarray(images)
    if images.ndim != 2 or images.shape[1] != net.sizes[0]:
        net._columns(images)  # raises the reference's message about the shape
    if images.dtype != net.dtype and images.dtype != np.uint8:
        images = images.astype(net.dtype)
    return images if images.flags.c_contiguous else np.ascontiguousarray(images)


class FastEngine:
    name = "fast"

    def outputs(self, net, images):
        """(n, n_in) images (floats in [0, 1], or uint8 pixel values 0–255) → (n, n_out) output activations."""
        images = _images_for(net, images)
        pixel_values, (hidden, output, _) = _PIXEL_VALUES[net.dtype], _codes(net)
        outputs = np.empty((images.shape[0], net.sizes[-1]), dtype=net.dtype)
        if images.shape[0] < SPARSE_FROM:  # the explorer's path: no padded copies of the weights for a few images
            _outputs_dense(images, pixel_values, _as_kernels_read(net.weights, net.dtype),
                           _as_kernels_read(net.biases, net.dtype), hidden, output, outputs)
            return outputs
        kernel = _outputs_parallel if images.shape[0] >= PARALLEL_FROM else _outputs_serial
        units, offsets, every_row = _layout(net)
        kernel(images, pixel_values, _forward_rows(net), _padded_biases(net), units, hidden, output, offsets, every_row,
               outputs)
        return outputs

    def train_epoch(self, net, images, labels, order, batch_size, lr, on_progress=None):
        """One epoch of mini-batch SGD over ``images[order]``, like the reference engine's.

        Runs in stretches of whole mini-batches, about ``PROGRESS_STEPS`` of them per epoch when
        ``on_progress`` is given (one stretch otherwise); the network holds the current weights
        whenever ``on_progress`` is called.
        """
        images = _images_for(net, images)
        labels = np.ascontiguousarray(labels)
        order = np.ascontiguousarray(order, dtype=np.int64)
        forward_rows, backward_rows, biases = _forward_rows(net), _backward_rows(net), _padded_biases(net)
        units, offsets, every_row = _layout(net)
        hidden, output, cost = _codes(net)
        buffers = _buffers(net, min(batch_size, len(order)), offsets, backward_rows)
        total = len(order)
        if total == 0:
            return
        steps = -(-total // batch_size)
        stretch = batch_size * (max(1, steps // PROGRESS_STEPS) if on_progress else steps)
        for start in range(0, total, stretch):
            _train_steps(images, labels, order[start:start + stretch], batch_size, net.dtype.type(lr),
                         _PIXEL_VALUES[net.dtype], forward_rows, backward_rows, biases, units, hidden, output, cost,
                         offsets, every_row, buffers)
            _hand_back(net, forward_rows, backward_rows, biases)
            if on_progress is not None:
                on_progress(min(start + stretch, total), total)


def _codes(net):
    """The kernels' codes for ``net``'s hidden activation, output activation and cost."""
    return ACTIVATION_CODES[net.activation], ACTIVATION_CODES[net.output], COST_CODES[net.cost_name]


def _as_kernels_read(arrays, dtype):
    """A tuple of C-contiguous, aligned, writeable ``dtype`` arrays (copies only where needed): the
    network's lists are the user's to change, and Numba needs one array type for all of them."""
    return tuple(array if array.dtype == dtype and array.flags.carray else np.require(array, dtype, ("C", "A", "W"))
                 for array in arrays)


def _padded(matrix, dtype):
    """A C-contiguous copy of ``matrix`` (r, c) in ``dtype``, with zero columns added up to whole
    vectors (a multiple of ``simd.lanes(dtype)``)."""
    lanes = simd.lanes(dtype)
    rows = np.zeros((matrix.shape[0], -(-matrix.shape[1] // lanes) * lanes), dtype)
    rows[:, :matrix.shape[1]] = matrix
    return rows


def _forward_rows(net):
    """Every Wᵀ (n_{l−1}, m_l), padded to whole vectors: row k holds the weights out of unit k
    of the layer below (for W1, out of pixel k).  The extra columns stay 0: their steps are a · 0."""
    return tuple(_padded(W.T, net.dtype) for W in net.weights)


def _backward_rows(net):
    """Every W (n_l, m_{l−1}) but the first (a placeholder), padded to whole vectors."""
    placeholder = np.zeros((0, simd.lanes(net.dtype)), net.dtype)
    return (placeholder,) + tuple(_padded(W, net.dtype) for W in net.weights[1:])


def _padded_biases(net):
    """Every b (m_l,), padded with zeros to whole vectors like the rows of Wᵀ."""
    return tuple(_padded(b[None, :], net.dtype)[0] for b in net.biases)


def _layout(net):
    """``units``, the layers' sizes n_l past the input; ``offsets`` of the layers in the activation
    buffers (padded, see ``_offsets``); ``every_row``, the row indices 0, 1, … < max n_l."""
    return (np.array(net.sizes[1:], dtype=np.int64), _offsets(net.sizes[1:], simd.lanes(net.dtype)),
            np.arange(max(net.sizes[1:]), dtype=np.int32))


def _offsets(units, lanes):
    """Where each layer's units start in a row of the activation buffers (n_layers + 1,), each
    layer taking its size ``units[l]`` rounded up to a multiple of ``lanes`` (the extra places hold 0)."""
    widths = -(-np.asarray(units, dtype=np.int64) // lanes) * lanes
    return np.concatenate(([0], np.cumsum(widths)))


def _hand_back(net, forward_rows, backward_rows, biases):
    """Put the trained parameters into the network's own arrays."""
    net.weights[0][...] = forward_rows[0][:, :net.sizes[1]].T
    for l in range(1, len(net.weights)):
        net.weights[l][...] = backward_rows[l][:, :net.sizes[l]]
    for target, trained in zip(net.biases, biases):
        target[...] = trained[:len(target)]


ENGINE = FastEngine()

"""The lessons: looking inside a network, as plain data (NumPy arrays, dicts of floats).

What each function shows, following 3Blue1Brown's videos:

* ``cost_breakdown``: the cost of one example, output by output ("0.0865 ← (0.29 − 0.00)²").
* ``negative_gradient`` / ``nudges``: −∇C, the nudge every weight and bias should get, ranked.
* ``first_layer_images`` / ``linear_views`` / ``activation_maximization`` (``activation_maximizations`` for a
  whole layer at once): what hidden neurons look for.
* ``noise_images`` / ``noise_report``: what the network says about random images (it answers anyway).
* ``layer_activations``: every neuron's activation for one image and the strongest connections.
* ``cost_landscape``: the cost along −∇C and on a 2-D slice, with the path of gradient descent.
* ``cost_contrast``: the average cost over a set, its cheapest right answer and its worst.
* ``confusion_matrix`` / ``confident_mistakes``: where a trained network goes wrong.

Layers are numbered from 1 as in the video's a⁽¹⁾: layer 1 is the first hidden layer, whose
weights ``w[1]`` = ``net.weights[0]`` come from the 784 inputs.  Parameter names read like
``w[1][3,407]`` (row 3 = neuron 3 of layer 1, column 407 = input pixel 407) and ``b[2][5]``.
Nothing here prints or draws: ``digitnet.plots`` draws, the command line prints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .costs import example_costs, one_hot
from .parameters import Gradient, flatten

if TYPE_CHECKING:
    from .network import Network

BACKPROP_CHUNK = 10_000  # examples per backprop call when averaging ∇C over many (bounds memory)


# ---------------------------------------------------------------------- the cost of one example
def cost_breakdown(net: Network, image: npt.ArrayLike, label: int) -> dict[str, Any]:
    """The cost of one example, output by output.

    ``image`` (784,) in [0, 1], ``label`` its digit.  Returns a dict:
    ``outputs`` (10 activations), ``wanted`` (10: 1 at the label, else 0),
    ``squared_differences`` (10 per-output terms whose sum is the cost: (a_j − y_j)² for the
    quadratic cost; for cross-entropy the per-output terms of that cost, see ``digitnet.costs``),
    ``cost`` (their sum, = ``net.example_costs``), ``cost_name``, ``output_activation``, ``label``,
    and ``digit`` (the network's answer: its most active output).
    """
    image = np.asarray(image)
    if image.shape != (net.sizes[0],):
        raise ValueError(f"expected one image of shape ({net.sizes[0]},), got {image.shape}")
    label = _check_label(net, label)
    outputs = net.feedforward(image).astype(np.float64)
    wanted = one_hot([label], net.sizes[-1], np.float64)[:, 0]
    # The library's own cost, applied to each output as if it were an example of one output.
    terms = example_costs(net.cost_name, outputs[None, :], wanted[None, :], net.output) + 0.0  # no −0.0
    return {
        "outputs": outputs.tolist(),
        "wanted": wanted.tolist(),
        "squared_differences": terms.tolist(),
        "cost": float(terms.sum()),
        "cost_name": net.cost_name,
        "output_activation": net.output,
        "label": label,
        "digit": int(outputs.argmax()),
    }


def describe_term(cost_name: str, output: float, wanted: float, term: float, output_activation: str = "sigmoid") -> str:
    """One output's term of the cost as text, e.g. "0.0865 ← (0.29 − 0.00)²" for the quadratic cost,
    "2.3026 ← −ln(0.10)" or "0.0513 ← −ln(1 − 0.05)" for cross-entropy."""
    if cost_name == "quadratic":
        return f"{term:.4f} ← ({output:.2f} − {wanted:.2f})²"
    if wanted:
        return f"{term:.4f} ← −ln({output:.2f})"
    if output_activation == "softmax":
        return f"{term:.4f} ← (not the wanted digit)"
    return f"{term:.4f} ← −ln(1 − {output:.2f})"


def _check_label(net, label):
    label = int(label)
    if not 0 <= label < net.sizes[-1]:
        raise ValueError(f"label must be 0..{net.sizes[-1] - 1}, got {label}")
    return label


def as_pixels(images: npt.ArrayLike, dtype: Any = np.float32) -> np.ndarray:
    """Images as floats in [0, 1], C-contiguous: uint8 pixel values are read as value / 255, as the
    network reads them; float images are only converted to ``dtype``."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images.astype(dtype) / dtype(255)
    return np.ascontiguousarray(images, dtype=dtype)


def _as_batch(net, images, labels):
    """Images (n, 784) or one (784,) and labels (n,) or one int → (n, 784), (n,)."""
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim == 1:
        images, labels = images[None, :], labels.reshape(1)
    if images.ndim != 2 or images.shape[1] != net.sizes[0]:
        raise ValueError(f"expected images of shape (n, {net.sizes[0]}) or ({net.sizes[0]},), got {images.shape}")
    if labels.shape != (len(images),):
        raise ValueError(f"expected {len(images)} labels, got shape {labels.shape}")
    if len(images) == 0:
        raise ValueError("need at least one example")
    return images, labels


# ---------------------------------------------------------------------- the nudges: −∇C
def negative_gradient(net: Network, images: Any, labels: Any) -> Gradient:
    """−∇C for the mean cost over ``images`` (n, 784) or one image (784,) with ``labels``.

    Returns a ``Gradient`` shaped like the weights and biases: the nudge each parameter
    should get to lower the cost fastest.  Large sets are backpropagated in chunks and
    averaged (weighted by chunk size), which gives the same mean.
    """
    images, labels = _as_batch(net, images, labels)
    total_w = [np.zeros(w.shape, np.float64) for w in net.weights]
    total_b = [np.zeros(b.shape, np.float64) for b in net.biases]
    for start in range(0, len(images), BACKPROP_CHUNK):
        chunk = slice(start, start + BACKPROP_CHUNK)
        gradient = net.backprop(images[chunk], labels[chunk])
        share = len(images[chunk]) / len(images)
        for total, part in zip(total_w + total_b, gradient.weights + gradient.biases):
            total -= share * part
    return Gradient([w.astype(net.dtype) for w in total_w], [b.astype(net.dtype) for b in total_b])


def _blocks(net, gradient):
    """[(kind "w" or "b", layer from 1, parameter array, its part of ``gradient``)] in get_parameters order."""
    blocks = []
    for l, (W, b, gw, gb) in enumerate(zip(net.weights, net.biases, gradient.weights, gradient.biases), 1):
        blocks += [("w", l, W, gw), ("b", l, b, gb)]
    return blocks


def describe_nudge(nudge: float, largest: float) -> str:
    """A nudge in words, relative to the largest one: "should increase a lot", "should decrease a little"."""
    if nudge == 0 or largest == 0:
        return "should stay as it is"
    direction = "increase" if nudge > 0 else "decrease"
    share = abs(nudge) / largest
    amount = "a lot" if share >= 0.5 else "somewhat" if share >= 0.1 else "a little"
    return f"should {direction} {amount}"


def nudges(net: Network, images: Any, labels: Any, top: int = 10) -> dict[str, Any]:
    """−∇C summarised: sizes per weight matrix and bias vector, and the ``top`` largest nudges.

    Returns a dict: ``parameters`` (how many components −∇C has: 13,002 by default),
    ``layer_norms`` ({"w[1]": ‖−∇C restricted to W1‖, "b[1]": …, …}, Euclidean norms),
    ``total_norm`` (‖−∇C‖; the square root of the sum of the squared layer norms),
    ``examples`` (how many examples were averaged), and ``top``: a list ranked by |nudge| of
    {"name": "w[1][3,407]", "layer": 1, "index": [3, 407] (or [row] for a bias),
    "value": the parameter now, "nudge": its component of −∇C, "words": "w[1][3,407] should increase a lot"}.
    """
    images, labels = _as_batch(net, images, labels)
    gradient = negative_gradient(net, images, labels)
    blocks = _blocks(net, gradient)
    layer_norms = {f"{kind}[{l}]": float(np.linalg.norm(g.astype(np.float64))) for kind, l, _, g in blocks}
    flat = _flat(gradient)
    order = np.argsort(-np.abs(flat), kind="stable")[: max(0, int(top))]
    largest = float(np.abs(flat).max())
    starts = np.cumsum([0] + [g.size for _, _, _, g in blocks])
    ranked = []
    for position in order:
        block = int(np.searchsorted(starts, position, side="right") - 1)
        kind, l, values, g = blocks[block]
        index = [int(i) for i in np.unravel_index(position - starts[block], g.shape)]
        name = f"{kind}[{l}][{','.join(map(str, index))}]"
        nudge = float(flat[position])
        ranked.append(
            {
                "name": name,
                "layer": l,
                "index": index,
                "value": float(values[tuple(index)]),
                "nudge": nudge,
                "words": f"{name} {describe_nudge(nudge, largest)}",
            }
        )
    return {
        "parameters": int(flat.size),
        "examples": int(len(images)),
        "layer_norms": layer_norms,
        "total_norm": float(np.linalg.norm(flat)),
        "top": ranked,
    }


# ---------------------------------------------------------------------- what neurons look for
def _check_pixels(net):
    if net.sizes[0] != 784:
        raise ValueError(f"weight images need 784 = 28×28 inputs; this network has {net.sizes[0]}")


def _check_layer(net, layer):
    layer = int(layer)
    if not 1 <= layer <= net.num_layers:
        raise ValueError(
            f"unknown layer {layer}: this network's layers are 1..{net.num_layers} "
            f"(1 = the first hidden layer, {net.num_layers} = the output layer)"
        )
    return layer


def first_layer_images(net: Network) -> np.ndarray:
    """Each first-layer neuron's 784 incoming weights as a picture: (n_hidden1, 28, 28)."""
    _check_pixels(net)
    return net.weights[0].reshape(-1, 28, 28).copy()


def linear_views(net: Network, layer: int) -> np.ndarray:
    """What each neuron of ``layer`` (1-based) looks for if every layer below were linear: (n_layer, 28, 28).

    The weights pulled back through the layers below: W[layer] @ … @ W[2] @ W[1], ignoring the
    biases and the squashing.  For layer 1 this is ``first_layer_images``.
    """
    _check_pixels(net)
    layer = _check_layer(net, layer)
    view = net.weights[0].astype(np.float64)
    for W in net.weights[1:layer]:
        view = W.astype(np.float64) @ view
    return view.reshape(-1, 28, 28)


def input_gradient(net: Network, images: npt.ArrayLike, layer: int, neuron: Any) -> np.ndarray:
    """∂z/∂input for the weighted sum z of ``neuron`` in ``layer`` (1-based), per image: (n, 784).

    ``neuron`` is one index for every image, or (n,) indices, one per image.
    The chain rule from that neuron down to the pixels, as in backprop:
        δ = e_neuron at the layer's z;   δ ← (Wᵀ δ) ⊙ σ′(z) for each layer below;   ∂z/∂x = W[1]ᵀ δ.
    """
    layer = _check_layer(net, layer)
    weighted_sums = net.forward(np.atleast_2d(images))[0]  # one row per image
    delta = np.zeros_like(weighted_sums[layer - 1])
    delta[np.arange(len(delta)), neuron] = 1
    for l in reversed(range(layer - 1)):  # rows, so Wᵀ δ is written δ W
        delta = (delta @ net.weights[l + 1]) * net.layer_activation(l).prime(weighted_sums[l])
    return delta @ net.weights[0]


def activation_maximization(
    net: Network, layer: int, neuron: int, steps: int = 200, step_size: float = 0.05, seed: int = 0, start: float = 0.5
) -> np.ndarray:
    """An input that excites ``neuron`` of ``layer`` (1-based) strongly: (28, 28) in [0, 1].

    Gradient ascent on the pixels from a grey start (``start`` = 0.5, with a faint seeded jitter
    so no two starts are alike): each step moves the pixels along the gradient of the neuron's weighted sum
    z, scaled so that the pixel with the steepest slope moves by ``step_size``, then clips them to
    [0, 1].  Pixels already at 0 or 1 and pushed further out are left out of that scaling, so
    the climb goes on with the others.  The weighted sum is
    climbed rather than the activation σ(z) because σ flattens out and would stall the climb;
    both rank inputs the same way.  A uniform grey image is far from any MNIST digit and can
    saturate most first-layer neurons, leaving deep neurons with almost no slope to climb;
    ``start=0`` (MNIST's black background) avoids that.
    """
    return activation_maximizations(net, layer, [neuron], steps, step_size, seed, start)[0]


def activation_maximizations(
    net: Network, layer: int, neurons: Any, steps: int = 200, step_size: float = 0.05, seed: int = 0, start: float = 0.5
) -> np.ndarray:
    """``activation_maximization`` for several ``neurons`` of one layer at once, each climbing from
    the same start: (len(neurons), 28, 28) in [0, 1]."""
    _check_pixels(net)
    layer = _check_layer(net, layer)
    neurons = np.asarray(neurons, dtype=np.int64).reshape(-1)
    if neurons.size and not (0 <= neurons.min() and neurons.max() < net.sizes[layer]):
        bad = neurons[(neurons < 0) | (neurons >= net.sizes[layer])][0]
        raise ValueError(f"layer {layer} has neurons 0..{net.sizes[layer] - 1}, not {bad}")
    net = net.astype(np.float64)  # float32 sigmoids saturate to an exact 0 slope and would stall the climb
    rng = np.random.default_rng(seed)
    images = np.tile(np.clip(start + 0.01 * rng.standard_normal(784), 0, 1), (len(neurons), 1))
    climbing = np.ones(len(neurons), dtype=bool)  # a neuron stops when no pixel can move any more
    for _ in range(steps):
        slope = input_gradient(net, images, layer, neurons)
        slope[((images >= 1) & (slope > 0)) | ((images <= 0) & (slope < 0))] = 0  # pixels already at a bound
        scale = np.abs(slope).max(axis=1)
        climbing &= scale > 0
        if not climbing.any():
            break
        images[climbing] = np.clip(images[climbing] + step_size * slope[climbing] / scale[climbing, None], 0, 1)
    return images.reshape(-1, 28, 28)


def weighted_sum(net: Network, images: npt.ArrayLike, layer: int, neuron: int) -> np.ndarray:
    """z of ``neuron`` in ``layer`` (1-based) for ``images``: (n,) — what activation maximization climbs."""
    layer = _check_layer(net, layer)
    return net.forward(np.atleast_2d(images))[0][layer - 1][:, neuron]


# ---------------------------------------------------------------------- random images
NOISE_KINDS = ("uniform", "gaussian", "blank-white", "blank-black", "salt-pepper")


def noise_images(kind: str, count: int, seed: int = 0) -> np.ndarray:
    """``count`` random images: (count, 784) float32 in [0, 1], MNIST polarity (1 = white ink).

    uniform      every pixel uniform in [0, 1]
    gaussian     every pixel N(0.5, 0.25²), clipped to [0, 1]
    blank-white  all ones: white ink everywhere
    blank-black  all zeros: no ink at all (an empty MNIST image)
    salt-pepper  every pixel black (0) or white (1), each with probability ½
    """
    if kind not in NOISE_KINDS:
        raise ValueError(f"unknown noise kind {kind!r}; choose one of {', '.join(NOISE_KINDS)}")
    count = int(count)
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    rng = np.random.default_rng(seed)
    if kind == "uniform":
        images = rng.random((count, 784))
    elif kind == "gaussian":
        images = np.clip(rng.normal(0.5, 0.25, (count, 784)), 0, 1)
    elif kind == "blank-white":
        images = np.ones((count, 784))
    elif kind == "blank-black":
        images = np.zeros((count, 784))
    else:
        images = rng.integers(0, 2, (count, 784)).astype(np.float64)
    return images.astype(np.float32)


HISTOGRAM_EDGES = np.linspace(0, 1, 11)  # ten bins of top activation: [0, 0.1), …, [0.9, 1]


def noise_report(
    net: Network, kind: str, count: int, seed: int = 0, digits: npt.ArrayLike | None = None, engine: Any = "auto"
) -> dict[str, Any]:
    """What the network answers for ``count`` random images of ``kind`` (see ``noise_images``).

    Returns a dict: ``count``, ``kind``, ``seed``, ``answers`` (how many noise images were
    answered as each digit: ten counts summing to ``count``), ``shares`` (the same as fractions),
    ``mean_top_activation_noise`` (the mean of each image's largest output activation) and
    ``top_activation_histogram_noise`` (counts in the ten bins ``histogram_edges``); with real
    ``digits`` (n, 784) the same for them (``mean_top_activation_digits``,
    ``top_activation_histogram_digits``), else None.
    """
    images = noise_images(kind, count, seed)
    outputs = net.outputs(images, engine=engine)
    answers = np.bincount(outputs.argmax(axis=1), minlength=net.sizes[-1])
    top = outputs.max(axis=1).astype(np.float64)
    report = {
        "count": int(count),
        "kind": kind,
        "seed": seed,
        "answers": answers.tolist(),
        "shares": (answers / count).tolist(),
        "mean_top_activation_noise": float(top.mean()),
        "histogram_edges": HISTOGRAM_EDGES.tolist(),
        "top_activation_histogram_noise": _histogram(top),
        "mean_top_activation_digits": None,
        "top_activation_histogram_digits": None,
    }
    if digits is not None:
        digit_top = net.outputs(np.asarray(digits), engine=engine).max(axis=1).astype(np.float64)
        report.update(
            mean_top_activation_digits=float(digit_top.mean()), top_activation_histogram_digits=_histogram(digit_top)
        )
    return report


def _histogram(values):
    return np.histogram(np.clip(values, 0, 1), bins=HISTOGRAM_EDGES)[0].tolist()


# ---------------------------------------------------------------------- the cost over a set
def cost_contrast(net: Network, images: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """The average cost over a set, and its two extremes, as in the video.

    Returns ``average_cost`` (mean C_x over ``images`` (n, 784)), ``confident`` (the cheapest
    example the network gets right) and ``trash`` (the most expensive example, the "utter
    trash" answer): each {"index", "label", "digit", "cost"}, ``confident`` None if none is right.
    """
    images, labels = _as_batch(net, images, labels)
    chunks = [slice(start, start + BACKPROP_CHUNK) for start in range(0, len(images), BACKPROP_CHUNK)]
    costs = np.concatenate([net.example_costs(images[c], labels[c]) for c in chunks]).astype(np.float64)
    digits = net.predict(images)
    right = np.flatnonzero(digits == labels)

    def example(index):
        return {
            "index": int(index),
            "label": int(labels[index]),
            "digit": int(digits[index]),
            "cost": float(costs[index]),
        }

    return {
        "average_cost": float(costs.mean()),
        "count": int(len(images)),
        "confident": example(right[costs[right].argmin()]) if right.size else None,
        "trash": example(costs.argmax()),
    }


# ---------------------------------------------------------------------- activations, layer by layer
def layer_activations(net: Network, image: npt.ArrayLike, connections: int = 40) -> dict[str, Any]:
    """Every neuron's activation for one ``image`` (784,), and the strongest connections.

    Returns ``activations`` (one list per layer, the input first), ``digit`` (the most active
    output), and ``connections``: for each weight layer l (from 1), the ``connections``
    largest terms w·a of the weighted sums, as {"layer", "rank" (0 = strongest in its layer),
    "from", "to", "weight", "contribution"}
    ("from" indexes layer l − 1, input pixels counting row by row; "contribution" = weight ×
    the activation it multiplies, so it says how much that line pushes the neuron up or down).
    """
    activations = net.feedforward(np.asarray(image), every_layer=True)
    strongest = []
    for l, W in enumerate(net.weights, 1):
        contributions = W.astype(np.float64) * activations[l - 1].astype(np.float64)[None, :]
        order = np.argsort(-np.abs(contributions), axis=None, kind="stable")[:connections]
        for rank, (to, source) in enumerate(zip(*np.unravel_index(order, W.shape))):
            strongest.append(
                {
                    "layer": l,
                    "rank": rank,
                    "from": int(source),
                    "to": int(to),
                    "weight": float(W[to, source]),
                    "contribution": float(contributions[to, source]),
                }
            )
    return {
        "activations": [a.astype(np.float64).tolist() for a in activations],
        "digit": int(activations[-1].argmax()),
        "connections": strongest,
    }


# ---------------------------------------------------------------------- the cost landscape
def cost_landscape(
    net: Network,
    images: npt.ArrayLike,
    labels: npt.ArrayLike,
    span: float | None = None,
    points: int = 41,
    grid: int = 31,
    steps: int = 5,
    lr: float | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """The cost around the current parameters θ₀, along −∇C and on a 2-D slice, with descent steps.

    Directions (unit vectors in the 13,002-dimensional parameter space): ``d1`` = −∇C/‖∇C‖ at θ₀,
    ``d2`` a seeded random direction made orthogonal to d1.  Computed in float64 on ``images``
    (n, 784) or one (784,) with their ``labels``.

    ``steps`` gradient-descent steps θ ← θ − lr ∇C(θ) (``lr`` default: the learning rate the
    network was trained with, else 1.0) give the ``path``: each step's coordinates
    (d1·(θ − θ₀), d2·(θ − θ₀)), its true cost, and ``off_slice`` (how far θ has left the 2-D
    slice, as the path bends away from it).  ``span`` (default: 1.5 × the path's reach along d1,
    at least 10 × lr‖∇C‖) sets both slices' extent: offsets in [−span, span].

    Returns a dict: ``offsets`` (``points`` evenly spread, plus 21 more within span/10 of 0; odd
    counts, so t = 0 is among them — an even ``points`` or ``grid`` is rounded up to odd) and
    ``costs_1d`` (the 1-D slice C(θ₀ + t d1)), ``slope_at_zero``
    (dC/dt at t = 0, which is −‖∇C‖), ``grid_offsets`` and ``costs_2d`` (rows: d2 offsets,
    columns: d1 offsets), ``path``, ``gradient_norm``, ``lr``, ``cost``, ``examples``.
    """
    images, labels = _as_batch(net, images, labels)
    images = as_pixels(images, np.float64)  # converted once, not at each of ~1,000 costs
    twin = net.astype(np.float64)
    start = twin.get_parameters()
    lr = float(lr if lr is not None else net.recipe.get("lr", 1.0))

    def cost_at(parameters):
        twin.set_parameters(parameters)
        return twin.cost(images, labels)

    def gradient_at(parameters):
        twin.set_parameters(parameters)
        return -_flat(negative_gradient(twin, images, labels))

    gradient = gradient_at(start)
    norm = float(np.linalg.norm(gradient))
    if norm == 0:
        raise ValueError("∇C is exactly zero here: there is no downhill direction to slice along")
    d1 = -gradient / norm
    d2 = np.random.default_rng(seed).standard_normal(start.size)
    d2 -= (d2 @ d1) * d1
    d2 /= np.linalg.norm(d2)

    path, parameters = [], start.copy()
    for step in range(steps + 1):
        shift = parameters - start
        along, across = float(shift @ d1), float(shift @ d2)
        path.append(
            {
                "step": step,
                "d1": along,
                "d2": across,
                "cost": cost_at(parameters),
                "off_slice": float(np.linalg.norm(shift - along * d1 - across * d2)),
            }
        )
        if step < steps:
            parameters = parameters - lr * gradient_at(parameters)
    if span is None:
        span = max(1.5 * max(abs(p["d1"]) for p in path), 10 * lr * norm)
    # The 1-D slice is sampled more densely near 0, where the tangent touches it.
    offsets = np.union1d(_symmetric(span, points), _symmetric(span / 10, 21))
    grid_offsets = _symmetric(span, grid)
    costs_1d = [cost_at(start + t * d1) for t in offsets]
    costs_2d = [[cost_at(start + s * d1 + t * d2) for s in grid_offsets] for t in grid_offsets]
    return {
        "examples": int(len(images)),
        "cost": path[0]["cost"],
        "gradient_norm": norm,
        "lr": lr,
        "span": float(span),
        "offsets": offsets.tolist(),
        "costs_1d": costs_1d,
        "slope_at_zero": -norm,
        "grid_offsets": grid_offsets.tolist(),
        "costs_2d": costs_2d,
        "path": path,
    }


def _symmetric(reach, count):
    """``count`` (odd) evenly spaced offsets from −reach to reach, mirror images, with 0 exactly."""
    half = np.linspace(0, reach, count // 2 + 1)
    return np.concatenate([-half[:0:-1], half])


def _flat(gradient):
    """A Gradient as one float64 vector in ``get_parameters`` order."""
    return flatten(gradient.weights, gradient.biases, np.float64)


# ---------------------------------------------------------------------- mistakes
def confusion_matrix(labels: npt.ArrayLike, predictions: npt.ArrayLike, classes: int = 10) -> np.ndarray:
    """counts[true, predicted]: (classes, classes) ints."""
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(labels), np.asarray(predictions)), 1)
    return counts


def confident_mistakes(
    net: Network, images: np.ndarray, labels: np.ndarray, count: int = 16, engine: Any = "auto"
) -> list[dict[str, Any]]:
    """The ``count`` wrong answers the network is surest of, surest first.

    Each is {"index", "label" (the true digit), "digit" (the answer), "confidence" (the answer's
    output activation)}.
    """
    outputs = net.outputs(images, engine=engine)
    digits = outputs.argmax(axis=1)
    wrong = np.flatnonzero(digits != np.asarray(labels))
    confidence = outputs[wrong, digits[wrong]].astype(np.float64)
    order = wrong[np.argsort(-confidence, kind="stable")][:count]
    return [
        {"index": int(i), "label": int(labels[i]), "digit": int(digits[i]), "confidence": float(outputs[i, digits[i]])}
        for i in order
    ]

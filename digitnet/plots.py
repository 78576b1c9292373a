"""Figures for the lessons in ``digitnet.insight``, drawn with matplotlib (no pyplot: no window, no global state).

Every function takes the lesson's data and returns a ``matplotlib.figure.Figure``;
``save_figure`` writes it atomically.  Conventions, as in the videos: signed quantities
(weights, nudges) use a diverging map centred on 0, blue negative and red positive, with a
colour bar; pixels and activations are black (0) to white (1), MNIST's polarity.
Only the command line and scripts import this module, so the library needs no matplotlib.
"""

import math
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Rectangle

from .files import atomic_write
from .insight import as_pixels, describe_term

SIGNED = "RdBu_r"  # blue < 0 < red
PIXELS = "gray"  # 0 black … 1 white
FORMATS = ("png", "svg", "pdf")


def check_figure_path(path):
    """The figure format named by ``path``'s suffix (png, svg or pdf); ValueError for any other."""
    kind = Path(path).suffix.lower().lstrip(".")
    if kind not in FORMATS:
        raise ValueError(f"cannot draw a figure as {Path(path).name!r}: use a .png, .svg or .pdf file name")
    return kind


def save_figure(figure, path, dpi=110):
    """Write ``figure`` to ``path`` (.png, .svg or .pdf, from the suffix) via a temporary file."""
    kind = check_figure_path(path)
    with atomic_write(path) as file:
        figure.savefig(file, format=kind, dpi=dpi, bbox_inches="tight")


def _symmetric_limit(arrays):
    """The largest |value|: the colour scale runs from −limit (blue) to +limit (red)."""
    limit = max(float(np.abs(a).max()) for a in arrays)
    return limit if limit > 0 else 1.0


def _image_grid(container, pictures, titles, cmap, vmin, vmax, columns=None):
    """Draw (n, 28, 28) ``pictures`` in a grid on ``container`` (a Figure or SubFigure); return the last image."""
    count = len(pictures)
    columns = columns or math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    axes = np.atleast_1d(container.subplots(rows, columns, squeeze=False)).ravel()
    image = None
    for ax, picture, title in zip(axes, pictures, titles):
        image = ax.imshow(picture, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
        ax.set_title(title, fontsize=7 if count <= 36 else 5, pad=2)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes[count:]:
        ax.set_visible(False)
    return image, axes


def _neuron_titles(count, biases=None):
    if biases is None or count > 36:
        return [f"neuron {i}" if count <= 36 else str(i) for i in range(count)]
    return [f"neuron {i}\nb = {b:+.2f}" for i, b in enumerate(biases)]


def _panel_width(count):
    return 1.05 * math.ceil(math.sqrt(count)) + 1.2


# ---------------------------------------------------------------------- 1. what neurons look for
def first_layer_figure(pictures, biases, title="What the first hidden layer looks for"):
    """Each first-layer neuron's 784 weights as a 28×28 picture (blue negative, red positive), with its bias."""
    size = _panel_width(len(pictures))
    figure = Figure(figsize=(size, size * 0.95 + 0.6), layout="constrained")
    limit = _symmetric_limit([pictures])
    image, axes = _image_grid(figure, pictures, _neuron_titles(len(pictures), biases), SIGNED, -limit, limit)
    figure.colorbar(
        image, ax=axes.tolist(), shrink=0.6, label="weight (red: ink here raises the neuron, blue: lowers it)"
    )
    figure.suptitle(title)
    return figure


def deeper_layer_figure(linear, maximized, biases, layer, reached=None, start=0.5, output_layer=False):
    """For a layer with no pixel weights: the linear view (signed) and activation maximization (pixels).

    ``reached``: each neuron's activation on its maximizing input; ``start``: the pixel value the
    gradient ascent started from.
    """
    count = len(linear)
    size = _panel_width(count)
    figure = Figure(figsize=(2 * size + 0.8, size * 0.95 + 0.9), layout="constrained")
    left, right = figure.subfigures(1, 2, wspace=0.04)
    limit = _symmetric_limit([linear])
    linear_titles = _neuron_titles(count, biases)
    if output_layer and count <= 36:
        linear_titles = [f"digit {i}\nb = {b:+.2f}" for i, b in enumerate(biases)]
    image, axes = _image_grid(left, linear, linear_titles, SIGNED, -limit, limit)
    left.colorbar(image, ax=axes.tolist(), shrink=0.6, label="pulled-back weight")
    left.suptitle(f"Linear view: W[{layer}] ⋯ W[1], ignoring σ and biases", fontsize=10)
    titles = [f"digit {i}" for i in range(count)] if output_layer else _neuron_titles(count)
    if reached is not None and count <= 36:
        titles = [f"{title}\na = {a:.2f}" for title, a in zip(titles, reached)]
    image, axes = _image_grid(right, maximized, titles, PIXELS, 0, 1)
    right.colorbar(image, ax=axes.tolist(), shrink=0.6, label="pixel (0 black … 1 white ink)")
    colour = "grey" if start == 0.5 else "black" if start == 0 else f"pixels at {start:g}"
    right.suptitle(
        f"Activation maximization: an input that excites it\n(gradient ascent from {colour}; a = activation reached)",
        fontsize=10,
    )
    figure.suptitle(
        "What the output neurons respond to" if output_layer else f"What the neurons of layer {layer} respond to"
    )
    return figure


# ---------------------------------------------------------------------- 2. the cost of one example
def cost_figure(image, breakdown, title=None):
    """The digit, its ten outputs against the wanted values, and each output's term of the cost."""
    figure = Figure(figsize=(9.5, 4.2), layout="constrained")
    picture_ax, bars_ax = figure.subplots(1, 2, width_ratios=[1, 2.6])
    picture_ax.imshow(as_pixels(image).reshape(28, 28), cmap=PIXELS, vmin=0, vmax=1)
    picture_ax.set_title(f"label {breakdown['label']}, answered {breakdown['digit']}")
    picture_ax.set_xticks([])
    picture_ax.set_yticks([])
    digits = np.arange(len(breakdown["outputs"]))
    colours = ["tab:green" if d == breakdown["label"] else "tab:gray" for d in digits]
    bars_ax.barh(digits, breakdown["outputs"], color=colours, height=0.6, label="output activation")
    bars_ax.scatter(breakdown["wanted"], digits, marker="|", s=260, color="black", zorder=3, label="wanted output")
    bars_ax.set_yticks(digits)
    bars_ax.set_ylim(len(digits) - 0.5, -0.5)
    bars_ax.set_ylabel("output neuron (digit)")
    bars_ax.set_xlim(0, 2.25)
    bars_ax.set_xticks([0, 0.25, 0.5, 0.75, 1])
    bars_ax.set_xlabel("activation")
    for digit, (output, wanted, term) in enumerate(
        zip(breakdown["outputs"], breakdown["wanted"], breakdown["squared_differences"])
    ):
        text = describe_term(breakdown["cost_name"], output, wanted, term, breakdown["output_activation"])
        bars_ax.text(1.08, digit, text, va="center", fontsize=9, family="monospace")
    bars_ax.legend(loc="lower right", fontsize=8)
    cost_words = "Cost" if breakdown["cost_name"] == "quadratic" else "Cost (cross-entropy)"
    bars_ax.set_title(f"{cost_words}: {breakdown['cost']:.4g}")
    figure.suptitle(title or "The cost of one example")
    return figure


# ---------------------------------------------------------------------- 3. the nudges
def gradient_figure(first_layer_nudges, title="−∇C for the first layer's weights"):
    """The first layer's part of −∇C as 28×28 pictures: red pixels' weights should grow, blue shrink."""
    count = len(first_layer_nudges)
    size = _panel_width(count)
    figure = Figure(figsize=(size, size * 0.95 + 0.6), layout="constrained")
    limit = _symmetric_limit([first_layer_nudges])
    norms = [float(np.linalg.norm(n)) for n in first_layer_nudges]
    titles = [f"neuron {i}\n‖·‖ = {norm:.2g}" for i, norm in enumerate(norms)] if count <= 36 else None
    image, axes = _image_grid(figure, first_layer_nudges, titles or _neuron_titles(count), SIGNED, -limit, limit)
    figure.colorbar(image, ax=axes.tolist(), shrink=0.6, label="nudge −∂C/∂w (red: increase, blue: decrease)")
    figure.suptitle(title)
    return figure


# ---------------------------------------------------------------------- 4. random images
def noise_figure(images, outputs, report, shown=8):
    """The ``shown`` noise images the network is surest about, with its answers, and its confidence
    on noise versus real digits (``report`` from ``insight.noise_report``)."""
    figure = Figure(figsize=(11, 5.6), layout="constrained")
    top, bottom = figure.subfigures(2, 1, height_ratios=[1, 1.5])
    outputs = np.asarray(outputs)
    surest = np.argsort(-outputs.max(axis=1), kind="stable")[:shown]
    axes = np.atleast_1d(top.subplots(1, len(surest), squeeze=False)).ravel()
    for ax, image, output in zip(axes, as_pixels(images)[surest], outputs[surest]):
        ax.imshow(image.reshape(28, 28), cmap=PIXELS, vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"says {int(np.argmax(output))}\n({float(np.max(output)):.2f})", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    top.suptitle(
        f"{report['kind']} noise: the network still picks a digit, sometimes confidently "
        "(the answer's output activation)",
        fontsize=10,
    )
    answers_ax, spread_ax = bottom.subplots(1, 2)
    answers_ax.bar(range(len(report["shares"])), report["shares"], color="tab:purple")
    answers_ax.set_xticks(range(len(report["shares"])))
    answers_ax.set_xlabel("digit answered")
    answers_ax.set_ylabel("share of noise images")
    answers_ax.set_title(f"What {report['count']:,} noise images are called")
    edges = np.asarray(report["histogram_edges"])
    centres, width = (edges[:-1] + edges[1:]) / 2, np.diff(edges)
    noise = np.asarray(report["top_activation_histogram_noise"]) / report["count"]
    spread_ax.bar(
        centres - width / 5,
        noise,
        width=width * 0.4,
        color="tab:purple",
        label=f"noise (mean {report['mean_top_activation_noise']:.2f})",
    )
    if report.get("top_activation_histogram_digits") is not None:
        counts = np.asarray(report["top_activation_histogram_digits"])
        spread_ax.bar(
            centres + width / 5,
            counts / counts.sum(),
            width=width * 0.4,
            color="tab:green",
            label=f"real test digits (mean {report['mean_top_activation_digits']:.2f})",
        )
    spread_ax.set_xlim(0, 1)
    spread_ax.set_xlabel("top output activation (how sure it sounds)")
    spread_ax.set_ylabel("share of images")
    spread_ax.set_title("Confidence on noise and on digits")
    spread_ax.legend(fontsize=8, loc="upper left")
    return figure


# ---------------------------------------------------------------------- 5. activations, layer by layer
def activations_figure(layers, title=None, max_drawn=40):
    """The network as columns of neurons shaded by activation (black 0 … white 1), the input as its
    28×28 grid, the strongest connections (red pushes up, blue pushes down), the answer highlighted.

    ``layers`` is ``insight.layer_activations``' result.  Layers with more than ``max_drawn``
    neurons show their ``max_drawn`` most active ones.
    """
    activations = [np.asarray(a) for a in layers["activations"]]
    figure = Figure(figsize=(3 + 2.2 * (len(activations) - 1), 6.4), layout="constrained")
    ax = figure.subplots()
    ax.imshow(
        activations[0].reshape(28, 28),
        cmap=PIXELS,
        vmin=0,
        vmax=1,
        extent=(0, 2.8, -1.4, 1.4),
        interpolation="nearest",
        zorder=1,
    )
    ax.add_patch(Rectangle((0, -1.4), 2.8, 2.8, fill=False, edgecolor="0.5", linewidth=0.8, zorder=2))
    positions = [lambda pixel: (0.05 + 0.1 * (pixel % 28), 1.35 - 0.1 * (pixel // 28))]
    shown = [np.arange(784)]
    for l, a in enumerate(activations[1:], 1):
        drawn = np.sort(np.argsort(-a, kind="stable")[:max_drawn])
        shown.append(drawn)
        spacing = min(0.3, 5.6 / max(len(drawn), 1))
        place = {int(n): (2.8 + 1.8 * l, spacing * ((len(drawn) - 1) / 2 - k)) for k, n in enumerate(drawn)}
        positions.append(lambda neuron, place=place: place.get(int(neuron)))
    half_height = max([1.4] + [min(0.3, 5.6 / len(d)) * (len(d) - 1) / 2 + 0.15 for d in shown[1:]])
    strongest = max((abs(c["contribution"]) for c in layers["connections"]), default=1.0) or 1.0
    for c in layers["connections"]:
        start, end = positions[c["layer"] - 1](c["from"]), positions[c["layer"]](c["to"])
        if start is None or end is None:
            continue
        ax.plot(
            [start[0], end[0]],
            [start[1], end[1]],
            color="tab:red" if c["contribution"] > 0 else "tab:blue",
            linewidth=0.3 + 2.2 * abs(c["contribution"]) / strongest,
            alpha=0.55,
            zorder=2 if c["layer"] == 1 else 0,
        )  # lines from the input start on their pixels
    cmap = matplotlib.colormaps[PIXELS]
    answer = layers["digit"]
    for l, (a, drawn) in enumerate(zip(activations[1:], shown[1:]), 1):
        radius = min(0.12, 0.4 * min(0.3, 5.6 / max(len(drawn), 1)))
        last = l == len(activations) - 1
        for neuron in drawn:
            x, y = positions[l](neuron)
            highlight = last and neuron == answer
            ax.add_patch(
                Circle(
                    (x, y),
                    radius,
                    facecolor=cmap(float(a[neuron])),
                    zorder=3,
                    edgecolor="gold" if highlight else "0.3",
                    linewidth=2.5 if highlight else 0.8,
                )
            )
            if last:
                ax.text(
                    x + radius + 0.08,
                    y,
                    f"{neuron}  {a[neuron]:.2f}",
                    va="center",
                    fontsize=9,
                    fontweight="bold" if highlight else "normal",
                )
        label = "output" if last else f"layer {l}"
        extra = f" ({len(drawn)} of {len(a)} shown)" if len(drawn) < len(a) else ""
        ax.text(2.8 + 1.8 * l, -half_height - 0.3, f"{label}{extra}", ha="center", fontsize=9)
    ax.text(1.4, -1.6, "input (28×28)", ha="center", va="top", fontsize=9)
    ax.set_xlim(-0.1, 2.8 + 1.8 * (len(activations) - 1) + 1.2)
    ax.set_ylim(-half_height - 0.45, half_height + 0.1)
    ax.set_aspect("equal")
    ax.axis("off")
    mappable = ScalarMappable(norm=Normalize(0, 1), cmap=cmap)
    figure.colorbar(mappable, ax=ax, shrink=0.5, label="activation")
    per_layer = max((c["rank"] + 1 for c in layers["connections"]), default=0)
    ax.set_title(
        f"lines: the {per_layer} strongest terms w·a of each layer's weighted sums "
        "(red pushes the neuron up, blue down)",
        fontsize=9,
    )
    figure.suptitle(title or f"Activations, layer by layer: the network answers {answer}")
    return figure


# ---------------------------------------------------------------------- 6. the cost landscape
def landscape_figure(landscape, title=None):
    """Left: the cost along −∇C with the slope at zero.  Right: the cost on a 2-D slice with the descent path."""
    figure = Figure(figsize=(12, 4.8), layout="constrained")
    line_ax, map_ax = figure.subplots(1, 2)
    offsets, costs = np.asarray(landscape["offsets"]), np.asarray(landscape["costs_1d"])
    line_ax.plot(offsets, costs, color="black", label="C(θ₀ + t·d₁)")
    slope = abs(landscape["slope_at_zero"]) or 1.0
    rise = max(float(np.ptp(costs)), 1e-12)  # the tangent stays within the curve's height
    reach = np.linspace(-1, 1, 3) * min(landscape["span"] / 3, rise / (2 * slope))
    line_ax.plot(
        reach,
        landscape["cost"] + landscape["slope_at_zero"] * reach,
        color="tab:orange",
        linewidth=2,
        label=f"slope at 0: −‖∇C‖ = {landscape['slope_at_zero']:.3g}",
    )
    path = landscape["path"]
    line_ax.plot(
        [p["d1"] for p in path],
        [p["cost"] for p in path],
        "o",
        color="tab:red",
        markersize=5,
        label=f"{len(path) - 1} descent steps (lr {landscape['lr']:g}; true cost)",
    )
    line_ax.set_xlabel("t: distance along d₁ = −∇C/‖∇C‖")
    line_ax.set_ylabel("cost C")
    line_ax.set_title("Along the downhill direction")
    line_ax.legend(fontsize=8)
    grid = np.asarray(landscape["grid_offsets"])
    surface = map_ax.contourf(grid, grid, np.asarray(landscape["costs_2d"]), levels=20, cmap="viridis")
    map_ax.contour(grid, grid, np.asarray(landscape["costs_2d"]), levels=20, colors="white", linewidths=0.3)
    map_ax.plot(
        [p["d1"] for p in path],
        [p["d2"] for p in path],
        "-o",
        color="tab:red",
        markersize=4,
        label="gradient-descent path (projected)",
    )
    map_ax.plot(0, 0, "*", color="white", markeredgecolor="black", markersize=14, label="θ₀ (the network now)")
    map_ax.set_xlabel("along d₁ = −∇C/‖∇C‖")
    map_ax.set_ylabel("along d₂ (random, ⊥ d₁)")
    map_ax.set_title("A 2-D slice of the cost")
    map_ax.legend(fontsize=8, loc="upper left")
    map_ax.set_aspect("equal")
    figure.colorbar(surface, ax=map_ax, label="cost C")
    figure.suptitle(title or f"The cost landscape around the trained weights ({landscape['examples']} examples)")
    return figure


# ---------------------------------------------------------------------- 7. history and mistakes
def history_figure(history, title="Training history"):
    """Cost and accuracy per epoch, from a model's saved history."""
    figure = Figure(figsize=(10, 4), layout="constrained")
    cost_ax, accuracy_ax = figure.subplots(1, 2)
    epochs = [record["epoch"] for record in history]
    for split, colour in (("train", "tab:blue"), ("test", "tab:orange")):
        costs = [record.get(f"{split}_cost") for record in history]
        accuracies = [record.get(f"{split}_accuracy") for record in history]
        if any(c is not None for c in costs):
            cost_ax.plot(
                epochs, [np.nan if c is None else c for c in costs], "-o", markersize=3, color=colour, label=split
            )
        if any(a is not None for a in accuracies):
            accuracy_ax.plot(
                epochs,
                [np.nan if a is None else 100 * a for a in accuracies],
                "-o",
                markersize=3,
                color=colour,
                label=split,
            )
    cost_ax.set_xlabel("epoch")
    cost_ax.set_ylabel("average cost")
    cost_ax.set_title("Cost")
    accuracy_ax.set_xlabel("epoch")
    accuracy_ax.set_ylabel("accuracy (%)")
    accuracy_ax.set_title("Accuracy")
    for ax in (cost_ax, accuracy_ax):
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=8)
    figure.suptitle(title)
    return figure


def confusion_figure(matrix, mistakes, mistake_images, title="Where the network goes wrong"):
    """The confusion matrix (coloured by share of each true digit, counts written) and the surest mistakes."""
    matrix = np.asarray(matrix)
    figure = Figure(figsize=(13, 5.6), layout="constrained")
    left, right = figure.subfigures(1, 2, width_ratios=[1.1, 1])
    ax = left.subplots()
    shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for (row, column), count in np.ndenumerate(matrix):
        if count:
            ax.text(
                column,
                row,
                str(count),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if shares[row, column] > 0.5 else "black",
            )
    ax.set_xticks(range(len(matrix)))
    ax.set_yticks(range(len(matrix)))
    ax.set_xlabel("network's answer")
    ax.set_ylabel("true digit")
    ax.set_title("Confusion matrix (counts)")
    left.colorbar(image, ax=ax, shrink=0.8, label="share of the true digit's images")
    if len(mistakes):
        titles = [f"true {m['label']} → {m['digit']}\n({m['confidence']:.2f})" for m in mistakes]
        _image_grid(right, as_pixels(mistake_images).reshape(-1, 28, 28), titles, PIXELS, 0, 1)
    right.suptitle("Its most confident mistakes (answer's activation)", fontsize=10)
    figure.suptitle(title)
    return figure

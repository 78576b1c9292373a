"""Benchmark: why drawn digits fail, measured. One JSON object.

    DIGITNET_DATA=../shared/mnist python benchmarks/drawn_digits.py [--compare NAME=MODEL ...] \
        [--out benchmarks/results/drawn_digits.json]

For the drawn digits (the tuning hand's tests/data/drawn_digits; 200 MNIST test digits drawn again
by the tuning generator, clean and photographed on paper; the validation pictures the shipped
networks' recipes were chosen on, by kind: font, hand, redrawn, paper (scripts/drawing_validation.py,
200 of each); the evaluation pictures by kind: mouse, font, photographed paper) and MNIST's test
digits, after preprocessing:

    properties   medians of stroke width (``digitnet.images.stroke_width``), ink height and width
                 (rows and columns with ink above 0.2), |slant| (the ink's column-on-row
                 regression slope), centre of mass, total ink
    accuracy     the share read right by each shipped network with the full pipeline, and with
                 one preprocessing step left out at a time: the local background (the border's
                 median subtracted instead), the share of the paper's light (the local background
                 subtracted, not divided by the paper's light), the two-tone rule (the local
                 background always subtracted), the piece filter (specks and edge pieces kept),
                 the stroke thinning, the preference for dark ink in photographs (light and dark
                 strokes weighed evenly), the mending of bold strokes' middles, the cutting off of
                 bands along a photo's edges, bringing the strongest quarter of the ink to full
                 strength, the polarity read from the border's tone alone (> ½: light paper), and
                 with the polarity forced wrong (ink dark on light).
    moved_mnist  the share of the first 5,000 MNIST test digits read right by each shipped
                 network when all of them are moved one way by one fixed amount
                 (``digitnet.augment``): thicker or thinner strokes, slant, wider or narrower,
                 bigger or smaller, turned, shifted diagonally; how much each difference between
                 a drawing and an MNIST digit costs the network on its own.
"""

import argparse
import io
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from machine import report  # benchmarks/machine.py

import digitnet
import digitnet.images as images
from digitnet.augment import Augmentation
from digitnet.models import SHIPPED, load_shipped

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
sys.path.insert(0, str(DATA.parent.parent / "scripts"))

from digit_check_pictures import redrawn  # noqa: E402
from drawing_validation import pictures as validation_pictures  # noqa: E402
from tuning_pictures import on_paper  # noqa: E402


def properties(pixels):
    """Medians of the preprocessed digits' shape measurements: (n, 784) → dict."""
    squares = np.asarray(pixels, np.float64).reshape(-1, 28, 28)
    grid = np.arange(28)
    mass = squares.sum(axis=(1, 2))
    rows = (squares.sum(axis=2) * grid).sum(axis=1) / mass
    cols = (squares.sum(axis=1) * grid).sum(axis=1) / mass
    inked_rows, inked_cols = (squares > 0.2).any(axis=2), (squares > 0.2).any(axis=1)
    dy = grid[None, :, None] - rows[:, None, None]
    dx = grid[None, None, :] - cols[:, None, None]
    slant = (squares * dy * dx).sum(axis=(1, 2)) / (squares * dy * dy).sum(axis=(1, 2))
    return {
        "stroke_width": float(np.median([images.stroke_width(s) for s in squares])),
        "height": float(np.median(inked_rows.sum(axis=1))),
        "width": float(np.median(inked_cols.sum(axis=1))),
        "abs_slant": float(np.median(np.abs(slant))),
        "centre_row": float(np.median(rows)),
        "centre_col": float(np.median(cols)),
        "ink": float(np.median(mass)),
    }


@contextmanager
def without(step):
    """Preprocessing with one step left out (``step`` None: the full pipeline)."""
    names = ("local_background", "keep_the_drawing", "_thin", "ink_map", "_light_background", "is_two_tone")
    names += ("share_of_paper_light", "LIGHT_INK_MARGIN", "_hollowed", "edge_bands", "_full_strength")
    saved = {name: getattr(images, name) for name in names}
    if step == "local background":
        images.local_background = lambda ink, side=None, window=None: np.zeros_like(ink)
    elif step == "share of the paper's light":
        images.share_of_paper_light = lambda ink, background: ink - background
    elif step == "dark ink preferred":
        images.LIGHT_INK_MARGIN = 1.0
    elif step == "piece filter":
        images.keep_the_drawing = lambda ink, photographed=False: ink
    elif step == "stroke thinning":
        images._thin = lambda pixels: pixels
    elif step == "two-tone rule":
        images.is_two_tone = lambda ink: False
    elif step == "polarity from the border":
        images._light_background = lambda grey: np.median(np.r_[grey[0], grey[-1], grey[:, 0], grey[:, -1]]) > 0.5
    elif step == "bold strokes mended":
        images._hollowed = lambda pen, coarse: np.zeros(pen.shape, bool)
    elif step == "edge bands cut off":
        images.edge_bands = lambda mask: np.zeros(mask.shape, bool)
    elif step == "full strength":
        images._full_strength = lambda pixels: pixels
    elif step == "wrong polarity":
        images.ink_map = lambda rgba: 1 - saved["ink_map"](rgba)
    try:
        yield
    finally:
        for name, function in saved.items():
            setattr(images, name, function)


def redrawn_sets(test_images, test_labels, count=200):
    """MNIST test digits drawn again as pictures by the tuning generator
    (scripts/digit_check_pictures.py: enlarged, re-inked with pens of many widths), saved clean
    and photographed on a sheet on a desk: {kind: (pictures as bytes, label of each)}."""
    rng = np.random.default_rng(0)
    chosen = rng.choice(len(test_images), count, replace=False)
    drawn = [redrawn(test_images[k].reshape(28, 28), rng) for k in chosen]
    clean = []
    for picture in drawn:
        buffer = io.BytesIO()
        picture.save(buffer, "PNG")
        clean.append(buffer.getvalue())
    labels = [int(test_labels[k]) for k in chosen]
    return {"clean": (clean, labels), "paper": ([on_paper(picture, rng) for picture in drawn], labels)}


MOVES = {
    "thickness": (-1.0, -0.5, 0.5, 1.0, 2.0),
    "shear": (-0.4, -0.2, 0.2, 0.4),
    "aspect": (-0.3, 0.3),
    "scale": (-0.2, 0.2),
    "rotation": (-15.0, 15.0),
    "shift": (-2.0, 2.0),
}  # one move at a time, at these amounts (digitnet.augment's units)


class OneAmount:
    """A stand-in random generator for ``Augmentation.apply``: every draw is ``amount`` clipped to the
    draw's range, so the one move whose range holds it moves every image by exactly that much."""

    def __init__(self, amount):
        self.amount = amount

    def uniform(self, low, high, size):
        return np.full(size, np.clip(self.amount, low, high))


def moved_accuracy(net, pixels, labels):
    """{move: {amount: share read right}} for MNIST digits moved by each of MOVES (None: unmoved)."""
    result = {"none": float((net.outputs(pixels).argmax(axis=1) == labels).mean())}
    for move, amounts in MOVES.items():
        moves = Augmentation(**{"shift": 0.0, "rotation": 0.0, move: abs(amounts[-1])})
        result[move] = {
            f"{amount:g}": float((net.outputs(moves.apply(pixels, OneAmount(amount))).argmax(axis=1) == labels).mean())
            for amount in amounts
        }
    return result


def read(paths):
    pixels = []
    for path in paths:
        try:
            pixels.append(images.image_to_input(path))
        except digitnet.errors.ImageError:
            pixels.append(np.zeros(784, np.float32))
    return np.array(pixels)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument(
        "--compare", action="append", default=[], metavar="NAME=MODEL", help="also measure this model file"
    )
    args = parser.parse_args()
    evaluation = sorted((DATA / "evaluation" / "digits").glob("*.*"))
    sets = {"tuning_hand": (sorted((DATA / "drawn_digits").glob("*.png")), lambda s: int(s.split("-")[1]))}
    for kind in ("mouse", "font", "paper"):
        sets[f"evaluation_{kind}"] = (
            [p for p in evaluation if p.stem.split("-")[1] == kind],
            lambda s: int(s.split("-")[0]),
        )
    networks = {name: load_shipped(name) for name in SHIPPED}
    networks.update({name: digitnet.Network.load(path) for name, path in (c.split("=", 1) for c in args.compare)})
    _, (test_images, test_labels) = digitnet.load_mnist()
    for kind, pictures in redrawn_sets(test_images, test_labels).items():
        sets[f"redrawn_{kind}"] = pictures
    validation = validation_pictures(200)
    for kind in ("font", "hand", "redrawn", "paper"):
        chosen = [(data, label) for data, label, made_as, _ in validation if made_as == kind]
        sets[f"validation_{kind}"] = ([data for data, _ in chosen], [label for _, label in chosen])
    result = {"properties": {"mnist_test": properties(test_images)}, "accuracy": {}}
    steps = (None, "local background", "share of the paper's light", "two-tone rule", "piece filter")
    steps += ("stroke thinning", "dark ink preferred", "bold strokes mended", "edge bands cut off", "full strength")
    steps += ("polarity from the border", "wrong polarity")
    for step in steps:
        with without(step):
            for label, (paths, label_of) in sets.items():
                pixels = read(paths)
                labels = np.array(label_of if isinstance(label_of, list) else [label_of(p.stem) for p in paths])
                if step is None:
                    result["properties"][label] = properties(pixels)
                for name, net in networks.items():
                    right = float((net.outputs(pixels).argmax(axis=1) == labels).mean())
                    result["accuracy"].setdefault(name, {}).setdefault(label, {})[step or "full pipeline"] = right
    result["moved_mnist"] = {
        name: moved_accuracy(net, test_images[:5000], test_labels[:5000]) for name, net in networks.items()
    }
    report(result, args.out)


if __name__ == "__main__":
    main()

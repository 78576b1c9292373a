"""Benchmark: plain strokes, the 1s people draw as one straight line, and the digit check.

    DIGITNET_DATA=../shared/mnist python benchmarks/plain_strokes.py [--out benchmarks/results/plain_strokes.json]

``LINES``: one straight black line on white, drawn as the explorer's canvas (140 pixels) or a
picture twice that size would hold it, pens 3–20 pixels on the 140-pixel canvas, upright or
leaning, half or 70% of the side long; each read by ``images.read_picture`` as a person's file.
Reported: how many of them the shipped digit check's network alone calls "not a digit" at the
shipped threshold, how many the whole path refuses (``predict_or_reject``, the plain-stroke rule
on) and reads as a 1, per shipped network.  And on MNIST's 60,000 training digits: how many are
plain strokes by ``digit_check.plain_strokes``, their labels, the share of the 1s that are, and
how far the 1s lean (``digit_check.ink_axis``).
"""

import argparse
import io
import itertools
from pathlib import Path

import numpy as np
from machine import cpu_model, report  # benchmarks/machine.py
from PIL import Image, ImageDraw

from digitnet import load_mnist
from digitnet.digit_check import ink_axis, plain_strokes, shipped_digit_check
from digitnet.drawing_check import is_drawing
from digitnet.images import read_picture
from digitnet.models import SHIPPED, load_shipped

WIDTHS, LEANS, LENGTHS, SIDES = (3, 6, 10, 14, 20), (0.0, 0.1, 0.25, -0.15), (0.5, 0.7), (140, 280)


def stroke_picture(strokes, width, side=140):
    """Strokes (lists of (x, y) in a unit box) drawn black on white with a pen ``width``/140 of the side: PNG bytes."""
    picture = Image.new("L", (side, side), 255)
    draw = ImageDraw.Draw(picture)
    for stroke in strokes:
        draw.line([(x * side, y * side) for x, y in stroke], fill=0, width=max(1, round(width * side / 140)))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def line_pictures():
    """Every line of the grid (side, width, lean, length): PNG bytes, in that order."""
    for side, width, lean, length in itertools.product(SIDES, WIDTHS, LEANS, LENGTHS):
        shift = lean * length / 2
        yield stroke_picture([[(0.5 + shift, 0.5 - length / 2), (0.5 - shift, 0.5 + length / 2)]], width, side)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    pictures = [read_picture(png) for png in line_pictures()]
    pixels = np.array([picture.pixels for picture in pictures])
    drawings = np.array([is_drawing(picture) for picture in pictures])
    check = shipped_digit_check()
    lines = {
        "count": len(pictures),
        "refused_by_the_check_alone": int((check.probability(pixels) > check.threshold).sum()),
    }
    for name in SHIPPED:
        verdict = load_shipped(name).predict_or_reject(pixels, drawings=drawings)
        lines[name] = {"refused": int(verdict.rejected.sum()), "read_as_1": int((verdict.digit == 1).sum())}
    (images, labels), _ = load_mnist()
    plain = plain_strokes(images)
    _, _, lean = ink_axis(images[labels == 1].reshape(-1, 28, 28).astype(np.float64))
    mnist = {
        "plain_strokes": int(plain.sum()),
        "their_labels": np.bincount(labels[plain], minlength=10).tolist(),
        "share_of_the_1s": float(plain[labels == 1].mean()),
        "share_of_the_1s_leaning_under_42_degrees": float((lean < 42).mean()),
    }
    report({"cpu": cpu_model(), "lines": lines, "mnist_training": mnist}, args.out)


if __name__ == "__main__":
    main()

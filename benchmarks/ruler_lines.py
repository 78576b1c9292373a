"""Benchmark: a ruler's line drawn under a digit, dropped by ``keep_the_drawing`` (``images._underlines``),
and what that rule costs digits that have no such line.  One JSON object.

    DIGITNET_DATA=../shared/mnist python benchmarks/ruler_lines.py [--count 5000] \
        [--out benchmarks/results/ruler_lines.json]

- ``mnist`` and ``mnist_cropped_tight``: the first ``count`` MNIST test digits as they are (28×28)
  and cropped to their ink with no margin (where a digit's foot can span the picture): how many
  inputs the rule changes, and the share each shipped network reads right with and without it.
- ``ruler_under_mnist``: ``count`` // 10 of those digits enlarged to 80–140 pixels tall on a 200×200
  white picture, with a dark straight line 2–4 pixels thick, 60–95% of the picture wide, tilted up
  to 4°, 6–30 pixels under the digit and not touching it: read with and without the rule, and
  without the line at all.
Nothing here is the evaluation set.
"""

import argparse
from pathlib import Path

import numpy as np
from machine import report  # benchmarks/machine.py
from PIL import Image, ImageDraw

import digitnet
from digitnet import images
from digitnet.errors import ImageError
from digitnet.models import load_shipped
from digitnet.pixels import pixel_values


def inputs(inks, rule=True):
    """(n, 784) inputs of ink maps (bright ink on black), with or without the underline rule."""
    kept = images._underlines
    if not rule:
        images._underlines = lambda labels, keep, boxes: np.zeros(len(keep), bool)
    try:
        made = []
        for ink in inks:
            try:
                made.append(images.to_mnist(ink))
            except ImageError:
                made.append(np.zeros(784, np.float32))
        return np.array(made)
    finally:
        images._underlines = kept


def with_ruler(digit, rng, line=True):
    """A 200×200 ink map: ``digit`` (28, 28) cropped, enlarged and placed, with a ruler's line under it."""
    rows, cols = np.nonzero(digit > 0.2)
    crop = digit[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    height = int(rng.integers(80, 141))
    width = max(1, round(crop.shape[1] * height / crop.shape[0]))
    big = np.asarray(Image.fromarray(crop.astype(np.float32), mode="F").resize((width, height), Image.BICUBIC))
    ink = Image.new("F", (200, 200), 0)
    top, left = int(rng.integers(5, 200 - height - 34)), (200 - width) // 2
    ink.paste(Image.fromarray(np.clip(big, 0, 1).astype(np.float32), mode="F"), (left, top))
    if line:
        length = rng.uniform(0.6, 0.95) * 200
        y = top + height + rng.uniform(6, 30)
        tilt = np.tan(np.radians(rng.uniform(-4, 4))) * length / 2
        x0 = rng.uniform(0, 200 - length)
        ImageDraw.Draw(ink).line([(x0, y - tilt), (x0 + length, y + tilt)], fill=1.0, width=int(rng.integers(2, 5)))
    return np.asarray(ink, np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    nets = {name: load_shipped(name) for name in ("3b1b", "big")}
    _, (test_images, test_labels) = digitnet.load_mnist()
    digits = pixel_values(test_images[: args.count]).reshape(-1, 28, 28)
    labels = test_labels[: args.count]

    def tight(d):
        rows, cols = np.nonzero(d)
        return d[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]

    def read(x, y):
        return {name: float(np.mean(net.outputs(x).argmax(axis=1) == y)) for name, net in nets.items()}

    result = {}
    for name, inks in (("mnist", digits), ("mnist_cropped_tight", [tight(d) for d in digits])):
        on, off = inputs(inks), inputs(inks, rule=False)
        changed = int(np.sum(np.abs(on - off).max(axis=1) > 1e-6))
        result[name] = {
            "pictures": len(inks),
            "changed_by_the_rule": changed,
            "read": read(on, labels),
            "read_without_the_rule": read(off, labels),
        }
    rng = np.random.default_rng(5)
    few = np.arange(args.count // 10)
    ruled = [with_ruler(digits[k], rng) for k in few]
    rng = np.random.default_rng(5)
    plain = [with_ruler(digits[k], rng, line=False) for k in few]
    result["ruler_under_mnist"] = {
        "pictures": len(few),
        "read": read(inputs(ruled), labels[few]),
        "read_without_the_rule": read(inputs(ruled, rule=False), labels[few]),
        "read_with_no_line": read(inputs(plain), labels[few]),
    }
    report(result, args.out)


if __name__ == "__main__":
    main()

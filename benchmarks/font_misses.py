"""Benchmark: why the video's network misses printed digits that the big one reads (validation fonts only).

    DIGITNET_DATA=../shared/mnist python scripts/drawing_validation.py --out validation.npz
    DIGITNET_DATA=../shared/mnist python benchmarks/font_misses.py validation.npz \
        [--out benchmarks/results/font_misses.json]

On the validation pictures of kind "font" (digits printed in the installed fonts, read by
``digitnet.images``), for each shipped network: the share read right, per digit, for strokes
thinner and wider than 3.4 pixels (``images.stroke_width``), for upright and slanted digits (the
slope of the ink's principal axis, columns per row, below and above 0.1 in size), and the most
common misreadings; and the stroke widths and slopes of the font digits beside MNIST's test digits.
The evaluation pictures are never used here.
"""

import argparse
import collections
from pathlib import Path

import numpy as np
from machine import report  # benchmarks/machine.py

import digitnet
from digitnet.images import stroke_width
from digitnet.models import load_shipped

WIDE = 3.4  # pixels: strokes at least this wide count as wide
UPRIGHT = 0.1  # |slope| below this counts as upright


def slopes(squares):
    """(n, 784) digits (floats or uint8) → (n,) the slope of each one's ink: covariance(row, column) /
    variance(row), columns per row (0 upright; MNIST's median digit leans, at −0.09)."""
    squares = np.asarray(squares, np.float64).reshape(-1, 28, 28)
    rows, cols = np.mgrid[0:28, 0:28]
    mass = squares.sum(axis=(1, 2))
    mean_row = (squares * rows).sum(axis=(1, 2)) / mass
    mean_col = (squares * cols).sum(axis=(1, 2)) / mass
    down = rows - mean_row[:, None, None]
    variance = (squares * down**2).sum(axis=(1, 2)) / mass
    return (squares * down * (cols - mean_col[:, None, None])).sum(axis=(1, 2)) / mass / variance


def quartiles(values):
    return [round(float(q), 2) for q in np.quantile(values, [0.25, 0.5, 0.75])]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pictures", type=Path, help="an .npz of scripts/drawing_validation.py")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    pictures = np.load(args.pictures)
    font = pictures["kinds"] == "font"
    pixels, labels = pictures["pixels"][font], pictures["labels"][font]
    widths, slants = stroke_width(pixels), slopes(pixels)
    _, (test_images, _) = digitnet.load_mnist()
    mnist_widths, mnist_slants = stroke_width(test_images), slopes(test_images)
    result = {
        "pictures": int(font.sum()),
        "font_stroke_width_quartiles": quartiles(widths),
        "mnist_stroke_width_quartiles": quartiles(mnist_widths),
        "font_share_wide": float(np.mean(widths >= WIDE)),
        "mnist_share_wide": float(np.mean(mnist_widths >= WIDE)),
        "font_slope_quartiles": quartiles(slants),
        "mnist_slope_quartiles": quartiles(mnist_slants),
        "networks": {},
    }
    for name in ("3b1b", "big"):
        answers = load_shipped(name).outputs(pixels).argmax(axis=1)
        right = answers == labels
        wrong = collections.Counter(zip(labels[~right].tolist(), answers[~right].tolist()))
        result["networks"][name] = {
            "read": float(right.mean()),
            "read_per_digit": [round(float(right[labels == digit].mean()), 3) for digit in range(10)],
            "read_thin_strokes": float(right[widths < WIDE].mean()),
            "read_wide_strokes": float(right[widths >= WIDE].mean()),
            "read_upright": float(right[np.abs(slants) < UPRIGHT].mean()),
            "read_slanted": float(right[np.abs(slants) >= UPRIGHT].mean()),
            "misread_most_as": [[digit, answer, count] for (digit, answer), count in wrong.most_common(6)],
        }
    report(result, args.out)


if __name__ == "__main__":
    main()

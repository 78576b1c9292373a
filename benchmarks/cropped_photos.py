"""Benchmark: photos of a written digit cropped close to it by the person, one JSON object.

    DIGITNET_DATA=../shared/mnist python benchmarks/cropped_photos.py [--count 300] \
        [--out benchmarks/results/cropped_photos.json]

People crop a phone photo down to the digit before they send it, often to its very strokes.
Digits of the tuning drawing hand (tests/data/draw_test_images.py) are cut out with a margin of
30, 6, 3 or 0 pixels round their ink (the drawings are 200–400 pixels across), then made into a
photo of paper with nothing but paper in the frame: light falling off along a random direction,
half of them with the soft edge of a shadow, tinted paper with grain, a dark or blue pen, blur,
JPEG.  For each margin and shipped network: the share read right through the whole path
(``read_picture``; a blank counts as wrong), and the share refused as not a digit as
``digitnet predict --reject`` refuses (a blank counts as refused), with the share of all the
pictures that the drawing check (``digitnet.drawing_check``) takes for photographs.
"""

import argparse
import io
import sys
from pathlib import Path

import numpy as np
from machine import cpu_model, report  # benchmarks/machine.py
from PIL import Image, ImageFilter
from rejection import read_pictures  # benchmarks/rejection.py

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from tuning_pictures import drawing_hand  # noqa: E402

import digitnet
from digitnet.models import SHIPPED, load_shipped

MARGINS = (30, 6, 3, 0)


def cut_out(ink, margin):
    """``ink`` (h, w) floats in [0, 1] cut to its strokes (above ½) with ``margin`` pixels round them."""
    rows, cols = np.nonzero(ink > 0.5)
    strokes = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    return np.pad(strokes, margin)


def photographed(ink, rng):
    """``ink`` (h, w) floats in [0, 1] written on paper and photographed, the paper filling the
    frame: JPEG bytes."""
    height, width = ink.shape
    rows, cols = np.mgrid[0:height, 0:width] / max(height, width)
    angle = rng.uniform(0, 2 * np.pi)
    light = 0.9 - rng.uniform(0, 0.35) * ((rows - 0.5) * np.cos(angle) + (cols - 0.5) * np.sin(angle) + 0.7)
    if rng.random() < 0.5:  # the soft edge of a shadow
        edge, dark = rng.uniform(0.2, 0.8), rng.uniform(0.5, 0.85)
        light = light * (dark + (1 - dark) / (1 + np.exp(-(cols - edge - 0.3 * rows) / rng.uniform(0.01, 0.06))))
    paper = light[..., None] * rng.uniform(0.85, 1.0, 3) * (1 + rng.normal(0, 0.02, (height, width, 1)))
    pen = np.array([0.1, 0.12, 0.45]) if rng.random() < 0.5 else np.full(3, rng.uniform(0.05, 0.3))
    photo = paper * (1 - ink[..., None]) + pen * light[..., None] * ink[..., None]
    picture = Image.fromarray((np.clip(photo, 0, 1) * 255).astype(np.uint8))
    picture = picture.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=int(rng.integers(50, 90)))
    return buffer.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="digits per margin")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    hand = drawing_hand()
    rng = np.random.default_rng(9)
    labels = np.arange(args.count) % 10
    inks = []
    for label in labels:
        grey = np.asarray(hand.render(hand.DIGITS[str(label)](), rng).convert("L"), float) / 255
        inks.append(1 - grey if np.median(grey) > 0.5 else grey)
    networks = {name: load_shipped(name) for name in SHIPPED}
    result = {"cpu": cpu_model(), "digitnet_version": digitnet.__version__, "digits_per_margin": args.count}
    for margin in MARGINS:
        photo_rng = np.random.default_rng(3)  # the same light, paper and pen at every margin
        pictures = [photographed(cut_out(ink, margin), photo_rng) for ink in inks]
        _, _, pixels, drawings, blanks = read_pictures(pictures, ["photo"] * len(pictures), labels)
        verdicts = {name: net.predict_or_reject(pixels, drawings=drawings) for name, net in networks.items()}
        result[f"margin {margin}"] = {
            "read": {name: float((v.outputs.argmax(axis=1) == labels).mean()) for name, v in verdicts.items()},
            "refused": {name: float((v.rejected | blanks).mean()) for name, v in verdicts.items()},
            "not_a_drawing": float((~drawings).mean()),
        }
    report(result, args.out)


if __name__ == "__main__":
    main()

"""Benchmark: digits drawn on a canvas MNIST's size, as people draw their own in a paint program.

    DIGITNET_DATA=../shared/mnist python benchmarks/small_canvas.py [--out benchmarks/results/small_canvas.json]

The evaluation set's mouse drawings (tests/data/evaluation/digits/*-mouse-*) shrunk by area
averaging (anti-aliased, as a paint program draws; transparent ones stay transparent) to 28, 40
and 64 pixels on a side, and at 28 pixels also in two tones with hard edges (``hard_edged``).
For each shipped network, per size, ``rejection.rates``: the shares read right (top answer), read
right and kept, refused by ``predict --reject`` (a blank or too-small picture counts as refused)
and unsure.
"""

import argparse
import io
from pathlib import Path

import numpy as np
from machine import cpu_model, report  # benchmarks/machine.py
from PIL import Image
from rejection import rates, read_pictures  # benchmarks/rejection.py

import digitnet
from digitnet.models import SHIPPED, load_shipped

DIGITS = Path(__file__).resolve().parent.parent / "tests" / "data" / "evaluation" / "digits"
SIZES = (("28", 28, False), ("28-hard-edged", 28, True), ("40", 40, False), ("64", 64, False))


def shrunk(path, side, hard):
    """The picture at ``path`` as PNG bytes, ``side`` pixels on a side: RGBA as drawn, or with
    ``hard`` edges, as a paint program's pen without anti-aliasing draws at that size (``hard_edged``)."""
    picture = Image.open(path).convert("RGBA").resize((side, side), Image.Resampling.BOX)
    buffer = io.BytesIO()
    (hard_edged(picture) if hard else picture).save(buffer, "PNG")
    return buffer.getvalue()


def hard_edged(picture):
    """An RGBA picture in two tones, grey: its background's (the border's median, on the
    transparent pixels laid on white or on black, whichever the ink stands out from more) wherever
    a pixel differs from it by under a fifth of the most any does, the ink's farthest tone elsewhere
    (so a stroke thinner than a pixel is a line a pixel wide, not lost)."""
    rgba = np.asarray(picture, np.float32) / 255
    grey = rgba[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32)
    best = None
    for under in (1.0, 0.0):
        tone = grey * rgba[..., 3] + under * (1 - rgba[..., 3])
        border = np.concatenate([tone[0], tone[-1], tone[:, 0], tone[:, -1]])
        away = np.abs(tone - np.median(border))
        if best is None or away.max() > best[1].max():
            best = (tone, away, float(np.median(border)))
    tone, away, background = best
    ink = away > 0.2 * away.max()
    two = np.where(ink, tone.flat[np.argmax(away)], background)
    return Image.fromarray((two * 255).round().astype(np.uint8))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    paths = sorted(DIGITS.glob("*-mouse-*"))
    labels = [int(path.stem.split("-")[0]) for path in paths]
    sets = {
        name: read_pictures([shrunk(p, side, hard) for p in paths], ["mouse"] * len(paths), labels)
        for name, side, hard in SIZES
    }
    result = {"cpu": cpu_model(), "digitnet_version": digitnet.__version__, "pictures": len(paths), "networks": []}
    for name in SHIPPED:
        net = load_shipped(name)
        sizes = {size: rates(net, pictures, per_kind=False)["all"] for size, pictures in sets.items()}
        result["networks"].append({"network": name, "sizes": sizes})
    report(result, args.out)


if __name__ == "__main__":
    main()

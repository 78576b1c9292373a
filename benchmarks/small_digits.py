"""Benchmark: how well digits a few pixels tall are read, to choose the size below which a picture
is refused as too small to read (``digitnet.images.MIN_INK_SIDE``).  One JSON object.

    DIGITNET_DATA=../shared/mnist python benchmarks/small_digits.py [--count 600] \
        [--out benchmarks/results/small_digits.json]

Two kinds of small picture, each read with the size check off (the share read right by each shipped
network) and on (the share refused as too small):
- ``mnist_shrunk``: ``count`` MNIST test digits (a seeded choice), their ink cropped and shrunk (box
  average; grey edges, as a photo shrinks) until its longer side is ``side`` pixels, dark on white
  with a margin of 30% of the side (at least 2 pixels);
- ``fonts``: the ten digits typed black on white (anti-aliased) in the first 12 TrueType fonts of
  /usr/share/fonts/truetype at a point size, their ink's longer side (pixels darker than mid-grey)
  recorded; grouped by that side.
Nothing here is the evaluation set.
"""

import argparse
import glob
import io
from collections import defaultdict
from pathlib import Path

import numpy as np
from machine import report  # benchmarks/machine.py
from PIL import Image, ImageDraw, ImageFont

import digitnet
from digitnet import images
from digitnet.errors import ImageError, TooSmallImageError
from digitnet.models import load_shipped
from digitnet.pixels import pixel_values

SIDES = (3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 20)
POINT_SIZES = (4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 20, 28)


def png(grey):
    """PNG bytes of ``grey`` (h, w) uint8."""
    buffer = io.BytesIO()
    Image.fromarray(grey).save(buffer, "PNG")
    return buffer.getvalue()


def shrunk_mnist(digit, side):
    """PNG bytes of an MNIST digit (28, 28) in [0, 1] whose ink's longer side is ``side`` pixels."""
    rows, cols = np.nonzero(digit > 0.2)
    crop = digit[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1] * 255
    scale = side / max(crop.shape)
    size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    resample = Image.Resampling.LANCZOS if scale > 1 else Image.Resampling.BOX
    small = np.asarray(Image.fromarray(crop.astype(np.float32), mode="F").resize(size, resample))
    margin = max(2, round(0.3 * side))
    canvas = np.zeros((size[1] + 2 * margin, size[0] + 2 * margin), np.float32)
    canvas[margin : margin + size[1], margin : margin + size[0]] = small
    return png(np.clip(255 - canvas, 0, 255).astype(np.uint8))


def typed(digit, font, points):
    """(PNG bytes, ink's longer side in pixels) of ``digit`` typed at ``points`` in ``font``."""
    image = Image.new("L", (2 * points, 2 * points), 255)
    ImageDraw.Draw(image).text((points, points), str(digit), font=font, fill=0, anchor="mm")
    dark = np.asarray(image) < 128
    rows, cols = np.nonzero(dark.any(axis=1))[0], np.nonzero(dark.any(axis=0))[0]
    side = max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1) if rows.size else 0
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue(), int(side)


def measure(pictures, labels, nets):
    """For ``pictures`` (PNG bytes) of ``labels``: the share refused as too small, and the share each
    network reads right with the size check off (a picture preprocessing cannot read counts wrong)."""
    refused = 0
    for picture in pictures:
        try:
            images.read_picture(picture)
        except TooSmallImageError:
            refused += 1
        except ImageError:
            pass
    minimum, images.MIN_INK_SIDE = images.MIN_INK_SIDE, 0
    try:
        inputs = []
        for picture in pictures:
            try:
                inputs.append(images.read_picture(picture).pixels)
            except ImageError:
                inputs.append(np.zeros(784, np.float32))
    finally:
        images.MIN_INK_SIDE = minimum
    labels = np.array(labels)
    read = {name: float(np.mean(net.outputs(np.array(inputs)).argmax(axis=1) == labels)) for name, net in nets.items()}
    return {"pictures": len(pictures), "refused_too_small": refused / len(pictures), "read_without_the_check": read}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    nets = {name: load_shipped(name) for name in ("3b1b", "big")}
    _, (test_images, test_labels) = digitnet.load_mnist()
    chosen = np.random.default_rng(0).choice(len(test_images), args.count, replace=False)
    digits = pixel_values(test_images[chosen]).reshape(-1, 28, 28)
    mnist = {side: measure([shrunk_mnist(d, side) for d in digits], test_labels[chosen], nets) for side in SIDES}
    by_side = defaultdict(lambda: ([], []))
    for path in sorted(glob.glob("/usr/share/fonts/truetype/*/*.ttf"))[:12]:
        for points in POINT_SIZES:
            font = ImageFont.truetype(path, points)
            for digit in range(10):
                picture, side = typed(digit, font, points)
                if side:
                    by_side[side][0].append(picture)
                    by_side[side][1].append(digit)
    fonts = {side: measure(*by_side[side], nets) for side in sorted(by_side) if side <= 20}
    report({"min_ink_side": images.MIN_INK_SIDE, "mnist_shrunk": mnist, "fonts": fonts}, args.out)


if __name__ == "__main__":
    main()

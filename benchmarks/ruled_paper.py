"""Benchmark: digits written on plain, ruled and squared sheets and photographed, read with and
without wiping the sheet's lines (``digitnet.ruled_lines``).  One JSON object.

    DIGITNET_DATA=../shared/mnist python benchmarks/ruled_paper.py [--count 600] \
        [--out benchmarks/results/ruled_paper.json]

``count`` pictures, in turn a digit of the drawing hand, a printed digit and an MNIST training
digit 50,000–59,999 drawn again (the validation kinds of ``scripts/drawing_validation.py``, with a
seed of their own), each written on a sheet and photographed by
``scripts/tuning_pictures.photographed_sheet`` (about a third of its sheets are ruled or squared;
which one is recorded).  For each shipped network, the share read right per sheet, with the full
preprocessing and with the ruled lines left in.  The evaluation pictures are never used here.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
from machine import report  # benchmarks/machine.py

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from digit_check_pictures import redrawn  # noqa: E402
from drawing_validation import font_digit  # noqa: E402
from tuning_pictures import drawing_hand, photographed_sheet  # noqa: E402

import digitnet  # noqa: E402
from digitnet import images  # noqa: E402
from digitnet.errors import ImageError  # noqa: E402
from digitnet.models import load_shipped  # noqa: E402

SEED = 90_210


class RecordingRandom:
    """A numpy Generator that remembers its draws of one number in [0, 1) (``photographed_sheet``'s
    first such draw decides the sheet: under 0.15 squared, under 0.35 ruled)."""

    def __init__(self, rng):
        self.rng, self.draws = rng, []

    def random(self, *args, **kwargs):
        value = self.rng.random(*args, **kwargs)
        if not args and not kwargs:
            self.draws.append(value)
        return value

    def __getattr__(self, name):
        return getattr(self.rng, name)


def sheets(count, seed=SEED):
    """``count`` photographed sheets: list of (JPEG bytes, label, sheet) with sheet plain/ruled/squared."""
    rng = np.random.default_rng(seed)
    hand = drawing_hand()
    (train_images, train_labels), _ = digitnet.load_mnist()
    made = []
    for k in range(count):
        digit = k % 10
        if k % 3 == 0:
            picture = hand.render(hand.DIGITS[str(digit)](), rng)
        elif k % 3 == 1:
            picture = font_digit(digit, rng)
        else:
            index = int(rng.integers(50_000, 60_000))
            picture, digit = redrawn(train_images[index].reshape(28, 28), rng), int(train_labels[index])
        recording = RecordingRandom(rng)
        data = photographed_sheet(picture, recording)
        sheet = "squared" if recording.draws[0] < 0.15 else "ruled" if recording.draws[0] < 0.35 else "plain"
        made.append((data, digit, sheet))
    return made


def read_all(made):
    """(n, 784) inputs (a picture preprocessing cannot read: zeros, counted wrong)."""
    pixels = []
    for data, _, _ in made:
        try:
            pixels.append(images.read_picture(data).pixels)
        except ImageError:
            pixels.append(np.zeros(784, np.float32))
    return np.array(pixels)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    made = sheets(args.count)
    labels = np.array([label for _, label, _ in made])
    kinds = np.array([sheet for _, _, sheet in made])
    wiping = images.without_ruled_lines
    read = {"full": read_all(made)}
    images.without_ruled_lines = lambda ink: ink
    try:
        read["lines left in"] = read_all(made)
    finally:
        images.without_ruled_lines = wiping
    result = {"pictures": {sheet: int(np.sum(kinds == sheet)) for sheet in ("plain", "ruled", "squared")}, "read": {}}
    for name in ("3b1b", "big"):
        net = load_shipped(name)
        result["read"][name] = {}
        for how, pixels in read.items():
            right = net.outputs(pixels).argmax(axis=1) == labels
            result["read"][name][how] = {
                "all": float(right.mean()),
                **{sheet: float(right[kinds == sheet].mean()) for sheet in ("plain", "ruled", "squared")},
            }
    report(result, args.out)


if __name__ == "__main__":
    main()

"""What the subcommands share: common options, JSON Lines output, a progress bar, loading a model."""

import argparse
import json
import math
import sys

import numpy as np

from ..data import load_mnist
from ..errors import DigitnetError


def ranged(convert, accept, rule):
    """An argparse ``type``: ``convert`` the text (int or float), then require ``accept(value)``.

    A bad value gets one line: "not a number: x" or "must be <rule>, got x".
    """

    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"not {'a whole number' if convert is int else 'a number'}: {text}"
            ) from None
        if not (math.isfinite(value) and accept(value)):
            raise argparse.ArgumentTypeError(f"must be {rule}, got {text}")
        return value

    return parse


positive_int = ranged(int, lambda v: v >= 1, "at least 1")
non_negative_int = ranged(int, lambda v: v >= 0, "0 or more")
digit_argument = ranged(int, lambda v: 0 <= v <= 9, "a digit 0–9")
positive_float = ranged(float, lambda v: v > 0, "a positive number")
non_negative_float = ranged(float, lambda v: v >= 0, "0 or a positive number")
fraction_below_one = ranged(float, lambda v: 0 <= v < 1, "at least 0 and below 1")
open_fraction = ranged(float, lambda v: 0 < v < 1, "a fraction between 0 and 1")
open_fraction_to_one = ranged(float, lambda v: 0 < v <= 1, "above 0 and at most 1")
angle = ranged(float, lambda v: 0 <= v <= 180, "an angle from 0 to 180 degrees")
pixel_value = ranged(float, lambda v: 0 <= v <= 1, "a pixel value from 0 to 1")
port_number = ranged(int, lambda v: 0 <= v <= 65535, "a port number from 0 to 65535")


def add_data_option(parser):
    parser.add_argument(
        "--data",
        metavar="DIR",
        help="folder with the MNIST files (default: $DIGITNET_DATA, else ~/.cache/digitnet/mnist)",
    )


def add_json_option(parser):
    parser.add_argument("--json", action="store_true", help="print JSON Lines (one object per line) instead of text")


def add_engine_option(parser):
    from ..engines import ENGINES

    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help="how to compute: auto (fastest available, default), fast (compiled by Numba) or reference (plain NumPy)",
    )


def add_reject_option(parser):
    parser.add_argument(
        "--reject",
        action="store_true",
        help='say "not a digit" for pictures unlike any digit (networks from `digitnet train` and the '
        "shipped ones can; `digitnet calibrate-reject` fits it again)",
    )


def require_rejector(net, path):
    """Stop with a one-line error if the model ``path`` has no rejector fitted."""
    if net.rejector is None:
        raise DigitnetError(f'{path} has no "not a digit" model; run `digitnet calibrate-reject {path}` first')


def emit(obj):
    """Print one JSON object on its own line (JSON Lines) and flush."""
    print(json.dumps(obj), flush=True)


def load_model(path):
    """A model file, or a shipped network's name (``digitnet models``) when no such file exists;
    Network.load's errors are one line."""
    from ..models import load_named

    return load_named(path)


MODEL_HELP = "a model file saved by `digitnet train`, or a shipped network's name (see `digitnet models`)"


def load_data(args, download=False, split=None):
    """MNIST from ``--data`` / $DIGITNET_DATA / the cache, downloading with a progress bar if allowed.

    Both sets as ((train images, labels), (test images, labels)), or with ``split`` ("train" or
    "test") only that set's (images, labels), reading only its two files.  Images come as uint8
    pixel values (a quarter of the memory of floats; digitnet reads them as value / 255).
    """
    bar = ProgressBar("download") if download else None
    try:
        return load_mnist(
            args.data,
            download=download,
            dtype=np.uint8,
            split=split,
            on_progress=(lambda name, done, total: bar.update(done, total, name)) if bar else None,
        )
    finally:
        if bar:
            bar.close()


def percent(fraction):
    return f"{100 * fraction:.2f}%"


class ProgressBar:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    WIDTH = 30

    def __init__(self, label, stream=None):
        self.label, self.stream = label, stream or sys.stderr  # the stream of the moment, not of import time
        self.enabled = self.stream.isatty()
        self.drawn = False

    def update(self, done, total, note=""):
        if not self.enabled:
            return
        fraction = done / total if total else 0.0
        filled = int(self.WIDTH * fraction)
        amount = f"{100 * fraction:5.1f}%" if total else f"{done / 1e6:.1f} MB"
        self.stream.write(f"\r{self.label} [{'█' * filled}{'·' * (self.WIDTH - filled)}] {amount} {note}\033[K")
        self.stream.flush()
        self.drawn = True

    def close(self):
        if self.drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.drawn = False

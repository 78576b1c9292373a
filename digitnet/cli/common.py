"""What the subcommands share: common options, JSON Lines output, a progress bar, loading a model."""

import json
import sys

import numpy as np

from ..data import load_mnist
from ..errors import DigitnetError
from ..network import Network


def add_data_option(parser):
    parser.add_argument("--data", metavar="DIR",
                        help="folder with the MNIST files (default: $DIGITNET_DATA, else ~/.cache/digitnet/mnist)")


def add_json_option(parser):
    parser.add_argument("--json", action="store_true", help="print JSON Lines (one object per line) instead of text")


def add_engine_option(parser):
    from ..engines import ENGINES
    parser.add_argument("--engine", choices=ENGINES, default="auto",
                        help="how to compute: auto (fastest available, default), fast (compiled by Numba) "
                             "or reference (plain NumPy)")


def add_reject_option(parser):
    parser.add_argument("--reject", action="store_true",
                        help="say \"not a digit\" for images unlike any digit (needs `digitnet calibrate-reject MODEL`)")


def require_rejector(net, path):
    """Stop with a one-line error if the model ``path`` has no rejector fitted."""
    if net.rejector is None:
        raise DigitnetError(f"{path} has no \"not a digit\" model; run `digitnet calibrate-reject {path}` first")


def emit(obj):
    """Print one JSON object on its own line (JSON Lines) and flush."""
    print(json.dumps(obj), flush=True)


def load_model(path):
    """Network.load with the command line's error reporting (a ModelFileError is one line)."""
    return Network.load(path)


def load_data(args, download=False):
    """MNIST from ``--data`` / $DIGITNET_DATA / the cache, downloading with a progress bar if allowed.

    Images come as uint8 pixel values (a quarter of the memory of floats; digitnet reads them as value / 255).
    """
    bar = ProgressBar("download") if download else None
    try:
        return load_mnist(args.data, download=download, dtype=np.uint8,
                          on_progress=(lambda name, done, total: bar.update(done, total, name)) if bar else None)
    finally:
        if bar:
            bar.close()


def percent(fraction):
    return f"{100 * fraction:.2f}%"


class ProgressBar:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    WIDTH = 30

    def __init__(self, label, stream=sys.stderr):
        self.label, self.stream = label, stream
        self.enabled = stream.isatty()
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

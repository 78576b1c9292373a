"""Retrain the networks that ship inside the package (digitnet/models/), bit for bit.

    DIGITNET_DATA=../shared/mnist python scripts/train_shipped_models.py [--only 3b1b] [--into DIR]

Each is `digitnet train --preset PRESET --seed SEED --engine reference` (which also fits its "not
a digit" model); the big network's weights are then stored as float16.  3b1b's seed is the one of
0–6 whose network reads the most validation drawings (``benchmarks/drawn_recipes.py --score``;
the lines "3b1b-drawn seed N" of benchmarks/results/drawn_recipes.jsonl).  With the same MNIST files
the same seed repeats bit for bit on the same machine.  ``--limit``, ``--epochs`` and ``--validation``
make a quick small run (used by the tests).
"""

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digitnet import Network  # noqa: E402
from digitnet.cli import main as digitnet  # noqa: E402

RECIPES = {"3b1b": ("3b1b-drawn", np.float32, 2), "big": ("big-drawn", np.float16, 0)}  # name → (preset, dtype, seed)


def train_shipped(name, into, extra=()):
    """Train the shipped network ``name`` into ``into``/<name>.npz; returns its path."""
    preset, stored, seed = RECIPES[name]
    out = Path(into) / f"{name}.npz"
    with tempfile.TemporaryDirectory() as folder:
        trained = Path(folder) / "trained.npz"
        status = digitnet(
            [
                "train",
                "--preset",
                preset,
                "--seed",
                str(seed),
                "--engine",
                "reference",
                "--out",
                str(trained),
                "--json",
                *extra,
            ]
        )
        if status:
            raise SystemExit(status)
        net = Network.load(trained)
    net.weights = [w.astype(stored) for w in net.weights]
    net.biases = [b.astype(stored) for b in net.biases]
    net.save(out)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(RECIPES), help="retrain this one network only")
    parser.add_argument("--into", type=Path, default=ROOT / "digitnet" / "models", help="folder to write to")
    parser.add_argument("--limit", type=int, help="train on the first N training images only (a quick check)")
    parser.add_argument("--epochs", type=int, help="train this many epochs (a quick check)")
    parser.add_argument("--validation", type=int, help="validate on the last N training images (a quick check)")
    args = parser.parse_args()
    extra = [
        f"--{option}={getattr(args, option)}"
        for option in ("limit", "epochs", "validation")
        if getattr(args, option) is not None
    ]
    for name in [args.only] if args.only else RECIPES:
        print(train_shipped(name, args.into, extra), flush=True)


if __name__ == "__main__":
    main()

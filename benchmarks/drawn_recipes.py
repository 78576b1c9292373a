"""Benchmark: how well a training recipe reads drawn digits, to choose the shipped networks' recipes.

    DIGITNET_DATA=../shared/mnist python scripts/drawing_validation.py --out validation.npz
    DIGITNET_DATA=../shared/mnist python benchmarks/drawn_recipes.py NAME PRESET 'JSON CHANGES' [SEED] \
        --validation-pictures validation.npz [--out benchmarks/results/drawn_recipes.jsonl] [--save net.npz]
    DIGITNET_DATA=../shared/mnist python benchmarks/drawn_recipes.py NAME --score MODEL \
        --validation-pictures validation.npz [--out benchmarks/results/drawn_recipes.jsonl]

Trains ``PRESET``'s network with its recipe changed by the JSON object (Recipe fields, e.g.
``{"epochs": 15, "augment": {"shear": 0.3}}`` or ``{"teacher": "big", "teacher_weight": 1.0}``)
on MNIST's first 50,000 training images (the last 10,000 validate, so the redrawn validation
pictures, made from them, are never trained on), with ``SEED``, and prints one JSON line: the
share of the validation pictures read right, per kind (font, hand, redrawn, paper), photographed
ones and all, and per digit; the validation and test accuracy on MNIST; the wall-clock seconds of
training.  ``--score`` scores a trained network (a file or a shipped name) instead.  Appends the
line to ``--out`` when given.  The evaluation
pictures (tests/data/evaluation) are never used here.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

from digitnet import Network, load_mnist
from digitnet.models import load_named
from digitnet.presets import PRESETS


def drawing_scores(net, pictures):
    """Shares read right of the validation pictures (an .npz of scripts/drawing_validation.py)."""
    right = net.outputs(pictures["pixels"]).argmax(axis=1) == pictures["labels"]
    scores = {str(kind): float(right[pictures["kinds"] == kind].mean()) for kind in np.unique(pictures["kinds"])}
    digits = {str(d): float(right[pictures["labels"] == d].mean()) for d in range(10)}
    photographed = float(right[pictures["photographed"]].mean())
    return {**scores, "photographed": photographed, "all": float(right.mean()), "digits": digits}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="a name for this run")
    parser.add_argument("preset", nargs="?", choices=sorted(PRESETS))
    parser.add_argument("changes", nargs="?", help="JSON object of Recipe fields to change")
    parser.add_argument("seed", type=int, nargs="?", default=0)
    parser.add_argument("--validation-pictures", type=Path, required=True)
    parser.add_argument("--out", type=Path, help="append the JSON line here")
    parser.add_argument("--save", type=Path, help="save the trained network here (to score it again later)")
    parser.add_argument("--score", help="score this trained network (a file or a shipped name) instead of training")
    args = parser.parse_args()
    if args.score:
        score(args)
        return
    if args.preset is None or args.changes is None:
        parser.error("give PRESET and CHANGES, or --score MODEL")
    preset = PRESETS[args.preset]
    recipe = preset.recipe.replace(**{"validation": 10000, **json.loads(args.changes)})
    (train_images, train_labels), (test_images, test_labels) = load_mnist()
    net = Network(**preset.network, seed=args.seed)
    started = time.perf_counter()
    net.fit(train_images, train_labels, recipe, seed=args.seed)
    seconds = time.perf_counter() - started
    if args.save:
        net.save(args.save)
    result = {
        "name": args.name,
        "preset": args.preset,
        "changes": json.loads(args.changes),
        "seed": args.seed,
        "drawings": drawing_scores(net, np.load(args.validation_pictures)),
        "mnist_validation": net.history[-1]["validation_accuracy"],
        "mnist_test": net.evaluate(test_images, test_labels)["accuracy"],
        "seconds": seconds,
    }
    write(result, args.out)


def score(args):
    """The line for a network already trained (``args.score``): its drawings and MNIST test accuracy."""
    net = load_named(args.score)
    _, (test_images, test_labels) = load_mnist()
    result = {
        "name": args.name,
        "scored": args.score,
        "sizes": net.sizes,
        "seed": net.recipe.get("seed"),
        "drawings": drawing_scores(net, np.load(args.validation_pictures)),
        "mnist_test": net.evaluate(test_images, test_labels)["accuracy"],
    }
    write(result, args.out)


def write(result, out):
    line = json.dumps(result)
    print(line)
    if out:
        with open(out, "a") as results:
            results.write(line + "\n")


if __name__ == "__main__":
    main()

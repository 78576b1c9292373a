"""Benchmark: what the digit check does on kinds of non-digit nobody generated (leave one kind out).

    DIGITNET_DATA=../shared/mnist python benchmarks/rejection_unseen_kinds.py [--reads pixels orientations big:2]
        [--seed 11] [--count 3000] [--every 1] [--pictures FILE] [--out benchmarks/results/rejection-unseen-kinds.json]

A check fitted on generated non-digits refuses most of its own kinds; people send others.  For
each of the eleven kinds of generated non-digit (``scripts/digit_check_pictures.py``) a check is
fitted without that kind and measured on all of its pictures; and every check, fitted with every
kind, is measured on a family made by a pen model nothing is fitted on
(``scripts/brush_doodles.py``: blobs, capitals, symbols, pairs).  The digits refused are measured
on the generated digits' validation fifth and on the second half of the held-out MNIST training
digits (the first half and the calibration fifth set the threshold, as in
``scripts/fit_digit_check.py``).

Each check reads what ``--reads`` says: the 784 pixels, their histograms of gradient
orientations ("orientations"), or a hidden layer of a shipped network (NAME:LAYER).  The checks
here are quick stand-ins for the shipped fit, so that the 12 fits per
reading finish in minutes: PyTorch (which must be installed) trains the same layer sizes (→ 256
→ 64 → 2, ReLU, cross-entropy, Adam, a cosine schedule) for EPOCHS epochs with the inputs
shifted by up to 2 pixels, on every ``--every``-th generated picture (``fit_digit_check.generated_pictures``; with the
shipped fit's seed and count, its pictures, though not its split).  The numbers compare readings with one another,
not with the shipped check.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from machine import cpu_model, report  # benchmarks/machine.py

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "scripts")]

from brush_doodles import FAMILIES, brush_non_digits  # noqa: E402
from digit_check_pictures import NON_DIGIT_KINDS  # noqa: E402
from fit_digit_check import DRAWN_REPEATS, REFUSED_DRAWN, REFUSED_MNIST, fifths, generated_pictures  # noqa: E402

from digitnet import load_mnist  # noqa: E402
from digitnet.digit_check import ORIENTATIONS, orientation_histograms  # noqa: E402
from digitnet.models import load_shipped  # noqa: E402
from digitnet.rejection import HELD_OUT  # noqa: E402

EPOCHS = 12
BATCH = 64
BRUSH = 2000  # pictures of the brush family


def layer_reader(torch, setting):
    """A function (n, 784) tensor → what a check reads: the pixels, their orientation histograms
    (``digit_check.orientation_histograms``, "orientations"), or the activations of hidden layer
    LAYER of the shipped network NAME ("NAME:LAYER")."""
    if setting == "pixels":
        return lambda x: x
    if setting == ORIENTATIONS:
        return lambda x: torch.from_numpy(orientation_histograms(x.numpy()))
    name, _, layer = setting.partition(":")
    net = load_shipped(name)
    weights = [torch.tensor(np.asarray(w, np.float32)) for w in net.weights[: int(layer)]]
    biases = [torch.tensor(np.asarray(b, np.float32)) for b in net.biases[: int(layer)]]
    squash = torch.relu if net.activation == "relu" else torch.sigmoid

    def read(x):
        for w, b in zip(weights, biases):
            x = squash(x @ w.T + b)
        return x

    return read


def quick_check(torch, read, images, labels, seed):
    """A stand-in check trained on (n, 784) ``images`` with 0/1 ``labels``: a function (m, 784) → P(not a digit)."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    x, y = torch.tensor(images), torch.tensor(labels)
    width = read(x[:1]).shape[1]
    layers = [torch.nn.Linear(width, 256), torch.nn.ReLU(), torch.nn.Linear(256, 64), torch.nn.ReLU()]
    net = torch.nn.Sequential(*layers, torch.nn.Linear(64, 2))
    optimiser = torch.optim.Adam(net.parameters(), 1e-3)
    steps = EPOCHS * -(-len(x) // BATCH)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, steps)
    for _ in range(EPOCHS):
        order = torch.tensor(rng.permutation(len(x)))
        for start in range(0, len(x), BATCH):
            batch = order[start : start + BATCH]
            dy, dx = (int(v) for v in rng.integers(-2, 3, 2))
            moved = torch.roll(x[batch].view(-1, 28, 28), (dy, dx), (1, 2)).reshape(-1, 784)
            with torch.no_grad():
                inputs = read(moved)
            loss = torch.nn.functional.cross_entropy(net(inputs), y[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()

    def probability(rows):
        with torch.no_grad():
            rows = torch.tensor(np.asarray(rows, np.float32))
            return torch.softmax(net(read(rows)), 1)[:, 1].numpy()

    return probability


def measure(probability, held_out, calibration, validation, others, kinds, brush, families, left_out):
    """Threshold as the shipped fit sets it, then the shares refused."""
    half = len(held_out) // 2
    threshold = max(
        np.quantile(probability(held_out[:half]), 1 - REFUSED_MNIST),
        np.quantile(probability(calibration), 1 - REFUSED_DRAWN),
    )
    result = {
        "threshold": float(threshold),
        "held_out_mnist_refused": float((probability(held_out[half:]) > threshold).mean()),
        "validation_digits_refused": float((probability(validation) > threshold).mean()),
    }
    if left_out is None:
        refused = probability(brush) > threshold
        result["brush_refused"] = float(refused.mean())
        result.update(
            {f"brush_{name}_refused": float(refused[families == k].mean()) for k, name in enumerate(FAMILIES)}
        )
    else:
        result["left_out_refused"] = float((probability(others[kinds == left_out]) > threshold).mean())
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", nargs="+", default=["pixels", ORIENTATIONS])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--count", type=int, default=3000, help="as fit_digit_check.py's --count")
    parser.add_argument("--every", type=int, default=1, help="use every k-th generated picture (quicker fits)")
    parser.add_argument("--pictures", type=Path, help="an .npz to keep the generated pictures in")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    (train_images, _), _ = load_mnist(dtype=np.uint8)
    fitting, held_out = train_images[:-HELD_OUT], train_images[-HELD_OUT:] / 255.0
    pictures = generated_pictures(args.seed, args.count, fitting, args.pictures)
    mnist = fitting[pictures["chosen"]] / 255.0
    splits = [fifths(pictures[kind][:: args.every]) for kind in ("redrawn", "hand", "typed")]
    drawn, calibration, validation = (np.vstack([split[k] for split in splits]) for k in range(3))
    others, kinds = pictures["non_digits"][:: args.every], pictures["kinds"][:: args.every]
    brush, families = brush_non_digits(np.random.default_rng(args.seed + 1), BRUSH)
    result = {"cpu": cpu_model(), "seed": args.seed, "count": args.count, "every": args.every, "epochs": EPOCHS}
    for setting in args.reads:
        read = layer_reader(torch, setting)
        runs = {}
        for left_out in [None, *range(len(NON_DIGIT_KINDS))]:
            started = time.perf_counter()
            shown = others[kinds != left_out] if left_out is not None else others
            images = np.vstack([mnist] + [drawn] * DRAWN_REPEATS + [shown]).astype(np.float32)
            labels = np.r_[np.zeros(len(images) - len(shown)), np.ones(len(shown))].astype(np.int64)
            probability = quick_check(torch, read, images, labels, args.seed)
            name = "every kind" if left_out is None else NON_DIGIT_KINDS[left_out]
            runs[name] = measure(
                probability, held_out, calibration, validation, others, kinds, brush, families, left_out
            )
            runs[name]["seconds"] = time.perf_counter() - started
        unseen = [runs[name]["left_out_refused"] for name in NON_DIGIT_KINDS]
        result[setting] = {"mean_refused_of_the_left_out_kind": float(np.mean(unseen)), "runs": runs}
    report(result, args.out)


if __name__ == "__main__":
    main()

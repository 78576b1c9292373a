"""Benchmark: how often "not a digit" is said, on real digits, noise, blanks and drawn non-digits; one JSON object.

    DIGITNET_DATA=../shared/mnist python benchmarks/rejection.py [MODEL] [--sweep]

Fits the rejector exactly as `digitnet calibrate-reject` does (training set minus its last
10,000 images; threshold calibrated on those 10,000), then reports the share rejected of:
the 10,000 MNIST test digits; 1,000 uniform-noise, 1,000 Gaussian-noise, 1,000 salt-and-pepper,
100 blank-white and 100 blank-black images (``digitnet.insight.noise_images``, seed 0); the
drawn non-digits of tests/data/non_digits (overall and per kind) and the drawn digits of
tests/data/drawn_digits (or --pictures DIR), read by ``image_to_input`` as `digitnet predict` reads files.

The network (MODEL, or the default recipe trained here with seed 0) gives the test accuracy
on all digits and on the kept ones, and two baselines calibrated the same way on the same
held-out images: the network's top output activation, and a Gaussian density (one per class,
shared covariance) on its hidden activations.  ``--sweep`` adds the rates for other numbers of
components.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

import digitnet
from digitnet.images import image_to_input
from digitnet.insight import noise_images
from digitnet.presets import DEFAULT_PRESET, PRESETS
from digitnet.rejection import COMPONENTS, HELD_OUT, REJECT_SHARE, fit_for_training_set

TEST_PICTURES = Path(__file__).resolve().parent.parent / "tests" / "data"
NOISE = (("uniform", 1000), ("gaussian", 1000), ("salt-pepper", 1000), ("blank-white", 100), ("blank-black", 100))


def read_pictures(pictures, folder):
    """(names, (n, 784) inputs) for every PNG in <pictures>/<folder>."""
    paths = sorted((pictures / folder).glob("*.png"))
    return [p.stem for p in paths], np.array([image_to_input(p) for p in paths])


def rates(rejects, test_images, drawn, non_digits, names):
    """Shares rejected by ``rejects(images) -> (n,) bool`` on every set."""
    kinds = np.array([name.split("-")[0] for name in names])
    rejected = rejects(non_digits)
    return {
        "test_digits": float(rejects(test_images).mean()),
        "noise": {kind: float(rejects(noise_images(kind, count, seed=0)).mean()) for kind, count in NOISE},
        "non_digits": float(rejected.mean()),
        "non_digits_by_kind": {kind: float(rejected[kinds == kind].mean()) for kind in sorted(set(kinds))},
        "drawn_digits": float(rejects(drawn).mean()),
    }


def calibrated(score, held_out_images, share=REJECT_SHARE):
    """A rejector from any ``score`` (higher = stranger): threshold at the held-out (1 − share) quantile."""
    threshold = np.quantile(score(held_out_images), 1 - share)
    return lambda images: score(images) > threshold


def hidden_density(net, images, labels):
    """Baseline: −ln of a Gaussian density (per class, shared covariance) on all hidden activations."""
    def features(x):
        return np.hstack(net.feedforward(x, every_layer=True)[1:-1]).astype(np.float64)
    h = features(images)
    means = np.array([h[labels == c].mean(axis=0) for c in range(10)])
    centred = h - means[labels]
    precision = np.linalg.inv(centred.T @ centred / len(h) + 1e-6 * np.eye(h.shape[1]))

    def score(x):
        f = features(x)
        return np.stack([np.einsum("ij,jk,ik->i", f - m, precision, f - m) for m in means], axis=1).min(axis=1)
    return score


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="a saved network (default: train the default recipe, seed 0)")
    parser.add_argument("--sweep", action="store_true", help="also try 40, 80 and 160 components")
    parser.add_argument("--pictures", type=Path, default=TEST_PICTURES,
                        help="folder holding non_digits/ and drawn_digits/ (default: tests/data, the test set; "
                             "draw another with tests/data/draw_test_images.py --seed N --into DIR)")
    args = parser.parse_args()
    (train_images, train_labels), (test_images, test_labels) = digitnet.load_mnist()
    if args.model:
        net = digitnet.Network.load(args.model)
    else:
        preset = PRESETS[DEFAULT_PRESET]
        net = digitnet.Network(**preset.network, seed=0)
        net.fit(train_images, train_labels, preset.recipe, seed=0)
    names, non_digits = read_pictures(args.pictures, "non_digits")
    drawn_names, drawn = read_pictures(args.pictures, "drawn_digits")
    drawn_labels = np.array([int(name.split("-")[1]) for name in drawn_names])
    fit_images, fit_labels = train_images[:-HELD_OUT], train_labels[:-HELD_OUT]
    held_out = train_images[-HELD_OUT:]

    started = time.perf_counter()
    net.rejector = fit_for_training_set(train_images, train_labels)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    verdict = net.predict_or_reject(test_images)
    score_seconds = time.perf_counter() - started
    kept = ~verdict.rejected
    drawn_verdict = net.predict_or_reject(drawn)
    result = {
        "method": f"Gaussian per digit class along the {COMPONENTS} main directions of pixel space",
        "components": COMPONENTS, "reject_share": REJECT_SHARE,
        "fitted_on": len(fit_images), "held_out": HELD_OUT,
        "held_out_rejected": float(net.rejector.rejects(held_out).mean()),
        "rejected": rates(net.rejector.rejects, test_images, drawn, non_digits, names),
        "counts": {"test_digits": len(test_images), "non_digits": len(non_digits), "drawn_digits": len(drawn),
                   **{kind: count for kind, count in NOISE}},
        "pictures": str(args.pictures),
        "network": {"model": args.model or f"{DEFAULT_PRESET} preset, seed 0",
                    "test_accuracy": float((verdict.outputs.argmax(axis=1) == test_labels).mean()),
                    "kept_test_accuracy": float((verdict.digit[kept] == test_labels[kept]).mean()),
                    "drawn_digits_accuracy": float((drawn_verdict.outputs.argmax(axis=1) == drawn_labels).mean())},
        "baselines": {
            "top_output_activation": rates(calibrated(lambda x: -net.outputs(x).max(axis=1), held_out),
                                           test_images, drawn, non_digits, names),
            "hidden_activation_density": rates(calibrated(hidden_density(net, fit_images, fit_labels), held_out),
                                               test_images, drawn, non_digits, names),
        },
        "seconds": {"fit": fit_seconds, "score_10000": score_seconds},
    }
    if args.sweep:
        result["sweep"] = {}
        for components in (40, 80, 100, 140, 160):
            rejector = fit_for_training_set(train_images, train_labels, components=components)
            result["sweep"][components] = rates(rejector.rejects, test_images, drawn, non_digits, names)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

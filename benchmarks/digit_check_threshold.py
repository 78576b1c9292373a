"""Benchmark: the digit check's threshold and the density model's share, chosen together on
validation pictures (never the evaluation set).

    DIGITNET_DATA=../shared/mnist python benchmarks/digit_check_threshold.py --validation-pictures FILE
        [--pictures FILE] [--seed 11] [--count 3000] [--out benchmarks/results/digit_check-threshold-and-share.json]

The whole path refuses a picture when the digit check's P(not a digit) is above its threshold
and the picture is not a plain stroke (``digit_check.plain_strokes``: a 1), when its strokes are
wider than any digit's (the blob rule), or when either shipped network's
density model finds it less typical than its ``reject_share``.  The two numbers share one budget
of refused digits: every digit the density model refuses is one the check may not.  Each pair
(share, threshold) of the candidates is measured as the whole path refuses on the held-out MNIST
training digits (the last 10,000), the validation drawn digits (``scripts/drawing_validation.py``'s
.npz), generated digits and non-digits of a seed the shipped check was not fitted on
(``fit_digit_check.generated_pictures``) and the brush family (``scripts/brush_doodles.py``, a pen
model nothing is fitted on), and, measured but never chosen on, MNIST's test digits.

CHOSEN is, among the pairs that refuse at most MNIST_CAP of the held-out MNIST digits and
DRAWN_CAP of the validation drawn digits, the one that refuses the most of the generated
non-digits and the brush family (their mean).  The caps sit under the targets (2% of MNIST's test
digits, 3% of drawn digits) by about one standard error of the sets they are measured on
(10,000 and 1,600 pictures): the test digits and people's drawings are other samples.  CHOSEN
is null when no pair keeps within the caps.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
from machine import cpu_model, report  # benchmarks/machine.py

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "scripts")]

from brush_doodles import brush_non_digits  # noqa: E402
from fit_digit_check import generated_pictures  # noqa: E402

from digitnet import load_mnist  # noqa: E402
from digitnet.digit_check import WIDEST_STROKE, plain_strokes, shipped_digit_check  # noqa: E402
from digitnet.images import stroke_width  # noqa: E402
from digitnet.models import SHIPPED, load_shipped  # noqa: E402
from digitnet.rejection import HELD_OUT  # noqa: E402

THRESHOLDS = (0.9, 0.95, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9999, 0.99999, 0.999999, 0.9999999)
SHARES = (0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015)
MNIST_CAP, DRAWN_CAP = 0.019, 0.025
NON_DIGITS = ("generated_non_digits", "brush_family")  # what CHOSEN refuses most of


def refusals(images, check, rejectors):
    """What each part of the whole path makes of (n, 784) ``images``: (P(not a digit) (n,), 0 for a
    plain stroke; the blob rule (n,) bool; the lowest typicality under the shipped networks'
    density models (n,))."""
    typicality = np.min([r.typicality(images) for r in rejectors], axis=0)
    said = np.where(plain_strokes(images), 0.0, check.probability(images))
    return said, stroke_width(images) > WIDEST_STROKE, typicality


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--validation-pictures", type=Path, required=True, help="scripts/drawing_validation.py's .npz")
    parser.add_argument("--pictures", type=Path, help="an .npz to keep the generated pictures in")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    (train_images, _), (test_images, _) = load_mnist(dtype=np.uint8)
    fitting = train_images[:-HELD_OUT]
    pictures = generated_pictures(args.seed, args.count, fitting, args.pictures)
    with np.load(args.validation_pictures) as validation:
        drawn = validation["pixels"]
    sets = {
        "held_out_mnist": train_images[-HELD_OUT:] / 255.0,
        "validation_drawn_digits": drawn,
        "generated_digits": np.vstack([pictures["redrawn"], pictures["hand"], pictures["typed"]]),
        "generated_non_digits": pictures["non_digits"],
        "brush_family": brush_non_digits(np.random.default_rng(args.seed + 1), 2000)[0],
        "mnist_test_measured_not_chosen_on": test_images / 255.0,
    }
    check = shipped_digit_check()
    rejectors = [load_shipped(name).rejector for name in SHIPPED]
    parts = {name: refusals(images, check, rejectors) for name, images in sets.items()}
    rates = {
        str(share): {
            str(t): {name: float(((p > t) | blob | (low < share)).mean()) for name, (p, blob, low) in parts.items()}
            for t in THRESHOLDS
        }
        for share in SHARES
    }
    allowed = [
        (share, t)
        for share in SHARES
        for t in THRESHOLDS
        if rates[str(share)][str(t)]["held_out_mnist"] <= MNIST_CAP
        and rates[str(share)][str(t)]["validation_drawn_digits"] <= DRAWN_CAP
    ]
    chosen = max(
        allowed,
        key=lambda pair: np.mean([rates[str(pair[0])][str(pair[1])][name] for name in NON_DIGITS]),
        default=None,
    )
    result = {
        "cpu": cpu_model(),
        "seed": args.seed,
        "count": args.count,
        "in_use": {"reject_share": [r.reject_share for r in rejectors], "threshold": check.threshold},
        "caps": {"held_out_mnist": MNIST_CAP, "validation_drawn_digits": DRAWN_CAP},
        "refused_by_the_whole_path": rates,
        "chosen": chosen
        and {"reject_share": chosen[0], "threshold": chosen[1], "refused": rates[str(chosen[0])][str(chosen[1])]},
    }
    report(result, args.out)


if __name__ == "__main__":
    main()

"""Fit the digit check (``digitnet.digit_check``) and write digitnet/models/digit_check.npz and .json.

    DIGITNET_DATA=../shared/mnist python scripts/fit_digit_check.py [--seed 0] [--count 6000] [--reads orientations]
        [--pictures FILE] [--into DIR] [--report FILE]

A network (ReLU, softmax, cross-entropy, digitnet's own ``Network.fit`` with Adam and a cosine
schedule) learns whether a 28×28 input is one digit.  With ``--reads orientations`` (the default, as
the shipped check) it reads the histograms of gradient orientations of the input
(``digit_check.orientation_histograms``: 1296 → 256 → 64 → 2), computed once for each input and
for MOVED_COPIES copies of it moved a little (AUGMENT); with ``--reads pixels`` it reads the
784 pixels (784 → 256 → 64 → 2, the inputs shifted, turned, slanted and thickened a little each
epoch); with ``--reads NAME:LAYER`` (e.g. ``big:2``) it
reads the activations of that hidden layer of the shipped network NAME (512 → 256 → 64 → 2
for big's second), computed once for each input and for MOVED_COPIES copies of it moved the
same way.  Digits (label 0): a
spread sample of MNIST training digits (never the last 10,000), MNIST training digits drawn
again as pictures, the drawing hand's digits and typed digits
(``scripts/digit_check_pictures.py``).  Not digits (label 1): generated non-digits of eleven
kinds.  Of the generated digits three fifths are fitted on, a fifth sets the threshold and a
fifth validates; of the non-digits four fifths are fitted on and a fifth validates; the brush
family (``scripts/brush_doodles.py``), drawn by a pen model nothing is fitted on, shows what
happens on kinds nobody generated.  The threshold refuses at most REFUSED_MNIST of the held-out
MNIST training digits and REFUSED_DRAWN of the calibration fifth.  Prints the validation rates
as JSON (with ``--report FILE`` also writes them there), and beside them the rates of the digit
check that ships now on the same pictures.  Same seed, same machine: the same files, bit for bit.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from brush_doodles import FAMILIES, brush_non_digits  # noqa: E402
from digit_check_pictures import (  # noqa: E402
    NON_DIGIT_KINDS,
    hand_digits,
    non_digits_with_kinds,
    redrawn_digits,
    typed_digits,
)

from digitnet import Network, load_mnist  # noqa: E402
from digitnet.augment import Augmentation  # noqa: E402
from digitnet.digit_check import (  # noqa: E402
    NETWORK_FILE,
    ORIENTATIONS,
    SETTINGS_FILE,
    DigitCheck,
    shipped_digit_check,
)
from digitnet.files import atomic_write  # noqa: E402
from digitnet.models import load_shipped  # noqa: E402
from digitnet.rejection import HELD_OUT  # noqa: E402

HIDDEN = (256, 64)  # hidden layers
MNIST_DIGITS = 10_000
REFUSED_MNIST = 0.005  # share of held-out MNIST digits the threshold may refuse
REFUSED_DRAWN = 0.02  # share of the calibration fifth of generated digits the threshold may refuse
EPOCHS = 40
TRAINING = {"batch_size": 32, "optimizer": "adam", "lr": 0.001, "schedule": "cosine"}
DRAWN_REPEATS = 3  # the generated digits are shown this many times each (there are fewer of them than of MNIST)
AUGMENT = {"shift": 1.0, "rotation": 8.0, "thickness": 0.5, "shear": 0.15}  # every input moved a little each epoch
BRUSH = 2000  # pictures of the brush family, a held-out kind of drawing
MOVED_COPIES = 2  # reading a hidden layer: each input is also shown in this many moved copies (AUGMENT)
EPOCHS_READING = 15  # reading a hidden layer (each epoch shows every input 1 + MOVED_COPIES times)


def fit_check(
    mnist, drawn, others, held_out_mnist, held_out_drawn, seed, epochs=None, hidden=HIDDEN, reader=None, layer=None
):
    """A DigitCheck trained on (n, 784) ``mnist`` digits and generated ``drawn`` digits (shown
    DRAWN_REPEATS times) against (m, 784) ``others``; its threshold refuses at most REFUSED_MNIST
    of ``held_out_mnist`` and REFUSED_DRAWN of ``held_out_drawn``.  Without a ``reader`` it reads
    the pixels, every input moved a little each epoch (AUGMENT; ``epochs`` default EPOCHS); with
    one, the activations of the reader's hidden ``layer`` of each input and of MOVED_COPIES moved
    copies of it (``epochs`` default EPOCHS_READING)."""
    digits = np.vstack([mnist] + [drawn] * DRAWN_REPEATS)
    images = np.vstack([digits, others]).astype(np.float32)
    labels = np.r_[np.zeros(len(digits)), np.ones(len(others))].astype(np.int64)
    check = DigitCheck(None, threshold=1.0, reader=reader, layer=layer)
    options = dict(TRAINING, seed=seed, engine="reference")
    if reader is None:
        options.update(epochs=epochs or EPOCHS, augment=AUGMENT)
    else:
        moves, rng = Augmentation.from_setting(AUGMENT), np.random.default_rng(seed)
        images = np.vstack([images] + [moves.apply(images, rng) for _ in range(MOVED_COPIES)])
        labels = np.tile(labels, 1 + MOVED_COPIES)
        options.update(epochs=epochs or EPOCHS_READING)
    inputs = check.inputs(images)
    sizes = (inputs.shape[1], *np.atleast_1d(hidden).tolist(), 2)
    check.network = Network(sizes, activation="relu", output="softmax", cost="cross-entropy", init="he", seed=seed)
    check.network.fit(inputs, labels, **options)
    check.threshold = max(
        float(np.quantile(check.probability(held_out_mnist), 1 - REFUSED_MNIST)),
        float(np.quantile(check.probability(held_out_drawn), 1 - REFUSED_DRAWN)),
    )
    return check


def validation_rates(check, held_out_mnist, digits, others, kinds):
    """Shares ``check`` refuses of the held-out MNIST digits, of each kind of validation ``digits``
    ({kind: (n, 784)}) and of the validation non-digits ``others`` (m, 784), all and per kind."""
    refused = check.rejects(others)
    return {
        "held_out_mnist_refused": float(check.rejects(held_out_mnist).mean()),
        **{f"validation_{kind}_digits_refused": float(check.rejects(rows).mean()) for kind, rows in digits.items()},
        "validation_non_digits_refused": float(refused.mean()),
        **{f"validation_{name}_refused": float(refused[kinds == k].mean()) for k, name in enumerate(NON_DIGIT_KINDS)},
    }


def brush_rates(check, brush, families):
    """Shares ``check`` refuses of the brush family (``scripts/brush_doodles.py``, a pen model
    nothing is fitted on), all and per family."""
    refused = check.rejects(brush)
    return {
        "brush_refused": float(refused.mean()),
        **{f"brush_{name}_refused": float(refused[families == k].mean()) for k, name in enumerate(FAMILIES)},
    }


def fifths(rows):
    """``rows`` split into three fifths, a fifth and a fifth."""
    fifth = len(rows) // 5
    return rows[: 3 * fifth], rows[3 * fifth : 4 * fifth], rows[4 * fifth :]


def generated_pictures(seed, count, fitting, cache=None):
    """The generated pictures for ``seed`` and ``count`` (redrawn, hand and typed digits,
    non-digits and their kinds, made in that order from one generator, and the MNIST digits
    chosen, by a generator of their own); with a
    ``cache`` path, read from it when it holds them for this seed and count, else written there."""
    if cache and Path(cache).exists():
        with np.load(cache) as stored:
            if int(stored["seed"]) == seed and int(stored["count"]) == count:
                return {key: stored[key] for key in stored.files}
    rng = np.random.default_rng(seed)
    pictures = {"redrawn": redrawn_digits(fitting, rng, count)}
    pictures["hand"] = hand_digits(rng, count // 2)
    pictures["typed"] = typed_digits(rng, count // 2)
    pictures["non_digits"], pictures["kinds"] = non_digits_with_kinds(rng, 4 * count, fitting)
    pictures["chosen"] = np.random.default_rng([seed, 1]).choice(len(fitting), MNIST_DIGITS, replace=False)
    if cache:
        with atomic_write(cache) as file:
            np.savez_compressed(file, seed=seed, count=count, **pictures)
    return pictures


def reader_of(setting):
    """``--reads``: "pixels" → (None, None); ORIENTATIONS → (ORIENTATIONS, None); "NAME:LAYER" →
    (the shipped network NAME, LAYER)."""
    if setting == "pixels":
        return None, None
    if setting == ORIENTATIONS:
        return ORIENTATIONS, None
    name, _, layer = setting.partition(":")
    return load_shipped(name), int(layer or 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--count", type=int, default=6000, help="redrawn MNIST digits (hand and typed digits: half; non-digits: 4×)"
    )
    parser.add_argument(
        "--reads", default=ORIENTATIONS, help="'orientations', 'pixels', or NAME:LAYER of a shipped network"
    )
    parser.add_argument("--pictures", type=Path, help="an .npz to keep the generated pictures in (made once)")
    parser.add_argument("--into", type=Path, default=ROOT / "digitnet" / "models", help="folder to write to")
    parser.add_argument("--report", type=Path, help="also write the JSON report here")
    args = parser.parse_args()
    (train_images, _), _ = load_mnist(dtype=np.uint8)
    fitting, held_out = train_images[:-HELD_OUT], train_images[-HELD_OUT:] / 255.0
    pictures = generated_pictures(args.seed, args.count, fitting, args.pictures)
    mnist = fitting[pictures["chosen"]] / 255.0
    redrawn_fit, redrawn_calibrate, redrawn_val = fifths(pictures["redrawn"])
    hand_fit, hand_calibrate, hand_val = fifths(pictures["hand"])
    typed_fit, typed_calibrate, typed_val = fifths(pictures["typed"])
    others, kinds = pictures["non_digits"], pictures["kinds"]
    start = len(others) * 4 // 5
    drawn = np.vstack([redrawn_fit, hand_fit, typed_fit])
    calibration = np.vstack([redrawn_calibrate, hand_calibrate, typed_calibrate])
    reader, layer = reader_of(args.reads)
    check = fit_check(mnist, drawn, others[:start], held_out, calibration, args.seed, reader=reader, layer=layer)
    validation = {"redrawn": redrawn_val, "hand": hand_val, "typed": typed_val}
    brush, families = brush_non_digits(np.random.default_rng(args.seed + 1), BRUSH)
    report = {
        "threshold": check.threshold,
        "sizes": check.network.sizes,
        "seed": args.seed,
        "count": args.count,
        "reads": args.reads,
        "fitted_on": {
            "mnist": len(mnist),
            "redrawn": len(redrawn_fit),
            "hand": len(hand_fit),
            "typed": len(typed_fit),
            "non_digits": start,
        },
        **validation_rates(check, held_out, validation, others[start:], kinds[start:]),
        **brush_rates(check, brush, families),
        "shipped_check_on_the_same_pictures": {
            **validation_rates(shipped_digit_check(), held_out, validation, others[start:], kinds[start:]),
            **brush_rates(shipped_digit_check(), brush, families),
        },
    }
    args.into.mkdir(parents=True, exist_ok=True)
    check.network.save(args.into / NETWORK_FILE)
    with atomic_write(args.into / SETTINGS_FILE) as file:
        settings = {"threshold": check.threshold}
        if reader is not None:
            settings["reads"] = args.reads.partition(":")[0]
        if layer is not None:
            settings["layer"] = layer
        file.write(json.dumps(settings, indent=1).encode())
    text = json.dumps(report, indent=1)
    if args.report:
        with atomic_write(args.report) as file:
            file.write(text.encode())
    print(text)


if __name__ == "__main__":
    main()

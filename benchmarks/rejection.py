"""Benchmark: people's pictures through the whole path (file → picture check → 28×28 → network → answer).

    DIGITNET_DATA=../shared/mnist python benchmarks/rejection.py [MODEL ...] [--out benchmarks/results/rejection.json]

For each network (default: every shipped one) with its stored "not a digit" model and the
shipped digit check (``digitnet.digit_check``), one JSON object with, per set, the share of
pictures read right (the network's top answer, whatever the rejector says), the share answered
right and not rejected, the shares rejected and unsure:

    mnist_test        the 10,000 MNIST test digits (as 784-vectors: no picture check)
    noise             1,000 each of uniform, Gaussian and salt-and-pepper noise, 100 blank
                      white and 100 blank black images (``digitnet.insight.noise_images``)
    evaluation        tests/data/evaluation/: digits (mouse, font, paper) and non-digits
                      (photo, text, letter, mark), per kind; made by other means than anything
                      digitnet fits or tunes on (tests/data/make_evaluation_set.py)
    tuning            tests/data/drawn_digits and non_digits: the drawing hand the drawing
                      and digit checks were fitted with (scripts/tuning_pictures.py), for comparison
    tuning_sheets     300 MNIST test digits written again with a pen on a sheet of paper and
                      photographed (``tuning_pictures.photographed_sheet``: grain, ruled lines,
                      uneven light, a hard shadow, pencil or ballpoint, a tilt, the desk, JPEG);
                      the checks were fitted on this generator's pictures of training digits

Pictures are read as `digitnet predict --reject` reads them; a blank picture counts as rejected.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
from machine import cpu_model, report  # benchmarks/machine.py

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from digit_check_pictures import redrawn  # noqa: E402
from tuning_pictures import photographed_sheet  # noqa: E402

import digitnet
from digitnet.drawing_check import is_drawing
from digitnet.errors import BlankImageError
from digitnet.images import read_picture
from digitnet.insight import noise_images
from digitnet.models import SHIPPED, load_shipped

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SHEETS = 300  # MNIST test digits photographed on paper
NOISE = (("uniform", 1000), ("gaussian", 1000), ("salt-pepper", 1000), ("blank-white", 100), ("blank-black", 100))


def read_set(paths, kind_of, label_of):
    """Every picture in ``paths``: (kinds, labels, (n, 784) pixels, (n,) drawing, (n,) blank)."""
    return read_pictures(paths, [kind_of(path.stem) for path in paths], [label_of(path.stem) for path in paths])


def read_pictures(sources, kinds, labels):
    """Pictures (paths or bytes) with their ``kinds`` and ``labels`` (−1: not a digit), read:
    (kinds, labels, (n, 784) pixels, (n,) drawing, (n,) blank)."""
    pixels, drawings, blanks = [], [], []
    for source in sources:
        try:
            picture = read_picture(source)
            pixels.append(picture.pixels)
            drawings.append(is_drawing(picture))
            blanks.append(False)
        except BlankImageError:
            pixels.append(np.zeros(784, np.float32))
            drawings.append(False)
            blanks.append(True)
    return np.array(kinds), np.array(labels), np.array(pixels), np.array(drawings), np.array(blanks)


def photographed_sheets(test_images, test_labels, count=SHEETS, seed=0):
    """``count`` MNIST test digits (uint8 (n, 784)) written again with a pen (``redrawn``) on a
    sheet of paper and photographed with a phone (``photographed_sheet``), read."""
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(test_images), count, replace=False)
    sheets = [photographed_sheet(redrawn(test_images[k].reshape(28, 28) / 255, rng), rng) for k in chosen]
    return read_pictures(sheets, ["sheet"] * count, test_labels[chosen].tolist())


def rates(net, pictures, per_kind=True):
    """Shares read right, right and kept, rejected and unsure, overall and per kind."""
    kinds, labels, pixels, drawings, blanks = pictures
    verdict = net.predict_or_reject(pixels, drawings=drawings)
    rejected = verdict.rejected | blanks
    right = verdict.outputs.argmax(axis=1) == labels

    def shares(chosen):
        counted = {
            "count": int(chosen.sum()),
            "rejected": float(rejected[chosen].mean()),
            "unsure": float(verdict.unsure[chosen].mean()),
            "not_a_drawing": float((~drawings[chosen]).mean()),
        }
        if (labels[chosen] >= 0).all():
            counted.update(read=float(right[chosen].mean()), read_and_kept=float((right & ~rejected)[chosen].mean()))
        return counted

    result = {"all": shares(np.ones(len(kinds), bool))}
    if per_kind:
        result.update({kind: shares(kinds == kind) for kind in sorted(set(kinds))})
    return result


def picture_sets():
    """The evaluation and tuning pictures, read: {set name: read_set(...)}."""
    digit_label = lambda stem: int(stem.split("-")[0])  # noqa: E731  (evaluation: <d>-<how>-<n>)
    no_label = lambda stem: -1  # noqa: E731
    evaluation = DATA / "evaluation"
    return {
        "evaluation_digits": read_set(
            sorted((evaluation / "digits").glob("*.*")), lambda s: s.split("-")[1], digit_label
        ),
        "evaluation_non_digits": read_set(
            sorted((evaluation / "non_digits").glob("*.*")), lambda s: s.split("-")[0], no_label
        ),
        "tuning_digits": read_set(
            sorted((DATA / "drawn_digits").glob("*.png")), lambda s: "hand", lambda stem: int(stem.split("-")[1])
        ),
        "tuning_non_digits": read_set(sorted((DATA / "non_digits").glob("*.png")), lambda s: s.split("-")[0], no_label),
    }


def benchmark(name, net, test, sets):
    test_images, test_labels = test
    verdict = net.predict_or_reject(test_images)
    kept = ~verdict.rejected
    result = {
        "network": name,
        "sizes": net.sizes,
        "parameters": net.num_parameters,
        "unsure_below": net.rejector.unsure_below,
        "mnist_test": {
            "accuracy": float((verdict.outputs.argmax(axis=1) == test_labels).mean()),
            "rejected": float(verdict.rejected.mean()),
            "unsure": float(verdict.unsure.mean()),
            "kept_accuracy": float((verdict.digit[kept] == test_labels[kept]).mean()),
            "sure_accuracy": float((verdict.digit == test_labels)[verdict.state == "sure"].mean()),
        },
        "noise": {
            kind: float(net.predict_or_reject(noise_images(kind, count, seed=0)).rejected.mean())
            for kind, count in NOISE
        },
    }
    result.update({label: rates(net, pictures) for label, pictures in sets.items()})
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="model files (default: every shipped network)")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    _, test = digitnet.load_mnist()
    sets = picture_sets()
    (_, _), (test_bytes, test_labels) = digitnet.load_mnist(dtype=np.uint8)
    sets["tuning_sheets"] = photographed_sheets(test_bytes, test_labels)
    networks = [(path, digitnet.Network.load(path)) for path in args.models] or [
        (name, load_shipped(name)) for name in SHIPPED
    ]
    result = {
        "cpu": cpu_model(),
        "digitnet_version": digitnet.__version__,
        "networks": [benchmark(str(name), net, test, sets) for name, net in networks],
    }
    report(result, args.out)


if __name__ == "__main__":
    main()

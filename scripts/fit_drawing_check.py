"""Fit the drawing check (``digitnet.drawing_check``) and write digitnet/models/drawing_check.json.

    DIGITNET_DATA=../shared/mnist python scripts/fit_drawing_check.py [--seed 0]

Drawings (label 0): the drawing hand's digits and non-digits (a quarter each clean, degraded,
photographed on paper, written on a sheet and photographed), MNIST training digits as pictures,
typed digits and words, MNIST training digits written again on a sheet and photographed with a
phone (some in coloured ink on tinted paper), and the hand's drawings in coloured ink on white
or coloured paper (clean or degraded).
Not drawings (label 1): procedural photographs, whole and cropped, in grey and in false colour,
charts in many colours, and photographs of surfaces of one colour, bare or printed like a
circuit board (scripts/tuning_pictures.py).  Logistic regression on the standardised
features, their squares and products by Newton's method (a little L2 for stability); the
threshold refuses 1% of the drawings.
Prints the share refused of each kind, of the fitting pictures and of held-out pictures made
with the next seed (half as many), and for each kind of photograph the share of its held-out
pictures refused by a check fitted without that kind (what happens on a kind nobody generated),
as JSON.
"""

import argparse
import io
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from digit_check_pictures import photograph, redrawn  # noqa: E402
from tuning_pictures import (  # noqa: E402
    INKS,
    PAPERS,
    coloured_chart,
    coloured_ink,
    degraded,
    drawing_hand,
    drawings,
    encoded,
    false_colour_photo,
    grey_photo,
    mnist_pictures,
    photographed_sheet,
    procedural_photo,
    two_tone_photo,
    typed,
    word,
)

from digitnet import load_mnist  # noqa: E402
from digitnet.drawing_check import CHECK_FILE, FEATURES, DrawingCheck, design, drawing_features  # noqa: E402
from digitnet.errors import BlankImageError  # noqa: E402
from digitnet.files import atomic_write  # noqa: E402
from digitnet.images import read_picture  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "digitnet" / "models" / CHECK_FILE
REFUSED_DRAWINGS = 0.01
L2 = 1e-2


def features_of(pictures):
    """(n, d) drawing-check features of the pictures (bytes) that are not blank."""
    rows = []
    for picture in pictures:
        try:
            rows.append(drawing_features(read_picture(picture)))
        except BlankImageError:
            continue
    return np.array(rows)


def png(picture):
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def fitting_pictures(rng, count, train_images):
    """{kind: (n, d) features}: drawings (DRAWINGS) and photographs (PHOTOGRAPHS), ``count`` of
    the hand's drawings and of whole photographs, fewer of the other kinds."""
    hand = drawing_hand()
    shapes = [strokes for _, strokes in hand.non_digits(rng)] + [make() for make in hand.DIGITS.values()] * 10
    typed_pictures = [  # typed digits and words: strokes on a plain background too
        png(typed(str(rng.integers(10)) if rng.random() < 0.5 else word(rng), rng)) for _ in range(count // 4)
    ]
    sheets = [
        photographed_sheet(redrawn(train_images[k].reshape(28, 28) / 255, rng), rng)
        for k in rng.choice(len(train_images), count // 2, replace=False)
    ]
    coloured_sheets = [  # coloured ink on tinted paper, photographed
        photographed_sheet(
            redrawn(train_images[k].reshape(28, 28) / 255, rng),
            rng,
            ink_colour=INKS[rng.integers(len(INKS))],
            paper_colour=PAPERS[rng.integers(len(PAPERS))],
        )
        for k in rng.choice(len(train_images), count // 4, replace=False)
    ]
    in_colour = []
    for _ in range(count // 4):
        picture = coloured_ink(hand.render(shapes[rng.integers(len(shapes))], rng), rng)
        in_colour.append(png(picture) if rng.random() < 0.5 else degraded(picture, rng))
    made = {
        "hand": drawings(rng, count),
        "mnist": mnist_pictures(train_images, rng, count // 2),
        "typed": typed_pictures,
        "sheets": sheets,
        "coloured sheets": coloured_sheets,
        "coloured ink": in_colour,
        "photographs": [encoded(procedural_photo(rng), rng) for _ in range(count)],
        "photograph crops": [encoded(photograph(rng), rng) for _ in range(count // 2)],
        "grey photographs": [encoded(grey_photo(rng), rng) for _ in range(count // 2)],
        "false colour": [encoded(false_colour_photo(rng), rng) for _ in range(count // 4)],
        "coloured charts": [encoded(np.asarray(coloured_chart(rng)) / 255, rng) for _ in range(count // 4)],
        "two-tone photographs": [encoded(two_tone_photo(rng), rng) for _ in range(count // 4)],
    }
    return {kind: features_of(pictures) for kind, pictures in made.items()}


DRAWINGS = ("hand", "mnist", "typed", "sheets", "coloured sheets", "coloured ink")
PHOTOGRAPHS = (
    "photographs",
    "photograph crops",
    "grey photographs",
    "false colour",
    "coloured charts",
    "two-tone photographs",
)


def logistic_fit(x, y, steps=50):
    """Weights (d,) and bias minimising the mean logistic loss + L2/2 |w|², by Newton's method."""
    design = np.hstack([x, np.ones((len(x), 1))])
    theta = np.zeros(design.shape[1])
    penalty = L2 * np.eye(design.shape[1])
    penalty[-1, -1] = 0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-design @ theta))
        gradient = design.T @ (p - y) / len(y) + penalty @ theta
        hessian = (design * (p * (1 - p))[:, None]).T @ design / len(y) + penalty
        theta -= np.linalg.solve(hessian, gradient)
    return theta[:-1], theta[-1]


def refused(check, kinds):
    """{kind: share of its pictures ``check`` refuses}."""
    return {kind: float((check.probability(features) > check.threshold).mean()) for kind, features in kinds.items()}


def fitted_check(kinds, photographs=PHOTOGRAPHS):
    """The DrawingCheck fitted on ``kinds`` ({kind: (n, d) features}): DRAWINGS against ``photographs``;
    its threshold refuses REFUSED_DRAWINGS of the drawings."""
    drawn = np.vstack([kinds[kind] for kind in DRAWINGS])
    photos = np.vstack([kinds[kind] for kind in photographs])
    x = np.vstack([drawn, photos])
    y = np.r_[np.zeros(len(drawn)), np.ones(len(photos))]
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    weights, bias = logistic_fit(design(x, mean, scale), y)
    check = DrawingCheck(mean, scale, weights, bias, threshold=0.5)
    check.threshold = float(np.quantile(check.probability(drawn), 1 - REFUSED_DRAWINGS))
    return check


def unseen_kinds(kinds, held_out):
    """{kind: share of ``held_out``'s pictures of that kind refused by a check fitted on ``kinds``
    without it}, for every kind of photograph: what the check does on a kind nobody generated."""
    return {
        kind: refused(fitted_check(kinds, [other for other in PHOTOGRAPHS if other != kind]), held_out)[kind]
        for kind in PHOTOGRAPHS
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=800, help="the hand's drawings and whole photographs")
    parser.add_argument("--report", type=Path, help="also write the JSON report here")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    (train_images, _), _ = load_mnist(dtype=np.uint8)
    kinds = fitting_pictures(rng, args.count, train_images[:50_000])
    drawn = np.vstack([kinds[kind] for kind in DRAWINGS])
    photos = np.vstack([kinds[kind] for kind in PHOTOGRAPHS])
    check = fitted_check(kinds)
    held_out = fitting_pictures(np.random.default_rng(args.seed + 1), args.count // 2, train_images[:50_000])
    with atomic_write(OUT) as file:
        file.write(json.dumps(check.as_dict(), indent=1).encode())
    text = json.dumps(
        {
            "drawings": len(drawn),
            "photos": len(photos),
            "threshold": check.threshold,
            "drawings_refused": float((check.probability(drawn) > check.threshold).mean()),
            "photos_refused": float((check.probability(photos) > check.threshold).mean()),
            "refused_per_kind": refused(check, kinds),
            "counts": {kind: len(features) for kind, features in kinds.items()},
            "held_out_refused_per_kind": refused(check, held_out),
            "held_out_counts": {kind: len(features) for kind, features in held_out.items()},
            "held_out_refused_when_fitted_without_the_kind": unseen_kinds(kinds, held_out),
            "weights": dict(zip(FEATURES, check.weights[: len(FEATURES)].round(3).tolist())),
        },
        indent=1,
    )
    if args.report:
        with atomic_write(args.report) as file:
            file.write(text.encode())
    print(text)


if __name__ == "__main__":
    main()

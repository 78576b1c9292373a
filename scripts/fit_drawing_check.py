"""Fit the drawing check (``digitnet.drawing_check``) and write digitnet/models/drawing_check.json.

    DIGITNET_DATA=../shared/mnist python scripts/fit_drawing_check.py [--seed 0]

Drawings (label 0): the drawing hand's digits and non-digits (a quarter each clean, degraded,
photographed on paper, written on a sheet and photographed), MNIST training digits as pictures,
and typed digits and words.  Not drawings (label 1): procedural photographs (scripts/tuning_pictures.py).
Logistic regression on the standardised features and their squares by Newton's method (a
little L2 for stability); the threshold refuses 1% of the drawings.  Prints the fit's rates as JSON.
"""

import argparse
import io
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tuning_pictures import drawings, encoded, mnist_pictures, procedural_photo, typed, word  # noqa: E402

from digitnet import load_mnist  # noqa: E402
from digitnet.drawing_check import CHECK_FILE, DrawingCheck, design, drawing_features  # noqa: E402
from digitnet.errors import BlankImageError  # noqa: E402
from digitnet.files import atomic_write  # noqa: E402
from digitnet.images import read_picture  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "digitnet" / "models" / CHECK_FILE
REFUSED_DRAWINGS = 0.01
L2 = 1e-2


def features_of(pictures):
    rows = []
    for picture in pictures:
        try:
            rows.append(drawing_features(read_picture(picture).ink))
        except BlankImageError:
            continue
    return np.array(rows)


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=600, help="pictures of each kind")
    parser.add_argument("--report", type=Path, help="also write the JSON report here")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    (train_images, _), _ = load_mnist(dtype=np.uint8)
    typed_pictures = []
    for _ in range(args.count // 4):  # typed digits and words: strokes on a plain background too
        buffer = io.BytesIO()
        typed(str(rng.integers(10)) if rng.random() < 0.5 else word(rng), rng).save(buffer, "PNG")
        typed_pictures.append(buffer.getvalue())
    drawn = features_of(drawings(rng, args.count) + mnist_pictures(train_images, rng, args.count // 2) + typed_pictures)
    photos = features_of([encoded(procedural_photo(rng), rng) for _ in range(args.count)])
    x = np.vstack([drawn, photos])
    y = np.r_[np.zeros(len(drawn)), np.ones(len(photos))]
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    weights, bias = logistic_fit(design(x, mean, scale), y)
    check = DrawingCheck(mean, scale, weights, bias, threshold=0.5)
    check.threshold = float(np.quantile(check.probability(drawn), 1 - REFUSED_DRAWINGS))
    with atomic_write(OUT) as file:
        file.write(json.dumps(check.as_dict(), indent=1).encode())
    text = json.dumps(
        {
            "drawings": len(drawn),
            "photos": len(photos),
            "threshold": check.threshold,
            "drawings_refused": float((check.probability(drawn) > check.threshold).mean()),
            "photos_refused": float((check.probability(photos) > check.threshold).mean()),
            "weights": dict(zip(check.as_dict()["features"], weights[:7].round(3).tolist())),
            "weights_of_squares": dict(zip(check.as_dict()["features"], weights[7:].round(3).tolist())),
        },
        indent=1,
    )
    if args.report:
        with atomic_write(args.report) as file:
            file.write(text.encode())
    print(text)


if __name__ == "__main__":
    main()

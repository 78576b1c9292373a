"""Draw the test pictures for "not a digit": things people draw that are not digits, and digits.

    python tests/data/draw_test_images.py        # rewrites tests/data/non_digits/ and tests/data/drawn_digits/
    python tests/data/draw_test_images.py --seed 1 --into /tmp/validation   # another set, same hand

Each picture is drawn the way a person draws on a canvas or on paper: wobbly hand strokes
with round ends, of varying width, at a random size, position, slant and aspect ratio, on
white or grey paper (dark ink) or on a black canvas (light ink), as a PNG of 160–360 pixels.
The pictures are then read by ``digitnet.images.image_to_input``, exactly as ``digitnet
predict`` reads a file.

non_digits/ (245 files, named ``<kind>-<what>-<n>.png``), chosen to look like no digit:
    letter     A E F H K M N R W X, k m w
    shape      square, triangle, star, heart, diamond, pentagon, hexagon, house, smiley, plus sign
    arrow      straight arrows pointing 8 ways, curved arrows
    scribble   tangled random loops, zigzags, waves, coils
    crossed    hatched-over patches, a scribble struck out with an X or with lines

Left out on purpose because they *are* digit-like: circles and O (0), I and l (1), S (5),
Z (2), B (8), G (6), b (6), g and q (9), T and the check mark (7).

drawn_digits/ (100 files, ``digit-<d>-<n>.png``): 0–9 drawn with the same hand, to check that
a rejector does not simply reject anything drawn (a digit should not be refused for being a
drawing rather than an MNIST scan).

This generator is independent of anything digitnet trains on: the rejector is fitted on MNIST
digits only (see digitnet/rejection.py), it never sees these pictures or this code.
"""

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

HERE = Path(__file__).parent
SEED = 20261126


# ------------------------------------------------------------------ glyphs: strokes in a unit box (x right, y down)
def arc(cx, cy, rx, ry, start, stop, n=24):
    """Points on an ellipse from angle ``start`` to ``stop`` (degrees, 0 = right, 90 = down)."""
    t = np.radians(np.linspace(start, stop, n))
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1)


def line(*points):
    return np.array(points, dtype=float)


def polygon(sides, rotation=-90, cx=0.5, cy=0.5, r=0.5):
    t = np.radians(rotation + 360 * np.arange(sides + 1) / sides)
    return np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], axis=1)


LETTERS = {
    "A": [line((0.05, 1), (0.5, 0), (0.95, 1)), line((0.25, 0.6), (0.75, 0.6))],
    "E": [line((0.85, 0), (0.1, 0), (0.1, 1), (0.85, 1)), line((0.1, 0.5), (0.7, 0.5))],
    "F": [line((0.85, 0), (0.1, 0), (0.1, 1)), line((0.1, 0.48), (0.65, 0.48))],
    "H": [line((0.1, 0), (0.1, 1)), line((0.9, 0), (0.9, 1)), line((0.1, 0.5), (0.9, 0.5))],
    "K": [line((0.15, 0), (0.15, 1)), line((0.85, 0), (0.15, 0.55)), line((0.35, 0.4), (0.9, 1))],
    "M": [line((0.05, 1), (0.1, 0), (0.5, 0.65), (0.9, 0), (0.95, 1))],
    "N": [line((0.1, 1), (0.1, 0), (0.9, 1), (0.9, 0))],
    "R": [
        np.vstack([line((0.15, 1), (0.15, 0)), arc(0.45, 0.25, 0.4, 0.25, -90, 90), line((0.15, 0.5))]),
        line((0.4, 0.5), (0.9, 1)),
    ],
    "W": [line((0.0, 0), (0.25, 1), (0.5, 0.35), (0.75, 1), (1.0, 0))],
    "X": [line((0.1, 0), (0.9, 1)), line((0.9, 0), (0.1, 1))],
    "k": [line((0.2, 0), (0.2, 1)), line((0.8, 0.35), (0.2, 0.72)), line((0.38, 0.62), (0.85, 1))],
    "m": [
        np.vstack([line((0.05, 1), (0.05, 0.35)), arc(0.27, 0.55, 0.22, 0.2, 180, 360), line((0.49, 1))]),
        np.vstack([arc(0.71, 0.55, 0.22, 0.2, 180, 360), line((0.93, 1))]),
    ],
    "w": [line((0.0, 0.3), (0.22, 1), (0.5, 0.45), (0.78, 1), (1.0, 0.3))],
}


def star():
    t = np.radians(-90 + 144 * np.arange(6))
    return [np.stack([0.5 + 0.5 * np.cos(t), 0.5 + 0.5 * np.sin(t)], axis=1)]


def heart():
    t = np.linspace(0, 2 * np.pi, 60)
    x = 16 * np.sin(t) ** 3
    y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
    return [np.stack([(x + 17) / 34, (y + 18) / 34], axis=1)]


SHAPES = {
    "square": lambda rng: [polygon(4, rotation=45 + rng.normal(0, 3))],
    "triangle": lambda rng: [polygon(3)],
    "star": lambda rng: star(),
    "heart": lambda rng: heart(),
    "diamond": lambda rng: [polygon(4, rotation=0)],
    "pentagon": lambda rng: [polygon(5)],
    "hexagon": lambda rng: [polygon(6, rotation=0)],
    "house": lambda rng: [
        line((0.1, 0.45), (0.1, 1), (0.9, 1), (0.9, 0.45), (0.1, 0.45), (0.5, 0.0), (0.9, 0.45)),
        line((0.42, 1), (0.42, 0.7), (0.58, 0.7), (0.58, 1)),
    ],
    "smiley": lambda rng: [
        arc(0.5, 0.5, 0.5, 0.5, 0, 360, 48),
        arc(0.5, 0.55, 0.28, 0.22, 20, 160),
        arc(0.33, 0.35, 0.04, 0.06, 0, 360, 8),
        arc(0.67, 0.35, 0.04, 0.06, 0, 360, 8),
    ],
    "plus": lambda rng: [line((0.5, 0), (0.5, 1)), line((0, 0.5), (1, 0.5))],
}


def arrow(direction, curved):
    """An arrow pointing at ``direction`` degrees (0 = right), straight or as a curved sweep."""
    if curved:
        shaft = arc(0.5, 0.55, 0.45, 0.4, 160, 360)
    else:
        shaft = line((0.0, 0.5), (1.0, 0.5))
    tip, before = shaft[-1], shaft[-2]
    back = (before - tip) / np.linalg.norm(before - tip) * 0.3

    def rotate(v, a):
        return np.array([v[0] * np.cos(a) - v[1] * np.sin(a), v[0] * np.sin(a) + v[1] * np.cos(a)])

    head = np.array([tip + rotate(back, np.radians(35)), tip, tip + rotate(back, np.radians(-35))])
    strokes = [shaft, head]
    a = np.radians(direction)
    return [np.array([rotate(p - 0.5, a) + 0.5 for p in s]) for s in strokes]


def rounded(path, times=3):
    """Chaikin's corner cutting: each pass replaces every segment by its 1/4 and 3/4 points."""
    for _ in range(times):
        quarter, three_quarters = 0.75 * path[:-1] + 0.25 * path[1:], 0.25 * path[:-1] + 0.75 * path[1:]
        path = np.vstack([path[:1], np.stack([quarter, three_quarters], axis=1).reshape(-1, 2), path[-1:]])
    return path


def scribble(rng, kind):
    if kind == "tangle":  # the pen dashing back and forth between random places in a patch
        return [rounded(rng.uniform(0, 1, (int(rng.integers(8, 20)), 2)) * [1, rng.uniform(0.4, 1)])]
    if kind == "zigzag":
        n = rng.integers(4, 9)
        x = np.linspace(0, 1, 2 * n)
        return [np.stack([x, np.tile([0.2, 0.8], n)], axis=1)]
    if kind == "wave":
        t = np.linspace(0, 1, 80)
        return [np.stack([t, 0.5 + 0.25 * np.sin(2 * np.pi * rng.uniform(2, 4) * t)], axis=1)]
    # coil: a spring of loops along a line
    t = np.linspace(0, 2 * np.pi * rng.integers(4, 8), 300)
    return [np.stack([0.08 * t + 0.3 * np.cos(t), 0.5 + 0.35 * np.sin(t)], axis=1)]


def crossed(rng, kind):
    if kind == "hatched":  # a patch scratched over with back-and-forth strokes
        n = rng.integers(6, 14)
        ys = np.linspace(0, 1, n)
        xs = np.tile([0.0, 1.0], n // 2 + 1)[:n] + rng.normal(0, 0.05, n)
        return [np.stack([xs, ys + rng.normal(0, 0.02, n)], axis=1)]
    under = scribble(rng, "wave" if kind == "struck" else "tangle")
    if kind == "struck":  # a wavy word struck through with two or three lines
        return under + [
            line((-0.05, y), (1.05, y + rng.normal(0, 0.05))) for y in (0.45, 0.55, 0.62)[: rng.integers(2, 4)]
        ]
    return under + [line((0, 0), (1, 1)), line((1, 0), (0, 1))]  # a scribble with an X through it


DIGITS = {
    "0": lambda: [arc(0.5, 0.5, 0.38, 0.5, -90, 275, 40)],
    "1": lambda: [line((0.3, 0.2), (0.55, 0), (0.55, 1))],
    "2": lambda: [
        np.vstack([arc(0.5, 0.3, 0.38, 0.3, 190, 360), arc(0.5, 0.3, 0.38, 0.3, 0, 40, 6), line((0.1, 1), (0.92, 1))])
    ],
    "3": lambda: [np.vstack([arc(0.45, 0.25, 0.35, 0.25, 200, 450), arc(0.45, 0.75, 0.4, 0.25, -90, 160)])],
    "4": lambda: [line((0.6, 0), (0.08, 0.68), (0.92, 0.68)), line((0.68, 0.3), (0.68, 1))],
    "5": lambda: [line((0.85, 0), (0.25, 0), (0.2, 0.45)), arc(0.45, 0.68, 0.4, 0.3, -130, 150)],
    "6": lambda: [np.vstack([arc(0.8, 0.6, 0.7, 0.6, 235, 180, 16), arc(0.5, 0.72, 0.35, 0.28, 180, -180)])],
    "7": lambda: [line((0.1, 0), (0.9, 0), (0.4, 1))],
    "8": lambda: [np.vstack([arc(0.5, 0.25, 0.3, 0.25, 90, 450), arc(0.5, 0.75, 0.38, 0.25, -90, 270)])],
    "9": lambda: [np.vstack([arc(0.5, 0.3, 0.35, 0.3, 0, 360), line((0.85, 0.3), (0.75, 1))])],
}


# ------------------------------------------------------------------ the hand: wobble, slant, size, ink
def normalise(strokes):
    """Scale and move ``strokes`` so that together they fill the unit box (aspect kept)."""
    points = np.vstack(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    scale = 1 / max((high - low).max(), 1e-9)
    return [(s - low) * scale for s in strokes]


def hand(stroke, rng, wobble):
    """Resample a stroke densely and add a slow, smooth wobble, like a hand drawing it."""
    lengths = np.r_[0, np.cumsum(np.linalg.norm(np.diff(stroke, axis=0), axis=1))]
    if lengths[-1] == 0:
        return stroke
    n = max(16, int(lengths[-1] / 0.01))
    at = np.linspace(0, lengths[-1], n)
    dense = np.stack([np.interp(at, lengths, stroke[:, 0]), np.interp(at, lengths, stroke[:, 1])], axis=1)
    drift = np.cumsum(rng.normal(0, wobble, (n, 2)), axis=0)
    kernel = np.ones(9) / 9
    drift = np.stack([np.convolve(drift[:, k], kernel, mode="same") for k in range(2)], axis=1)
    return dense + drift - drift.mean(axis=0)


def render(strokes, rng):
    """Draw ``strokes`` (unit box) as a person would: returns a PIL image."""
    side = int(rng.integers(160, 361))
    style = rng.choice(["paper", "paper", "grey paper", "canvas", "blue pen"])
    background, ink = {
        "paper": (255, 0),
        "grey paper": (int(rng.integers(190, 235)), int(rng.integers(0, 60))),
        "canvas": (0, 255),
        "blue pen": ((250, 250, 245), (20, 40, 160)),
    }[style]
    image = Image.new("RGB" if style == "blue pen" else "L", (side, side), background)
    draw = ImageDraw.Draw(image)
    angle = np.radians(rng.normal(0, 8))
    shear = rng.normal(0, 0.12)
    aspect = np.exp(rng.normal(0, 0.15))
    size = side * rng.uniform(0.3, 0.8)
    width = max(1, int(round(side * rng.uniform(0.012, 0.07))))
    centre = side / 2 + rng.uniform(-0.5, 0.5, 2) * (side - size - width) * 0.8
    matrix = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) @ np.array(
        [[aspect, shear], [0, 1 / aspect]]
    )
    for stroke in normalise(strokes):
        points = hand(stroke, rng, wobble=0.004)
        points = (points - 0.5) @ matrix.T * size + centre
        xy = [tuple(p) for p in points]
        draw.line(xy, fill=ink, width=width, joint="curve")
        r = width / 2
        for x, y in (xy[0], xy[-1]):
            draw.ellipse((x - r, y - r, x + r, y + r), fill=ink)
    return image


def non_digits(rng):
    """(name, strokes) for every non-digit picture."""
    pictures = []
    for letter, strokes in LETTERS.items():
        for k in range(5 if letter.isupper() else 4):
            name = letter if letter.isupper() else f"small-{letter}"
            pictures.append((f"letter-{name}-{k}", [s.copy() for s in strokes]))
    for shape, make in SHAPES.items():
        for k in range(5):
            pictures.append((f"shape-{shape}-{k}", make(rng)))
    for k in range(40):
        direction = [0, 45, 90, 135, 180, 225, 270, 315][k % 8] + rng.normal(0, 5)
        curved = k >= 28
        pictures.append((f"arrow-{'curved' if curved else 'straight'}-{k}", arrow(direction, curved)))
    for k in range(48):
        kind = ["tangle", "zigzag", "wave", "coil"][k % 4]
        pictures.append((f"scribble-{kind}-{k}", scribble(rng, kind)))
    for k in range(45):
        kind = ["hatched", "struck", "x-out"][k % 3]
        pictures.append((f"crossed-{kind}-{k}", crossed(rng, kind)))
    return pictures


def main():
    parser = argparse.ArgumentParser(description="Draw the non-digit and drawn-digit test pictures.")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED}: the committed set)")
    parser.add_argument("--into", type=Path, default=HERE, help="folder to draw into (default: tests/data)")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    for folder, pictures in (
        ("non_digits", non_digits(rng)),
        ("drawn_digits", [(f"digit-{d}-{k}", make()) for d, make in DIGITS.items() for k in range(10)]),
    ):
        target = args.into / folder
        target.mkdir(parents=True, exist_ok=True)
        for old in target.glob("*.png"):
            old.unlink()
        for name, strokes in pictures:
            render(strokes, rng).save(target / f"{name}.png", optimize=True)
        print(f"{len(pictures)} pictures in {target}")


if __name__ == "__main__":
    main()

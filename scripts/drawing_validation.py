"""Validation pictures for choosing how the shipped networks are trained (never for evaluating them).

    DIGITNET_DATA=../shared/mnist python scripts/drawing_validation.py [--count 600] [--out validation.npz]

Three kinds of drawn digit, each made as a picture and read by ``digitnet.images.read_picture``
exactly as ``digitnet predict`` reads a file:

    font      digits printed in the installed fonts (matplotlib's and /usr/share/fonts), made
              bolder (a stroked outline) or thinner (eroded), slanted, turned, stretched, at a
              random size, either polarity
    hand      the drawing hand of ``tests/data/draw_test_images.py`` with seeds of its own
    redrawn   MNIST training digits 50,000–59,999 (the part a recipe with ``validation=10000``
              never trains on) drawn again with pens of many widths (``scripts/digit_check_pictures.py``)

A third of each kind is photographed on paper (``scripts/tuning_pictures.on_paper``).  The
evaluation pictures (``tests/data/make_evaluation_set.py``) are made by their own code and are
never used to choose anything.  Writes an .npz with ``pixels`` (n, 784) float32, ``labels`` (n,),
``kinds`` (n,) str and ``photographed`` (n,) bool.
"""

import argparse
import io
import sys
from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from digit_check_pictures import redrawn  # noqa: E402
from tuning_pictures import drawing_hand, on_paper  # noqa: E402

import digitnet  # noqa: E402
from digitnet.errors import ImageError  # noqa: E402
from digitnet.images import read_picture  # noqa: E402

SEED = 5_150
FONTS = sorted(
    font
    for font in {
        *Path(matplotlib.get_data_path(), "fonts", "ttf").glob("*.ttf"),
        *Path("/usr/share/fonts/truetype").glob("*/*.ttf"),
    }
    if not any(
        skip in font.name for skip in ("Siz", "NonUni", "cmex", "cmsy", "cmmi", "LastResort", "Math", "Display")
    )  # (the Display fonts have no digits)
)


def font_digit(digit, rng):
    """``digit`` printed in a random font, bolder or thinner, slanted, turned and stretched: PIL image."""
    size = int(rng.integers(48, 160))
    font = ImageFont.truetype(str(FONTS[rng.integers(len(FONTS))]), size)
    side = 3 * size
    canvas = Image.new("L", (side, side), 0)
    bold = int(rng.integers(0, max(2, size // 10))) if rng.random() < 0.5 else 0
    ImageDraw.Draw(canvas).text(
        (side / 2, side / 2), str(digit), font=font, fill=255, anchor="mm", stroke_width=bold, stroke_fill=255
    )
    if rng.random() < 0.25:  # a thinner pen
        canvas = canvas.filter(ImageFilter.MinFilter(3 if size < 100 else 5))
    slant, aspect, angle = rng.normal(0, 0.2), np.exp(rng.normal(0, 0.15)), rng.normal(0, 6)
    canvas = canvas.transform(
        (side, side),
        Image.Transform.AFFINE,
        (aspect, slant, side / 2 * (1 - aspect - slant), 0, 1, 0),
        Image.Resampling.BILINEAR,
    ).rotate(angle, Image.Resampling.BILINEAR)
    return canvas if rng.random() < 0.3 else Image.eval(canvas, lambda v: 255 - v)


def photographed_or_plain(picture, rng):
    """A third photographed on paper, the rest as PNG: (bytes, photographed)."""
    if rng.random() < 1 / 3:
        return on_paper(picture, rng), True
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue(), False


def pictures(count, seed=SEED):
    """``count`` pictures of each kind: list of (bytes, label, kind, photographed)."""
    rng = np.random.default_rng(seed)
    hand = drawing_hand()
    (train_images, train_labels), _ = digitnet.load_mnist()
    made = []
    for k in range(count):
        digit = k % 10
        made.append((*photographed_or_plain(font_digit(digit, rng), rng), digit, "font"))
        made.append((*photographed_or_plain(hand.render(hand.DIGITS[str(digit)](), rng), rng), digit, "hand"))
        index = int(rng.integers(50_000, 60_000))
        square = train_images[index].reshape(28, 28)
        made.append((*photographed_or_plain(redrawn(square, rng), rng), int(train_labels[index]), "redrawn"))
    return [(data, label, kind, photographed) for data, photographed, label, kind in made]


def read_all(made):
    """The pictures read as ``digitnet predict`` reads them (unreadable ones left out): dict of arrays."""
    pixels, labels, kinds, photographed = [], [], [], []
    for data, label, kind, photo in made:
        try:
            pixels.append(read_picture(data).pixels)
        except ImageError:
            continue
        labels.append(label)
        kinds.append(kind)
        photographed.append(photo)
    return {
        "pixels": np.array(pixels, np.float32),
        "labels": np.array(labels),
        "kinds": np.array(kinds),
        "photographed": np.array(photographed),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600, help="pictures of each kind (default 600)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=Path("drawing_validation.npz"))
    args = parser.parse_args()
    read = read_all(pictures(args.count, args.seed))
    np.savez_compressed(args.out, **read)
    print(f"{len(read['labels'])} pictures in {args.out}")


if __name__ == "__main__":
    main()

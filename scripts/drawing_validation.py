"""Validation pictures for choosing how the shipped networks are trained (never for evaluating them).

    DIGITNET_DATA=../shared/mnist python scripts/drawing_validation.py [--count 600] [--out validation.npz]

Four kinds of drawn digit, each made as a picture and read by ``digitnet.images.read_picture``
exactly as ``digitnet predict`` reads a file:

    font      digits printed in the installed fonts (matplotlib's and /usr/share/fonts), made
              bolder (a stroked outline) or thinner (eroded), slanted, turned, stretched, at a
              random size, either polarity
    hand      the drawing hand of ``tests/data/draw_test_images.py`` with seeds of its own
    redrawn   MNIST training digits 50,000–59,999 (the part a recipe with ``validation=10000``
              never trains on) drawn again with pens of many widths (``scripts/digit_check_pictures.py``)

A third of the first three kinds is photographed on paper (``scripts/tuning_pictures.on_paper``).

    paper     a digit of each of those three kinds in turn, written in coloured ink on a tinted
              sheet lying turned on a desk and photographed (``sheet_on_desk``): the sheet's
              edges and the desk in the frame, light falling off, a shadow across the sheet

The evaluation pictures (``tests/data/make_evaluation_set.py``) are made by their own code and are
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
from tuning_pictures import drawing_hand, on_paper, value_noise  # noqa: E402

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


INKS = (  # RGB shares of the light a pen's ink gives back: blue, black, green, red, brown, purple
    (0.12, 0.2, 0.65),
    (0.08, 0.08, 0.1),
    (0.1, 0.45, 0.2),
    (0.7, 0.1, 0.12),
    (0.4, 0.25, 0.12),
    (0.35, 0.15, 0.55),
)


def sheet_on_desk(picture, rng):
    """A drawing (PIL, any polarity or transparent) written in coloured ink on a tinted sheet that
    lies turned on a desk, photographed: up to three of the sheet's edges cross the frame clear of
    the digit with the desk (darker, textured, sometimes lighter than the sheet) beyond them, light
    falling off along a random direction and towards the corners, a soft or hard shadow across the
    sheet, the digit 50–300 pixels tall, blur, camera noise, JPEG bytes."""
    alpha = np.asarray(picture.convert("RGBA"), float)[..., 3] / 255
    if alpha.min() < 1:
        ink = alpha  # a transparent background: the ink is what is opaque
    else:
        ink = np.asarray(picture.convert("L"), float) / 255
        ink = 1 - ink if np.median(ink) > 0.5 else ink  # ink 1, paper 0
    soft = Image.fromarray((ink * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.0)))
    ink = np.asarray(soft, float) / 255
    inked_rows, inked_cols = np.nonzero(ink >= 0.3 * ink.max())  # (all of a blank picture)
    margin = max(ink.shape) // 20
    ink = ink[
        max(0, inked_rows.min() - margin) : inked_rows.max() + margin + 1,
        max(0, inked_cols.min() - margin) : inked_cols.max() + margin + 1,
    ]
    h, w = ink.shape
    pad = rng.uniform(0.05, 1.0, 4) * max(h, w)  # paper round the digit: top, bottom, left, right
    height, width = int(h + pad[0] + pad[1]), int(w + pad[2] + pad[3])
    canvas = np.zeros((height, width))
    canvas[int(pad[0]) : int(pad[0]) + h, int(pad[2]) : int(pad[2]) + w] = ink
    rows, cols = np.mgrid[0:height, 0:width].astype(float)
    side = max(height, width)
    paper = rng.uniform(0.6, 0.95) * rng.uniform(0.82, 1.0, 3) * (1 + rng.normal(0, 0.01, (height, width, 1)))
    paper = paper * (1 + rng.uniform(0, 0.05) * (value_noise(rng, side, 3)[:height, :width, None] - 0.5))
    strength = canvas[..., None] * rng.uniform(0.55, 1.0)
    photo = paper * (1 - strength * (1 - np.array(INKS[rng.integers(len(INKS))]) * rng.uniform(0.8, 1.2)))
    on_sheet = np.ones((height, width), bool)
    box = np.array([[r, c] for r in (pad[0], pad[0] + h) for c in (pad[2], pad[2] + w)])
    frame = np.array([[0, 0], [0, width], [height, 0], [height, width]])
    for _ in range(int(rng.choice([0, 1, 2, 2, 3, 3]))):  # an edge of the sheet: a line clear of the digit
        angle = rng.uniform(0, 2 * np.pi)
        normal = np.array([np.cos(angle), np.sin(angle)])
        reach, far = (box @ normal).max(), (frame @ normal).max()
        if far - reach >= 4:
            on_sheet &= rows * normal[0] + cols * normal[1] < rng.uniform(reach + 2, far)
    desk = rng.uniform(0.05, 0.7) * rng.uniform(0.7, 1.0, 3)
    if rng.random() < 0.15:  # a desk lighter than the sheet
        desk = np.clip(paper.mean(axis=(0, 1)) * rng.uniform(1.05, 1.3), 0, 1)
    grain = 1 + rng.uniform(0, 0.3) * (value_noise(rng, side, 4)[:height, :width] - 0.5)
    photo = np.where(on_sheet[..., None], photo, desk * grain[..., None])
    angle = rng.uniform(0, 2 * np.pi)
    along = (rows / side - 0.5) * np.cos(angle) + (cols / side - 0.5) * np.sin(angle)
    light = (1 - rng.uniform(0, 0.45) * (along + 0.7)) * (
        1 - rng.uniform(0, 0.4) * ((rows - height / 2) ** 2 + (cols - width / 2) ** 2) / side**2
    )
    if rng.random() < 0.6:  # a shadow: one side of a straight line, its rim blurred a little or a lot
        angle = rng.uniform(0, 2 * np.pi)
        along = (rows - height / 2) * np.cos(angle) + (cols - width / 2) * np.sin(angle)
        shade = Image.fromarray(((along > rng.uniform(-0.4, 0.4) * side) * 255).astype(np.uint8))
        shade = np.asarray(shade.filter(ImageFilter.GaussianBlur(side * rng.uniform(0.003, 0.1))), float) / 255
        light = light * (1 - rng.uniform(0.15, 0.55) * shade)
    image = Image.fromarray((np.clip(photo * light[..., None], 0, 1) * 255).astype(np.uint8))
    scale = rng.uniform(50, 300) / max(h, w)
    image = image.resize((max(28, int(width * scale)), max(28, int(height * scale))), Image.Resampling.BILINEAR)
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.1, 1.2)))
    noisy = np.asarray(image, float) / 255 + rng.normal(0, rng.uniform(0.004, 0.025), (image.height, image.width, 3))
    buffer = io.BytesIO()
    Image.fromarray((np.clip(noisy, 0, 1) * 255).astype(np.uint8)).save(
        buffer, "JPEG", quality=int(rng.integers(50, 95))
    )
    return buffer.getvalue()


def photographed_or_plain(picture, rng):
    """A third photographed on paper, the rest as PNG: (bytes, photographed)."""
    if rng.random() < 1 / 3:
        return on_paper(picture, rng), True
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue(), False


def pictures(count, seed=SEED):
    """``count`` pictures of each kind: list of (bytes, label, kind, photographed)."""
    rng, paper_rng = np.random.default_rng(seed), np.random.default_rng(seed + 1)  # (the first three as before)
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
        made.append((*paper_digit(k, hand, train_images, train_labels, paper_rng), "paper"))
    return [(data, label, kind, photographed) for data, photographed, label, kind in made]


def paper_digit(k, hand, train_images, train_labels, rng):
    """The k-th "paper" picture: a font, hand or redrawn digit in turn, ``sheet_on_desk``:
    (bytes, photographed, label)."""
    digit = k % 10
    if k % 3 == 0:
        return sheet_on_desk(font_digit(digit, rng), rng), True, digit
    if k % 3 == 1:
        return sheet_on_desk(hand.render(hand.DIGITS[str(digit)](), rng), rng), True, digit
    index = int(rng.integers(50_000, 60_000))
    return sheet_on_desk(redrawn(train_images[index].reshape(28, 28), rng), rng), True, int(train_labels[index])


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

"""Benchmark: printed digits written sitting on a ruled line, as people write on school paper (the
digit's foot on one line, a line or two crossing it), photographed; read with and without wiping
the sheet's lines (``digitnet.ruled_lines``), and the same digits on a plain sheet.  One JSON object.

    python benchmarks/digits_on_lines.py [--per-digit 6] [--out benchmarks/results/digits_on_lines.json]

Each picture: an 800×600 sheet (paper 235), ruled every 28–39 pixels with lines of grey 150–190,
2 pixels wide; a digit in DejaVu Sans or Liberation Sans, its font size two or three line gaps,
its glyph's foot on the middle line, ink 40; light falling off to ¾ across the sheet, grain
(σ 3), a blur of 0.8 pixels and JPEG quality 88.  The plain sheets are the same pictures with
lines of the paper's own grey.  Nothing here is fitted or tuned on.
"""

import argparse
import io
from pathlib import Path

import numpy as np
from machine import report  # benchmarks/machine.py
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from digitnet import images
from digitnet.models import load_shipped

FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)
PAPER, INK = 235, 40


def photographed_sheet(digit, font, rng, ruled):
    """JPEG bytes of ``digit`` printed on a sheet, its foot on a ruled line (lines of the paper's
    grey when not ``ruled``)."""
    width, height = 800, 600
    sheet = Image.new("L", (width, height), PAPER)
    draw = ImageDraw.Draw(sheet)
    gap, start = int(rng.integers(28, 40)), int(rng.integers(20, 40))
    lines = list(range(start, height, gap))
    grey = int(rng.integers(150, 190))
    for y in lines:
        draw.line([(0, y), (width, y)], fill=grey if ruled else PAPER, width=2)
    face = ImageFont.truetype(font, int(rng.integers(2, 4)) * gap)
    foot = draw.textbbox((0, 0), str(digit), font=face)[3]
    glyph = Image.new("L", (width, height), 0)
    ImageDraw.Draw(glyph).text(
        (int(rng.integers(250, 450)), lines[len(lines) // 2] - foot), str(digit), font=face, fill=255
    )
    ink = np.asarray(glyph, float) / 255
    light = 0.75 + 0.25 * np.arange(width) / width
    pixels = (np.asarray(sheet, float) * (1 - ink) + INK * ink) * light + rng.normal(0, 3, (height, width))
    photo = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.8))
    buffer = io.BytesIO()
    photo.convert("RGB").save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-digit", type=int, default=6)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    labels = np.tile(np.arange(10), args.per_digit)
    pictures = {}
    for ruled in (True, False):
        rng = np.random.default_rng(7)  # the same digits, places and light on both kinds of sheet
        pictures["ruled" if ruled else "plain"] = [
            photographed_sheet(d, FONTS[k % len(FONTS)], rng, ruled) for k, d in enumerate(labels)
        ]
    wiping = images.without_ruled_lines
    inputs = {
        f"{sheet}, lines wiped": [images.read_picture(p).pixels for p in made] for sheet, made in pictures.items()
    }
    images.without_ruled_lines = lambda ink: ink
    try:
        inputs["ruled, lines left in"] = [images.read_picture(p).pixels for p in pictures["ruled"]]
    finally:
        images.without_ruled_lines = wiping
    read, misread = {}, {}
    for name in ("3b1b", "big"):
        net = load_shipped(name)
        answers = {how: net.outputs(np.array(x)).argmax(axis=1) for how, x in inputs.items()}
        read[name] = {how: float(np.mean(answer == labels)) for how, answer in answers.items()}
        misread[name] = {
            how: [[int(d), int(a)] for d, a in zip(labels, answer) if d != a] for how, answer in answers.items()
        }
    report({"pictures_per_sheet": len(labels), "read": read, "misread_as": misread}, args.out)


if __name__ == "__main__":
    main()

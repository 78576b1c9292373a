"""Pictures to fit the digit check on (never to evaluate on), read as the network reads them.

Digits: the drawing hand's digits (``tests/data/draw_test_images.py``, clean, degraded or
photographed on paper, with seeds other than the committed set's).  Non-digits: the hand's
letters, shapes, arrows, scribbles and crossed-out marks; rows of two to six of the hand's
glyphs side by side (a word or a number, not one digit); chart-like renderings drawn here
(axes, polylines, bars, grids, a few boxes); procedural photographs (``tuning_pictures``).
Each as a (784,) float32 input from ``digitnet.images.read_picture``; blank ones are skipped.
"""

import io

import numpy as np
from PIL import Image, ImageDraw
from tuning_pictures import degraded, drawing_hand, encoded, on_paper, procedural_photo

from digitnet.errors import BlankImageError
from digitnet.images import read_picture


def as_bytes(picture, rng, plain_share=1 / 3):
    """A PIL picture as PNG bytes, or degraded, or photographed on paper (a third each)."""
    roll = rng.random()
    if roll < plain_share:
        buffer = io.BytesIO()
        picture.save(buffer, "PNG")
        return buffer.getvalue()
    return degraded(picture, rng) if roll < (1 + plain_share) / 2 else on_paper(picture, rng)


def glyph_row(hand, glyphs, rng):
    """Two to six glyphs (stroke lists) drawn side by side in one picture: PIL image."""
    count = int(rng.integers(2, 7))
    strokes = []
    x = 0.0
    for _ in range(count):
        glyph = hand.normalise(glyphs[rng.integers(len(glyphs))]())
        width = rng.uniform(0.5, 0.9)
        strokes += [s * [width, 1] + [x, rng.normal(0, 0.05)] for s in glyph]
        x += width + rng.uniform(0.15, 0.5)
    return hand.render(strokes, rng)


def chart(rng):
    """A chart-like rendering: axes, a polyline or bars, sometimes a grid and boxes: PIL image."""
    side = int(rng.integers(120, 360))
    background, ink = (255, 0) if rng.random() < 0.8 else (0, 255)
    picture = Image.new("L", (side, side), background)
    draw = ImageDraw.Draw(picture)
    low, high = side * rng.uniform(0.05, 0.2), side * rng.uniform(0.8, 0.95)
    width = int(rng.integers(1, 4))
    if rng.random() < 0.8:
        draw.line([(low, low), (low, high), (high, high)], fill=ink, width=width)
    if rng.random() < 0.4:
        grey = int(background * 0.6 + ink * 0.4)
        for at in np.linspace(low, high, int(rng.integers(3, 8))):
            draw.line([(at, low), (at, high)], fill=grey)
            draw.line([(low, at), (high, at)], fill=grey)
    for _ in range(int(rng.integers(1, 4))):
        if rng.random() < 0.5:
            xs = np.linspace(low, high, int(rng.integers(5, 40)))
            ys = high - (high - low) * np.clip(np.cumsum(rng.normal(0, 0.1, len(xs))) + rng.uniform(0.2, 0.8), 0, 1)
            draw.line(list(zip(xs, ys)), fill=ink, width=int(rng.integers(1, 5)))
        else:
            bars = int(rng.integers(3, 12))
            step = (high - low) / bars
            for k in range(bars):
                top = high - (high - low) * rng.uniform(0.1, 0.95)
                draw.rectangle(
                    (low + k * step + step * 0.15, top, low + (k + 1) * step - step * 0.15, high),
                    fill=ink if rng.random() < 0.5 else None,
                    outline=ink,
                )
    return picture


def pixels_of(pictures):
    """(n, 784) float32 inputs of the pictures (bytes) that are not blank."""
    rows = []
    for picture in pictures:
        try:
            rows.append(read_picture(picture).pixels)
        except BlankImageError:
            continue
    return np.array(rows, dtype=np.float32).reshape(-1, 784)


def hand_digits(rng, count):
    """(n, 784) inputs of ``count`` digits by the drawing hand."""
    hand = drawing_hand()
    makers = list(hand.DIGITS.values())
    return pixels_of(as_bytes(hand.render(makers[rng.integers(len(makers))](), rng), rng) for _ in range(count))


def non_digits(rng, count):
    """(n, 784) inputs of ``count`` generated non-digits, a quarter each of marks, glyph rows,
    charts and photographs."""
    hand = drawing_hand()
    marks = [strokes for _, strokes in hand.non_digits(rng)]
    glyphs = list(hand.DIGITS.values()) + [lambda s=s: [p.copy() for p in s] for s in marks]
    pictures = []
    for k in range(count):
        kind = k % 4
        if kind == 0:
            pictures.append(as_bytes(hand.render(marks[rng.integers(len(marks))], rng), rng))
        elif kind == 1:
            pictures.append(as_bytes(glyph_row(hand, glyphs, rng), rng))
        elif kind == 2:
            pictures.append(as_bytes(chart(rng), rng, plain_share=0.6))
        else:
            pictures.append(encoded(procedural_photo(rng), rng))
    return pixels_of(pictures)

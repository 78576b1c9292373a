"""Pictures to fit the digit check on (never to evaluate on), read as the network reads them.

Digits: MNIST training digits drawn again as pictures (enlarged, re-inked with a pen of another
width, some fading like a felt pen running dry, placed anywhere on a canvas of either polarity),
the drawing hand's digits (``tests/data/draw_test_images.py``, with seeds other than the
committed set's) and single digits typed in the system fonts; each clean, degraded like a chat
app's JPEG, photographed on paper, or written on a sheet and photographed with a phone.
Non-digits, eleven kinds in turn (photographs, font glyphs and sketches twice as often as the
others): the hand's letters, shapes, arrows, scribbles and crossed-out marks; rows and blocks of
two to six of the hand's glyphs (a word, a line of text, not one digit); numbers of two to four
MNIST digits side by side; compositions of two to five strokes, boxes, rings and polygons;
chart-like renderings (axes, polylines, bars, grids); procedural photographs (``tuning_pictures``),
whole or cropped; letters and signs unlike digits, words and numbers typed in the system fonts at
many sizes; crops of made-up screenshots of pages (headings, lines of text, buttons, tab bars,
icons, rule lines); marks drawn with pens of many widths (ticks, crosses, arrows, smileys, stars,
rings, dots, hashes, asterisks, spirals, polygons, waves); glyphs of the system fonts that no
digit is written like (arrows, mathematical and technical signs, box drawing, geometric shapes,
dingbats, braille, Greek and Cyrillic letters; ``tuning_pictures.glyph_table``); sketches with a
wobbly pen (hearts, envelopes, lightning, arrows of any shaft, suns, houses, scribbles,
crossed-out shapes, stars, faces, clouds, ticked boxes, stick figures, zigzags, grids, polygons).
Each as a (784,) float32 input from ``digitnet.images.read_picture``; blank ones are skipped.
"""

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from tuning_pictures import (
    UNLIKE_DIGITS,
    coloured_ink,
    degraded,
    drawing_hand,
    encoded,
    font_glyph,
    glyph_table,
    on_paper,
    on_transparency,
    pen_mark,
    photographed_sheet,
    procedural_photo,
    screen_crop,
    sketch,
    typed,
    value_noise,
    word,
)

from digitnet.errors import BlankImageError
from digitnet.images import read_picture

NON_DIGIT_KINDS = (
    "marks",
    "glyph rows",
    "numbers",
    "compositions",
    "charts",
    "photographs",
    "typed",
    "screens",
    "pen marks",
    "glyphs",
    "sketches",
)

#: The kinds in turn: photographs, font glyphs and sketches, the most varied, twice each.
SCHEDULE = (0, 1, 2, 3, 4, 5, 6, 7, 8, 5, 9, 10, 9, 10)


def as_bytes(picture, rng, plain_share=1 / 3):
    """A PIL picture as PNG bytes (``plain_share`` of them: half as it is, a quarter in coloured ink
    on white or coloured paper, a quarter in one colour on a transparent background), or else
    degraded like a chat app's JPEG, photographed on paper (``on_paper``) or written on a sheet
    and photographed (``photographed_sheet``), a third each."""
    roll = rng.random()
    if roll < plain_share:
        look = rng.random()
        if look < 0.25:
            picture = coloured_ink(picture, rng)
        elif look < 0.5:
            picture = on_transparency(picture, rng)
        buffer = io.BytesIO()
        picture.save(buffer, "PNG")
        return buffer.getvalue()
    way = (roll - plain_share) / (1 - plain_share)
    return (
        degraded(picture, rng)
        if way < 1 / 3
        else on_paper(picture, rng)
        if way < 2 / 3
        else photographed_sheet(picture, rng)
    )


def glyph_row(hand, glyphs, rng):
    """One to three lines of two to six glyphs (stroke lists) side by side: PIL image."""
    strokes = []
    for line in range(int(rng.integers(1, 4)) if rng.random() < 0.4 else 1):
        x = rng.normal(0, 0.1)
        for _ in range(int(rng.integers(2, 7))):
            glyph = hand.normalise(glyphs[rng.integers(len(glyphs))]())
            width = rng.uniform(0.5, 0.9)
            strokes += [s * [width, 1] + [x, 1.4 * line + rng.normal(0, 0.05)] for s in glyph]
            x += width + rng.uniform(0.15, 0.5)
    return hand.render(strokes, rng)


def redrawn(square, rng):
    """A 28×28 ink square (floats in [0, 1]) drawn again as a picture: enlarged onto a canvas of
    80–360 pixels, re-inked by a soft threshold, a pen made wider or narrower, sometimes fading
    in patches; either polarity: PIL image."""
    side = int(rng.integers(80, 361))
    size = int(side * rng.uniform(0.35, 0.85))  # at most 0.85: room for the margin
    ink = np.asarray(Image.fromarray(square.astype(np.float32), "F").resize((size, size), Image.Resampling.BICUBIC))
    level = rng.uniform(0.25, 0.6)
    ink = np.clip((ink - level) / rng.uniform(0.05, 0.3) + 0.5, 0, 1)
    pen = int(rng.integers(-1, 3)) * max(1, size // 40)
    if pen:
        grown = Image.fromarray((ink * 255).astype(np.uint8))
        grown = grown.filter(ImageFilter.MaxFilter(2 * pen + 1) if pen > 0 else ImageFilter.MinFilter(3))
        ink = np.asarray(grown, float) / 255
    if rng.random() < 0.3:  # a felt pen running dry: fainter in patches
        ink = ink * (1 - rng.uniform(0.3, 0.7) * value_noise(rng, size, 3))
    canvas = np.zeros((side, side))
    margin = side // 20  # clear of the picture's edge, as a person draws
    top, left = rng.integers(margin, side - size - margin + 1, 2)
    canvas[top : top + size, left : left + size] = ink
    grey = canvas * 255 if rng.random() < 0.3 else 255 - canvas * 255
    return Image.fromarray(grey.astype(np.uint8))


def number(squares, rng):
    """Two to four 28×28 digits side by side, a little apart, drawn again as one picture: PIL image."""
    gaps = [np.zeros((28, int(rng.integers(0, 8)))) for _ in squares]
    row = np.hstack([part for square, gap in zip(squares, gaps) for part in (square, gap)][:-1])
    height = row.shape[1]
    framed = np.zeros((height, height))
    top = (height - 28) // 2
    framed[top : top + 28] = row
    return redrawn(framed, rng)


def composition(rng):
    """Two to five strokes, boxes, rings and polygons drawn with one pen: PIL image."""
    side = int(rng.integers(120, 361))
    dark = rng.random() < 0.7
    picture = Image.new("L", (side, side), 255 if dark else 0)
    draw = ImageDraw.Draw(picture)
    ink, width = 0 if dark else 255, max(1, int(side * rng.uniform(0.01, 0.06)))
    for _ in range(int(rng.integers(2, 6))):
        x0, y0, x1, y1 = np.sort(rng.uniform(0.1, 0.9, (2, 2)) * side, axis=0).T.ravel()[[0, 2, 1, 3]]
        kind = rng.integers(4)
        if kind == 0:
            draw.line([tuple(p) for p in rng.uniform(0.1, 0.9, (int(rng.integers(2, 5)), 2)) * side], ink, width)
        elif kind == 1:
            draw.rectangle((x0, y0, x1, y1), outline=ink, width=width)
        elif kind == 2:
            draw.ellipse((x0, y0, x1, y1), outline=ink, width=width)
        else:
            corners = int(rng.integers(3, 7))
            angles = rng.uniform(0, 2 * np.pi) + 2 * np.pi * np.arange(corners + 1) / corners
            centre, radius = rng.uniform(0.3, 0.7, 2) * side, rng.uniform(0.1, 0.35) * side
            draw.line([tuple(centre + radius * np.array([np.cos(a), np.sin(a)])) for a in angles], ink, width)
    return picture


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


def photograph(rng):
    """A procedural photograph, whole or a crop of a quarter to all of it: RGB floats (h, w, 3)."""
    rgb = procedural_photo(rng)
    side = int(len(rgb) * rng.uniform(0.25, 1.0))
    top, left = rng.integers(0, len(rgb) - side + 1, 2)
    return rgb[top : top + side, left : left + side] if side >= 16 else rgb


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


def typed_digits(rng, count):
    """(n, 784) inputs of ``count`` single digits typed in the system fonts (``typed``), most of
    them clean as a screenshot is."""
    return pixels_of(as_bytes(typed(str(rng.integers(10)), rng), rng, plain_share=0.6) for _ in range(count))


def typed_non_digit(rng):
    """A typed letter or sign unlike any digit (half), a word (a quarter) or a number of two to six
    digits (a quarter): PIL."""
    roll = rng.random()
    if roll < 0.5:
        return typed(UNLIKE_DIGITS[rng.integers(len(UNLIKE_DIGITS))], rng)
    if roll < 0.75:
        return typed(word(rng), rng)
    return typed(str(rng.integers(10, 10 ** int(rng.integers(2, 7)))), rng)


def redrawn_digits(images, rng, count):
    """(n, 784) inputs of ``count`` MNIST digits (uint8 (m, 784)) drawn again as pictures."""
    chosen = rng.choice(len(images), count, replace=False)
    return pixels_of(as_bytes(redrawn(images[k].reshape(28, 28) / 255, rng), rng) for k in chosen)


def non_digits(rng, count, images):
    """(n, 784) inputs of ``count`` generated non-digits, each of NON_DIGIT_KINDS in turn
    (``images``: uint8 (m, 784) MNIST digits for the numbers); ``non_digits_with_kinds`` keeps
    the kinds."""
    return non_digits_with_kinds(rng, count, images)[0]


def non_digits_with_kinds(rng, count, images):
    """(n, 784) inputs of generated non-digits and (n,) their kind's index in NON_DIGIT_KINDS."""
    hand = drawing_hand()
    marks = [strokes for _, strokes in hand.non_digits(rng)]
    glyphs = list(hand.DIGITS.values()) + [lambda s=s: [p.copy() for p in s] for s in marks]
    signs = glyph_table()
    rows, kinds = [], []
    for k in range(count):
        kind = SCHEDULE[k % len(SCHEDULE)]
        if kind == 0:
            picture = as_bytes(hand.render(marks[rng.integers(len(marks))], rng), rng)
        elif kind == 1:
            picture = as_bytes(glyph_row(hand, glyphs, rng), rng)
        elif kind == 2:
            squares = [images[i].reshape(28, 28) / 255 for i in rng.integers(0, len(images), rng.integers(2, 5))]
            picture = as_bytes(number(squares, rng), rng)
        elif kind == 3:
            picture = as_bytes(composition(rng), rng)
        elif kind == 4:
            picture = as_bytes(chart(rng), rng, plain_share=0.6)
        elif kind == 5:
            picture = encoded(photograph(rng), rng)
        elif kind == 6:
            picture = as_bytes(typed_non_digit(rng), rng, plain_share=0.6)
        elif kind == 7:
            picture = as_bytes(screen_crop(rng), rng, plain_share=0.7)
        elif kind == 8:
            picture = as_bytes(pen_mark(rng), rng)
        elif kind == 9:
            sign = None
            while sign is None:
                sign = font_glyph(signs, rng)
            picture = as_bytes(sign, rng, plain_share=0.5)
        else:
            picture = as_bytes(sketch(rng), rng)
        pixels = pixels_of([picture])
        if len(pixels):
            rows.append(pixels[0])
            kinds.append(kind)
    return np.array(rows, dtype=np.float32).reshape(-1, 784), np.array(kinds, dtype=np.int64)

"""Pictures to fit and tune on (never to evaluate on): procedural photographs, and drawings.

Photographs here are made from numbers alone: fractal value noise in colour, scenes of a sky
gradient with blurred ellipses, stripes and checks of fabric, grainy grey pictures, rooms of
rectangles.  Drawings are the drawing hand of ``tests/data/draw_test_images.py`` (digits and
non-digits, with seeds other than the committed set's) and MNIST training digits, some of them
degraded as a camera or a chat app would: shrunk, blurred, noisy, JPEG-compressed.

The evaluation pictures (``tests/data/make_evaluation_set.py``) are made by other means.
"""

import importlib.util
import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent


def value_noise(rng, side, octaves=5):
    """(side, side) fractal noise in [0, 1]: random grids of 4, 8, 16, … cells, enlarged smoothly."""
    out = np.zeros((side, side))
    for octave in range(octaves):
        cells = 2 ** (octave + 2)
        grid = Image.fromarray((rng.random((cells, cells)) * 255).astype(np.uint8))
        out += np.asarray(grid.resize((side, side), Image.Resampling.BICUBIC), float) / 255 / 2**octave
    return (out - out.min()) / max(np.ptp(out), 1e-9)


def colour(rng):
    return tuple(int(v) for v in rng.integers(0, 256, 3))


def procedural_photo(rng):
    """(h, w, 3) RGB floats in [0, 1]: one of five kinds of made-up photograph."""
    side = int(rng.integers(48, 320))
    kind = rng.integers(5)
    if kind == 0:
        rgb = np.stack([value_noise(rng, side) for _ in range(3)], -1)
    elif kind == 1:
        rows = np.linspace(0, 1, side)[:, None, None]
        rgb = np.broadcast_to(rows * rng.random(3) + (1 - rows) * rng.random(3), (side, side, 3))
        scene = Image.fromarray((rgb * 255).astype(np.uint8))
        draw = ImageDraw.Draw(scene)
        for _ in range(rng.integers(3, 12)):
            x, y = rng.integers(0, side, 2)
            r = rng.integers(5, side // 2)
            draw.ellipse((x - r, y - r, x + r, y + r // 2), fill=colour(rng))
        scene = scene.filter(ImageFilter.GaussianBlur(rng.uniform(0, 2)))
        rgb = np.asarray(scene, float) / 255 * (0.7 + 0.3 * value_noise(rng, side)[..., None])
    elif kind == 2:
        rows, cols = np.mgrid[0:side, 0:side] / side
        angle = rng.uniform(0, np.pi)
        stripes = np.sin(2 * np.pi * rng.uniform(3, 30) * (cols * np.cos(angle) + rows * np.sin(angle))) > 0
        rgb = (0.3 + 0.5 * stripes[..., None] * rng.random(3)) * (0.8 + 0.2 * value_noise(rng, side)[..., None])
    elif kind == 3:
        rgb = (value_noise(rng, side, 3)[..., None] * 0.6 + rng.normal(0, 0.08, (side, side, 1))).repeat(3, -1)
    else:
        room = Image.new("RGB", (side, side), colour(rng))
        draw = ImageDraw.Draw(room)
        for _ in range(rng.integers(4, 20)):
            x, y = rng.integers(0, side, 2)
            width, height = rng.integers(4, max(5, side // 2), 2)
            draw.rectangle((x, y, x + width, y + height), fill=colour(rng))
        room = room.filter(ImageFilter.GaussianBlur(rng.uniform(0, 1.5)))
        rgb = np.asarray(room, float) / 255 * (0.75 + 0.25 * value_noise(rng, side)[..., None])
    return np.clip(rgb, 0, 1)


def two_tone_photo(rng):
    """(h, w, 3) RGB floats in [0, 1]: a photograph of a surface of one colour, so that its colours
    lie near one line as paper and ink do: bare (a painted wall, a table top, fabric) half the
    time, else with light print or metal on it like a circuit board (thin tracks bent at 45°,
    pads, holes, small labels); grain, uneven light, a little blur."""
    side = int(rng.integers(48, 320))
    base = np.array(colour(rng), float) / 255
    grain = rng.uniform(0.02, 0.12) * (value_noise(rng, side, 6) - 0.5) + rng.normal(
        0, rng.uniform(0.005, 0.03), (side, side)
    )
    surface = np.clip(base + grain[..., None] * rng.uniform(0.5, 1.5, 3), 0, 1)
    picture = Image.fromarray((surface * 255).astype(np.uint8))
    if rng.random() < 0.5:
        draw = ImageDraw.Draw(picture)
        light = tuple(int(v) for v in rng.integers(190, 256, 3))
        width = max(1, int(side * rng.uniform(0.005, 0.025)))
        for _ in range(int(rng.integers(3, 25))):
            start = rng.uniform(-0.1, 1.1, 2) * side
            path = [start]
            for _ in range(int(rng.integers(1, 4))):
                angle = rng.integers(8) * np.pi / 4
                path.append(path[-1] + rng.uniform(0.1, 0.6) * side * np.array([np.cos(angle), np.sin(angle)]))
            draw.line([tuple(p) for p in path], fill=light, width=width)
            if rng.random() < 0.5:
                x, y, r = *path[-1], width * rng.uniform(1.2, 3)
                draw.ellipse((x - r, y - r, x + r, y + r), fill=light)
                if rng.random() < 0.5:
                    hole = tuple(int(v) for v in base * 255 * 0.3)
                    draw.ellipse((x - r / 2, y - r / 2, x + r / 2, y + r / 2), fill=hole)
        face = font(rng, side * rng.uniform(0.04, 0.12))
        for _ in range(int(rng.integers(0, 5))):
            draw.text(
                tuple(rng.uniform(0, 0.9, 2) * side),
                word(rng, "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"),
                fill=light,
                font=face,
            )
    picture = picture.filter(ImageFilter.GaussianBlur(rng.uniform(0, 1.2)))
    rows, cols = np.mgrid[0:side, 0:side] / side - rng.uniform(0, 1, 2)[:, None, None]
    light = 1 - rng.uniform(0, 0.4) * (rows**2 + cols**2)
    return np.clip(np.asarray(picture, float) / 255 * light[..., None], 0, 1)


#: Colour maps a false-colour picture (a heat map, a scan, relief) may be shown in.
FALSE_COLOURS = ("viridis", "terrain", "gray", "bone", "jet", "magma", "coolwarm", "hot", "RdBu")


def false_colour_photo(rng):
    """(h, w, 3) RGB floats in [0, 1]: smooth fractal noise shown in a colour map (``FALSE_COLOURS``),
    like a heat map, a medical scan or a relief map."""
    import matplotlib  # only this picture needs it

    values = value_noise(rng, int(rng.integers(48, 320)), int(rng.integers(2, 6)))
    return matplotlib.colormaps[FALSE_COLOURS[rng.integers(len(FALSE_COLOURS))]](values)[..., :3]


def grey_photo(rng):
    """(h, w, 3) RGB floats in [0, 1]: a ``procedural_photo`` in shades of grey."""
    grey = procedural_photo(rng) @ np.array([0.299, 0.587, 0.114])
    return np.repeat(grey[..., None], 3, axis=-1)


def coloured_chart(rng):
    """A chart as a plotting program draws it: axes and ticks, sometimes a grid, two to five series
    in colours of their own (lines, dots, bars or filled areas), or a pie; sometimes a legend of
    coloured patches; light or dark, anti-aliased: PIL RGB."""
    side = int(rng.integers(120, 480))
    scale = 3  # drawn large and shrunk: smooth edges
    dark = rng.random() < 0.2
    background, axis = ((30, 30, 35), (220, 220, 220)) if dark else ((255, 255, 255), (40, 40, 40))
    picture = Image.new("RGB", (side * scale, side * scale), background)
    draw = ImageDraw.Draw(picture)
    low, high = side * scale * rng.uniform(0.08, 0.2), side * scale * rng.uniform(0.85, 0.95)
    series = [colour(rng) for _ in range(int(rng.integers(2, 6)))]
    pen = scale * int(rng.integers(1, 4))
    if rng.random() < 0.2:  # a pie
        start = 0.0
        for shade, share in zip(series, rng.dirichlet(np.ones(len(series)))):
            draw.pieslice((low, low, high, high), start, start + 360 * share, fill=shade, outline=background)
            start += 360 * share
    else:
        if rng.random() < 0.4:
            for at in np.linspace(low, high, int(rng.integers(4, 10))):
                draw.line([(at, low), (at, high)], fill=(200, 200, 200) if not dark else (70, 70, 70), width=scale)
                draw.line([(low, at), (high, at)], fill=(200, 200, 200) if not dark else (70, 70, 70), width=scale)
        style = rng.integers(4)
        for k, shade in enumerate(series):
            xs = np.linspace(low, high, int(rng.integers(6, 60)))
            ys = high - (high - low) * np.clip(np.cumsum(rng.normal(0, 0.06, len(xs))) + rng.uniform(0.2, 0.8), 0, 1)
            if style == 0:
                draw.line(list(zip(xs, ys)), fill=shade, width=pen, joint="curve")
            elif style == 1:
                for x, y in zip(xs, ys):
                    draw.ellipse((x - 2 * pen, y - 2 * pen, x + 2 * pen, y + 2 * pen), fill=shade)
            elif style == 2:
                step = (high - low) / len(xs) / len(series)
                for j, y in enumerate(ys):
                    left = low + (j * len(series) + k) * step
                    draw.rectangle((left, y, left + step * 0.9, high), fill=shade)
            else:
                draw.polygon([(low, high)] + list(zip(xs, ys)) + [(high, high)], fill=shade)
        draw.line([(low, low), (low, high), (high, high)], fill=axis, width=scale * 2)
        for at in np.linspace(low, high, int(rng.integers(3, 8))):
            draw.line([(at, high), (at, high + 4 * scale)], fill=axis, width=scale)
            draw.line([(low - 4 * scale, at), (low, at)], fill=axis, width=scale)
    if rng.random() < 0.5:  # a legend
        top = low + rng.uniform(0, 0.3) * (high - low)
        for k, shade in enumerate(series):
            y = top + k * 8 * scale
            draw.rectangle((high - 40 * scale, y, high - 34 * scale, y + 5 * scale), fill=shade)
            draw.line([(high - 30 * scale, y + 3 * scale), (high - 10 * scale, y + 3 * scale)], fill=axis, width=scale)
    return picture.resize((side, side), Image.Resampling.LANCZOS)


#: Papers (a white sheet, sticky notes, coloured card) and inks for ``coloured_ink``, RGB 0–255.
PAPERS = ((250, 250, 250), (255, 247, 150), (255, 200, 220), (200, 235, 255), (210, 255, 200), (255, 225, 170))
INKS = ((20, 40, 160), (200, 30, 30), (20, 120, 40), (120, 40, 150), (30, 30, 30), (240, 120, 20))


def coloured_ink(picture, rng):
    """A drawing (PIL, any polarity) in a coloured ink (``INKS``) on white or coloured paper
    (``PAPERS``, a little darker at random): PIL RGB."""
    ink = np.asarray(picture.convert("L"), float) / 255
    if np.median(ink) > 0.5:
        ink = 1 - ink  # ink 1, paper 0
    paper = np.array(PAPERS[rng.integers(len(PAPERS))]) / 255 * rng.uniform(0.85, 1.0)
    pen = np.array(INKS[rng.integers(len(INKS))]) / 255
    rgb = paper * (1 - ink[..., None]) + pen * ink[..., None]
    return Image.fromarray((np.clip(rgb, 0, 1) * 255).astype(np.uint8))


def on_transparency(picture, rng):
    """A drawing (PIL, any polarity) as a drawing app exports it: the ink in one colour (``INKS``,
    or white), the paper transparent: PIL RGBA."""
    ink = np.asarray(picture.convert("L"), float) / 255
    if np.median(ink) > 0.5:
        ink = 1 - ink
    pen = (255, 255, 255) if rng.random() < 0.2 else INKS[rng.integers(len(INKS))]
    rgba = np.dstack([np.broadcast_to(np.array(pen, float), ink.shape + (3,)), ink * 255])
    return Image.fromarray(rgba.astype(np.uint8), "RGBA")


def degraded(picture, rng):
    """``picture`` (PIL) shrunk, blurred, with camera noise, as JPEG bytes."""
    side = int(rng.integers(48, 200))
    scale = side / max(picture.size)  # the longer side becomes ``side``, the aspect kept
    size = (max(8, round(picture.width * scale)), max(8, round(picture.height * scale)))
    small = picture.convert("RGB").resize(size, Image.Resampling.LANCZOS)
    small = small.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.5)))
    noisy = np.asarray(small, float) / 255 + rng.normal(0, 0.02, (size[1], size[0], 3))
    buffer = io.BytesIO()
    Image.fromarray((np.clip(noisy, 0, 1) * 255).astype(np.uint8)).save(
        buffer, "JPEG", quality=int(rng.integers(50, 90))
    )
    return buffer.getvalue()


def on_paper(picture, rng):
    """A drawing (PIL, any polarity) as a phone photo of a sheet on a desk: vignetted light, a soft
    round shadow, a colour cast, the sheet turned a little with the desk showing, JPEG bytes."""
    ink = np.asarray(picture.convert("L"), float) / 255
    if np.median(ink) < 0.5:
        ink = 1 - ink
    height, width = ink.shape
    side = max(height, width)
    rows, cols = (np.mgrid[0:height, 0:width] - np.array([height, width])[:, None, None] / 2) / side
    light = 0.95 - rng.uniform(0.1, 0.4) * (rows**2 + cols**2)
    centre = rng.uniform(-0.5, 0.5, 2)
    light = light - rng.uniform(0, 0.3) * np.exp(
        -((rows - centre[0]) ** 2 + (cols - centre[1]) ** 2) / rng.uniform(0.02, 0.1)
    )
    cast = rng.uniform(0.85, 1.0, 3)
    photo = (ink * light)[..., None] * cast + rng.normal(0, 0.015, (height, width, 3))
    sheet = Image.fromarray((np.clip(photo, 0, 1) * 255).astype(np.uint8))
    desk = tuple(int(v) for v in rng.integers(40, 140, 3))
    sheet = sheet.rotate(rng.normal(0, 4), Image.Resampling.BILINEAR, expand=rng.random() < 0.5, fillcolor=desk)
    sheet = sheet.filter(ImageFilter.GaussianBlur(rng.uniform(0.2, 1.2)))
    buffer = io.BytesIO()
    sheet.save(buffer, "JPEG", quality=int(rng.integers(60, 92)))
    return buffer.getvalue()


def encoded(rgb, rng):
    """(h, w, 3) floats → PNG or JPEG bytes."""
    buffer = io.BytesIO()
    picture = Image.fromarray((rgb * 255).astype(np.uint8))
    if rng.random() < 0.5:
        picture.save(buffer, "JPEG", quality=int(rng.integers(50, 95)))
    else:
        picture.save(buffer, "PNG")
    return buffer.getvalue()


def drawing_hand():
    """The module tests/data/draw_test_images.py (the drawing hand)."""
    spec = importlib.util.spec_from_file_location("draw_test_images", ROOT / "tests" / "data" / "draw_test_images.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def drawings(rng, count):
    """``count`` drawings by the hand (digits and non-digits alike), as PNG bytes, a quarter of them
    degraded, a quarter photographed on paper (``on_paper``) and a quarter written on a sheet and
    photographed (``photographed_sheet``)."""
    hand = drawing_hand()
    shapes = [strokes for _, strokes in hand.non_digits(rng)] + [make() for make in hand.DIGITS.values()] * 10
    pictures = []
    for k in range(count):
        picture = hand.render(shapes[rng.integers(len(shapes))], rng)
        if k % 4 == 1:
            pictures.append(degraded(picture, rng))
        elif k % 4 == 2:
            pictures.append(on_paper(picture, rng))
        elif k % 4 == 3:
            pictures.append(photographed_sheet(picture, rng))
        else:
            buffer = io.BytesIO()
            picture.save(buffer, "PNG")
            pictures.append(buffer.getvalue())
    return pictures


def mnist_pictures(images, rng, count):
    """``count`` MNIST digits (uint8 (n, 784)) as pictures: 28×28, or enlarged, PNG bytes."""
    pictures = []
    for index in rng.choice(len(images), count, replace=False):
        picture = (
            Image.fromarray(255 - images[index].reshape(28, 28))
            if rng.random() < 0.5
            else Image.fromarray(images[index].reshape(28, 28))
        )
        if rng.random() < 0.5:
            side = int(rng.integers(56, 280))
            picture = picture.resize((side, side), Image.Resampling.BICUBIC)
        buffer = io.BytesIO()
        picture.save(buffer, "PNG")
        pictures.append(buffer.getvalue())
    return pictures


def photographed_sheet(picture, rng, ink_colour=None, paper_colour=None):
    """A drawing (PIL, any polarity) written on a sheet of paper and photographed with a phone,
    JPEG bytes.  Unlike ``on_paper``: paper grain and fibres, sometimes ruled or squared lines,
    light falling off along a random direction, a hard-edged shadow (a hand or the phone) with a
    blurred rim, ink of a ballpoint, a felt pen or a pencil (grey and grainy), a slight
    perspective, sometimes the desk or the sheet's edge at a side, blur, noise, strong JPEG.
    ``ink_colour`` and ``paper_colour`` (RGB 0–255, e.g. from INKS and PAPERS) replace the pen's
    colour and tint the paper; without them the pictures are as they always were."""
    ink = np.asarray(picture.convert("L"), float) / 255
    if np.median(ink) > 0.5:
        ink = 1 - ink  # ink 1, paper 0
    height, width = ink.shape
    rows, cols = np.mgrid[0:height, 0:width] / max(height, width)
    fibres = (
        np.asarray(
            Image.fromarray((value_noise(rng, max(height, width), 3) * 255).astype(np.uint8)).resize((width, height)),
            float,
        )
        / 255
    )
    grain = rng.normal(0, rng.uniform(0.005, 0.03), (height, width)) + rng.uniform(0, 0.06) * (fibres - 0.5)
    paper = rng.uniform(0.72, 0.97) * rng.uniform(0.9, 1.0, 3) * (1 + grain)[..., None]
    if paper_colour is not None:
        paper = paper * np.asarray(paper_colour) / 255
    ruled = rng.random()
    if ruled < 0.35:  # ruled (or squared) school paper, light blue or grey lines
        step = max(4, int(max(height, width) / rng.uniform(5, 14)))
        offset = int(rng.integers(0, step))
        lines = ((np.arange(height) + offset) % step < max(1, step // 12))[:, None] & np.ones(width, bool)
        if ruled < 0.15:
            lines |= ((np.arange(width) + offset) % step < max(1, step // 12))[None, :]
        line_colour = np.array([0.75, 0.85, 1.0]) if rng.random() < 0.6 else np.full(3, 0.8)
        paper = np.where(lines[..., None], paper * line_colour, paper)
    angle = rng.uniform(0, 2 * np.pi)
    light = 1 - rng.uniform(0.05, 0.4) * ((rows - 0.5) * np.cos(angle) + (cols - 0.5) * np.sin(angle) + 0.7)
    if rng.random() < 0.6:  # a hard-edged shadow: one side of a wobbly line, its rim blurred
        normal = rng.uniform(0, 2 * np.pi)
        along = (rows - 0.5) * np.cos(normal) + (cols - 0.5) * np.sin(normal)
        side = along + 0.05 * np.sin(rng.uniform(2, 8) * (rows * np.sin(normal) - cols * np.cos(normal)))
        shade = Image.fromarray(((side > rng.uniform(0.0, 0.45)) * 255).astype(np.uint8))
        shade = shade.filter(ImageFilter.GaussianBlur(max(height, width) * rng.uniform(0.005, 0.06)))
        light = light * (1 - rng.uniform(0.15, 0.5) * np.asarray(shade, float) / 255)
    pen = rng.choice(["ballpoint", "felt", "pencil"])
    colour = {"ballpoint": rng.choice([[0.1, 0.15, 0.5], [0.08, 0.08, 0.1]]), "felt": [0.05, 0.05, 0.08]}.get(
        pen, [0.35, 0.35, 0.38]
    )
    if ink_colour is not None:
        colour = np.asarray(ink_colour) / 255
    strength = ink * rng.uniform(0.6, 1.0)
    if pen == "pencil":  # graphite catches the grain: patchy
        strength = strength * np.clip(0.55 + rng.normal(0, 0.2, ink.shape), 0, 1)
    elif pen == "ballpoint":
        strength = strength * (1 - rng.uniform(0, 0.4) * fibres)
    absorbed = strength[..., None] * (1 - np.asarray(colour))
    photo = paper * (1 - absorbed) * light[..., None]
    sheet = Image.fromarray((np.clip(photo, 0, 1) * 255).astype(np.uint8))
    skew = max(height, width) * 0.06
    corners = np.array([0, 0, 0, height, width, height, width, 0], float) + rng.uniform(-skew, skew, 8)
    desk = tuple(int(v) for v in rng.integers(30, 160, 3))
    sheet = sheet.transform(
        (width, height), Image.Transform.QUAD, corners.tolist(), Image.Resampling.BILINEAR, fillcolor=desk
    )
    if rng.random() < 0.5:  # the phone held further away: the picture smaller
        scale = rng.uniform(0.3, 0.8)
        sheet = sheet.resize((max(28, int(width * scale)), max(28, int(height * scale))), Image.Resampling.BILINEAR)
    sheet = sheet.filter(ImageFilter.GaussianBlur(rng.uniform(0.2, 1.3)))
    noisy = np.asarray(sheet, float) / 255 + rng.normal(0, rng.uniform(0.005, 0.03), (sheet.height, sheet.width, 3))
    buffer = io.BytesIO()
    Image.fromarray((np.clip(noisy, 0, 1) * 255).astype(np.uint8)).save(
        buffer, "JPEG", quality=int(rng.integers(35, 92))
    )
    return buffer.getvalue()


# ---------------------------------------------------------------- typed text, screenshots, pen marks
FONT_FILES = sorted(p for p in Path("/usr/share/fonts").rglob("*.ttf") if "Math" not in p.name)
UNLIKE_DIGITS = "ACEFHKLMNPRTUVWXYacdefhkmnprtuvwxy#@&%?*+=<>"  # letters and signs no digit is written like
WORD_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def font(rng, size):
    """A system font (``FONT_FILES``) at ``size`` pixels, or None when there is none installed."""
    return ImageFont.truetype(str(FONT_FILES[rng.integers(len(FONT_FILES))]), int(size)) if FONT_FILES else None


def word(rng, letters=WORD_LETTERS):
    return "".join(letters[i] for i in rng.integers(0, len(letters), int(rng.integers(2, 10))))


def typed(text, rng):
    """``text`` typed in a system font of random size (10–160 px), tight or with a margin, dark on
    light or light on dark, in colour or grey, sometimes shown enlarged as a zoomed screenshot: PIL."""
    size = int(np.exp(rng.uniform(np.log(10), np.log(160))))
    face = font(rng, size)
    left, top, right, bottom = ImageDraw.Draw(Image.new("L", (1, 1))).textbbox((0, 0), text, font=face)
    margin = (rng.uniform(0.02, 0.8, 4) * size).astype(int)
    width, height = right - left + margin[0] + margin[1], bottom - top + margin[2] + margin[3]
    ink, paper = (colour(rng), colour(rng)) if rng.random() < 0.3 else ((20, 20, 20), (250, 250, 250))
    if rng.random() < 0.25:
        ink, paper = paper, ink
    picture = Image.new("RGB", (max(width, 1), max(height, 1)), paper)
    ImageDraw.Draw(picture).text((margin[0] - left, margin[2] - top), text, fill=ink, font=face)
    if size < 30 and rng.random() < 0.5:  # a small screenshot, zoomed
        zoom = rng.uniform(2, 6)
        picture = picture.resize((int(picture.width * zoom), int(picture.height * zoom)), Image.Resampling.NEAREST)
    return picture


def page(rng):
    """A screenshot of a made-up web or document page (headings, lines of text, rule lines, buttons,
    boxes, a tab bar, simple icons), light or dark: PIL RGB."""
    width, height = int(rng.integers(320, 900)), int(rng.integers(240, 700))
    dark = rng.random() < 0.2
    paper = tuple(int(v) for v in (rng.integers(15, 50, 3) if dark else rng.integers(235, 256, 3)))
    ink = tuple(int(v) for v in (rng.integers(190, 250, 3) if dark else rng.integers(0, 80, 3)))
    picture = Image.new("RGB", (width, height), paper)
    draw = ImageDraw.Draw(picture)
    y = int(rng.integers(0, 20))
    if rng.random() < 0.4:  # a tab bar
        x = 0
        while x < width:
            tab = int(rng.integers(80, 200))
            draw.rounded_rectangle((x, y, x + tab, y + 30), 6, outline=ink, fill=paper)
            draw.text((x + 10, y + 8), word(rng).title(), fill=ink, font=font(rng, 13))
            x += tab + 2
        y += 40
    while y < height:
        roll = rng.random()
        x = int(rng.integers(5, 60))
        if roll < 0.2:  # a heading
            size = int(rng.integers(20, 56))
            draw.text(
                (x, y),
                " ".join(word(rng).title() for _ in range(rng.integers(1, 4))) + "!" * int(rng.random() < 0.2),
                fill=ink,
                font=font(rng, size),
            )
            y += int(size * 1.5)
        elif roll < 0.6:  # lines of text
            size = int(rng.integers(10, 18))
            for _ in range(int(rng.integers(1, 6))):
                line = " ".join(word(rng) for _ in range(int(rng.integers(3, 14))))
                draw.text((x, y), line, fill=ink, font=font(rng, size))
                y += int(size * rng.uniform(1.3, 1.8))
        elif roll < 0.7:  # a rule line
            draw.line((0, y, width, y), fill=tuple(int((a + b) / 2) for a, b in zip(ink, paper)), width=1)
            y += int(rng.integers(5, 20))
        elif roll < 0.85:  # buttons or a text box
            for _ in range(int(rng.integers(1, 4))):
                label = word(rng).title()
                right = x + int(rng.integers(60, 200))
                draw.rounded_rectangle(
                    (x, y, right, y + 32), int(rng.integers(0, 12)), outline=ink, width=int(rng.integers(1, 3))
                )
                draw.text((x + 10, y + 8), label, fill=ink, font=font(rng, 14))
                x = right + 15
            y += 45
        else:  # an icon and a label: a gear, a magnifier, three bars, a cross, a box with a tick
            r = int(rng.integers(6, 22))
            cx, cy = x + r, y + r
            kind = rng.integers(5)
            if kind == 0:
                for angle in np.linspace(0, 2 * np.pi, 9)[:-1]:
                    draw.line((cx, cy, cx + r * np.cos(angle), cy + r * np.sin(angle)), fill=ink, width=max(2, r // 3))
                draw.ellipse((cx - 0.7 * r, cy - 0.7 * r, cx + 0.7 * r, cy + 0.7 * r), fill=ink)
                draw.ellipse((cx - 0.3 * r, cy - 0.3 * r, cx + 0.3 * r, cy + 0.3 * r), fill=paper)
            elif kind == 1:
                draw.ellipse((cx - r, cy - r, cx + 0.4 * r, cy + 0.4 * r), outline=ink, width=2)
                draw.line((cx + 0.2 * r, cy + 0.2 * r, cx + r, cy + r), fill=ink, width=3)
            elif kind == 2:
                for k in (-1, 0, 1):
                    draw.line((cx - r, cy + k * r * 0.6, cx + r, cy + k * r * 0.6), fill=ink, width=2)
            elif kind == 3:
                draw.line((cx - r, cy - r, cx + r, cy + r), fill=ink, width=2)
                draw.line((cx - r, cy + r, cx + r, cy - r), fill=ink, width=2)
            else:
                draw.rectangle((cx - r, cy - r, cx + r, cy + r), outline=ink, width=2)
                draw.line((cx - 0.6 * r, cy, cx - 0.1 * r, cy + 0.6 * r, cx + 0.7 * r, cy - 0.6 * r), fill=ink, width=2)
            draw.text((cx + r + 8, cy - 8), word(rng).title(), fill=ink, font=font(rng, int(rng.integers(12, 20))))
            y += 2 * r + 15
    return picture


def screen_crop(rng):
    """A crop of a made-up page (``page``) at a random place, 30–300 pixels across, sometimes
    shown enlarged: partial words and lines cut by the crop's edge: PIL."""
    screen = page(rng)
    side_x, side_y = (int(v) for v in rng.integers(30, 300, 2))
    side_x, side_y = min(side_x, screen.width), min(side_y, screen.height)
    left, top = int(rng.integers(0, screen.width - side_x + 1)), int(rng.integers(0, screen.height - side_y + 1))
    crop = screen.crop((left, top, left + side_x, top + side_y))
    if rng.random() < 0.3:
        zoom = rng.uniform(1.5, 4)
        crop = crop.resize((int(crop.width * zoom), int(crop.height * zoom)), Image.Resampling.BICUBIC)
    return crop


def pen_mark(rng):
    """A mark drawn with a pen of random width (1–9% of the picture), each point a little off:
    a tick, a cross, a plus, an arrow (straight or bent), a smiley, a star, a heart-less ring, a dot,
    a hash, an asterisk, a spiral, a triangle or a box, a wavy line; either polarity: PIL."""
    side = int(rng.integers(64, 400))
    dark = rng.random() < 0.75
    picture = Image.new("L", (side, side), 255 if dark else 0)
    draw = ImageDraw.Draw(picture)
    ink, pen = (0 if dark else 255), max(1, int(side * rng.uniform(0.01, 0.09)))
    centre, radius = side / 2 + rng.normal(0, side / 12, 2), side * rng.uniform(0.2, 0.42)
    turn = rng.uniform(0, 2 * np.pi)

    def put(points):  # unit-box points (-1..1) → jittered, turned, scaled pixels; drawn as a polyline
        points = np.asarray(points, float) + rng.normal(0, 0.03, (len(points), 2))
        rotation = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
        xy = points @ rotation.T * radius + centre
        draw.line([tuple(p) for p in xy], fill=ink, width=pen, joint="curve")

    def ring(cx, cy, r, start=0.0, stop=2 * np.pi, n=40):
        a = np.linspace(start, stop, n)
        return np.stack([cx + r * np.cos(a), cy + r * np.sin(a)], 1)

    kind = rng.integers(13)
    if kind == 0:
        put([(-0.6, 0), (-0.15, 0.5), (0.7, -0.7)])
    elif kind == 1:
        put([(-0.7, -0.7), (0.7, 0.7)]), put([(-0.7, 0.7), (0.7, -0.7)])
    elif kind == 2:
        put([(0, -0.8), (0, 0.8)]), put([(-0.8, 0), (0.8, 0)])
    elif kind == 3:
        bend = rng.uniform(-0.6, 0.6)
        put([(-0.9, 0), (0, bend), (0.9, 0)] if rng.random() < 0.5 else [(-0.9, 0), (0.9, 0)])
        put([(0.45, -0.4), (0.9, 0), (0.45, 0.4)])
    elif kind == 4:
        put(ring(0, 0, 1)), put(ring(0, 0.1, 0.55, 0.3, np.pi - 0.3, 12))
        for eye in (-0.35, 0.35):
            put(ring(eye, -0.35, 0.08, n=8))
    elif kind == 5:
        angles = -np.pi / 2 + np.arange(6) * 4 * np.pi / 5
        put(np.stack([np.cos(angles), np.sin(angles)], 1))
    elif kind == 6:
        put(ring(0, 0, 1, 0, rng.uniform(1.6, 2.0) * np.pi))
        put(ring(0, 0, 0.5))
    elif kind == 7:
        r = rng.uniform(0.05, 0.3)
        draw.ellipse(
            (centre[0] - r * radius, centre[1] - r * radius, centre[0] + r * radius, centre[1] + r * radius), fill=ink
        )
    elif kind == 8:
        for k in (-0.35, 0.35):
            put([(k, -0.9), (k + 0.1, 0.9)]), put([(-0.9, k), (0.9, k + 0.05)])
    elif kind == 9:
        for angle in np.arange(3) * np.pi / 3 + rng.uniform(0, 1):
            put([(-np.cos(angle), -np.sin(angle)), (np.cos(angle), np.sin(angle))])
    elif kind == 10:
        a = np.linspace(0, rng.uniform(4, 8) * np.pi, 120)
        put(np.stack([a * np.cos(a), a * np.sin(a)], 1) / a[-1])
    elif kind == 11:
        corners = int(rng.integers(3, 6))
        put(ring(0, 0, 1, 0, 2 * np.pi, corners + 1))
    else:
        x = np.linspace(-1, 1, 60)
        put(np.stack([x, 0.3 * np.sin(x * rng.uniform(6, 16))], 1))
    return picture


# ---------------------------------------------------------------- font glyphs and sketches
#: Unicode blocks of signs, shapes and other scripts' letters (first, last code point).
GLYPH_BLOCKS = (
    (0x0391, 0x03C9),  # Greek
    (0x0410, 0x044F),  # Cyrillic
    (0x2190, 0x23FF),  # arrows, mathematical operators, technical signs
    (0x2500, 0x27BF),  # box drawing, blocks, geometric shapes, symbols, dingbats
    (0x27F0, 0x2BFF),  # arrows, braille, mathematical signs, symbols and arrows
)
#: Glyphs of those blocks that a digit can be written like: rings and slashed rings (0), bars
#: and slashes (1), Greek and Cyrillic letters shaped like 0, 3, 4, 5, 6, 8, integrals and curls (2, 5, 6),
#: a corner like a 7, circled and negative circled digits.
DIGIT_LIKE_GLYPHS = (
    set("ΟοΙιΖζΒβδσςθΘξϑЗзбБОоЧчЬьЪъВвЭэ∂∅∘∣∥∫∬∭∮∯∰∱∲∳⊘⌀⏐○◌◯◦⚪⚬⭕⭗⭘❘❙❚│┃┆┇┊┋║╵╷╹╻╽╿┐┑┒┓╕╖╗╮▉▊▋▌▍▎▏▐▕╱╲∕⟋⟍⧸⧹")
    | {chr(c) for c in range(0x239B, 0x23B4)}
    | {chr(c) for c in range(0x2776, 0x2794)}
)


def glyph_table():
    """(character, font files that have it) for every non-digit-like glyph of GLYPH_BLOCKS and every
    letter or sign of UNLIKE_DIGITS in the system fonts (FONT_FILES): list, in code point order."""
    from fontTools.ttLib import TTFont

    having = {}
    for path in FONT_FILES:
        for code in TTFont(str(path), lazy=True).getBestCmap():
            wanted = any(first <= code <= last for first, last in GLYPH_BLOCKS) or chr(code) in UNLIKE_DIGITS
            if wanted and chr(code) not in DIGIT_LIKE_GLYPHS:
                having.setdefault(chr(code), []).append(path)
    return sorted(having.items())


def warped(picture, rng, strength):
    """``picture`` (PIL) bent smoothly as a hand bends a printed shape: a 5×5 grid of cells whose
    corners move by up to ``strength`` of a cell: PIL."""
    width, height = picture.size
    xs, ys = np.linspace(0, width, 5), np.linspace(0, height, 5)
    corners = np.stack(np.meshgrid(xs, ys), -1) + rng.normal(0, strength / 4, (5, 5, 2)) * [width, height]
    mesh = [
        (
            (int(xs[i]), int(ys[j]), int(xs[i + 1]), int(ys[j + 1])),
            tuple(corners[j, i]) + tuple(corners[j + 1, i]) + tuple(corners[j + 1, i + 1]) + tuple(corners[j, i + 1]),
        )
        for j in range(4)
        for i in range(4)
    ]
    return picture.transform(picture.size, Image.Transform.MESH, mesh, Image.Resampling.BILINEAR)


def font_glyph(table, rng):
    """One glyph of ``table`` (``glyph_table``), or two side by side or overlapping, 20–200 pixels,
    its strokes thickened or not, turned, slanted and often bent a little as a hand would draw it,
    either polarity; None when it draws nothing or comes out as a thin upright bar (a 1): PIL L."""
    size = int(np.exp(rng.uniform(np.log(20), np.log(200))))
    text = "".join(table[k][0] for k in rng.integers(0, len(table), 2 if rng.random() < 0.15 else 1))
    files = table[[c for c, _ in table].index(text[0])][1]
    face = ImageFont.truetype(str(files[rng.integers(len(files))]), size)
    stroke = int(rng.integers(0, max(1, size // 12))) if rng.random() < 0.4 else 0
    canvas = Image.new("L", (3 * size * len(text), 3 * size), 0)
    ImageDraw.Draw(canvas).text((size, size), text, fill=255, font=face, stroke_width=stroke, stroke_fill=255)
    canvas = canvas.transform(
        canvas.size, Image.Transform.AFFINE, (1, rng.normal(0, 0.15), 0, 0, 1, 0), Image.Resampling.BILINEAR
    ).rotate(rng.normal(0, 12), Image.Resampling.BILINEAR)
    if rng.random() < 0.6:
        canvas = warped(canvas, rng, rng.uniform(0.05, 0.2) / len(text))
    box = canvas.getbbox()
    if box is None or (box[2] - box[0]) < 0.28 * (box[3] - box[1]):
        return None
    margin = (rng.uniform(0.05, 0.6, 4) * size).astype(int)
    ink = canvas.crop((box[0] - margin[0], box[1] - margin[1], box[2] + margin[2], box[3] + margin[3]))
    return ink if rng.random() < 0.25 else Image.eval(ink, lambda v: 255 - v)


def _smooth(points, steps=8):
    """A Catmull-Rom curve through (k, 2) points: (m, 2)."""
    padded = np.vstack([points[:1], points, points[-1:]])
    t = np.linspace(0, 1, steps, endpoint=False)[:, None]
    pieces = []
    for p0, p1, p2, p3 in zip(padded, padded[1:], padded[2:], padded[3:]):
        cubic = (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 + (3 * p1 - p0 - 3 * p2 + p3) * t**3
        pieces.append(0.5 * (2 * p1 + (p2 - p0) * t + cubic))
    return np.vstack(pieces + [points[-1:]])


def _arrowhead(tip, before, size):
    """Two short strokes ending at ``tip`` ((2,)), back towards ``before``: list of (3, 2) polylines."""
    back = (before - tip) / max(np.linalg.norm(before - tip), 1e-9) * size
    turn = np.array([[np.cos(0.5), -np.sin(0.5)], [np.sin(0.5), np.cos(0.5)]])
    return [np.array([tip + turn @ back, tip, tip + turn.T @ back])]


def _sketch_strokes(rng):
    """The strokes of one sketched non-digit in the unit box (-1..1): list of (k, 2) arrays."""

    def ring(cx, cy, rx, ry=None, start=0.0, stop=2 * np.pi, n=40):
        a = np.linspace(start, stop, n)
        return np.stack([cx + rx * np.cos(a), cy + (rx if ry is None else ry) * np.sin(a)], 1)

    kind = rng.integers(24)
    if kind >= 16:
        return _doodle_strokes(kind - 16, rng, ring)
    if kind == 0:  # a heart
        a = np.linspace(0, 2 * np.pi, 60)
        return [np.stack([np.sin(a) ** 3, -(13 * np.cos(a) - 5 * np.cos(2 * a) - 2 * np.cos(3 * a)) / 16], 1)]
    if kind == 1:  # an envelope
        box = np.array([(-1, -0.6), (1, -0.6), (1, 0.6), (-1, 0.6), (-1, -0.6)])
        return [box, np.array([(-1, -0.6), (0, 0.1), (1, -0.6)])]
    if kind == 2:  # a lightning bolt
        return [np.array([(0.3, -1), (-0.4, 0.05), (0.25, -0.05), (-0.3, 1)]) * [rng.uniform(0.6, 1.4), 1]]
    if kind == 3:  # an arrow with heads at one or both ends, its shaft straight, bent or curved
        shaft = _smooth(rng.uniform(-0.9, 0.9, (int(rng.integers(2, 5)), 2)))
        heads = _arrowhead(shaft[-1], shaft[-4 if len(shaft) > 4 else 0], 0.35)
        if rng.random() < 0.4:
            heads += _arrowhead(shaft[0], shaft[3 if len(shaft) > 4 else -1], 0.35)
        return [shaft] + heads
    if kind == 4:  # a sun: a ring and rays
        rays = [
            np.array([(np.cos(a) * 0.55, np.sin(a) * 0.55), (np.cos(a), np.sin(a))])
            for a in np.linspace(0, 2 * np.pi, int(rng.integers(5, 12)), endpoint=False)
        ]
        return [ring(0, 0, 0.4)] + rays
    if kind == 5:  # a house
        return [
            np.array([(-0.7, 1), (-0.7, -0.1), (0, -0.9), (0.7, -0.1), (0.7, 1), (-0.7, 1)]),
            np.array([(-0.2, 1), (-0.2, 0.4), (0.2, 0.4), (0.2, 1)]),
        ]
    if kind == 6:  # a scribble: a random walk that turns
        steps = int(rng.integers(12, 40))
        heading = np.cumsum(rng.normal(0, 1.0, steps))
        walk = np.cumsum(np.stack([np.cos(heading), np.sin(heading)], 1) * 0.25, 0)
        walk = walk - walk.mean(0)
        return [_smooth(walk / max(np.abs(walk).max(), 1e-9), 4)]
    if kind == 7:  # a shape crossed out: a few random strokes hatched over
        base = _smooth(rng.uniform(-0.8, 0.8, (int(rng.integers(3, 7)), 2)))
        slope = rng.uniform(-1, 1)
        heights = rng.uniform(-0.8, 0.8, int(rng.integers(2, 6)))
        hatch = [np.array([(-0.9, y - 0.5 * slope), (0.9, y + 0.5 * slope)]) for y in heights]
        return [base] + hatch
    if kind == 8:  # a star of four to nine points
        points = int(rng.integers(4, 10))
        a = -np.pi / 2 + np.arange(2 * points + 1) * np.pi / points
        r = np.where(np.arange(2 * points + 1) % 2 == 0, 1.0, rng.uniform(0.3, 0.6))
        return [np.stack([r * np.cos(a), r * np.sin(a)], 1)]
    if kind == 9:  # a face: a ring, two eyes, a mouth smiling, flat or sad
        bend = rng.uniform(-0.3, 0.3)
        mouth = np.array([(-0.45, 0.35), (0, 0.35 + bend), (0.45, 0.35)])
        return [ring(0, 0, 1), ring(-0.35, -0.3, 0.08, n=8), ring(0.35, -0.3, 0.08, n=8), _smooth(mouth)]
    if kind == 10:  # a cloud
        a = np.linspace(0, 2 * np.pi, 120)
        r = 0.75 + 0.2 * np.abs(np.sin(a * int(rng.integers(3, 7)) / 2))
        return [np.stack([r * np.cos(a), 0.65 * r * np.sin(a)], 1)]
    if kind == 11:  # a ticked or crossed box
        box = np.array([(-0.8, -0.8), (0.8, -0.8), (0.8, 0.8), (-0.8, 0.8), (-0.8, -0.8)])
        inside = (
            [np.array([(-0.5, 0), (-0.1, 0.45), (0.6, -0.6)])]
            if rng.random() < 0.5
            else [np.array([(-0.5, -0.5), (0.5, 0.5)]), np.array([(-0.5, 0.5), (0.5, -0.5)])]
        )
        return [box] + inside
    if kind == 12:  # a stick figure
        return [
            ring(0, -0.7, 0.25),
            np.array([(0, -0.45), (0, 0.35)]),
            np.array([(-0.5, -0.1), (0.5, -0.1)]),
            np.array([(-0.4, 1), (0, 0.35), (0.4, 1)]),
        ]
    if kind == 13:  # a zigzag or a wave, sometimes many rows of it
        rows = int(rng.integers(1, 4))
        x = np.linspace(-1, 1, int(rng.integers(5, 14)))
        return [np.stack([x, y + 0.15 * (-1) ** np.arange(len(x))], 1) for y in np.linspace(-0.6, 0.6, rows)]
    if kind == 14:  # a grid or a hash of several lines
        lines = np.linspace(-0.7, 0.7, int(rng.integers(3, 6)))
        return [np.array([(v, -0.9), (v, 0.9)]) for v in lines] + [np.array([(-0.9, v), (0.9, v)]) for v in lines]
    corners = int(rng.integers(3, 8))  # a polygon with its diagonals, or two nested
    outer = ring(0, 0, 1, n=corners + 1)
    return [outer, outer[::2] * 0.999] if rng.random() < 0.5 else [outer, outer * rng.uniform(0.3, 0.7)]


def _doodle_strokes(kind, rng, ring):
    """More closed and curly doodles (``kind`` 0–7: a flower, a tree, a musical note, a diamond,
    an @, a question mark, an R, a tick) in the unit box: list of (k, 2) arrays."""
    if kind == 0:  # a flower: petals round a small ring, sometimes on a stem
        petals = int(rng.integers(4, 9))
        a = np.linspace(0, 2 * np.pi, 30 * petals)
        r = 0.35 + 0.45 * np.abs(np.sin(a * petals / 2))
        flower = [np.stack([r * np.cos(a), r * np.sin(a) - 0.2], 1), ring(0, -0.2, 0.15, n=12)]
        return flower + ([np.array([(0, 0.6), (0.05, 1.0)])] if rng.random() < 0.6 else [])
    if kind == 1:  # a tree: a round or pointed crown on a trunk
        trunk = [np.array([(-0.12, 1), (-0.12, 0.3)]), np.array([(0.12, 1), (0.12, 0.3)])]
        if rng.random() < 0.5:
            a = np.linspace(0, 2 * np.pi, 90)
            r = 0.55 + 0.1 * np.sin(a * int(rng.integers(5, 9)))
            return trunk + [np.stack([r * np.cos(a), r * np.sin(a) - 0.3], 1)]
        return trunk + [np.array([(-0.7, 0.3), (0, -1), (0.7, 0.3), (-0.7, 0.3)])]
    if kind == 2:  # a musical note (one, or two beamed)
        heads = [(-0.3, 0.6)] if rng.random() < 0.5 else [(-0.5, 0.6), (0.4, 0.5)]
        strokes = []
        for x, y in heads:
            strokes += [
                ring(x, y, 0.22, 0.15, n=16),
                ring(x, y, 0.12, 0.07, n=10),
                np.array([(x + 0.21, y), (x + 0.21, -0.9)]),
            ]
        if len(heads) == 2:
            strokes.append(np.array([(-0.29, -0.9), (0.61, -1.0)]))
        else:
            strokes.append(_smooth(np.array([(-0.09, -0.9), (0.25, -0.55), (0.3, -0.2)])))
        return strokes
    if kind == 3:  # a diamond (a rhombus), sometimes with a line across
        diamond = np.array([(0, -1), (0.6, 0), (0, 1), (-0.6, 0), (0, -1)]) * [rng.uniform(0.6, 1.5), 1]
        return [diamond] + ([np.array([(-0.6, 0), (0.6, 0)])] if rng.random() < 0.3 else [])
    if kind == 4:  # an @: a small a inside a ring left open
        a = np.linspace(0.3, 2 * np.pi - 0.2, 60)
        return [
            ring(0, 0, 0.3, n=20),
            np.array([(0.3, -0.3), (0.3, 0.3)]),
            np.stack([np.cos(a) + 0.0, np.sin(a)], 1) * 0.9,
        ]
    if kind == 5:  # a question mark
        hook = ring(0, -0.45, 0.45, start=-np.pi, stop=np.pi / 2, n=30)
        return [np.vstack([hook, [(0, 0.05), (0, 0.4)]]), ring(0, 0.85, 0.06, n=8)]
    if kind == 6:  # an R
        bowl = ring(-0.3, -0.5, 0.5, 0.5, start=-np.pi / 2, stop=np.pi / 2, n=20) + [0.1, 0]
        return [
            np.array([(-0.5, 1), (-0.5, -1)]),
            np.vstack([[(-0.5, -1)], bowl, [(-0.5, 0)]]),
            np.array([(-0.1, 0), (0.5, 1)]),
        ]
    return [np.array([(-0.8, 0.0), (-0.3, 0.6), (0.8, -0.9)]) * [1, rng.uniform(0.6, 1.2)]]  # a tick


def sketch(rng):
    """A non-digit sketched with a pen (a heart, an envelope, a lightning bolt, an arrow with one or
    two heads and any shaft, a sun, a house, a scribble, a crossed-out shape, a star, a face, a
    cloud, a ticked box, a stick figure, zigzags, a grid, polygons, a flower, a tree, a musical
    note, a diamond, an @, a question mark, an R, a tick): wobbly strokes 1–8% of the picture
    wide, stretched, turned; either polarity: PIL L."""
    side = int(rng.integers(64, 400))
    dark = rng.random() < 0.75
    picture = Image.new("L", (side, side), 255 if dark else 0)
    draw = ImageDraw.Draw(picture)
    pen = max(1, int(side * rng.uniform(0.01, 0.08)))
    turn = rng.normal(0, 0.4) if rng.random() < 0.8 else rng.uniform(0, 2 * np.pi)
    rotation = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    stretch = np.exp(rng.normal(0, 0.2, 2))
    centre, radius = side / 2 + rng.normal(0, side / 14, 2), side * rng.uniform(0.2, 0.4)
    for stroke in _sketch_strokes(rng):
        stroke = np.asarray(stroke, float)
        wobble = np.cumsum(rng.normal(0, 0.012, stroke.shape), 0) + rng.normal(0, 0.015, stroke.shape)
        xy = ((stroke + wobble) * stretch) @ rotation.T
        xy = xy / max(np.abs(xy).max(), 1.0) * radius + centre
        draw.line([tuple(p) for p in xy], fill=0 if dark else 255, width=pen, joint="curve")
    return picture

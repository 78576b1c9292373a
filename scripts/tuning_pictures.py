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
from PIL import Image, ImageDraw, ImageFilter

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


def degraded(picture, rng):
    """``picture`` (PIL) shrunk, blurred, with camera noise, as JPEG bytes."""
    side = int(rng.integers(48, 200))
    small = picture.convert("RGB").resize((side, side), Image.Resampling.LANCZOS)
    small = small.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.5)))
    noisy = np.asarray(small, float) / 255 + rng.normal(0, 0.02, (side, side, 3))
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
    side = ink.shape[0]
    rows, cols = (np.mgrid[0:side, 0:side] - side / 2) / side
    light = 0.95 - rng.uniform(0.1, 0.4) * (rows**2 + cols**2)
    centre = rng.uniform(-0.5, 0.5, 2)
    light = light - rng.uniform(0, 0.3) * np.exp(
        -((rows - centre[0]) ** 2 + (cols - centre[1]) ** 2) / rng.uniform(0.02, 0.1)
    )
    cast = rng.uniform(0.85, 1.0, 3)
    photo = (ink * light)[..., None] * cast + rng.normal(0, 0.015, (side, side, 3))
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
    """``count`` drawings by the hand (digits and non-digits alike), as PNG bytes, a third of them
    degraded and a third photographed on paper."""
    hand = drawing_hand()
    shapes = [strokes for _, strokes in hand.non_digits(rng)] + [make() for make in hand.DIGITS.values()] * 10
    pictures = []
    for k in range(count):
        picture = hand.render(shapes[rng.integers(len(shapes))], rng)
        if k % 3 == 1:
            pictures.append(degraded(picture, rng))
        elif k % 3 == 2:
            pictures.append(on_paper(picture, rng))
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


def photographed_sheet(picture, rng):
    """A drawing (PIL, any polarity) written on a sheet of paper and photographed with a phone,
    JPEG bytes.  Unlike ``on_paper``: paper grain and fibres, sometimes ruled or squared lines,
    light falling off along a random direction, a hard-edged shadow (a hand or the phone) with a
    blurred rim, ink of a ballpoint, a felt pen or a pencil (grey and grainy), a slight
    perspective, sometimes the desk or the sheet's edge at a side, blur, noise, strong JPEG."""
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

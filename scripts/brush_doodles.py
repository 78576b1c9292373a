"""Non-digit drawings made by a pen model that nothing is fitted on: a held-out family for the digit check.

The checks are fitted on the drawing hand's marks and on ``tuning_pictures.sketch`` (polylines
drawn with PIL's fixed-width line).  These are drawn another way, to estimate what the checks do
on kinds of drawing nobody generated for them: a brush whose width swells and tapers along each
stroke (stamped discs, drawn at twice the size and shrunk), paths bent by a smooth random
displacement rather than a random walk, in four families:

    blobs      closed curves of a few random harmonics (clouds, leaves, stones), scalloped or
               with details inside (eyes, a mouth, a line) or outside (spikes, a stem): never a plain oval
    capitals   capitals that look like no digit (A E F H K M N P R T V W X Y), written in strokes
    symbols    @ ? & # % * ! a musical note, a heart, a check mark, a crescent, an infinity sign
    pairs      two of the above side by side, smaller

Each in the looks of ``digit_check_pictures.as_bytes`` (plain, coloured ink, transparent, a chat
app's JPEG, on paper, a phone photo of a sheet) and read by ``digitnet.images.read_picture``.
"""

import numpy as np
from PIL import Image, ImageDraw

FAMILIES = ("blobs", "capitals", "symbols", "pairs")

_CAPITALS = {
    "A": [[(-0.7, 1), (0, -1), (0.7, 1)], [(-0.4, 0.3), (0.4, 0.3)]],
    "E": [[(0.6, -1), (-0.5, -1), (-0.5, 1), (0.6, 1)], [(-0.5, 0), (0.4, 0)]],
    "F": [[(0.6, -1), (-0.5, -1), (-0.5, 1)], [(-0.5, 0), (0.4, 0)]],
    "H": [[(-0.6, -1), (-0.6, 1)], [(0.6, -1), (0.6, 1)], [(-0.6, 0), (0.6, 0)]],
    "K": [[(-0.5, -1), (-0.5, 1)], [(0.6, -1), (-0.5, 0.1), (0.6, 1)]],
    "M": [[(-0.8, 1), (-0.7, -1), (0, 0.4), (0.7, -1), (0.8, 1)]],
    "N": [[(-0.6, 1), (-0.6, -1), (0.6, 1), (0.6, -1)]],
    "P": [[(-0.5, 1), (-0.5, -1), (0.3, -1), (0.6, -0.6), (0.3, -0.1), (-0.5, -0.1)]],
    "R": [[(-0.5, 1), (-0.5, -1), (0.3, -1), (0.6, -0.6), (0.3, -0.1), (-0.5, -0.1)], [(0, -0.1), (0.6, 1)]],
    "T": [[(-0.7, -1), (0.7, -1)], [(0, -1), (0, 1)]],
    "V": [[(-0.7, -1), (0, 1), (0.7, -1)]],
    "W": [[(-0.9, -1), (-0.45, 1), (0, -0.3), (0.45, 1), (0.9, -1)]],
    "X": [[(-0.7, -1), (0.7, 1)], [(0.7, -1), (-0.7, 1)]],
    "Y": [[(-0.7, -1), (0, 0)], [(0.7, -1), (0, 0), (0, 1)]],
}


def _arc(cx, cy, rx, ry, start, stop, n=40):
    a = np.linspace(start, stop, n)
    return np.stack([cx + rx * np.cos(a), cy + ry * np.sin(a)], 1)


def _symbol(rng):
    """The strokes of one symbol in the unit box: list of (k, 2) arrays."""
    which = rng.integers(11)
    if which == 0:  # @
        return [
            np.vstack([_arc(0, 0, 0.35, 0.4, 0, 2 * np.pi), [(0.35, 0.4), (0.6, 0.5)]]),
            _arc(0, 0, 0.95, 0.95, 0.2, 2 * np.pi - 0.3),
        ]
    if which == 1:  # ?
        return [
            np.vstack([_arc(0, -0.45, 0.5, 0.45, np.pi, 2.3 * np.pi), [(0, 0.1), (0, 0.45)]]),
            _arc(0, 0.85, 0.07, 0.07, 0, 2 * np.pi, 10),
        ]
    if which == 2:  # &
        return [
            np.vstack(
                [
                    (0.7, 1),
                    _arc(-0.05, -0.55, 0.35, 0.4, 0, -2 * np.pi + 0.8)[::-1],
                    _arc(-0.1, 0.45, 0.5, 0.5, -np.pi / 2 - 0.4, np.pi, 30),
                    (0.7, 0),
                ]
            )
        ]
    if which == 3:  # #
        return [
            np.array([(-0.3, -1), (-0.45, 1)]),
            np.array([(0.35, -1), (0.2, 1)]),
            np.array([(-0.8, -0.35), (0.8, -0.35)]),
            np.array([(-0.85, 0.35), (0.75, 0.35)]),
        ]
    if which == 4:  # %
        return [
            np.array([(0.7, -1), (-0.7, 1)]),
            _arc(-0.5, -0.6, 0.25, 0.3, 0, 2 * np.pi, 20),
            _arc(0.5, 0.6, 0.25, 0.3, 0, 2 * np.pi, 20),
        ]
    if which == 5:  # * with 3 to 4 bars
        bars = int(rng.integers(3, 5))
        return [
            np.array([(np.cos(a), np.sin(a)), (-np.cos(a), -np.sin(a))]) * 0.9
            for a in np.pi * np.arange(bars) / bars + rng.uniform(0, 1)
        ]
    if which == 6:  # !
        return [np.array([(0, -1), (0, 0.45)]), _arc(0, 0.85, 0.08, 0.08, 0, 2 * np.pi, 10)]
    if which == 7:  # a musical note
        return [
            _arc(-0.35, 0.7, 0.3, 0.2, 0, 2 * np.pi, 24),
            np.array([(-0.06, 0.7), (-0.06, -1)]),
            np.array([(-0.06, -1), (0.5, -0.6), (0.45, -0.2)]),
        ]
    if which == 8:  # a heart, drawn as two arcs down to a point
        return [
            np.vstack(
                [
                    (0, 1),
                    _arc(-0.45, -0.35, 0.45, 0.45, 0.75 * np.pi, 2 * np.pi),
                    _arc(0.45, -0.35, 0.45, 0.45, np.pi, 2.25 * np.pi),
                    (0, 1),
                ]
            )
        ]
    if which == 9:  # a crescent
        return [
            np.vstack(
                [
                    _arc(0, 0, 1, 1, 0.6 * np.pi, 1.9 * np.pi),
                    _arc(0.35, -0.1, 0.75, 0.75, 1.85 * np.pi, 0.7 * np.pi, 30),
                ]
            )
        ]
    return [np.vstack([_arc(-0.5, 0, 0.5, 0.4, 0, 2 * np.pi), _arc(0.5, 0, 0.5, 0.4, np.pi, -np.pi)])]  # ∞


def _blob(rng):
    """A closed curve of a few random harmonics, with details half the time: list of (k, 2) arrays."""
    a = np.linspace(0, 2 * np.pi, 160)
    radius = np.ones_like(a)
    for k in range(2, int(rng.integers(3, 8))):
        radius += rng.normal(0, 0.25 / k) * np.cos(k * a + rng.uniform(0, 2 * np.pi))
    bumps = int(rng.integers(4, 12))
    scalloped = rng.random() < 0.4
    if scalloped:  # like a cloud or a flower's petals
        radius += rng.uniform(0.1, 0.3) * np.abs(np.sin(a * bumps / 2))
    squash = rng.uniform(0.55, 1.0)
    outline = np.stack([radius * np.cos(a), squash * radius * np.sin(a)], 1) * 0.8
    strokes = [outline]
    extra = rng.integers(4) if scalloped else rng.integers(1, 4)  # a plain oval would be a 0
    if extra == 1:  # eyes and a mouth, or dots
        strokes += [_arc(x, -0.15, 0.07, 0.07, 0, 2 * np.pi, 8) for x in (-0.25, 0.25)]
        strokes.append(_arc(0, 0.1, 0.3, 0.2, 0.2, np.pi - 0.2, 12))
    elif extra == 2:  # spikes or a stem outside
        for angle in rng.uniform(0, 2 * np.pi, int(rng.integers(1, 7))):
            direction = np.array([np.cos(angle), squash * np.sin(angle)])
            strokes.append(np.array([direction * 0.85, direction * 1.25]))
    elif extra == 3:  # a line or a vein inside
        strokes.append(np.array([(-0.5, rng.uniform(-0.3, 0.3)), (0.5, rng.uniform(-0.3, 0.3))]))
    return strokes


def _strokes(family, rng):
    if family == "blobs":
        return _blob(rng)
    if family == "capitals":
        return [np.asarray(s, float) for s in _CAPITALS[list(_CAPITALS)[rng.integers(len(_CAPITALS))]]]
    if family == "symbols":
        return _symbol(rng)
    left, right = (_strokes(FAMILIES[rng.integers(3)], rng) for _ in range(2))
    return [s * 0.5 + [-0.55, 0] for s in left] + [s * 0.5 + [0.55, 0] for s in right]


def _bend(points, rng, strength):
    """Points moved by a smooth random displacement of the plane (a sum of two sine waves per axis)."""
    moved = points.copy()
    for axis in range(2):
        for _ in range(2):
            frequency, phase = rng.uniform(0.5, 2.0, 2), rng.uniform(0, 2 * np.pi)
            moved[:, axis] += strength * np.sin(points @ frequency + phase) / 2
    return moved


def _resampled(stroke, step=0.01):
    """A polyline resampled every ``step`` along its length: (m, 2)."""
    lengths = np.r_[0, np.cumsum(np.linalg.norm(np.diff(stroke, axis=0), axis=1))]
    along = np.linspace(0, lengths[-1], max(2, int(lengths[-1] / step)))
    return np.stack([np.interp(along, lengths, stroke[:, k]) for k in range(2)], 1)


def brush_doodle(family, rng):
    """One non-digit of ``family`` drawn with a swelling and tapering brush: PIL L image."""
    side = int(rng.integers(70, 380))
    scale = 2  # drawn at twice the size, shrunk: smooth edges
    dark = rng.random() < 0.75
    canvas = Image.new("L", (side * scale, side * scale), 255 if dark else 0)
    draw = ImageDraw.Draw(canvas)
    pen = side * scale * rng.uniform(0.012, 0.06)
    turn = rng.normal(0, 0.25)
    rotation = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    slant = np.array([[1, rng.normal(0, 0.2)], [0, 1]])
    stretch = np.exp(rng.normal(0, 0.15, 2))
    centre = side * scale / 2 + rng.normal(0, side * scale / 16, 2)
    radius = side * scale * rng.uniform(0.22, 0.4)
    strength = rng.uniform(0.03, 0.12)
    for stroke in _strokes(family, rng):
        path = _resampled(_bend(np.asarray(stroke, float), rng, strength))
        t = np.linspace(0, 1, len(path))
        swell = (
            0.6 + 0.4 * np.sin(np.pi * t) ** rng.uniform(0.3, 1.5) + rng.normal(0, 0.05) * np.sin(t * rng.uniform(3, 9))
        )
        xy = (path * stretch) @ slant.T @ rotation.T * radius + centre
        for (x, y), w in zip(xy, np.clip(swell, 0.3, 1.3) * pen / 2):
            draw.ellipse((x - w, y - w, x + w, y + w), fill=0 if dark else 255)
    return canvas.resize((side, side), Image.Resampling.LANCZOS)


def brush_non_digits(rng, count):
    """(n, 784) inputs of ``count`` brush doodles, the families in turn, and (n,) their family's index."""
    from digit_check_pictures import as_bytes, pixels_of

    rows, families = [], []
    for k in range(count):
        pixels = pixels_of([as_bytes(brush_doodle(FAMILIES[k % len(FAMILIES)], rng), rng)])
        if len(pixels):
            rows.append(pixels[0])
            families.append(k % len(FAMILIES))
    return np.array(rows, dtype=np.float32).reshape(-1, 784), np.array(families, dtype=np.int64)

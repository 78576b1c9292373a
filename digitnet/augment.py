"""Training-time augmentation: every epoch, freshly distorted copies of the training images.

A handwritten 3 shifted by a pixel, turned by a few degrees, drawn a little bigger, narrower,
more slanted or with a thicker pen is still a 3, so showing the network such copies of its
training images each epoch teaches it that, and it reads people's drawings better (Simard et
al. 2003; Cireşan et al. 2010).  Each image gets its own random

    rotation  θ uniform in [−rotation, +rotation] degrees, about the image centre (13.5, 13.5)
    shift     (t_row, t_col), each uniform in [−shift, +shift] pixels
    elastic   (optional) a displacement field: uniform noise in [−1, 1] per pixel and axis,
              smoothed by a Gaussian of ``elastic_sigma`` pixels and scaled by ``elastic`` pixels
    scale     (optional) size factor s uniform in [1 − scale, 1 + scale]
    aspect    (optional) width/height factor e^a, a uniform in [−aspect, +aspect]
    shear     (optional) slant k uniform in [−shear, +shear]: column += k · (row − 13.5)
    thickness (optional) stroke width change w uniform in [−thickness, +thickness] pixels: a
              blend towards the 3×3 grey dilation (w > 0) or erosion (w < 0) by |w| / 2
    flag      (optional) the share of the 1s written as many people write a 1 and MNIST's
              writers seldom did: a flag from the top of the stem down to the left, and for
              half of them a foot (``add_flags``; needs the labels)

The geometric moves form one affine map A = R(θ) · K(k) · diag(s/√e^a, s·√e^a) (rows, columns).
An output pixel p then reads the original image at  A⁻¹(p − c − t) + c + elastic(p),
interpolated bilinearly between the four nearest pixels; points outside the 28×28 image read
0 (background).

With ``renormalise`` each moved digit is then put back where ``digitnet.images`` puts a person's
digit (and where MNIST's digits were put): its ink (pixels above INK_THRESHOLD) scaled to a
longer side of DIGIT_BOX pixels, its centre of mass at MNIST_CENTER_OF_MASS; the scale and the
shift then move it from there.  So the moves change a digit's shape (slant, width, turn, pen,
wobble) but not where or how big it ends up, exactly as preprocessing would undo that for a
drawing; a small network spends nothing on learning positions it will never be shown.  The
digit is first moved with t = 0 and s = 1 and measured (box height h, width w, centre of mass
m), then the output pixel p reads the moved digit at  (p − t) / z + round(m − MNIST_CENTER_OF_MASS / z)
with the zoom z = DIGIT_BOX s / max(h, w) (the rounding places it by whole pixels, as
``digitnet.images`` does); that point is read from the original through the same map (one
interpolation, no double blur; the elastic field interpolated there too).

Pixels are computed in float32 whatever the input's dtype (uint8 is read as value / 255, as
everywhere in digitnet), so the command line (uint8 MNIST) and the library (float MNIST) train
the same network.  Everything is vectorised NumPy over a chunk of images.
"""

from dataclasses import asdict, dataclass
from typing import NamedTuple

import numpy as np

SIDE = 28  # MNIST images are SIDE × SIDE pixels
CENTRE = (SIDE - 1) / 2  # 13.5: the middle of the pixel grid
CHUNK = 4096  # images warped at once (bounds the temporary arrays to ~100 MB)
GRID_ROWS, GRID_COLS = np.mgrid[0:SIDE, 0:SIDE].astype(np.float64)  # each pixel's row and column


@dataclass(frozen=True)
class Augmentation:
    """How far to move images: ``shift`` in pixels, ``rotation`` in degrees, ``elastic`` α in pixels
    (0 = no elastic deformation) with smoothing width ``elastic_sigma`` in pixels, ``scale`` and
    ``aspect`` (fractions), ``shear`` (slant, columns per row), ``thickness`` (stroke width in
    pixels) and ``flag`` (the share of the 1s given a flag: ``add_flags``); 0 turns a move off.
    ``renormalise``: put each moved digit back in MNIST's box and centre (see the module docstring)."""

    shift: float = 2.0
    rotation: float = 10.0
    elastic: float = 0.0
    elastic_sigma: float = 4.0
    scale: float = 0.0
    aspect: float = 0.0
    shear: float = 0.0
    thickness: float = 0.0
    flag: float = 0.0
    renormalise: bool = False

    def __post_init__(self):
        if (
            min(self.shift, self.rotation, self.elastic, *self._drawing_moves()) < 0
            or self.rotation > 180
            or not self.elastic_sigma > 0
            or self.scale >= 1
            or self.thickness > 2
            or not 0 <= self.flag <= 1
        ):
            raise ValueError(
                "augmentation amounts must be ≥ 0 (rotation at most 180°, scale below 1, thickness "
                f"at most 2, flag at most 1) and elastic_sigma > 0, got {self.as_dict()}"
            )

    def _drawing_moves(self):
        return self.scale, self.aspect, self.shear, self.thickness

    @classmethod
    def from_setting(cls, setting):
        """None/False → None (off); True → the defaults; a dict → those fields; an Augmentation as is."""
        if setting is None or setting is False:
            return None
        if setting is True:
            return cls()
        if isinstance(setting, cls):
            return setting
        if isinstance(setting, dict):
            unknown = set(setting) - set(cls.__dataclass_fields__)
            if unknown:
                raise ValueError(
                    f"unknown augmentation settings {sorted(unknown)}; use {', '.join(cls.__dataclass_fields__)}"
                )
            return cls(**{key: bool(value) if key == "renormalise" else float(value) for key, value in setting.items()})
        raise ValueError(f"augment must be True, False, None, a dict or an Augmentation, got {setting!r}")

    def as_dict(self):
        """The fields; the drawing moves (scale, aspect, shear, thickness, flag) and renormalise only
        when on, so recipes without them read as they always have."""
        fields = asdict(self)
        optional = ("scale", "aspect", "shear", "thickness", "flag", "renormalise")
        return {key: value for key, value in fields.items() if value or key not in optional}

    def apply(self, images, rng, labels=None):
        """Randomly moved copies of ``images`` (n, 784) floats in [0, 1] or uint8 → (n, 784) float32
        in [0, 1]; draws from ``rng``.  ``labels`` (n,) are needed for ``flag``."""
        images = np.asarray(images)
        if self.flag and labels is None:
            raise ValueError("the flag move needs the images' labels")
        moved = np.empty(images.shape, dtype=np.float32)
        for start in range(0, len(images), CHUNK):
            chunk = unit_floats(images[start : start + CHUNK])
            moves = self.draw(len(chunk), rng)
            if self.flag:
                chunk = add_flags(chunk, np.asarray(labels)[start : start + CHUNK], self.flag, rng)
            if self.thickness:
                chunk = change_thickness(chunk, rng.uniform(-self.thickness, self.thickness, len(chunk)))
            if self.renormalise:
                rows, cols = renormalised_coordinates(chunk, moves)
            else:
                rows, cols = source_coordinates(moves, GRID_ROWS, GRID_COLS)
            moved[start : start + CHUNK] = bilinear_sample(chunk, rows, cols)
        return moved

    def draw(self, n, rng):
        """One random draw of every move for ``n`` images: Moves."""
        theta = np.deg2rad(rng.uniform(-self.rotation, self.rotation, n))[:, None, None]
        shift_rows, shift_cols = rng.uniform(-self.shift, self.shift, (2, n))[:, :, None, None]
        elastic_rows = elastic_cols = size = stretch = slant = None
        if self.elastic:
            elastic_rows = self.elastic * smooth_noise(n, self.elastic_sigma, rng)
            elastic_cols = self.elastic * smooth_noise(n, self.elastic_sigma, rng)
        if any(self._drawing_moves()):
            size = 1 + rng.uniform(-self.scale, self.scale, n)[:, None, None]
            stretch = np.exp(rng.uniform(-self.aspect, self.aspect, n))[:, None, None]
            slant = rng.uniform(-self.shear, self.shear, n)[:, None, None]
        return Moves(theta, shift_rows, shift_cols, elastic_rows, elastic_cols, size, stretch, slant)


class Moves(NamedTuple):
    """One draw of the moves for n images: rotation ``theta`` (radians), ``shift_rows`` and
    ``shift_cols`` (pixels), ``size``, ``stretch`` (e^a) and ``slant`` (k), each (n, 1, 1) (the
    last three None when no drawing move is on); ``elastic_rows`` and ``elastic_cols`` (n, 28, 28)
    displacements in pixels at each output pixel, or None."""

    theta: np.ndarray
    shift_rows: np.ndarray
    shift_cols: np.ndarray
    elastic_rows: np.ndarray | None
    elastic_cols: np.ndarray | None
    size: np.ndarray | None
    stretch: np.ndarray | None
    slant: np.ndarray | None


def source_coordinates(moves, rows, cols):
    """Where output points (``rows``, ``cols``) (28, 28) or (n, 28, 28) read the original images from
    under ``moves``: A⁻¹(p − c − t) + c + elastic, rows and cols of shape (n, 28, 28), float64."""
    y, x = rows - CENTRE - moves.shift_rows, cols - CENTRE - moves.shift_cols  # p − c − t
    cos, sin = np.cos(moves.theta), np.sin(moves.theta)
    rows = cos * y + sin * x  # R(−θ)(p − c − t)
    cols = -sin * y + cos * x
    if moves.slant is not None:
        cols = cols - moves.slant * rows  # K(k)⁻¹
        rows, cols = rows * np.sqrt(moves.stretch) / moves.size, cols / (moves.size * np.sqrt(moves.stretch))
    rows, cols = rows + CENTRE, cols + CENTRE
    if moves.elastic_rows is not None:
        rows, cols = rows + moves.elastic_rows, cols + moves.elastic_cols
    return rows, cols


def renormalised_coordinates(images, moves):
    """Source coordinates (n, 28, 28) that move ``images`` (n, 784) float32 by ``moves`` and then put
    each in MNIST's box and centre, before the scale and the shift (see the module docstring)."""
    from .images import DIGIT_BOX, INK_THRESHOLD, MNIST_CENTER_OF_MASS  # (digitnet.images imports this module)

    n = len(images)
    in_place = moves._replace(shift_rows=0.0, shift_cols=0.0, size=None if moves.size is None else 1.0)
    first = bilinear_sample(images, *source_coordinates(in_place, GRID_ROWS, GRID_COLS)).reshape(n, SIDE, SIDE)
    ink = first > INK_THRESHOLD
    box = np.maximum(extent(ink.any(axis=2)), extent(ink.any(axis=1)))
    mass = first.sum(axis=(1, 2))
    inked = (box > 0) & (mass > 0)
    safe_mass = np.where(inked, mass, 1)
    centre_row = np.where(inked, (first.sum(axis=2) @ np.arange(SIDE)) / safe_mass, MNIST_CENTER_OF_MASS[0])
    centre_col = np.where(inked, (first.sum(axis=1) @ np.arange(SIDE)) / safe_mass, MNIST_CENTER_OF_MASS[1])
    zoom = np.where(inked, DIGIT_BOX / np.maximum(box, 1), 1.0)[:, None, None]
    if moves.size is not None:
        zoom = zoom * moves.size
    top = np.round(centre_row[:, None, None] - MNIST_CENTER_OF_MASS[0] / zoom)  # whole pixels, as images.py places
    left = np.round(centre_col[:, None, None] - MNIST_CENTER_OF_MASS[1] / zoom)
    rows = (GRID_ROWS - moves.shift_rows) / zoom + top
    cols = (GRID_COLS - moves.shift_cols) / zoom + left
    if moves.elastic_rows is not None:
        inside = np.clip(rows, 0, SIDE - 1), np.clip(cols, 0, SIDE - 1)
        in_place = in_place._replace(
            elastic_rows=bilinear_sample(moves.elastic_rows.reshape(n, -1), *inside).reshape(rows.shape),
            elastic_cols=bilinear_sample(moves.elastic_cols.reshape(n, -1), *inside).reshape(rows.shape),
        )
    return source_coordinates(in_place, rows, cols)


def extent(inked):
    """(n, 28) bools (a row or column has ink) → (n,) pixels from the first inked one to the last (0 if none)."""
    first = inked.argmax(axis=1)
    last = SIDE - 1 - inked[:, ::-1].argmax(axis=1)
    return np.where(inked.any(axis=1), last - first + 1, 0)


def unit_floats(images):
    """(n, 784) images as float32 in [0, 1]: uint8 read as value / 255 exactly as ``digitnet.data``
    and ``Network`` read them, floats converted (no copy when already float32)."""
    if images.dtype == np.uint8:
        pixels = images.astype(np.float32)
        np.divide(pixels, 255, out=pixels)
        return pixels
    return images.astype(np.float32, copy=False)


def add_flags(images, labels, share, rng):
    """``images`` (n, 784) float32 in [0, 1] with each 1 among ``labels`` (n,), with probability
    ``share``, written with a flag: a stroke from the top of the stem down to the left, 25°–60°
    below the horizontal and 25–50% of the digit's height long; and half of those with a foot, a
    bar across the foot of the stem 35–60% of the height wide.  Both in the stem's stroke width
    (its ink above ½ over its height, 1.5–4 pixels) at its brightest ink, drawn with a soft edge
    and round ends that stay within the stem's rows; each changed image is then moved by whole
    pixels to keep its centre of mass.  Draws the same numbers from ``rng`` whatever the labels.
    Returns a new (n, 784) float32 array."""
    from .images import center_of_mass, place_by_center_of_mass  # (digitnet.images imports this module)

    flagged = unit_floats(np.atleast_2d(images)).copy()
    labels = np.asarray(labels)
    n = len(flagged)
    if labels.shape != (n,):
        raise ValueError(f"add_flags needs one label per image: {n} images, labels of shape {labels.shape}")
    chosen = (labels == 1) & (rng.random(n) < share)
    angle = np.deg2rad(rng.uniform(25, 60, n))
    length, footed, foot = rng.uniform(0.25, 0.5, n), rng.random(n) < 0.5, rng.uniform(0.35, 0.6, n)
    for k in np.flatnonzero(chosen):
        square = flagged[k].reshape(SIDE, SIDE)
        rows, cols = np.nonzero(square > 0.5)
        if len(rows) < 5:
            continue
        top, bottom = rows.min(), rows.max()
        height = bottom - top + 1
        width = float(np.clip(len(rows) / height, 1.5, 4))
        start = np.array([top + width / 2, cols[rows <= top + 1].mean()])
        end = start + length[k] * height * np.array([np.sin(angle[k]), -np.cos(angle[k])])
        strokes = [(start, end)]
        if footed[k]:
            middle = cols[rows >= bottom - 1].mean()
            half = foot[k] * height / 2
            foot_row = bottom - width / 2
            strokes.append((np.array([foot_row, middle - half]), np.array([foot_row, middle + half])))
        before = center_of_mass(square)
        for a, b in strokes:
            square = np.maximum(square, square.max() * _segment(a, b, width))
        flagged[k] = place_by_center_of_mass(square, before).reshape(-1)
    return flagged


def _segment(a, b, width):
    """A (28, 28) float32 stroke of ``width`` pixels from point ``a`` to ``b`` (row, column): 1 within
    width / 2 − ½ of the segment, fading to 0 at width / 2 + ½ (round ends)."""
    points = np.stack([GRID_ROWS, GRID_COLS], axis=-1) - a
    along = b - a
    t = np.clip((points @ along) / max(along @ along, 1e-12), 0, 1)
    distance = np.linalg.norm(points - t[..., None] * along, axis=-1)
    return np.clip(width / 2 + 0.5 - distance, 0, 1).astype(np.float32)


def change_thickness(images, widths):
    """Thicker (``widths`` > 0) or thinner (< 0) strokes, (n,) pixels each: every image blended by
    |w| / 2 towards its 3×3 grey dilation or erosion (which widen or narrow a stroke by 2 pixels).
    (n, 784) float32 → (n, 784) float32."""
    squares = images.reshape(-1, SIDE, SIDE)
    padded = np.pad(squares, ((0, 0), (1, 1), (1, 1)))
    shifted = np.stack([padded[:, r : r + SIDE, c : c + SIDE] for r in range(3) for c in range(3)])
    target = np.where((widths > 0)[:, None, None], shifted.max(axis=0), shifted.min(axis=0))
    amount = (np.abs(widths) / 2).astype(np.float32)[:, None, None]
    return (squares + amount * (target - squares)).reshape(images.shape)


def smooth_noise(n, sigma, rng):
    """(n, 28, 28) uniform noise in [−1, 1] blurred by a Gaussian of ``sigma`` pixels (zero outside).

    The blur is separable: G @ noise @ Gᵀ with G[i, j] = exp(−(i − j)²/2σ²) / (σ√(2π)).
    """
    offsets = np.arange(SIDE)[:, None] - np.arange(SIDE)[None, :]
    blur = np.exp(-(offsets**2) / (2 * sigma**2)) / (sigma * np.sqrt(2 * np.pi))
    return blur @ rng.uniform(-1, 1, (n, SIDE, SIDE)) @ blur.T


def bilinear_sample(images, rows, cols):
    """``images`` (n, 784) float32 read at real-valued (rows, cols) (n, 28, 28) → (n, 784) float32.

    The image is padded with a ring of zeros, so points up to one pixel outside blend towards
    the background and points further out read exactly 0.
    """
    n = len(images)
    images = unit_floats(images)
    padded = np.zeros((n, SIDE + 2, SIDE + 2), dtype=np.float32)
    padded[:, 1:-1, 1:-1] = images.reshape(n, SIDE, SIDE)
    rows = np.clip(rows.reshape(n, -1) + 1, 0, SIDE + 1)  # +1: coordinates in the padded image
    cols = np.clip(cols.reshape(n, -1) + 1, 0, SIDE + 1)
    top, left = np.minimum(rows.astype(np.intp), SIDE), np.minimum(cols.astype(np.intp), SIDE)
    down, right = (rows - top).astype(np.float32), (cols - left).astype(np.float32)
    flat = padded.reshape(-1)
    corner = (np.arange(n) * (SIDE + 2) ** 2)[:, None] + top * (SIDE + 2) + left  # top-left neighbour
    above = flat.take(corner) * (1 - right) + flat.take(corner + 1) * right
    below = flat.take(corner + SIDE + 2) * (1 - right) + flat.take(corner + SIDE + 3) * right
    return above * (1 - down) + below * down

"""Training-time augmentation: every epoch, slightly moved copies of the training images.

A handwritten 3 shifted by a pixel or turned by a few degrees is still a 3, so showing the
network freshly distorted copies of its training images each epoch teaches it that, and it
generalises better (Simard et al. 2003; Cireşan et al. 2010).  Each image gets its own random

    rotation  θ uniform in [−rotation, +rotation] degrees, about the image centre (13.5, 13.5)
    shift     (t_row, t_col), each uniform in [−shift, +shift] pixels
    elastic   (optional) a displacement field: uniform noise in [−1, 1] per pixel and axis,
              smoothed by a Gaussian of ``elastic_sigma`` pixels and scaled by ``elastic`` pixels

An output pixel p then reads the original image at  R(−θ)(p − c − t) + c + elastic(p),
interpolated bilinearly between the four nearest pixels; points outside the 28×28 image read
0 (background).  Everything is vectorised NumPy over a chunk of images at once.
"""

from dataclasses import asdict, dataclass

import numpy as np

SIDE = 28                    # MNIST images are SIDE × SIDE pixels
CENTRE = (SIDE - 1) / 2      # 13.5: the middle of the pixel grid
CHUNK = 4096                 # images warped at once (bounds the temporary arrays to ~100 MB)


@dataclass(frozen=True)
class Augmentation:
    """How far to move images: ``shift`` in pixels, ``rotation`` in degrees, ``elastic`` α in pixels
    (0 = no elastic deformation) with smoothing width ``elastic_sigma`` in pixels."""

    shift: float = 2.0
    rotation: float = 10.0
    elastic: float = 0.0
    elastic_sigma: float = 4.0

    def __post_init__(self):
        if min(self.shift, self.rotation, self.elastic) < 0 or self.rotation > 180 or not self.elastic_sigma > 0:
            raise ValueError("augmentation amounts must be ≥ 0 (rotation at most 180°) and elastic_sigma > 0, got "
                             f"shift={self.shift}, rotation={self.rotation}, elastic={self.elastic}, "
                             f"elastic_sigma={self.elastic_sigma}")

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
                raise ValueError(f"unknown augmentation settings {sorted(unknown)}; use "
                                 f"{', '.join(cls.__dataclass_fields__)}")
            return cls(**{key: float(value) for key, value in setting.items()})
        raise ValueError(f"augment must be True, False, None, a dict or an Augmentation, got {setting!r}")

    def as_dict(self):
        return asdict(self)

    def apply(self, images, rng):
        """Randomly moved copies of ``images`` (n, 784) → (n, 784), same dtype; draws from ``rng``."""
        images = np.asarray(images)
        moved = np.empty_like(images)
        for start in range(0, len(images), CHUNK):
            chunk = images[start:start + CHUNK]
            rows, cols = self.source_coordinates(len(chunk), rng)
            moved[start:start + CHUNK] = bilinear_sample(chunk, rows, cols)
        return moved

    def source_coordinates(self, n, rng):
        """Where each output pixel of ``n`` images reads from: rows, cols of shape (n, 28, 28), float64."""
        theta = np.deg2rad(rng.uniform(-self.rotation, self.rotation, n))[:, None, None]
        shift_rows, shift_cols = (rng.uniform(-self.shift, self.shift, (2, n))[:, :, None, None])
        grid_rows, grid_cols = np.mgrid[0:SIDE, 0:SIDE].astype(np.float64)
        y, x = grid_rows - CENTRE - shift_rows, grid_cols - CENTRE - shift_cols   # p − c − t
        cos, sin = np.cos(theta), np.sin(theta)
        rows = cos * y + sin * x + CENTRE                                          # R(−θ)(p − c − t) + c
        cols = -sin * y + cos * x + CENTRE
        if self.elastic:
            rows = rows + self.elastic * smooth_noise(n, self.elastic_sigma, rng)
            cols = cols + self.elastic * smooth_noise(n, self.elastic_sigma, rng)
        return rows, cols


def smooth_noise(n, sigma, rng):
    """(n, 28, 28) uniform noise in [−1, 1] blurred by a Gaussian of ``sigma`` pixels (zero outside).

    The blur is separable: G @ noise @ Gᵀ with G[i, j] = exp(−(i − j)²/2σ²) / (σ√(2π)).
    """
    offsets = np.arange(SIDE)[:, None] - np.arange(SIDE)[None, :]
    blur = np.exp(-offsets ** 2 / (2 * sigma ** 2)) / (sigma * np.sqrt(2 * np.pi))
    return blur @ rng.uniform(-1, 1, (n, SIDE, SIDE)) @ blur.T


def bilinear_sample(images, rows, cols):
    """``images`` (n, 784) read at real-valued (rows, cols) (n, 28, 28) → (n, 784), same dtype.

    The image is padded with a ring of zeros, so points up to one pixel outside blend towards
    the background and points further out read exactly 0.
    """
    n = len(images)
    padded = np.zeros((n, SIDE + 2, SIDE + 2), dtype=images.dtype)
    padded[:, 1:-1, 1:-1] = images.reshape(n, SIDE, SIDE)
    rows = np.clip(rows.reshape(n, -1) + 1, 0, SIDE + 1)   # +1: coordinates in the padded image
    cols = np.clip(cols.reshape(n, -1) + 1, 0, SIDE + 1)
    top, left = np.minimum(rows.astype(np.intp), SIDE), np.minimum(cols.astype(np.intp), SIDE)
    down, right = (rows - top).astype(images.dtype), (cols - left).astype(images.dtype)
    flat = padded.reshape(-1)
    corner = (np.arange(n) * (SIDE + 2) ** 2)[:, None] + top * (SIDE + 2) + left   # top-left neighbour
    above = flat[corner] * (1 - right) + flat[corner + 1] * right
    below = flat[corner + SIDE + 2] * (1 - right) + flat[corner + SIDE + 3] * right
    return above * (1 - down) + below * down

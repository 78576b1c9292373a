"""Turning a person's picture of a digit into the 784 numbers the network reads.

MNIST's digits were made this way, and ``to_mnist`` repeats it:

1. Grayscale, with transparent pixels composited onto a background that contrasts with the ink.
2. Make the ink bright on black (invert light paper), subtract the background level, stretch to [0, 1].
3. Crop to the ink; thicken strokes that would be thinner than MNIST's after scaling.
4. Scale the longer side to 20 pixels with anti-aliasing (aspect ratio kept).
5. Place it in a 28×28 square so that its centre of mass lands where MNIST's does:
   row 14.0, column 14.0 (pixel centres numbered 0–27; measured over all 70,000 MNIST digits,
   standard deviation 0.29 pixels).

The explorer page sends its canvas through the same ``to_mnist``.
"""

import io
import warnings

import numpy as np
from PIL import Image, ImageFilter, UnidentifiedImageError

from .errors import BlankImageError, ImageError
from .files import read_regular_file

MNIST_CENTER_OF_MASS = (14.0, 14.0)  # (row, column), measured on MNIST itself
DIGIT_BOX = 20                       # MNIST scales each digit's longer side to 20 pixels
MNIST_STROKE = 2.9                   # median MNIST stroke width in pixels, by _thicken's estimate on the test set
MAX_PIXELS = 50_000_000              # larger images are refused (decompression bombs)
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DECODED_SIDE = 1024              # larger pictures are decoded (or shrunk at once) to at most this on a side
INK_THRESHOLD = 0.2                  # ink below this (after stretching) counts as background
MIN_CONTRAST = 0.1                   # an image whose ink varies less than this is blank


def read_image(source):
    """Read an image file (path or bytes) into an ink map: 2-D float array, ink 1, background 0.

    Handles grayscale, colour, palette and transparent images, 16-bit grayscale (scaled by its
    full 0–65535 range) and floating-point images (used as they are when within [0, 1], else
    stretched from their darkest to their lightest value).  Only regular files of at most
    MAX_FILE_BYTES and pictures of at most MAX_PIXELS are read; a picture larger than
    MAX_DECODED_SIDE on a side is decoded at reduced size where the format allows (JPEG) and
    shrunk right after decoding otherwise.  Raises ImageError for a file that is not an image,
    is truncated, or is too large.
    """
    name = "image" if isinstance(source, (bytes, bytearray)) else str(source)
    raw = bytes(source) if isinstance(source, (bytes, bytearray)) else read_regular_file(
        source, MAX_FILE_BYTES, ImageError, "file")
    if len(raw) > MAX_FILE_BYTES:
        raise ImageError(f"{name}: file too large ({len(raw):,} bytes; limit {MAX_FILE_BYTES:,})")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)   # PIL's notes on odd metadata: the result says it all
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise ImageError(f"{name}: image too large ({image.width}×{image.height} pixels; "
                                     f"limit {MAX_PIXELS:,} pixels)")
                rgba = _decoded_rgba(image)
    except UnidentifiedImageError:
        raise ImageError(f"{name}: not an image file (PNG, JPEG, GIF, BMP, … expected)") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"{name}: image too large (over {MAX_PIXELS:,} pixels)") from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as error:
        raise ImageError(f"{name}: cannot read image ({str(error)[:200]})") from None
    return ink_map(rgba)


def _decoded_rgba(image):
    """An opened PIL image decoded to (h, w, 4) float32 RGBA in [0, 1], at most MAX_DECODED_SIDE on a side."""
    if max(image.size) > MAX_DECODED_SIDE:
        image.draft(image.mode, (MAX_DECODED_SIDE, MAX_DECODED_SIDE))  # JPEG decodes at 1/2, 1/4 or 1/8 size
    image.load()
    if max(image.size) > MAX_DECODED_SIDE:
        if image.mode in ("1", "P") or image.mode.startswith("I;16"):   # modes reduce() cannot average
            image = image.convert("I" if image.mode.startswith("I;16") else "RGBA")
        image = image.reduce(-(-max(image.size) // MAX_DECODED_SIDE))  # box average, before any float copy
    if image.mode in HIGH_DEPTH_MODES:
        grey = _unit_range(np.asarray(image, dtype=np.float32), image.mode)
        return np.dstack([grey, grey, grey, np.ones_like(grey)])
    return np.asarray(image.convert("RGBA"), dtype=np.float32) / 255


HIGH_DEPTH_MODES = ("I", "I;16", "I;16L", "I;16B", "I;16N", "F")


def _unit_range(values, mode):
    """Grey values of a 16-bit, 32-bit or floating-point image scaled into [0, 1] by their real range."""
    if not np.isfinite(values).all():
        raise ImageError("the picture holds values that are not finite numbers")
    low, high = float(values.min()), float(values.max())
    if mode.startswith("I") and low >= 0 and high <= 65535:
        return values / 65535                     # 16-bit pictures: black 0, white 65535
    if mode == "F" and low >= 0 and high <= 1:
        return values                             # floating point already in [0, 1]
    return (values - low) / (high - low) if high > low else np.zeros_like(values)


def ink_map(rgba):
    """(h, w, 4) RGBA floats in [0, 1] → (h, w) ink in [0, 1]: bright ink on a black background."""
    luminance = rgba[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    alpha = rgba[..., 3]
    if alpha.min() < 1:  # transparency: composite onto a background the ink stands out from
        opaque = alpha > 0.5
        ink_is_dark = not opaque.any() or luminance[opaque].mean() < 0.5
        luminance = luminance * alpha + (1.0 if ink_is_dark else 0.0) * (1 - alpha)
    border = np.concatenate([luminance[0], luminance[-1], luminance[:, 0], luminance[:, -1]])
    return 1 - luminance if np.median(border) > 0.5 else luminance


def to_mnist(ink):
    """A 2-D ink map (bright ink on dark, any size) → (784,) float32 in [0, 1], MNIST-style.

    Raises BlankImageError (an ImageError) if there is no ink to read (a blank or empty image).
    """
    ink = np.asarray(ink, dtype=np.float32)
    if ink.ndim != 2 or ink.size == 0:
        raise ImageError(f"expected a 2-D image, got shape {ink.shape}")
    border = np.concatenate([ink[0], ink[-1], ink[:, 0], ink[:, -1]])
    background, peak = float(np.median(border)), float(ink.max())
    if peak - background < MIN_CONTRAST:
        raise BlankImageError("no digit found: the image is blank" if peak - background < 0.01 else
                              f"no digit found: the strokes are too faint (ink {peak - background:.2f} "
                              f"above the background; at least {MIN_CONTRAST} is needed)")
    ink = np.clip((ink - background) / (peak - background), 0, 1)
    ink[ink < INK_THRESHOLD] = 0
    rows, cols = np.nonzero(ink)
    ink = ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    ink = _thicken(ink, DIGIT_BOX / max(ink.shape))
    scale = DIGIT_BOX / max(ink.shape)
    height, width = (max(1, round(n * scale)) for n in ink.shape)
    resample = Image.Resampling.BOX if scale < 1 else Image.Resampling.BICUBIC
    digit = np.asarray(Image.fromarray(ink, mode="F").resize((width, height), resample), dtype=np.float32)
    digit = np.clip(digit, 0, 1)
    return _place_by_center_of_mass(digit).reshape(784)


def _thicken(ink, scale):
    """Widen strokes that would come out thinner than MNIST's (2.9 px) after scaling by ``scale``.

    Thin lines on a big canvas would fade to nothing when averaged down.  So: estimate the
    stroke width (area / half the perimeter), shrink by block maximum to about four times the
    final size (lines survive a maximum), then dilate there until the stroke is MNIST's width.
    """
    solid = ink > 0.5
    edge = solid & ~(np.roll(solid, 1, 0) & np.roll(solid, -1, 0) & np.roll(solid, 1, 1) & np.roll(solid, -1, 1))
    stroke = 2 * solid.sum() / max(edge.sum(), 1)
    if stroke * scale >= 0.6 * MNIST_STROKE:
        return ink
    block = max(1, int(1 / (4 * scale)))
    if block > 1:
        height, width = -(-ink.shape[0] // block), -(-ink.shape[1] // block)
        padded = np.zeros((height * block, width * block), dtype=ink.dtype)
        padded[:ink.shape[0], :ink.shape[1]] = ink
        ink = padded.reshape(height, block, width, block).max(axis=(1, 3))
        stroke, scale = max(stroke / block, 1.0), scale * block
    grow = int(round(MNIST_STROKE / scale - stroke))
    if grow < 2:
        return ink
    size = grow | 1  # MaxFilter needs an odd size
    image = Image.fromarray((np.pad(ink, size // 2) * 255).astype(np.uint8)).filter(ImageFilter.MaxFilter(size))
    return np.asarray(image, dtype=np.float32) / 255


def _place_by_center_of_mass(digit):
    """Paste ``digit`` (h, w ≤ 20) into 28×28 so its centre of mass is at MNIST_CENTER_OF_MASS."""
    mass = digit.sum()
    com_row = (digit.sum(axis=1) @ np.arange(digit.shape[0])) / mass
    com_col = (digit.sum(axis=0) @ np.arange(digit.shape[1])) / mass
    top = int(round(MNIST_CENTER_OF_MASS[0] - com_row))
    left = int(round(MNIST_CENTER_OF_MASS[1] - com_col))
    square = np.zeros((28, 28), dtype=np.float32)
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + digit.shape[0], 28), min(left + digit.shape[1], 28)
    square[r0:r1, c0:c1] = digit[r0 - top:r1 - top, c0 - left:c1 - left]
    return square


def image_to_input(source):
    """Read an image file (path or bytes) and return the network's input: (784,) float32 in [0, 1]."""
    try:
        return to_mnist(read_image(source))
    except ImageError as error:
        name = "image" if isinstance(source, (bytes, bytearray)) else str(source)
        if str(error).startswith(name):
            raise
        raise type(error)(f"{name}: {error}") from None

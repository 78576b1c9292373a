"""Turning a person's picture of a digit into the 784 numbers the network reads.

MNIST's digits were made this way, and ``to_mnist`` repeats it:

1. Grayscale, with transparent pixels composited onto a background that contrasts with the ink.
2. Make the ink bright on black (invert light paper), subtract the background, stretch to [0, 1].
   The background is measured locally (a grey-level opening: what is left when every stroke
   narrower than a fifth of the picture is wiped out), so uneven light and the shadows on a
   photographed sheet of paper drop out with it, and pen on paper is measured as the share of the
   local paper's light it takes away (a stroke in a shadow counts as much as one in full light);
   a clean two-tone drawing keeps its strokes whatever their width (nothing local is subtracted).
3. Keep the drawing: refuse ink under 5 pixels across as too small to read; drop specks (pieces
   of ink with under 2% of the largest piece's ink), a ruler's line under the digit and,
   when something else remains, pieces that touch the picture's edge (a sheet's edge, a shadow);
   in a photograph, bands of ink lining an edge (a strip of desk) are cut off first, so a digit
   that runs into one comes apart from it.
4. Crop to the ink; thicken strokes that would be thinner than MNIST's after scaling (and, at
   the end, thin strokes that came out wider than MNIST's 2.9 pixels, or widen lines 1–2 pixels
   wide that nothing widened).
5. Scale the longer side to 20 pixels with anti-aliasing (aspect ratio kept).
6. Place it in a 28×28 square so that its centre of mass lands where MNIST's does:
   row 14.0, column 14.0 (pixel centres numbered 0–27; measured over all 70,000 MNIST digits,
   standard deviation 0.29 pixels).
7. Bring the strongest quarter of the ink to full strength, as in MNIST (a photographed
   stroke's ink varies, and its single strongest pixel set the stretch).

The explorer page sends its canvas through the same ``to_mnist``.
"""

import io
import warnings
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from .augment import change_thickness
from .colours import LUMINANCE, colour_statistics
from .errors import BlankImageError, ImageError, TooSmallImageError
from .files import read_regular_file
from .pixels import pixel_values
from .ruled_lines import without_ruled_lines

MNIST_CENTER_OF_MASS = (14.0, 14.0)  # (row, column), measured on MNIST itself
DIGIT_BOX = 20  # MNIST scales each digit's longer side to 20 pixels
MNIST_STROKE = 2.9  # median MNIST stroke width in pixels, by _thicken's estimate on the test set
THINNEST_SEEN = 2.2  # stroke_width of lines 1 or 2 pixels wide is 2 (every ink pixel on the boundary,
WIDEN = 1.2  # … but where lines cross): such a digit is widened by this many pixels towards MNIST's 2.9
STRONG_QUANTILE = 0.75  # the strongest quarter of a digit's ink is at full strength (MNIST's: median 0.99)
MAX_PIXELS = 50_000_000  # larger images are refused (decompression bombs)
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DECODED_SIDE = 1024  # larger pictures are decoded (or shrunk at once) to at most this on a side
INK_THRESHOLD = 0.2  # ink below this (after stretching) counts as background
MIN_INK_SIDE = 5  # a digit whose ink is fewer pixels than this on its longer side is too small to read
MIN_CONTRAST = 0.1  # a 28×28 input whose pixels vary less than this is blank; no ink needs more
FAINTEST_INK = 0.02  # ink must stand out from the background by at least this (5 grey levels) …
NOISE_MULTIPLE = 6  # … and by this many times the picture's pixel noise
SPECK_SHARE = 0.02  # pieces of ink with less than this share of the largest piece are specks
BACKGROUND_WINDOW = 5  # the opening's square is a fifth of the picture's shorter side
BACKGROUND_SIDE = 96  # the polarity is judged, and pieces found, at most this many pixels across
FINE_SIDE = 384  # the local background is measured at most this many pixels across
PAPER_LIGHT_FLOOR = 0.5  # ink is measured against at least this share of the picture's usual paper light
PEN_ON_PAPER_SHARE = 0.3  # … when less than this share of the picture stands out (pen on paper)
TWO_TONE_MID_SHARE = 0.05  # a picture with fewer mid-tone pixels than this is a clean drawing
STROKE_LEVEL = 0.5  # polarity: strokes count where they stand out by more than this share of the strongest
HOLLOW_SHARE = 0.25  # ink a coarse background adds is a stroke's middle if this share of its border is ink
EDGE_RUN_WINDOW = 0.5  # a band along an edge: the running median of its ink runs over this share of the edge,
EDGE_BAND_STROKES = 2.5  # … deeper than this many widths of the ink's strokes,
EDGE_LENGTH_SHARE = 0.9  # … unless it lines this share of the edge
PHOTO_GRAIN_SHARE = 0.01  # separated ink with more pixels than this faint (0 < ink < INK_THRESHOLD) is a photo
SMALL_SIDE = 64  # … counted away from the strokes in a picture no larger than this
UNDERLINE_SHARE = 0.6  # a ruler's line under a digit spans at least this share of the picture's width,
UNDERLINE_OVER_DIGIT = 1.5  # … and this many times the digit's width,
FLAT_SHARE = 0.15  # … and is no taller than this share of its width
FAR_MAIN_SHARE = 0.15  # pieces with this share of the largest's ink are the digit's; smaller ones …
FAR_GAP = 0.5  # … further from them than this share of their size are specks
EDGE_CONTACT_SHARE = 0.15  # a piece with this share of its outline on an edge band is part of what lines the edge
LIGHT_INK_MARGIN = 3.0  # … and a photograph's ink is light only if its light strokes weigh 3 times its dark ones
BORDER_TONE_SHARE = 0.75  # a photograph's border tone is the paper's only if this share of it is on that side


def read_image(source):
    """Read an image file (path or bytes) into an ink map: 2-D float array, ink 1, background 0
    (``read_rgba``, then ``ink_map``)."""
    return ink_map(read_rgba(source))


def read_rgba(source, name=None):
    """Decode an image file (path or bytes): (h, w, 4) RGBA float32 in [0, 1]; errors start with
    ``name`` (default: the path, or "image" for bytes).

    Handles grayscale, colour, palette and transparent images, 16-bit grayscale (scaled by its
    full 0–65535 range) and floating-point images (used as they are when within [0, 1], else
    stretched from their darkest to their lightest value).  Only regular files of at most
    MAX_FILE_BYTES and pictures of at most MAX_PIXELS are read; a picture larger than
    MAX_DECODED_SIDE on a side is decoded at reduced size where the format allows (JPEG) and
    shrunk right after decoding otherwise.  Raises ImageError for a file that is not an image,
    is truncated, or is too large.
    """
    name = _name_of(source, name)
    raw = (
        bytes(source)
        if isinstance(source, (bytes, bytearray))
        else read_regular_file(source, MAX_FILE_BYTES, ImageError, "file")
    )
    if len(raw) > MAX_FILE_BYTES:
        raise ImageError(f"{name}: file too large ({len(raw):,} bytes; limit {MAX_FILE_BYTES:,})")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # PIL's notes on odd metadata: the result says it all
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise ImageError(
                        f"{name}: image too large ({image.width}×{image.height} pixels; limit {MAX_PIXELS:,} pixels)"
                    )
                rgba = _decoded_rgba(image)
    except UnidentifiedImageError:
        raise ImageError(f"{name}: not an image file (PNG, JPEG, GIF, BMP, … expected)") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"{name}: image too large (over {MAX_PIXELS:,} pixels)") from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as error:
        raise ImageError(f"{name}: cannot read image ({str(error)[:200]})") from None
    return rgba


def _decoded_rgba(image):
    """An opened PIL image decoded to (h, w, 4) float32 RGBA in [0, 1], at most MAX_DECODED_SIDE on a side."""
    if max(image.size) > MAX_DECODED_SIDE:
        image.draft(image.mode, (MAX_DECODED_SIDE, MAX_DECODED_SIDE))  # JPEG decodes at 1/2, 1/4 or 1/8 size
    image.load()
    if max(image.size) > MAX_DECODED_SIDE:
        if image.mode in ("1", "P") or image.mode.startswith("I;16"):  # modes reduce() cannot average
            image = image.convert("I" if image.mode.startswith("I;16") else "RGBA")
        image = image.reduce(-(-max(image.size) // MAX_DECODED_SIDE))  # box average, before any float copy
    image = ImageOps.exif_transpose(image)  # a phone's photo stored sideways, upright as it was taken
    if image.mode in HIGH_DEPTH_MODES:
        grey = _unit_range(np.asarray(image, dtype=np.float32), image.mode)
        return np.dstack([grey, grey, grey, np.ones_like(grey)])
    return np.asarray(image.convert("RGBA"), dtype=np.float32) / 255


HIGH_DEPTH_MODES = ("I", "I;16", "I;16L", "I;16B", "I;16N", "F")


def _name_of(source, name=None):
    """What errors about ``source`` (a path or bytes) start with: ``name``, else the path, or "image"."""
    return name or ("image" if isinstance(source, (bytes, bytearray)) else str(source))


def _unit_range(values, mode):
    """Grey values of a 16-bit, 32-bit or floating-point image scaled into [0, 1] by their real range."""
    if not np.isfinite(values).all():
        raise ImageError("the picture holds values that are not finite numbers")
    low, high = float(values.min()), float(values.max())
    if mode.startswith("I") and low >= 0 and high <= 65535:
        return values / 65535  # 16-bit pictures: black 0, white 65535
    if mode == "F" and low >= 0 and high <= 1:
        return values  # floating point already in [0, 1]
    if high <= low:
        return np.zeros_like(values)
    wide = values.astype(np.float64)  # float32 overflows on high - low when the values span ±3.4e38
    return ((wide - low) / (high - low)).astype(np.float32)


def ink_map(rgba):
    """(h, w, 4) RGBA floats in [0, 1] → (h, w) ink in [0, 1]: bright ink on a black background."""
    luminance = rgba[..., :3] @ np.array(LUMINANCE, dtype=np.float32)
    alpha = rgba[..., 3]
    if alpha.min() < 1:  # transparency: composite onto a background the ink stands out from
        opaque = alpha > 0.5
        ink_is_dark = not opaque.any() or luminance[opaque].mean() < 0.5
        luminance = luminance * alpha + (1.0 if ink_is_dark else 0.0) * (1 - alpha)
    return 1 - luminance if _light_background(luminance) else luminance


def _light_background(luminance):
    """Is the background lighter than the ink?  The background is the tone of the picture's border
    when that tone is one of the picture's extremes (near its 0.1st or 99.9th percentile: the ink
    is the other) and most of the picture has it too: over half of a clean two-tone drawing or of a
    photograph's texture, at least BORDER_TONE_SHARE of a photographed sheet (pen on paper, below:
    a digit's strokes cover far less of a picture, but a dark desk round a sheet and a shadow
    across it can together cover half of it and more).
    Otherwise (a sheet photographed on a darker
    desk, with a shadow across it, or with a grey corner where the photo was straightened) the ink
    is what is thin: the strokes a grey-level closing fills in (dark ink) or an opening wipes out
    (light ink), over squares a fifth of the picture wide, counted where they stand out by more
    than STROKE_LEVEL of the strongest (so the faint ruled lines of school paper, and the light
    strips of paper between them, do not outweigh the pen's strokes).  Each side's weight is
    divided by the square of its strokes' width (``mask_width``), so what counts is how long and
    thin the strokes are, not how much area they cover, and dark ink wins unless the light strokes
    weigh LIGHT_INK_MARGIN times as much: the pictures that come this far are mostly photographs of
    paper, where the paper inside a digit's loops, or between its strokes and the edge of a shadow
    or of the sheet, stands out as light patches as wide as the squares, wider than a pen's strokes.
    That holds when over PEN_ON_PAPER_SHARE of the picture stands out (a texture, or a sheet on a
    desk that a large digit fills, all narrow gaps of paper between its strokes), unless the border
    has the tone of most of the picture: then that tone is the background."""
    low, high = np.percentile(luminance, [0.1, 99.9])
    if high - low < FAINTEST_INK:
        return bool(np.median(luminance) > 0.5)
    border = np.concatenate([luminance[0], luminance[-1], luminance[:, 0], luminance[:, -1]])
    place = (np.median(border) - low) / (high - low)  # 0: the darkest tone, 1: the lightest
    middle = (low + high) / 2
    most_light = np.median(luminance) > middle
    border_is_paper = (place > 0.75 and most_light) or (place < 0.25 and not most_light)
    if border_is_paper:
        border_side = np.mean(luminance > middle) if most_light else np.mean(luminance < middle)
        if border_side >= BORDER_TONE_SHARE or is_two_tone(luminance):
            return bool(most_light)
    small, window = _shrunk(luminance, BACKGROUND_SIDE)
    dark_strokes = _sliding(_sliding(small, window, np.maximum), window, np.minimum) - small
    light_strokes = small - _opening(small, window)
    standing = np.maximum(dark_strokes, light_strokes)
    if border_is_paper and np.mean(standing > INK_THRESHOLD * standing.max()) > PEN_ON_PAPER_SHARE:
        return bool(most_light)
    level = STROKE_LEVEL * standing.max()
    dark, light = (
        float(np.maximum(strokes - level, 0).sum()) / max(mask_width(strokes > level), 1.0) ** 2
        for strokes in (dark_strokes, light_strokes)
    )
    return light <= LIGHT_INK_MARGIN * dark


def to_mnist(ink):
    """A 2-D ink map (bright ink on dark, any size) → (784,) float32 in [0, 1], MNIST-style.

    Raises BlankImageError (an ImageError) if there is no ink to read (a blank or empty image), or
    its TooSmallImageError if the ink is too small to read.
    """
    return digit_from(separate_ink(ink))


def separate_ink(ink):
    """Steps 1–2 on an ink map (h, w): the ink alone, (h, w) float32 in [0, 1] with the background
    near 0 (``digit_from`` clears what is fainter than INK_THRESHOLD).

    In a photograph (not two-tone) the ink is measured above the local background, for pen on
    paper as a share of the paper's light (``ink_above_background``).

    The background is the tone of the picture's border, or for a photograph (not two-tone) the
    picture's median tone when the border's would take away more than half of the ink's contrast
    (a dark desk or a shadow all along the edge).
    The ink is stretched so that its brightest pixel is 1, except that pieces of strong ink that
    touch the picture's edge (a dark desk round a sheet, the rim of a shadow) do not set the scale
    when they are over twice as bright as the ink inside, so a faint pencil digit beside them is
    not lost.  Raises
    BlankImageError if there is no ink: nothing stands out from the background by more than
    ``faintest_ink`` (a few grey levels on a clean picture, more on a noisy photo)."""
    ink = np.asarray(ink, dtype=np.float32)
    if ink.ndim != 2 or ink.size == 0:
        raise ImageError(f"expected a 2-D image, got shape {ink.shape}")
    two_tone = is_two_tone(ink)
    if not two_tone:
        ink = ink_above_background(ink)
    border = np.concatenate([ink[0], ink[-1], ink[:, 0], ink[:, -1]])
    background, needed = float(np.median(border)), faintest_ink(ink)
    peak = _inner_peak(ink, background, needed, not two_tone)
    if not two_tone:  # the border's tone, unless it is a desk or a shadow that would swallow the ink
        usual = float(np.median(ink))
        usual_peak = _inner_peak(ink, usual, needed, True)
        if peak - background < (usual_peak - usual) / 2:
            background, peak = usual, usual_peak
    if peak - background < needed:
        raise BlankImageError(
            "no digit found: the image is blank"
            if peak - background < FAINTEST_INK / 2
            else f"no digit found: the strokes are too faint (ink {peak - background:.2f} "
            f"above the background; at least {needed:.2f} is needed)"
        )
    return np.clip((ink - background) / (peak - background), 0, 1)


def ink_above_background(ink):
    """A photograph's ink map (h, w) with its local background taken away, (h, w) float32.

    A photograph (more than PEN_ON_PAPER_SHARE of it standing out from its background, measured
    at BACKGROUND_SIDE pixels, by over INK_THRESHOLD of the most: a texture, not a few strokes)
    keeps the difference alone.  Pen on paper is measured against the background at FINE_SIDE
    pixels, as a share of the paper's light (``share_of_paper_light``), so that the paper's light
    and its shadows, not the photograph's dark parts, are what is evened out.  A felt pen's or a
    bold font's strokes can be as wide as the background's squares, which then fit inside them
    and take their middles for background, so the background is measured again
    over squares as wide as the shorter side where that fills in the middle of a stroke (``_hollowed``)."""
    above = ink - local_background(ink, BACKGROUND_SIDE)
    if np.mean(above > INK_THRESHOLD * above.max()) > PEN_ON_PAPER_SHARE:
        return above
    pen = share_of_paper_light(ink, local_background(ink, FINE_SIDE))
    coarse = share_of_paper_light(ink, local_background(ink, FINE_SIDE, min(ink.shape)))
    return np.where(_hollowed(pen, coarse), coarse, pen)


def _hollowed(pen, coarse):
    """Where the middles of bold strokes were taken for background: (h, w) bool.

    ``pen`` and ``coarse`` (h, w) are the ink measured over the usual squares and over squares as
    wide as the picture's shorter side.  The ink ``coarse`` adds (by over INK_THRESHOLD of the
    strongest) is in pieces (``ink_pieces``); a piece is a stroke's middle when over HOLLOW_SHARE
    of what borders it is strong ink of ``pen`` and it does not touch the picture's edge (a
    shadow or the light falling off, which ``coarse`` adds too, reaches the edge, and a digit's
    loops are paper: ``coarse`` adds nothing there)."""
    scale = INK_THRESHOLD * float(pen.max())
    labels, block = ink_pieces(coarse - pen > scale)
    strong = block_reduce(pen > scale, block, np.max)
    inked, bordering = np.zeros(labels.max() + 1), np.zeros(labels.max() + 1)
    padded = np.pad(labels, 1)
    for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        beside = padded[1 + dr : 1 + dr + labels.shape[0], 1 + dc : 1 + dc + labels.shape[1]]
        border = (beside > 0) & (labels == 0)  # a pixel outside a piece, beside it
        np.add.at(bordering, beside[border], 1)
        np.add.at(inked, beside[border & strong], 1)
    filled = inked > HOLLOW_SHARE * np.maximum(bordering, 1)
    filled[np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])] = False
    full = np.repeat(np.repeat(filled[labels], block, axis=0), block, axis=1)
    return full[: pen.shape[0], : pen.shape[1]]


def share_of_paper_light(ink, background):
    """Ink (h, w) above its ``background`` (h, w), as a share of the paper's light there: light
    falls on ink and paper alike, so a pen's stroke takes the same share of the light in a shadow
    as in full light.  The paper's light is 1 − background (the ink map is inverted paper), but at
    least PAPER_LIGHT_FLOOR of its median, so the grain of a dark desk is not magnified much."""
    paper_light = np.maximum(1 - background, PAPER_LIGHT_FLOOR * float(np.median(1 - background)))
    return (ink - background) / np.maximum(paper_light, 1e-3)


def faintest_ink(ink):
    """How far (in [0, 1]) ink must stand out from the background of ``ink`` (h, w) to count:
    FAINTEST_INK, or NOISE_MULTIPLE times the picture's pixel noise if that is more, but never
    more than MIN_CONTRAST (a picture of pure noise is not blank: it is a texture).  The noise is
    the spread of differences between neighbouring pixels (median absolute difference × 1.4826 / √2,
    the standard deviation of Gaussian noise; strokes and edges are too few to move a median)."""
    differences = np.abs(np.diff(ink, axis=1)) if ink.shape[1] > 1 else np.zeros(1)
    noise = 1.4826 * float(np.median(differences)) / np.sqrt(2)
    return min(MIN_CONTRAST, max(FAINTEST_INK, NOISE_MULTIPLE * noise))


def _inner_peak(ink, background, needed, with_bands=False):
    """The brightest ink of ``ink`` (h, w) outside the pieces of strong ink (above INK_THRESHOLD of
    the full range) that touch the picture's edge (``edge_pieces``, with the bands along the edges
    when ``with_bands``), when it stands out by at least ``needed`` and by less than half as much
    as the brightest ink of all (which would leave it faint); otherwise the brightest ink of all."""
    peak = float(ink.max())
    strong = ink - background >= INK_THRESHOLD * (peak - background)
    block = max(1, -(-max(ink.shape) // BACKGROUND_SIDE))  # ink_pieces' block: its edge is this wide
    low, right = (ink.shape[0] - 1) // block * block, (ink.shape[1] - 1) // block * block
    if not (strong[:block].any() or strong[low:].any() or strong[:, :block].any() or strong[:, right:].any()):
        return peak  # nothing strong at the edge (most drawings): no need to find the pieces
    inner = _outside_edge_pieces(ink, strong, background, with_bands)
    if with_bands and needed <= inner - background < (peak - background) / 2:
        # a photograph: a sheet's lines touch the edges, and so does a digit written on them (its
        # ink would count as the edge's, and the paper's grain would set the scale)
        inner = _outside_edge_pieces(ink, without_ruled_lines(strong.astype(np.float32)) > 0, background, True)
    return inner if needed <= inner - background < (peak - background) / 2 else peak


def _outside_edge_pieces(ink, strong, background, with_bands):
    """``_inner_peak``'s brightest ink of ``ink`` (h, w) outside the pieces of ``strong`` (h, w) bool
    at the picture's edge (the brightest of all when none is), ``background`` when all is at the edge."""
    labels, block, at_edge, bands = edge_pieces(strong, with_bands)
    at_edge = at_edge[labels] | bands
    if not at_edge.any():
        return float(ink.max())
    at_edge = np.repeat(np.repeat(at_edge, block, axis=0), block, axis=1)[: ink.shape[0], : ink.shape[1]]
    return float(ink[~at_edge].max()) if (~at_edge).any() else background


def is_two_tone(ink):
    """True for a clean drawing (h, w): nearly every pixel is the background's tone or the ink's,
    only the strokes' edges in between (fewer than TWO_TONE_MID_SHARE of the pixels in the middle
    70% between the 0.1st and 99.9th percentiles).  Such a picture has no light to even out, and
    the local background would take strokes wider than its squares (a felt pen, a bold digit
    cropped tight, a filled disc) for background, so it is not subtracted."""
    low, high = np.percentile(ink, [0.1, 99.9])
    margin = 0.15 * (high - low)
    middle = (ink > low + margin) & (ink < high - margin)
    return bool(high - low >= FAINTEST_INK and middle.mean() < TWO_TONE_MID_SHARE)


def digit_from(separated):
    """Steps 3–7 on ``separate_ink``'s result: (784,) float32 in [0, 1].  Raises TooSmallImageError
    (a BlankImageError) when all the ink is under MIN_INK_SIDE pixels on its longer side.  The picture counts as
    photographed (``is_photographed``: ruled lines and the bands along its edges are then looked for)."""
    photographed = is_photographed(separated)
    ink = np.where(separated < INK_THRESHOLD, 0, separated).astype(np.float32)
    _refuse_if_too_small(ink)
    if photographed:
        ink = without_ruled_lines(ink)
    ink = keep_the_drawing(ink, photographed)
    rows, cols = np.nonzero(ink)
    ink = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    ink = _thicken(ink, DIGIT_BOX / max(ink.shape))
    scale = DIGIT_BOX / max(ink.shape)
    height, width = (max(1, round(n * scale)) for n in ink.shape)
    resample = Image.Resampling.BOX if scale < 1 else Image.Resampling.BICUBIC
    digit = np.asarray(Image.fromarray(ink, mode="F").resize((width, height), resample), dtype=np.float32)
    digit = np.clip(digit, 0, 1)
    return _widen(_thin(_full_strength(place_by_center_of_mass(digit).reshape(784))))


def is_photographed(separated):
    """Does ``separate_ink``'s result (h, w) have a photograph's grain: over PHOTO_GRAIN_SHARE of its
    pixels faint but not 0 (camera noise, the paper's grain; a clean drawing has none)?  In a
    picture at most SMALL_SIDE pixels on its longer side (a digit drawn in a paint program on a
    canvas MNIST's size) the anti-aliased edges of the strokes are a large share of it, so there
    only the faint pixels more than two pixels from any ink (at least INK_THRESHOLD) count."""
    faint = (separated > 0) & (separated < INK_THRESHOLD)
    if max(separated.shape) <= SMALL_SIDE:
        faint &= _sliding((separated >= INK_THRESHOLD).astype(np.float32), 5, np.maximum) == 0
    return bool(np.mean(faint) > PHOTO_GRAIN_SHARE)


def _refuse_if_too_small(ink):
    """Raise TooSmallImageError when all of ``ink`` (h, w), what is not 0, fits in fewer than
    MIN_INK_SIDE pixels on its longer side (a digit a few pixels tall: its strokes are gone)."""
    rows, cols = np.nonzero(ink.any(axis=1))[0], np.nonzero(ink.any(axis=0))[0]
    height, width = (int(k[-1] - k[0] + 1) if k.size else 0 for k in (rows, cols))
    if 0 < max(height, width) < MIN_INK_SIDE:
        raise TooSmallImageError(
            f"no digit found: the ink is {width}×{height} pixels, too small to read "
            f"(at least {MIN_INK_SIDE} pixels tall or wide is needed)"
        )


def _full_strength(pixels):
    """(784,) digit scaled so that its ink (pixels above INK_THRESHOLD) above its STRONG_QUANTILE
    quantile is at full strength 1 (clipped), as in MNIST, where a stroke's middle is at 1 and only
    its edges are grey."""
    inked = pixels[pixels > INK_THRESHOLD]
    level = float(np.quantile(inked, STRONG_QUANTILE)) if inked.size else 1.0
    return np.clip(pixels / level, 0, 1) if 0 < level < 1 else pixels


def stroke_width(squares):
    """Stroke width in pixels of 28×28 digits (floats in [0, 1] or uint8 pixels): a float for one
    ((784,) or (28, 28)), (n,) floats for (n, 784) or (n, 28, 28).  The ink above ½ has area A and
    boundary pixels P; a stroke of width w and length L has A ≈ wL and P ≈ 2L, so w ≈ 2A / P."""
    squares = pixel_values(squares)
    widths = mask_width(squares.reshape(-1, 28, 28) > 0.5)
    return float(widths[0]) if squares.size == 784 else widths


def mask_width(solid):
    """Stroke width in pixels of the True pixels of ``solid`` ((h, w) bool: a float; (n, h, w):
    (n,) floats), as 2 × area / boundary pixels (``stroke_width``); 0 where nothing is True."""
    solid = np.asarray(solid, bool)
    rows, cols = solid.ndim - 2, solid.ndim - 1
    inside = np.roll(solid, 1, rows) & np.roll(solid, -1, rows) & np.roll(solid, 1, cols) & np.roll(solid, -1, cols)
    widths = 2 * solid.sum(axis=(rows, cols)) / np.maximum((solid & ~inside).sum(axis=(rows, cols)), 1)
    return float(widths) if solid.ndim == 2 else widths


def _widen(pixels):
    """(784,) digit whose strokes are at most 2 pixels wide (``stroke_width`` at most THINNEST_SEEN:
    hardly a pixel of its ink, only where lines cross, has all four neighbours inked) widened by WIDEN pixels (a blend
    towards the 3×3 grey dilation).  A line 1 pixel wide drawn on a canvas MNIST's size is not
    shrunk, so ``_thicken``, which sees such a line as 2 pixels wide (the estimate cannot go
    lower), leaves it as it is."""
    if stroke_width(pixels) > THINNEST_SEEN:
        return pixels
    return change_thickness(pixels[None], np.array([WIDEN], np.float32))[0]


def _thin(pixels):
    """(784,) digit with strokes wider than MNIST's thinned towards MNIST_STROKE (by up to 2 pixels)."""
    width = stroke_width(pixels)
    if width <= MNIST_STROKE:
        return pixels
    return change_thickness(pixels[None], np.array([max(-2.0, MNIST_STROKE - width)], np.float32))[0]


def keep_the_drawing(ink, photographed=False):
    """``ink`` (h, w) with specks and, if anything else is left, edge-touching pieces set to 0.

    Pieces are the connected parts of the ink (8 neighbours), found on a copy shrunk by block
    maximum to at most BACKGROUND_SIDE pixels across (so a thin line stays connected).  In a
    ``photographed`` picture the bands of ink along the picture's edges are cut off first, and
    pieces lining them count as touching the edge (``edge_pieces``), unless the bands hold all
    the ink.  A ruler's line drawn under the digit, apart from it, goes too (``_underlines``), and
    so do small pieces far from the digit (``_far_specks``).
    """
    for with_bands in (photographed, False):  # without when the bands hold all the ink
        labels, block, at_edge, bands = edge_pieces(ink > 0, with_bands, ink)
        masses = np.bincount(labels.ravel(), block_reduce(ink, block, np.sum).ravel(), len(at_edge))
        masses[0] = 0
        if masses.max() > 0:
            break
    keep = masses >= SPECK_SHARE * masses.max()
    inner = keep & ~at_edge
    if masses[inner].sum() > 0:
        keep = inner
    keep[0] = False
    boxes = _piece_boxes(labels, len(keep))
    keep &= ~_underlines(labels, keep, boxes)
    keep &= ~_far_specks(keep, masses, boxes)
    if keep[1:].all() and not bands.any():
        return ink
    full = np.repeat(np.repeat(keep[labels], block, axis=0), block, axis=1)[: ink.shape[0], : ink.shape[1]]
    return np.where(full, ink, 0).astype(np.float32)


def _far_specks(keep, masses, boxes):
    """Which of the ``keep`` pieces ((pieces + 1,) bool), with their ink ``masses`` (pieces + 1,)
    and ``boxes`` (``_piece_boxes``), are specks far from the digit: (pieces + 1,) bool.  The
    digit is the kept pieces with at least FAR_MAIN_SHARE of the largest one's ink; a smaller
    piece whose box lies further from theirs than FAR_GAP of their box's longer side is a blot, a
    corner of the desk or a scrap of a shadow's rim, not a part of the digit (a 5's flag or a 4's
    stroke written apart lies within or beside the digit's box)."""
    top, left, bottom, right = boxes
    main = keep & (masses >= FAR_MAIN_SHARE * masses.max())
    if not main.any():
        return np.zeros(len(keep), bool)
    digit_top, digit_left = top[main].min(), left[main].min()
    digit_bottom, digit_right = bottom[main].max(), right[main].max()
    side = max(digit_bottom - digit_top, digit_right - digit_left) + 1
    gap = np.maximum.reduce([digit_top - bottom, top - digit_bottom, digit_left - right, left - digit_right])
    return keep & ~main & (gap > FAR_GAP * side)


def _piece_boxes(labels, count):
    """The bounding box of each of the ``count`` pieces (0 included) of ``labels`` (h, w) int:
    (top, left, bottom, right), each (count,) int, inclusive."""
    rows, cols = np.nonzero(labels)
    pieces = labels[rows, cols]
    top, left = np.full(count, labels.shape[0]), np.full(count, labels.shape[1])
    bottom, right = np.full(count, -1), np.full(count, -1)
    np.minimum.at(top, pieces, rows), np.minimum.at(left, pieces, cols)
    np.maximum.at(bottom, pieces, rows), np.maximum.at(right, pieces, cols)
    return top, left, bottom, right


def _underlines(labels, keep, boxes):
    """Which of the ``keep`` pieces ((pieces + 1,) bool) of ``labels`` (h, w) int, with their
    ``boxes`` (``_piece_boxes``), are a ruler's line under the rest: (pieces + 1,) bool.  Such a
    piece is flat (no taller than FLAT_SHARE of its width: straight, tilted at most about 8°),
    spans at least UNDERLINE_SHARE of the picture's width and UNDERLINE_OVER_DIGIT times the width
    of the other pieces together, and lies wholly below them.  A digit's own strokes seldom do all
    that: a 2's foot is about as wide as the 2, and the bars of a 7 or a 5 are at the top."""
    top, left, bottom, right = boxes
    width, height = right - left + 1, bottom - top + 1
    underlines = np.zeros(len(keep), bool)
    for piece in np.flatnonzero(keep & (width >= UNDERLINE_SHARE * labels.shape[1]) & (height <= FLAT_SHARE * width)):
        rest = keep.copy()
        rest[piece] = False
        if not rest.any():
            continue
        rest_width = right[rest].max() - left[rest].min() + 1
        underlines[piece] = top[piece] > bottom[rest].max() and width[piece] >= UNDERLINE_OVER_DIGIT * rest_width
    return underlines


def ink_pieces(mask):
    """Connected pieces of ``mask`` (h, w) bool: (labels (h', w') int, 0 = no ink, block size) on
    the mask shrunk by block maximum to at most BACKGROUND_SIDE pixels across.

    Each row's runs of ink are joined to the runs they touch in the next row (8 neighbours) by a
    union-find, every root hooked under the smaller one until all touching runs share a root;
    pieces are numbered in the order of their last pixel (row by row)."""
    block = max(1, -(-max(mask.shape) // BACKGROUND_SIDE))
    return _labels(block_reduce(mask, block, np.max)), block


def _labels(small):
    """``ink_pieces``' labelling of a mask (h, w) bool: (h, w) int, 0 = no ink."""
    width = small.shape[1]
    edges = np.diff(np.pad(small, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    rows, starts = np.nonzero(edges == 1)  # runs of ink, row by row: [start, end) columns
    _, ends = np.nonzero(edges == -1)
    key = rows * (width + 2)
    first = np.searchsorted(key + ends, key + width + 2 + starts, side="left")  # runs of the next row that
    after = np.searchsorted(key + starts, key + width + 2 + ends, side="right")  # touch: start ≤ end, end ≥ start
    touching = np.maximum(after - first, 0)
    upper = np.repeat(np.arange(len(rows)), touching)
    lower = first[upper] + np.arange(touching.sum()) - np.repeat(np.cumsum(touching) - touching, touching)
    parent = np.arange(len(rows))
    while True:
        parent = _roots(parent)
        a, b = parent[upper], parent[lower]
        apart = a != b
        if not apart.any():
            break
        np.minimum.at(parent, np.maximum(a[apart], b[apart]), np.minimum(a[apart], b[apart]))
    last_pixel = np.zeros(len(rows), dtype=np.int64)
    np.maximum.at(last_pixel, parent, rows * width + ends)
    labels = np.zeros(small.size, dtype=np.int64)
    labels[np.flatnonzero(small)] = np.repeat(last_pixel[parent], ends - starts)
    _, labels = np.unique(labels, return_inverse=True)
    return labels.reshape(small.shape)


def edge_pieces(mask, with_bands=True, weights=None):
    """The pieces of ``mask`` (h, w) bool and which of them belong to the picture's edge:
    (labels (h', w') int, block, at_edge (pieces + 1,) bool, bands (h', w') bool), on the mask
    shrunk as ``ink_pieces`` shrinks it.

    With ``with_bands`` the bands of ink along the edges (``edge_bands``) are cut off before the
    pieces are found (``bands`` marks them), so a digit that meets the desk or a strip along a
    photo's edge comes apart from it; a piece then belongs to the edge when it touches the
    picture's edge, or a band unless it is the heaviest piece (by ``weights`` (h, w), default
    the mask) that does not touch the edge and under EDGE_CONTACT_SHARE of its outline lies on a
    band (so what is left of a ruled line or a desk's corner beyond the band still goes).
    Without, ``bands`` is all False."""
    weights = mask if weights is None else weights
    block = max(1, -(-max(mask.shape) // BACKGROUND_SIDE))
    small = block_reduce(mask, block, np.max)
    bands = edge_bands(small) if with_bands else np.zeros(small.shape, bool)
    labels = _labels(small & ~bands)
    at_edge = np.zeros(labels.max() + 1, bool)
    at_edge[np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])] = True
    if bands.any():
        padded_labels, padded_bands = np.pad(labels, 1), np.pad(bands, 1)
        outline, contact = np.zeros(labels.shape, bool), np.zeros(labels.shape, bool)
        for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            rows, cols = slice(1 + dr, 1 + dr + labels.shape[0]), slice(1 + dc, 1 + dc + labels.shape[1])
            outline |= padded_labels[rows, cols] != labels
            contact |= padded_bands[rows, cols]
        inked = labels > 0
        outlines = np.bincount(labels[inked & outline], minlength=len(at_edge))
        contacts = np.bincount(labels[inked & contact], minlength=len(at_edge))
        masses = np.bincount(labels.ravel(), block_reduce(weights, block, np.sum).ravel(), len(at_edge))
        heaviest = np.arange(len(at_edge)) == np.argmax(np.where(at_edge, 0, masses))
        at_edge |= (contacts > 0) & ~heaviest | (contacts > EDGE_CONTACT_SHARE * outlines)
    at_edge[0] = False
    return labels, block, at_edge, bands


def edge_bands(mask):
    """The bands of ``mask`` (h, w) bool that run along the picture's edges: (h, w) bool.

    The desk beyond a sheet's edge, a strip of it where the photo was straightened, or a shadow's
    rim can line an edge of a photo of paper.  Along each edge, every row (or column) has a run of
    ink from the edge inwards (0 where the edge pixel is not ink); the band is the running median
    of those runs over EDGE_RUN_WINDOW of the edge's length, so a stroke that meets the edge over
    a few rows does not widen it.  A band is only as deep as a band of desk or shadow: more than
    EDGE_BAND_STROKES times the width of the mask's strokes (``mask_width``); a digit's stroke that
    runs along the edge of a photo cropped tight to it is not that deep, and stays.  A band that
    lines EDGE_LENGTH_SHARE of the edge or more is a band however thin (a strip of desk along the
    whole edge can be as thin as a stroke)."""
    bands = np.zeros(mask.shape, bool)
    shallowest = EDGE_BAND_STROKES * mask_width(mask)
    for turns in range(4):
        view = np.rot90(mask, turns)
        runs = np.where(view.all(axis=1), view.shape[1], np.argmin(view, axis=1))
        window = max(3, int(len(runs) * EDGE_RUN_WINDOW)) | 1
        padded = np.pad(runs, window // 2, mode="edge")
        band = np.median(np.lib.stride_tricks.sliding_window_view(padded, window), axis=1)
        if (band > 0).mean() < EDGE_LENGTH_SHARE:
            band[band <= shallowest] = 0
        np.rot90(bands, turns)[...] |= np.arange(view.shape[1])[None, :] < band[:, None]
    return bands


def _roots(parent):
    """Each element's root in the forest ``parent`` (pointer jumping until every one points at a root)."""
    while True:
        grand = parent[parent]
        if np.array_equal(grand, parent):
            return parent
        parent = grand


def block_reduce(image, block, reduce):
    """``reduce`` over block × block tiles of ``image`` (padded with zeros to whole tiles)."""
    height, width = -(-image.shape[0] // block), -(-image.shape[1] // block)
    padded = np.zeros((height * block, width * block), dtype=image.dtype)
    padded[: image.shape[0], : image.shape[1]] = image
    return reduce(padded.reshape(height, block, width, block), axis=(1, 3))


def local_background(ink, side=FINE_SIDE, window=None):
    """The background under the ink, (h, w) like ``ink``: its grey opening (a minimum then a maximum
    over squares a fifth of the shorter side wide, or ``window`` pixels of ``ink`` wide, at most
    the shorter side), computed on a copy shrunk to at most ``side``
    pixels (FINE_SIDE is fine enough that enlarging it back smoothly blurs the edge of a desk or a
    hard shadow by a pixel or two, not into a band that would pass for a stroke).  Strokes narrower than the
    square vanish from it; light, shadows, paper colour and the straight edges of a sheet, a desk
    or a hard shadow stay (an opening leaves a ramp or a step as it is)."""
    height, width = ink.shape
    small, fifth = _shrunk(ink, side)
    if window is not None:
        window = min(int(window * small.shape[0] / height), min(small.shape)) | 1
    opened = _opening(small, fifth if window is None else max(fifth, window))
    return np.asarray(
        Image.fromarray(opened.astype(np.float32), mode="F").resize((width, height), Image.Resampling.BILINEAR),
        dtype=np.float32,
    )


def _opening(image, window):
    """Grey opening of ``image`` (h, w): a minimum then a maximum over window × window squares."""
    return _sliding(_sliding(image, window, np.minimum), window, np.maximum)


def _shrunk(image, side):
    """``image`` (h, w) box-averaged to at most ``side`` pixels across, and the odd width of the
    squares a fifth of its shorter side wide (at least 3) that the background is measured over."""
    height, width = image.shape
    shrink = min(1.0, side / max(height, width))
    small_size = (max(1, round(width * shrink)), max(1, round(height * shrink)))
    small = np.asarray(Image.fromarray(image.astype(np.float32), mode="F").resize(small_size, Image.Resampling.BOX))
    return small, max(3, min(small.shape) // BACKGROUND_WINDOW) | 1


def _sliding(image, window, reduce):
    """``reduce`` (np.minimum or np.maximum) over window × window squares centred on each pixel
    (edges repeated)."""
    return _along_rows(_along_rows(image, window, reduce).T, window, reduce).T


def _along_rows(image, window, reduce):
    """``reduce`` over ``window`` consecutive rows of ``image`` padded by window // 2 (edges repeated):
    spans of 1, 2, 4, … rows by halves, then the window as two overlapping spans."""
    padded = np.pad(image, ((window // 2, window // 2), (0, 0)), mode="edge")
    span, spans = 1, padded
    while 2 * span <= window:
        spans = reduce(spans[:-span], spans[span:])
        span *= 2
    count = padded.shape[0] - window + 1
    return reduce(spans[:count], spans[window - span : window - span + count])


def _thicken(ink, scale):
    """Widen strokes that would come out thinner than MNIST's (2.9 px) after scaling by ``scale``.

    Thin lines on a big canvas would fade to nothing when averaged down.  So: estimate the
    stroke width (area / half the perimeter), shrink by block maximum to about four times the
    final size (lines survive a maximum), then dilate there until the stroke is MNIST's width.
    """
    stroke = mask_width(ink > 0.5)
    if stroke * scale >= 0.6 * MNIST_STROKE:
        return ink
    block = max(1, int(1 / (4 * scale)))
    if block > 1:
        ink = block_reduce(ink, block, np.max)
        stroke, scale = max(stroke / block, 1.0), scale * block
    grow = int(round(MNIST_STROKE / scale - stroke))
    if grow < 2:
        return ink
    size = grow | 1  # MaxFilter needs an odd size
    image = Image.fromarray((np.pad(ink, size // 2) * 255).astype(np.uint8)).filter(ImageFilter.MaxFilter(size))
    return np.asarray(image, dtype=np.float32) / 255


def center_of_mass(digit):
    """(row, column) of the centre of mass of ``digit`` (h, w) ≥ 0 with some ink, in its pixels."""
    mass = digit.sum()
    rows, cols = np.arange(digit.shape[0]), np.arange(digit.shape[1])
    return (digit.sum(axis=1) @ rows) / mass, (digit.sum(axis=0) @ cols) / mass


def place_by_center_of_mass(digit, centre=MNIST_CENTER_OF_MASS):
    """Paste ``digit`` (h, w; what falls outside is cut off) into 28×28, moved by whole pixels so
    that its centre of mass is at ``centre`` (row, column; MNIST's by default)."""
    com_row, com_col = center_of_mass(digit)
    top = int(round(centre[0] - com_row))
    left = int(round(centre[1] - com_col))
    square = np.zeros((28, 28), dtype=np.float32)
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + digit.shape[0], 28), min(left + digit.shape[1], 28)
    square[r0:r1, c0:c1] = digit[r0 - top : r1 - top, c0 - left : c1 - left]
    return square


class Picture(NamedTuple):
    """A person's picture read for the network: ``pixels`` (784,) float32 MNIST-style input,
    ``ink`` (h, w) float32, the ink separated from its background at the picture's own size, and
    ``colours`` (``digitnet.colours.colour_statistics`` of the picture as decoded, before it was
    made grey): what ``digitnet.drawing_check`` looks at to tell a drawing from a photograph."""

    pixels: np.ndarray
    ink: np.ndarray
    colours: np.ndarray


def read_picture(source, name=None):
    """Read an image file (path or bytes) into a Picture; errors start with ``name`` (default: the
    path, or "image" for bytes)."""
    name = _name_of(source, name)
    try:
        rgba = read_rgba(source, name)
        ink = separate_ink(ink_map(rgba))
        return Picture(digit_from(ink), ink, colour_statistics(rgba))
    except ImageError as error:
        if str(error).startswith(name):
            raise
        raise type(error)(f"{name}: {error}") from None


def image_to_input(source):
    """Read an image file (path or bytes) and return the network's input: (784,) float32 in [0, 1]."""
    return read_picture(source).pixels

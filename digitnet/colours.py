"""Colour statistics of a picture as decoded, before it is made grey.

A pen drawing is paper and one or two inks: its colours are few, and the blends of paper and ink
along a stroke's edge lie on the line between the two in colour space.  A photograph holds many
hues, colours spread in every direction and smooth shades across the grey levels.  The drawing
check (``digitnet.drawing_check``) adds these numbers to what it measures of the ink's shape:

    spread        how widely the colours vary: √(σ_rg² + σ_yb²) over the opponent channels
                  rg = R − G and yb = (R + G)/2 − B (the spread part of Hasler and Süsstrunk's
                  colourfulness)
    mean_chroma   how colourful the picture is on average: √(μ_rg² + μ_yb²) (a yellow sticky
                  note is colourful yet of one colour)
    off_axis      the share of the variance of the (R, G, B) values that lies off their first
                  principal axis (0 for a grey picture, or one ink on one paper)
    hue_entropy   entropy (nats) of the hues of the clearly coloured pixels (R, G, B spanning
                  more than COLOURED), in 12 bins, each pixel weighed by its chroma
    tone_entropy  entropy of the grey levels in 32 bins, as a share of its largest value ln 32

Transparent pixels are laid on white first.  Pictures larger than SIDE on a side are measured
on every k-th pixel in each direction (k the smallest step that brings them to SIDE or less).
"""

import numpy as np

COLOUR_FEATURES = ("spread", "mean_chroma", "off_axis", "hue_entropy", "tone_entropy")
SIDE = 128
COLOURED = 0.1  # a pixel whose R, G and B span more than this is clearly coloured
HUE_BINS, TONE_BINS = 12, 32
LUMINANCE = (0.299, 0.587, 0.114)  # the grey of (R, G, B): ITU-R BT.601's weights, as PIL's "L" mode


def colour_statistics(rgba):
    """(5,) float64 statistics (COLOUR_FEATURES) of ``rgba`` (h, w, 4) floats in [0, 1]."""
    step = max(1, -(-max(rgba.shape[:2]) // SIDE))
    channels = np.asarray(rgba[::step, ::step], dtype=np.float64).reshape(-1, 4).T  # (4, n)
    rgb, alpha = channels[:3], channels[3]
    if alpha.min() < 1:
        rgb = rgb * alpha + (1 - alpha)
    r, g, b = rgb
    rg, yb = r - g, (r + g) / 2 - b
    variances = np.linalg.eigvalsh(np.cov(rgb, bias=True))  # ascending
    chroma = np.maximum(np.maximum(r, g), b) - np.minimum(np.minimum(r, g), b)
    coloured = chroma > COLOURED
    hues = np.arctan2(np.sqrt(3) * (g - b)[coloured], (2 * r - g - b)[coloured])  # in [−π, π]
    hue_bins = np.minimum(((hues + np.pi) * (HUE_BINS / (2 * np.pi))).astype(np.int64), HUE_BINS - 1)
    grey = LUMINANCE[0] * r + LUMINANCE[1] * g + LUMINANCE[2] * b
    tone_bins = np.clip((grey * TONE_BINS).astype(np.int64), 0, TONE_BINS - 1)
    return np.array(
        [
            np.hypot(rg.std(), yb.std()),
            np.hypot(rg.mean(), yb.mean()),
            variances[:2].sum() / variances.sum() if variances.sum() > 1e-9 else 0.0,
            _entropy(np.bincount(hue_bins, weights=chroma[coloured], minlength=HUE_BINS)),
            _entropy(np.bincount(tone_bins, minlength=TONE_BINS)) / np.log(TONE_BINS),
        ]
    )


def _entropy(counts):
    """Entropy (nats) of the distribution in ``counts`` (0 when empty)."""
    total = counts.sum()
    if total <= 0:
        return 0.0
    shares = counts[counts > 0] / total
    return float(-(shares * np.log(shares)).sum())

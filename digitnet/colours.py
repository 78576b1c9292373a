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
SIDE = 256
COLOURED = 0.1  # a pixel whose R, G and B span more than this is clearly coloured
HUE_BINS, TONE_BINS = 12, 32


def colour_statistics(rgba):
    """(5,) float64 statistics (COLOUR_FEATURES) of ``rgba`` (h, w, 4) floats in [0, 1]."""
    step = max(1, -(-max(rgba.shape[:2]) // SIDE))
    small = np.asarray(rgba[::step, ::step], dtype=np.float64).reshape(-1, 4)
    alpha = small[:, 3:]
    rgb = small[:, :3] * alpha + (1 - alpha)
    rg = rgb[:, 0] - rgb[:, 1]
    yb = (rgb[:, 0] + rgb[:, 1]) / 2 - rgb[:, 2]
    centred = rgb - rgb.mean(axis=0)
    variances = np.linalg.eigvalsh(centred.T @ centred / len(rgb))  # ascending
    chroma = rgb.max(axis=1) - rgb.min(axis=1)
    coloured = chroma > COLOURED
    r, g, b = rgb[coloured].T
    hues = np.arctan2(np.sqrt(3) * (g - b), 2 * r - g - b)
    hue_counts = np.histogram(hues, bins=HUE_BINS, range=(-np.pi, np.pi), weights=chroma[coloured])[0]
    grey = rgb @ np.array([0.299, 0.587, 0.114])
    tone_counts = np.histogram(grey, bins=TONE_BINS, range=(0, 1))[0]
    return np.array(
        [
            np.hypot(rg.std(), yb.std()),
            np.hypot(rg.mean(), yb.mean()),
            variances[:2].sum() / variances.sum() if variances.sum() > 1e-9 else 0.0,
            _entropy(hue_counts),
            _entropy(tone_counts) / np.log(TONE_BINS),
        ]
    )


def _entropy(counts):
    """Entropy (nats) of the distribution in ``counts`` (0 when empty)."""
    total = counts.sum()
    if total <= 0:
        return 0.0
    shares = counts[counts > 0] / total
    return float(-(shares * np.log(shares)).sum())

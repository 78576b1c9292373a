"""Is a picture a drawing at all?  A check on the whole picture, before it is shrunk to 28×28.

A drawn digit is a few strokes of one or two inks on a plain background; a photograph, a texture
or a screenshot is not.  Once shrunk and centred, a crop of a photo can look like a blurry digit
(the density model of ``digitnet.rejection`` then cannot tell), but at full size it gives itself
away.  From the ink separated from its background (``digitnet.images.separate_ink``) we measure

    pieces     ln(1 + separate pieces of ink with at least 2% of the largest piece's ink)
    fragments  ln(1 + all separate pieces of ink, however small)
    coverage   share of the picture that is ink
    mid_tones  share of the ink pixels that are only half bright (between 0.2 and 0.6)
    at_edge    share of the ink in pieces that touch the picture's edge
    texture    standard deviation of the background (the pixels fainter than INK_THRESHOLD)
    faint      share of the background that is not quite dark (above a quarter of INK_THRESHOLD)

and from the picture's colours as decoded, before it is made grey (``digitnet.colours``: how
widely its colours vary, how colourful it is on average, how far its colours leave one line
through colour space, how many hues and how many grey levels it holds), and combine them by
logistic regression on the standardised features z = (features − mean) / scale, their squares
(so a feature can count against a drawing when it is too high *or* too low) and their products
(so one can temper another: mid-tones count less in a picture of one ink on plain paper):
P(not a drawing) = σ(w · [z, z_i z_j] + b).
The weights were fitted by ``scripts/fit_drawing_check.py`` on generated pictures (procedural
photographs and textures, in colour, grey and false colour, versus drawn strokes, MNIST digits,
typed text, coloured ink on coloured paper and sheets photographed with a phone, none of them in
the evaluation set) and live in ``models/drawing_check.json``; a picture is "not a drawing" when
P > threshold, the threshold set so that 1% of the fitting drawings are refused.
"""

import json
from functools import lru_cache
from importlib import resources

import numpy as np

from .colours import COLOUR_FEATURES
from .images import INK_THRESHOLD, SPECK_SHARE, block_reduce, ink_pieces

INK_FEATURES = ("pieces", "fragments", "coverage", "mid_tones", "at_edge", "texture", "faint")
FEATURES = INK_FEATURES + COLOUR_FEATURES
MID_TONE = 0.6  # ink pixels below this brightness (and above INK_THRESHOLD) are mid-tones
CHECK_FILE = "drawing_check.json"


def drawing_features(picture):
    """(len(FEATURES),) float64 features of a ``digitnet.images.Picture``: its ink's, then its colours'."""
    return np.concatenate([ink_features(picture.ink), picture.colours])


def ink_features(ink):
    """(7,) float64 features (see INK_FEATURES) of ``ink`` (h, w) float in [0, 1], background near 0
    (``digitnet.images.separate_ink``)."""
    inked = ink >= INK_THRESHOLD
    background = ink[~inked]
    ink = np.where(inked, ink, 0)
    labels, block = ink_pieces(inked)
    masses = np.bincount(labels.ravel(), weights=block_reduce(ink.astype(np.float64), block, np.sum).ravel())
    masses[0] = 0
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    edge = edge[edge > 0]
    return np.array(
        [
            np.log1p((masses >= SPECK_SHARE * masses.max()).sum() if masses.max() > 0 else 0),
            np.log1p(len(masses) - 1),
            inked.mean(),
            ((ink >= INK_THRESHOLD) & (ink < MID_TONE)).sum() / max(inked.sum(), 1),
            masses[edge].sum() / max(masses.sum(), 1e-12),
            float(background.std()) if background.size else 0.0,
            float((background > INK_THRESHOLD / 4).mean()) if background.size else 0.0,
        ]
    )


def design(features, mean, scale):
    """(…, d + d(d+1)/2): the standardised features z (…, d), then every product z_i z_j (i ≤ j)."""
    z = (np.asarray(features, dtype=np.float64) - mean) / scale
    first, second = np.triu_indices(z.shape[-1])
    return np.concatenate([z, z[..., first] * z[..., second]], axis=-1)


class DrawingCheck:
    """The fitted logistic model: ``mean``, ``scale`` (d,), ``weights`` (for z, then z_i z_j, i ≤ j),
    ``bias`` and ``threshold``."""

    def __init__(self, mean, scale, weights, bias, threshold):
        self.mean, self.scale = np.asarray(mean, float), np.asarray(scale, float)
        self.weights, self.bias, self.threshold = np.asarray(weights, float), float(bias), float(threshold)

    def probability(self, features):
        """P(not a drawing) for (d,) or (n, d) features."""
        return 1 / (1 + np.exp(-(design(features, self.mean, self.scale) @ self.weights + self.bias)))

    def is_drawing(self, picture):
        """True when ``picture`` (``digitnet.images.Picture``) looks like strokes on a plain background."""
        return bool(self.probability(drawing_features(picture)) <= self.threshold)

    def as_dict(self):
        return {
            "features": list(FEATURES),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "weights": self.weights.tolist(),
            "bias": self.bias,
            "threshold": self.threshold,
        }


@lru_cache(maxsize=1)
def shipped_check():
    """The DrawingCheck that ships with digitnet (models/drawing_check.json)."""
    text = (resources.files("digitnet.models") / CHECK_FILE).read_text()
    settings = json.loads(text)
    if settings["features"] != list(FEATURES):
        raise ValueError(f"{CHECK_FILE} was fitted on other features ({settings['features']}); refit it")
    return DrawingCheck(
        settings["mean"], settings["scale"], settings["weights"], settings["bias"], settings["threshold"]
    )


def is_drawing(picture):
    """The shipped check on a ``digitnet.images.Picture`` (from ``read_picture``)."""
    return shipped_check().is_drawing(picture)

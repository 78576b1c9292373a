"""Is this 28×28 input one digit?  A small network that has been shown what is *not* a digit.

The density model of ``digitnet.rejection`` knows only how digits vary: an arrow, a box or a
word, once shrunk to 28×28 with MNIST's stroke width, can lie along those variations.  This
check has been shown non-digits.  It is a network of digitnet's own kind,

    784 pixels → two hidden layers of ReLU neurons → 2 softmax outputs (is one digit, is not a digit)

trained with cross-entropy (``Network.fit``) by ``scripts/fit_digit_check.py`` on MNIST training
digits, digits drawn again as pictures and typed digits (clean, degraded, photographed on paper)
against generated non-digits (marks, lines of glyphs, numbers of several digits, compositions of
shapes, charts, procedural photographs, typed letters, words and numbers, crops of page
screenshots, pen marks, glyphs of the system fonts no digit is written like, sketches such
as hearts, envelopes, faces and stick figures; ``scripts/digit_check_pictures.py``), none of
them from the evaluation pictures.  An input is "not a digit" when P(not a digit) >
``threshold``: the fit sets the level that refuses at most 0.5% of the held-out MNIST training
digits and 2% of held-out generated digits; the shipped threshold is stricter, chosen on
validation pictures (``benchmarks/digit_check_threshold.py``).  A check reads the 784 pixels,
or the histograms of gradient orientations of the 28×28 image (``orientation_histograms``:
where the edges of the strokes run, whatever their width, which carries over better to kinds of
non-digit it was not shown), or a hidden layer of a shipped network (``reader``, ``layer``); it
works for any digit network.  ``predict_or_reject`` applies it
whenever the network has a rejector.  The network and its
threshold live in ``models/digit_check.npz`` and ``models/digit_check.json``.

It also refuses a blob: strokes wider than WIDEST_STROKE, which no MNIST digit's are.  A dot, a
filled disc or a smudge, enlarged to MNIST's 20-pixel box, comes out as one solid patch that the
networks, having never seen one, read as some digit.  And it never refuses a plain stroke
(``plain_strokes``): one straight line within UPRIGHT degrees of upright is how people draw a 1,
though the check, shown bars and slashes among the non-digits, may call it a line.
"""

import json
from functools import lru_cache
from importlib import resources

import numpy as np

from .images import INK_THRESHOLD, SPECK_SHARE, ink_pieces, stroke_width
from .pixels import pixel_values

NETWORK_FILE, SETTINGS_FILE = "digit_check.npz", "digit_check.json"
ORIENTATIONS = "orientations"  # what a check reading orientation_histograms is said to read
BINS = 9  # orientation bins over 0°–180° (an edge and its opposite fall in one bin)
CELL = 4  # pixels a side of a cell: 7 × 7 cells of 28 × 28
BLOCK = 2  # cells a side of a block normalised together: 6 × 6 blocks
CLIP = 0.2  # a block's share after normalising is clipped here, then normalised again
#: Strokes of 99.99% of MNIST's 60,000 training digits are at most this wide (pixels,
#: ``images.stroke_width``; the median is 2.9); preprocessing brings drawn strokes to about 3.
WIDEST_STROKE = 8.27
#: A plain stroke's ink spreads across its main axis at most STRAIGHTEST of its spread along it,
#: its width across that axis is at most ACROSS times its stroke width, and the axis leans at
#: most UPRIGHT degrees.  Of MNIST's 60,000 training digits, 5,882 are plain strokes by this rule:
#: all of them 1s but one 9 (87% of the 1s; 98.9% of the 1s lean less than 42°).
STRAIGHTEST, ACROSS, UPRIGHT = 0.25, 1.4, 45.0
SHORTEST = 10.0  # pixels: half of MNIST's 20-pixel box, which preprocessing fills


class DigitCheck:
    """A trained ``network`` (… → 2; output 1 is "not a digit") and its ``threshold`` on P(not a
    digit).  With ``reader`` ORIENTATIONS the check reads ``orientation_histograms`` of the
    inputs; with a digit network as ``reader`` and a hidden ``layer`` of it, that layer's
    activations; without one, the 784 pixels (``inputs``)."""

    def __init__(self, network, threshold, reader=None, layer=None):
        self.network, self.threshold = network, float(threshold)
        self.reader, self.layer = reader, layer

    def inputs(self, images):
        """What the check's network reads for (n, 784) inputs in [0, 1]: the pixels, their
        orientation histograms (n, 1296) or the reader's activations at ``layer``, (n, reader.sizes[layer])."""
        images = np.atleast_2d(images)
        if self.reader is None:
            return images
        if isinstance(self.reader, str):
            return orientation_histograms(images)
        return hidden_activations(self.reader, images, self.layer)

    def probability(self, images):
        """P(not a digit) for (n, 784) or (784,) inputs in [0, 1]: (n,) floats, or a float."""
        outputs = np.asarray(self.network.outputs(self.inputs(images), engine="reference"), dtype=np.float64)
        shares = outputs[:, 1] / np.maximum(outputs.sum(axis=1), 1e-12)
        return float(shares[0]) if np.ndim(images) == 1 else shares

    def rejects(self, images):
        """True where an input is not one digit (the network says so and it is not a plain stroke, or
        it is a blob): (n,) bool, or a bool."""
        batch = np.atleast_2d(images)
        said = np.atleast_1d(self.probability(batch) > self.threshold)
        said[said] = ~plain_strokes(batch[said])  # only what the network refuses needs the look
        refused = said | (stroke_width(batch) > WIDEST_STROKE)
        return bool(refused[0]) if np.ndim(images) == 1 else refused


def plain_strokes(images):
    """True where the ink of a (n, 784) or (784,) input in [0, 1] is one plain stroke, as people draw a
    1: its spread across its main axis at most STRAIGHTEST of its spread along it (second moments
    of the ink, weighed by brightness), no wider across it (√12 × that spread, in pixels) than
    ACROSS times its stroke width (``images.stroke_width``: a zigzag or an arrow is), the axis
    within UPRIGHT degrees of upright, and one piece (pieces under SPECK_SHARE of the largest's ink
    aside: a "!" or an "i" is two), at least SHORTEST pixels long (√12 × its spread along the
    axis; a dot is no stroke): (n,) bool, or a bool."""
    x = pixel_values(np.atleast_2d(images), np.float64).reshape(-1, 28, 28)
    along, across, lean = ink_axis(x)
    narrow = np.sqrt(12 * across) <= ACROSS * stroke_width(x.reshape(-1, 784))
    long = np.sqrt(12 * along) >= SHORTEST
    plain = (np.sqrt(across / np.maximum(along, 1e-12)) <= STRAIGHTEST) & narrow & long & (lean <= UPRIGHT)
    for k in np.flatnonzero(plain):
        labels, _ = ink_pieces(x[k] >= INK_THRESHOLD)
        masses = np.bincount(labels.ravel(), weights=x[k].ravel())[1:]
        plain[k] = (masses >= SPECK_SHARE * masses.max()).sum() == 1 if masses.size else False
    return np.bool_(plain[0]) if np.ndim(images) == 1 else plain


def ink_axis(squares):
    """The main axis of the ink of (n, 28, 28) ``squares`` ≥ 0, from its second moments weighed by
    brightness: (spread along the axis, spread across it (both variances, pixels²), the axis's
    lean from upright in degrees, 0–90), each (n,)."""
    rows, cols = np.mgrid[0:28, 0:28]
    mass = np.maximum(squares.sum(axis=(1, 2)), 1e-12)
    dr = rows - ((squares * rows).sum(axis=(1, 2)) / mass)[:, None, None]
    dc = cols - ((squares * cols).sum(axis=(1, 2)) / mass)[:, None, None]
    srr, scc, src = ((squares * a * b).sum(axis=(1, 2)) / mass for a, b in ((dr, dr), (dc, dc), (dr, dc)))
    half_spread = np.sqrt(((srr - scc) / 2) ** 2 + src**2)
    along, across = (srr + scc) / 2 + half_spread, np.maximum((srr + scc) / 2 - half_spread, 0)
    return along, across, np.degrees(0.5 * np.abs(np.arctan2(2 * src, srr - scc)))


def orientation_histograms(images):
    """Histograms of gradient orientations (Dalal and Triggs' HOG) of (n, 784) or (784,) inputs
    in [0, 1]: (n, 1296) float32.  The gradient at each pixel (central differences, zero outside
    the image) votes with its length into BINS orientation bins over 0°–180° (split between the
    two nearest), summed over CELL × CELL cells; each block of BLOCK × BLOCK cells is normalised
    to unit length, clipped at CLIP and normalised again, so the features say which way the edges
    run where, not how bright or how wide the strokes are.  Order: block row, block column,
    then bin, cell row, cell column within the block."""
    images = pixel_values(np.atleast_2d(images)).reshape(-1, 28, 28)
    chunk = 2048
    if len(images) > chunk:
        return np.vstack(
            [orientation_histograms(images[start : start + chunk]) for start in range(0, len(images), chunk)]
        )
    n, cells = len(images), 28 // CELL
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    dx = padded[:, 1:-1, 2:] - padded[:, 1:-1, :-2]
    dy = padded[:, 2:, 1:-1] - padded[:, :-2, 1:-1]
    length = np.sqrt(dx * dx + dy * dy)
    position = np.remainder(np.arctan2(dy, dx), np.float32(np.pi)) * np.float32(BINS / np.pi)
    low = np.floor(position)
    upper_share = position - low
    low = low.astype(np.int64) % BINS
    votes = np.zeros((n, BINS, 28, 28), np.float32)
    for part, bins in ((length * (1 - upper_share), low), (length * upper_share, (low + 1) % BINS)):
        for b in range(BINS):
            votes[:, b] += np.where(bins == b, part, np.float32(0))
    histograms = votes.reshape(n, BINS, cells, CELL, cells, CELL).sum(axis=(3, 5))
    spots = cells - BLOCK + 1
    blocks = np.stack(
        [histograms[:, :, i : i + BLOCK, j : j + BLOCK].reshape(n, -1) for i in range(spots) for j in range(spots)],
        axis=1,
    )
    blocks = np.minimum(unit_length(blocks), np.float32(CLIP))
    return unit_length(blocks).reshape(n, -1).astype(np.float32)


def unit_length(blocks):
    """(n, b, k) ``blocks`` each divided by its length (softened: an empty block stays near 0)."""
    return blocks / np.sqrt((blocks * blocks).sum(axis=2, keepdims=True) + np.float32(1e-2))


def hidden_activations(net, images, layer, chunk=4096):
    """The activations of ``net``'s hidden ``layer`` (1 = the first hidden layer) for (n, 784)
    ``images``: (n, net.sizes[layer]) float32, computed ``chunk`` images at a time."""
    if not 0 < layer < len(net.sizes) - 1:
        raise ValueError(f"layer must name a hidden layer of {net.sizes}, got {layer}")
    images = np.atleast_2d(images)
    return np.vstack(
        [
            np.asarray(net.feedforward(images[start : start + chunk], every_layer=True)[layer], dtype=np.float32)
            for start in range(0, len(images), chunk)
        ]
    ).reshape(len(images), net.sizes[layer])


@lru_cache(maxsize=1)
def shipped_digit_check():
    """The DigitCheck that ships with digitnet (models/digit_check.npz and .json; the JSON's
    ``reads`` is ORIENTATIONS, or names the shipped network whose hidden ``layer`` it reads, if any)."""
    from .models import load_shipped
    from .network import Network

    folder = resources.files("digitnet.models")
    settings = json.loads((folder / SETTINGS_FILE).read_text())
    reads = settings.get("reads")
    reader = reads if reads == ORIENTATIONS else load_shipped(reads) if reads else None
    with resources.as_file(folder / NETWORK_FILE) as path:
        return DigitCheck(Network.load(path), settings["threshold"], reader, settings.get("layer"))

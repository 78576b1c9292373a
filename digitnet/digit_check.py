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
validation pictures (``benchmarks/digit_check_threshold.py``).  The shipped check reads the
same 784 pixels as the digit network, so it works for any network; a check may instead read a
hidden layer of a shipped network (``reader``, ``layer``).  ``predict_or_reject`` applies it
whenever the network has a rejector.  The network and its
threshold live in ``models/digit_check.npz`` and ``models/digit_check.json``.

It also refuses a blob: strokes wider than WIDEST_STROKE, which no MNIST digit's are.  A dot, a
filled disc or a smudge, enlarged to MNIST's 20-pixel box, comes out as one solid patch that the
networks, having never seen one, read as some digit.
"""

import json
from functools import lru_cache
from importlib import resources

import numpy as np

from .images import stroke_width

NETWORK_FILE, SETTINGS_FILE = "digit_check.npz", "digit_check.json"
#: Strokes of 99.99% of MNIST's 60,000 training digits are at most this wide (pixels,
#: ``images.stroke_width``; the median is 2.9); preprocessing brings drawn strokes to about 3.
WIDEST_STROKE = 8.27


class DigitCheck:
    """A trained ``network`` (… → 2; output 1 is "not a digit") and its ``threshold`` on P(not a
    digit).  With a ``reader`` (a digit network) and a hidden ``layer`` of it, the check reads that
    layer's activations instead of the 784 pixels (``inputs``)."""

    def __init__(self, network, threshold, reader=None, layer=None):
        self.network, self.threshold = network, float(threshold)
        self.reader, self.layer = reader, layer

    def inputs(self, images):
        """What the check's network reads for (n, 784) inputs in [0, 1]: the pixels, or the
        reader's activations at ``layer``, (n, reader.sizes[layer])."""
        images = np.atleast_2d(images)
        return images if self.reader is None else hidden_activations(self.reader, images, self.layer)

    def probability(self, images):
        """P(not a digit) for (n, 784) or (784,) inputs in [0, 1]: (n,) floats, or a float."""
        outputs = np.asarray(self.network.outputs(self.inputs(images), engine="reference"), dtype=np.float64)
        shares = outputs[:, 1] / np.maximum(outputs.sum(axis=1), 1e-12)
        return float(shares[0]) if np.ndim(images) == 1 else shares

    def rejects(self, images):
        """True where an input is not one digit (the network says so, or it is a blob): (n,) bool, or a bool."""
        refused = (np.asarray(self.probability(images)) > self.threshold) | (stroke_width(images) > WIDEST_STROKE)
        return bool(refused) if np.ndim(images) == 1 else refused


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
    ``reads`` names the shipped network whose hidden ``layer`` it reads, if any)."""
    from .models import load_shipped
    from .network import Network

    folder = resources.files("digitnet.models")
    settings = json.loads((folder / SETTINGS_FILE).read_text())
    reader = load_shipped(settings["reads"]) if settings.get("reads") else None
    with resources.as_file(folder / NETWORK_FILE) as path:
        return DigitCheck(Network.load(path), settings["threshold"], reader, settings.get("layer"))

"""Knowing when an image is not a digit: a density model of MNIST digits, calibrated on held-out digits.

The video's network always answers: ten outputs, one of them largest, even for noise.  To
say "that is not a digit" we ask a second question: *how likely is an image like this one
among handwritten digits?*  In four steps:

1. **Main directions.**  Over the 784 pixels of the training digits, find the ``components``
   directions in which digits vary most (principal components of the pixel covariance).
   A digit is described by its coordinates ``z`` along them (plus the mean image).
2. **One Gaussian per digit class.**  For each digit 0–9, fit a Gaussian to the ``z`` of its
   training images: mean μ_c and covariance Σ_c.  The image's *unusualness* is its negative
   log density under the best-fitting class, up to a constant:
       u(x) = min over c of  ½ (z − μ_c)ᵀ Σ_c⁻¹ (z − μ_c) + ½ ln det Σ_c        (nats)
3. **Calibrate on held-out digits** (never the test set): the *typicality* of an image is the
   share of held-out digits at least as unusual as it is (an empirical p-value in [0, 1]).
4. **Reject** when typicality < ``reject_share``: by construction that refuses a share
   ``reject_share`` of digits like the held-out ones (0.5% by default), and anything stranger.

A blank image (no contrast at all) is not a digit either: typicality 0, always rejected.

Two more checks say "not a digit": ``digitnet.digit_check``, a small network shown generated
non-digits (marks, words, charts, photographs), on the same 784 pixels; and for a person's
picture, before all this, ``digitnet.drawing_check`` asks whether the whole picture is a drawing
at all (strokes on a plain background, not a photograph or a texture); ``predict_or_reject``
takes its answers as ``drawings``.

Between "a 7" and "not a digit" there is "probably a 7": the answer is *unsure* when the
network's confidence (its top output's share of the sum of its outputs) is below
``unsure_below``, chosen on the same held-out digits as the lowest level above which the
network's answers are right at least SURE_ACCURACY (99%) of the time.  A network without a
rejector uses DEFAULT_UNSURE_BELOW.

The model looks at the input the network reads, not at the network's neurons: a density on
the 16 + 16 hidden activations, calibrated the same way, rejects only 8% of drawn non-digits
and no noise (benchmarks/rejection.py): they keep too little of the picture.
It lives in the model file beside the network (see ``digitnet.storage``).
"""

import dataclasses
from typing import NamedTuple

import numpy as np

from .digit_check import shipped_digit_check
from .images import MIN_CONTRAST

COMPONENTS = 120  # main directions of pixel space kept (docs/not-a-digit.md says how it was chosen)
REJECT_SHARE = 0.005  # share of held-out digits rejected (chosen with the digit check's threshold: docs/not-a-digit.md)
HELD_OUT = 10_000  # training images kept aside for calibration (the last ones, as in Nielsen's split)
RIDGE = 1e-4  # added to each class covariance's diagonal so that it can be inverted
NOT_A_DIGIT = -1  # the digit reported for a rejected image in a batch
FIT_AT_MOST = 20_000  # training images the density is fitted on (a spread sample: seconds, not minutes)
SURE_ACCURACY = 0.99  # answers at or above ``unsure_below`` are right this often on held-out digits
DEFAULT_UNSURE_BELOW = 0.5  # without a rejector: unsure when the top output is less than half the sum


@dataclasses.dataclass(repr=False, eq=False)
class Rejector:
    """A fitted density model of digits (shapes for ``k`` components and 784 pixels).

    mean (784,) mean training image; directions (k, 784) orthonormal rows; class_means (10, k);
    class_whiteners (10, k, k) = L_c⁻¹ where Σ_c = L_c L_cᵀ; class_log_dets (10,) ln det Σ_c;
    held_out (m,) the held-out digits' unusualness, sorted; reject_share in (0, 1); unsure_below,
    the network confidence below which an answer is unsure (see ``confidence``).
    """

    mean: np.ndarray
    directions: np.ndarray
    class_means: np.ndarray
    class_whiteners: np.ndarray
    class_log_dets: np.ndarray
    held_out: np.ndarray
    reject_share: float = REJECT_SHARE
    unsure_below: float = DEFAULT_UNSURE_BELOW

    @property
    def components(self):
        return self.directions.shape[0]

    def unusualness(self, images):
        """−ln density under the best-fitting digit class, up to a constant: (n,) float, or a float."""
        single = np.ndim(images) == 1
        images = np.asarray(images)
        scores = np.concatenate(
            [np.zeros(0)] + [self._unusualness(chunk) for chunk in _pixel_chunks(np.atleast_2d(images))]
        )
        return float(scores[0]) if single else scores

    def _unusualness(self, pixels):
        blank = np.ptp(pixels, axis=1) < MIN_CONTRAST  # no contrast: not a digit
        pixels -= self.mean  # in place: a chunk of _pixel_chunks, overwritten next anyway
        z = pixels @ self.directions.T  # (n, k)
        mahalanobis = np.stack(
            [
                (((z - mu) @ whitener.T) ** 2).sum(axis=1)  # |L_c⁻¹ (z − μ_c)|²
                for mu, whitener in zip(self.class_means, self.class_whiteners)
            ],
            axis=1,
        )
        scores = (0.5 * mahalanobis + 0.5 * self.class_log_dets).min(axis=1)  # best of the (n, 10)
        scores[blank] = np.inf
        return scores

    def typicality(self, images):
        """Share of held-out digits at least as unusual as each image: (n,) in [0, 1], or a float.

        0 means stranger than every held-out digit (and every blank image); 0.5 is a median digit.
        """
        scores = self.unusualness(images)
        at_least_as_unusual = len(self.held_out) - np.searchsorted(self.held_out, scores, side="left")
        shares = at_least_as_unusual / len(self.held_out)
        return float(shares) if np.ndim(scores) == 0 else shares

    def rejects(self, images):
        """True where an image is not a digit (typicality below ``reject_share``): (n,) bool, or a bool."""
        typicality = self.typicality(images)
        return bool(typicality < self.reject_share) if np.ndim(typicality) == 0 else typicality < self.reject_share

    def with_share(self, reject_share):
        """The same model rejecting a different share of held-out digits."""
        check_share(reject_share)
        return dataclasses.replace(self, reject_share=float(reject_share))

    def __repr__(self):
        return (
            f"Rejector(components={self.components}, reject_share={self.reject_share}, "
            f"held_out={len(self.held_out)}, unsure_below={self.unsure_below:.3f})"
        )


def _pixel_chunks(images, size=2000):
    """(n, 784) images as float64 chunks of ``size`` rows in [0, 1] (uint8 read as value / 255, as the
    network reads them): bounded memory for the 60,000 training images.  Every chunk is one buffer,
    overwritten by the next: the caller may change it, and must copy what it keeps."""
    buffer = np.empty((min(size, len(images)), images.shape[1]))
    for start in range(0, len(images), size):
        chunk, pixels = images[start : start + size], buffer[: min(size, len(images) - start)]
        if chunk.dtype == np.uint8:
            np.divide(chunk, 255.0, out=pixels)
        else:
            pixels[...] = chunk
        yield pixels


def _scatter(images, mean):
    """Σ (x − mean)(x − mean)ᵀ over the images x (n, 784), in chunks: (784, 784) float64."""
    scatter = np.zeros((images.shape[1], images.shape[1]))
    for chunk in _pixel_chunks(images):
        centred = chunk - mean
        chunk -= mean  # the same numbers in a second array: NumPy multiplies two arrays as before
        scatter += centred.T @ chunk
    return scatter


def _coordinates(images, mean, directions):
    """The images' coordinates along ``directions`` (k, 784) about ``mean``: (n, k) float64."""
    z, start = np.empty((len(images), len(directions))), 0
    for chunk in _pixel_chunks(images):
        chunk -= mean
        np.matmul(chunk, directions.T, out=z[start : start + len(chunk)])
        start += len(chunk)
    return z


def check_share(reject_share):
    if not 0 < reject_share < 1:
        raise ValueError(f"reject_share must be between 0 and 1 (a fraction), got {reject_share}")


def fit_rejector(images, labels, held_out_images, components=COMPONENTS, reject_share=REJECT_SHARE):
    """Fit the density model on digits ``images`` (n, 784) with ``labels`` (n,) 0–9, calibrate on
    ``held_out_images`` (m, 784), which must not be the images it is judged on afterwards."""
    check_share(reject_share)
    images, labels = np.asarray(images), np.asarray(labels)
    classes = int(labels.max()) + 1 if labels.size else 0
    if images.ndim != 2 or labels.shape != (len(images),):
        raise ValueError(f"expected images (n, 784) and labels (n,), got {images.shape} and {labels.shape}")
    if not 1 <= components < images.shape[1]:
        raise ValueError(f"components must be between 1 and {images.shape[1] - 1}, got {components}")
    counts = np.bincount(labels, minlength=classes)
    if classes < 2 or counts.min() <= components:
        raise ValueError(
            f"each digit class needs more than {components} images to fit {components} "
            f"components; got {counts.tolist()}"
        )
    if len(held_out_images) < 100:
        raise ValueError(f"need at least 100 held-out images to calibrate, got {len(held_out_images)}")
    mean = sum(chunk.sum(axis=0) for chunk in _pixel_chunks(images)) / len(images)
    _, vectors = np.linalg.eigh(_scatter(images, mean) / len(images))  # ascending order
    directions = vectors[:, ::-1][:, :components].T  # (k, 784), largest first
    z = _coordinates(images, mean, directions)
    class_means, whiteners, log_dets = [], [], []
    for digit in range(classes):
        z_c = z[labels == digit]
        mu = z_c.mean(axis=0)
        covariance = np.cov(z_c, rowvar=False) + RIDGE * np.eye(components)
        cholesky = np.linalg.cholesky(covariance)
        class_means.append(mu)
        whiteners.append(np.linalg.inv(cholesky))
        log_dets.append(2 * np.log(np.diag(cholesky)).sum())

    del z  # not needed to calibrate, where the held-out images take their place in memory

    def as_stored(array):  # calibrate exactly what the file will hold
        return np.asarray(array, dtype=np.float32)

    rejector = Rejector(
        as_stored(mean),
        as_stored(directions),
        as_stored(class_means),
        as_stored(whiteners),
        as_stored(log_dets),
        held_out=np.zeros(0),
        reject_share=float(reject_share),
    )
    rejector.held_out = np.sort(rejector.unusualness(held_out_images))
    if not np.isfinite(rejector.held_out).all():
        raise ValueError("the held-out images include blank ones; calibrate on real digits")
    return rejector


def fit_for_training_set(train_images, train_labels, held_out=HELD_OUT, net=None, **options):
    """Fit on (a spread sample of at most FIT_AT_MOST of) the training set but its last ``held_out``
    images, and calibrate on those; with ``net``, also its ``unsure_below`` on them."""
    if not 0 < held_out < len(train_images):
        raise ValueError(f"held_out must be between 1 and {len(train_images) - 1}, got {held_out}")
    fitting = fitting_rows(len(train_images), held_out)
    rejector = fit_rejector(train_images[fitting], train_labels[fitting], train_images[-held_out:], **options)
    if net is not None:
        rejector.unsure_below = unsure_level(net, train_images[-held_out:], train_labels[-held_out:])
    return rejector


def fitting_rows(count, held_out):
    """The training rows the density is fitted on: every k-th of the first ``count − held_out``,
    k chosen so that at most FIT_AT_MOST are used (a slice)."""
    return slice(None, count - held_out, max(1, -(-(count - held_out) // FIT_AT_MOST)))


def confidence(outputs):
    """The network's confidence in its answer: its top output's share of the sum of its outputs,
    (n,) or a float in (0, 1] (for softmax outputs, the top probability)."""
    outputs = np.asarray(outputs, dtype=np.float64)
    return outputs.max(axis=-1) / np.maximum(outputs.sum(axis=-1), 1e-12)


def is_unsure(net, outputs):
    """True where ``net``'s answer from its ``outputs`` (10,) or (n, 10) is weak: confidence below
    its rejector's ``unsure_below`` (DEFAULT_UNSURE_BELOW without a rejector)."""
    level = DEFAULT_UNSURE_BELOW if net.rejector is None else net.rejector.unsure_below
    return confidence(outputs) < level


def unsure_level(net, images, labels, engine="auto"):
    """The lowest confidence at or above which ``net``'s answers on ``images`` are right at least
    SURE_ACCURACY of the time (answers below it are "unsure")."""
    outputs = net.outputs(images, engine=engine)
    order = np.argsort(-confidence(outputs))
    right = (outputs.argmax(axis=1) == np.asarray(labels))[order]
    accuracy_above = np.cumsum(right) / np.arange(1, len(right) + 1)  # of the k most confident answers
    good = np.nonzero(accuracy_above >= SURE_ACCURACY)[0]
    if not len(good):
        return 1.0
    return float(confidence(outputs)[order][good[-1]])


class Verdict(NamedTuple):
    """What ``predict_or_reject`` says: for one image, ``digit`` is an int or None (not a digit);
    for a batch, ``digit`` is (n,) ints with NOT_A_DIGIT (−1) where rejected.  ``state`` is "sure"
    (a 7), "unsure" (probably a 7) or "rejected" (not a digit), or an (n,) array of them."""

    digit: object
    rejected: object  # bool, or (n,) bool
    typicality: object  # float, or (n,) floats in [0, 1]; None without a rejector
    outputs: np.ndarray  # (10,) or (n, 10): the network's output activations, always computed
    unsure: object  # bool, or (n,) bool: not rejected, but the network's confidence is low
    state: object  # "sure" | "unsure" | "rejected", or (n,) array of them


def rejection_reason(net, verdict, drawing):
    """Which check refused one picture's ``verdict`` (from ``predict_or_reject``): "not a drawing"
    (``drawing`` false; None when no picture was checked), "unusual" (the network's density model),
    "digit check", or None if it was kept; the first that applies, in the order of
    docs/not-a-digit.md."""
    if not verdict.rejected:
        return None
    if drawing is not None and not drawing:
        return "not a drawing"
    return "unusual" if verdict.typicality < net.rejector.reject_share else "digit check"


def predict_or_reject(net, images, engine="auto", drawings=None):
    """The network's digit for each image, or "not a digit" when ``net.rejector`` or the shipped
    digit check (``digitnet.digit_check``, which looks at the same pixels whatever the network)
    says so, or ``drawings`` (a bool or (n,) bools from ``digitnet.drawing_check``) says the picture
    is not a drawing.  Without a rejector nothing is rejected, and sure/unsure come from the
    network alone."""
    single = np.ndim(images) == 1
    outputs = np.atleast_2d(net.outputs(images, engine=engine))
    count = len(outputs)
    if net.rejector is None:
        typicality, rejected = None, np.zeros(count, dtype=bool)
    else:
        typicality = np.atleast_1d(net.rejector.typicality(images))
        rejected = (typicality < net.rejector.reject_share) | shipped_digit_check().rejects(np.atleast_2d(images))
    if drawings is not None:
        rejected = rejected | ~np.broadcast_to(np.asarray(drawings, dtype=bool), (count,))
    unsure = ~rejected & is_unsure(net, outputs)
    state = np.where(rejected, "rejected", np.where(unsure, "unsure", "sure"))
    if single:
        return Verdict(
            None if rejected[0] else int(outputs[0].argmax()),
            bool(rejected[0]),
            None if typicality is None else float(typicality[0]),
            outputs[0],
            bool(unsure[0]),
            str(state[0]),
        )
    digits = np.where(rejected, NOT_A_DIGIT, outputs.argmax(axis=1))
    return Verdict(digits, rejected, typicality, outputs, unsure, state)

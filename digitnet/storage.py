"""Model files: one ``.npz`` archive holding the weights, the biases and JSON metadata.

Layout (format version 1), read with ``allow_pickle=False`` so loading runs no code:

    W1, b1, W2, b2, …     float arrays, W[l] of shape (n_out, n_in), b[l] of shape (n_out,)
    metadata              uint8 array: UTF-8 JSON with format, format_version, digitnet_version,
                          sizes, activation, output, cost, init, recipe, history

Optional, when the network has a rejector (``digitnet.rejection``; files without it still load,
and older digitnet versions ignore it):

    rejector_mean (784,), rejector_directions (k, 784), rejector_class_means (10, k),
    rejector_class_whiteners (10, k, k), rejector_class_log_dets (10,)   float32
    rejector_held_out (m,)  float64, sorted
    metadata["rejector"] = {"method", "components", "reject_share", "held_out", "unsure_below"}
"""

import json
import zipfile

import numpy as np

from . import __version__
from .errors import ModelFileError
from .files import atomic_write

FORMAT = "digitnet-model"
FORMAT_VERSION = 1
REJECTOR_METHOD = "gaussian-per-class-in-principal-components"
REJECTOR_ARRAYS = ("mean", "directions", "class_means", "class_whiteners", "class_log_dets", "held_out")


def save_network(net, path):
    """Write ``net`` to ``path`` atomically (a temporary file renamed into place)."""
    metadata = {"format": FORMAT, "format_version": FORMAT_VERSION, "digitnet_version": __version__,
                **net.config(), "dtype": net.dtype.name, "recipe": net.recipe, "history": net.history}
    arrays = {}
    for l, (W, b) in enumerate(zip(net.weights, net.biases), 1):
        arrays[f"W{l}"], arrays[f"b{l}"] = W, b
    if net.rejector is not None:
        metadata["rejector"] = {"method": REJECTOR_METHOD, "components": net.rejector.components,
                                "reject_share": net.rejector.reject_share, "held_out": len(net.rejector.held_out),
                                "unsure_below": net.rejector.unsure_below}
        arrays.update({f"rejector_{field}": getattr(net.rejector, field) for field in REJECTOR_ARRAYS})
    arrays["metadata"] = np.frombuffer(json.dumps(metadata).encode(), dtype=np.uint8)
    with atomic_write(path) as file:
        np.savez(file, **arrays)


def load_network(path):
    """Read a model file; raise ModelFileError naming the file and the problem if it is not valid."""
    from .network import Network

    try:
        with open(path, "rb") as file:
            if file.read(4) != b"PK\x03\x04":  # every .npz is a zip archive
                raise ModelFileError(f"{path}: not a digitnet model file (not an .npz archive)")
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such model file") from None
    except IsADirectoryError:
        raise ModelFileError(f"{path}: is a folder, not a model file") from None
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
        raise ModelFileError(f"{path}: not a digitnet model file (not a readable .npz archive: {error})") from None
    if "metadata" not in arrays:
        raise ModelFileError(f"{path}: not a digitnet model file (no metadata)")
    try:
        metadata = json.loads(arrays.pop("metadata").tobytes().decode())
    except (ValueError, UnicodeDecodeError):
        raise ModelFileError(f"{path}: not a digitnet model file (its metadata is not JSON)") from None
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a digitnet model file (format is not {FORMAT!r})")
    version = metadata.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelFileError(f"{path}: model format version {version} is newer than this digitnet reads "
                             f"({FORMAT_VERSION}); upgrade digitnet")
    try:
        net = Network(metadata["sizes"], activation=metadata["activation"], output=metadata["output"],
                      cost=metadata["cost"], init=metadata.get("init", "lecun"),
                      dtype=metadata.get("dtype", "float32"))
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(f"{path}: invalid model metadata ({error})") from None
    for l in range(net.num_layers):
        for name, target in ((f"W{l + 1}", net.weights[l]), (f"b{l + 1}", net.biases[l])):
            array = arrays.get(name)
            if array is None:
                raise ModelFileError(f"{path}: array {name} is missing")
            if array.shape != target.shape:
                raise ModelFileError(f"{path}: array {name} has shape {array.shape}, but sizes "
                                     f"{metadata['sizes']} need {target.shape}")
            if array.dtype.kind != "f" or not np.isfinite(array).all():
                raise ModelFileError(f"{path}: array {name} is not finite floating-point numbers")
            target[...] = array
    net.recipe = metadata.get("recipe") or {}
    net.history = metadata.get("history") or []
    if "rejector" in metadata:
        net.rejector = _load_rejector(path, arrays, metadata["rejector"], net.sizes)
    return net


def _load_rejector(path, arrays, settings, sizes):
    """The Rejector stored in a model file, checked for consistent shapes and finite values."""
    from .rejection import DEFAULT_UNSURE_BELOW, Rejector

    if not isinstance(settings, dict) or settings.get("method") != REJECTOR_METHOD:
        raise ModelFileError(f"{path}: unknown rejector method {settings.get('method') if isinstance(settings, dict) else settings!r}")
    fields = {}
    for field in REJECTOR_ARRAYS:
        array = arrays.get(f"rejector_{field}")
        if array is None:
            raise ModelFileError(f"{path}: array rejector_{field} is missing")
        if array.dtype.kind != "f" or not np.isfinite(array).all():
            raise ModelFileError(f"{path}: array rejector_{field} is not finite floating-point numbers")
        fields[field] = array
    k, pixels, classes = fields["directions"].shape[0], sizes[0], sizes[-1]
    expected = {"mean": (pixels,), "directions": (k, pixels), "class_means": (classes, k),
                "class_whiteners": (classes, k, k), "class_log_dets": (classes,),
                "held_out": (len(fields["held_out"]),)}
    for field, shape in expected.items():
        if fields[field].shape != shape:
            raise ModelFileError(f"{path}: array rejector_{field} has shape {fields[field].shape}, expected {shape}")
    if not len(fields["held_out"]) or np.any(np.diff(fields["held_out"]) < 0):
        raise ModelFileError(f"{path}: array rejector_held_out must be non-empty and sorted")
    share = settings.get("reject_share")
    if not isinstance(share, (int, float)) or not 0 < share < 1:
        raise ModelFileError(f"{path}: rejector reject_share must be a fraction between 0 and 1, got {share!r}")
    unsure_below = settings.get("unsure_below", DEFAULT_UNSURE_BELOW)
    if not isinstance(unsure_below, (int, float)) or not 0 <= unsure_below <= 1:
        raise ModelFileError(f"{path}: rejector unsure_below must be between 0 and 1, got {unsure_below!r}")
    return Rejector(**fields, reject_share=float(share), unsure_below=float(unsure_below))

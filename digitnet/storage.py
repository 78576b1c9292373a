"""Model files: one ``.npz`` archive holding the weights, the biases and JSON metadata.

Layout (format version 1; no pickle anywhere, so loading runs no code):

    W1, b1, W2, b2, …     float arrays (float16 too: read into the network's dtype), W[l] of shape (n_out, n_in),
                          b[l] of shape (n_out,)
    metadata              uint8 array: UTF-8 JSON with format, format_version, digitnet_version,
                          sizes, activation, output, cost, init, recipe, history

Optional, when the network has a rejector (``digitnet.rejection``; files without it still load,
and older digitnet versions ignore it):

    rejector_mean (784,), rejector_directions (k, 784), rejector_class_means (10, k),
    rejector_class_whiteners (10, k, k), rejector_class_log_dets (10,)   float32
    rejector_held_out (m,)  float64, sorted
    metadata["rejector"] = {"method", "components", "reject_share", "held_out", "unsure_below"}

Loading trusts nothing in the file: only regular files are read, and every size the file declares
(zip members, each array's .npy header, the layer sizes) is checked against the limits below before
anything of that size is allocated or inflated (docs/files.md lists them).
"""

import io
import json
import math
import zipfile
import zlib

import numpy as np

from . import __version__
from .errors import ModelFileError
from .files import atomic_write, read_regular_file

FORMAT = "digitnet-model"
FORMAT_VERSION = 1
REJECTOR_METHOD = "gaussian-per-class-in-principal-components"
REJECTOR_ARRAYS = ("mean", "directions", "class_means", "class_whiteners", "class_log_dets", "held_out")

# Limits a model file must keep (checked before anything of that size is allocated or inflated).
MAX_FILE_BYTES = 256 * 1024**2  # the file on disk
MAX_UNPACKED_BYTES = 256 * 1024**2  # all its arrays together, uncompressed (as the archive declares them)
MAX_METADATA_BYTES = 16 * 1024**2  # the JSON metadata
MAX_MEMBERS = 256  # arrays in the archive
MAX_LAYERS = 64  # layers of neurons, input and output included
MAX_LAYER_SIZE = 65_536  # neurons in one layer
MAX_PARAMETERS = 20_000_000  # weights and biases together (80 MB as float32)
MAX_PREACTIVATION = 1e30  # largest weighted sum any input in [0, 1] may reach (float32 tops at 3.4e38)
WEIGHT_DTYPES = ("float32", "float64")
STORED_WEIGHT_DTYPES = ("float16", *WEIGHT_DTYPES)  # half-precision files (shipped networks) load into float32


def save_network(net, path):
    """Write ``net`` to ``path`` atomically (a temporary file renamed into place)."""
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "digitnet_version": __version__,
        **net.config(),
        "dtype": net.dtype.name,
        "recipe": net.recipe,
        "history": net.history,
    }
    arrays = {}
    for l, (W, b) in enumerate(zip(net.weights, net.biases), 1):
        arrays[f"W{l}"], arrays[f"b{l}"] = W, b
    if net.rejector is not None:
        metadata["rejector"] = {
            "method": REJECTOR_METHOD,
            "components": net.rejector.components,
            "reject_share": net.rejector.reject_share,
            "held_out": len(net.rejector.held_out),
            "unsure_below": net.rejector.unsure_below,
        }
        arrays.update({f"rejector_{field}": getattr(net.rejector, field) for field in REJECTOR_ARRAYS})
    arrays["metadata"] = np.frombuffer(json.dumps(metadata, allow_nan=False).encode(), dtype=np.uint8)
    with atomic_write(path) as file:
        np.savez(file, **arrays)


class _Archive:
    """The members of a model file's zip archive, each read only after its declared size is checked."""

    def __init__(self, path, content):
        self.path = path
        self.zip = zipfile.ZipFile(io.BytesIO(content))
        self.members = {}
        infos = self.zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ModelFileError(f"{path}: not a digitnet model file ({len(infos)} arrays; at most {MAX_MEMBERS})")
        for info in infos:
            if not info.filename.endswith(".npy") or info.filename[:-4] in self.members:
                raise ModelFileError(f"{path}: not a digitnet model file (unexpected member {info.filename[:60]!r})")
            if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ModelFileError(
                    f"{path}: not a digitnet model file (member {info.filename[:60]!r} is "
                    "encrypted or compressed in an unsupported way)"
                )
            self.members[info.filename[:-4]] = info
        unpacked = sum(info.file_size for info in infos)
        if unpacked > MAX_UNPACKED_BYTES:
            raise ModelFileError(
                f"{path}: its arrays would unpack to {unpacked:,} bytes; the limit is {MAX_UNPACKED_BYTES:,}"
            )

    def __contains__(self, name):
        return name in self.members

    def read(self, name, dtypes, shape=None, limit=MAX_UNPACKED_BYTES, data=True):
        """Array ``name``, whose .npy header must declare one of ``dtypes``, ``shape`` (if given) and exactly
        the member's size; with ``data=False`` only its header is checked (nothing is allocated)."""
        wanted = shape
        info = self.members.get(name)
        if info is None:
            raise ModelFileError(f"{self.path}: array {name} is missing")
        with self.zip.open(info) as member:
            try:  # NumPy's header parser evaluates a Python literal: any failure means a corrupt header
                version = np.lib.format.read_magic(member)
                read_header = (
                    np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
                )
                shape, fortran_order, dtype = read_header(member)
            except Exception as error:  # noqa: BLE001
                raise ModelFileError(
                    f"{self.path}: array {name} has a corrupt .npy header ({str(error)[:100]})"
                ) from None
            if dtype.name not in dtypes or dtype.hasobject:
                raise ModelFileError(f"{self.path}: array {name} holds {dtype}, not {' or '.join(dtypes)}")
            if wanted is not None and tuple(shape) != tuple(wanted):
                raise ModelFileError(
                    f"{self.path}: array {name} has shape {shape[:8]}, but the layer sizes need {tuple(wanted)}"
                )
            count = math.prod(shape)
            header = member.tell()
            if count * dtype.itemsize != info.file_size - header or info.file_size > limit:
                raise ModelFileError(
                    f"{self.path}: array {name} declares shape {shape[:8]} of {dtype}, "
                    f"which does not match its size in the archive ({info.file_size:,} bytes)"
                )
            if not data:
                return None
            data = member.read(count * dtype.itemsize)
        if len(data) != count * dtype.itemsize:
            raise ModelFileError(f"{self.path}: array {name} is truncated")
        return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran_order else "C")


def _refuse_constant(name):
    raise ValueError(f"{name} is not a finite number")


def load_network(path):
    """Read a model file; raise ModelFileError naming the file and the problem if it is not valid.

    Only regular files up to MAX_FILE_BYTES are read; every size the file declares (layers,
    arrays, metadata) is checked against the limits above before anything is allocated.
    """
    from .network import Network

    content = read_regular_file(path, MAX_FILE_BYTES, ModelFileError, "model file")
    if content[:4] != b"PK\x03\x04":  # every .npz is a zip archive
        raise ModelFileError(f"{path}: not a digitnet model file (not an .npz archive)")
    try:
        archive = _Archive(path, content)
        if "metadata" not in archive:
            raise ModelFileError(f"{path}: not a digitnet model file (no metadata)")
        text = archive.read("metadata", ("uint8",), limit=MAX_METADATA_BYTES).tobytes().decode()
        try:
            metadata = json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError):
            raise ModelFileError(f"{path}: not a digitnet model file (its metadata is not valid JSON)") from None
        _check_metadata(path, metadata)
        sizes = metadata["sizes"]
        shapes = {}
        for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), 1):
            shapes[f"W{l}"], shapes[f"b{l}"] = (n_out, n_in), (n_out,)
        for name, shape in shapes.items():  # every array's header first: nothing is allocated for a lie
            archive.read(name, STORED_WEIGHT_DTYPES, shape, data=False)
        try:
            net = Network(
                metadata["sizes"],
                activation=metadata["activation"],
                output=metadata["output"],
                cost=metadata["cost"],
                init=metadata.get("init", "lecun"),
                dtype=metadata.get("dtype", "float32"),
            )
        except (KeyError, ValueError) as error:
            raise ModelFileError(f"{path}: invalid model metadata ({str(error)[:200]})") from None
        for l in range(net.num_layers):
            for name, target in ((f"W{l + 1}", net.weights[l]), (f"b{l + 1}", net.biases[l])):
                array = archive.read(name, STORED_WEIGHT_DTYPES, shapes[name])
                if not np.isfinite(array).all():
                    raise ModelFileError(f"{path}: array {name} is not finite floating-point numbers")
                target[...] = array
        _check_outputs_stay_finite(path, net)
        net.recipe = metadata.get("recipe") or {}
        net.history = metadata.get("history") or []
        if "rejector" in metadata:
            net.rejector = _load_rejector(path, archive, metadata["rejector"], net.sizes)
    except ModelFileError:
        raise
    except (
        KeyError,
        TypeError,
        ValueError,
        OSError,
        EOFError,
        RuntimeError,
        NotImplementedError,
        zipfile.BadZipFile,
        zlib.error,
    ) as error:
        raise ModelFileError(f"{path}: not a readable digitnet model file ({str(error)[:200]})") from None
    return net


def _check_metadata(path, metadata):
    """Refuse metadata of the wrong shape or over the limits, before any array is allocated."""
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a digitnet model file (format is not {FORMAT!r})")
    version = metadata.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ModelFileError(f"{path}: invalid model metadata (format_version {str(version)[:40]})")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path}: model format version {version} is newer than this digitnet reads "
            f"({FORMAT_VERSION}); upgrade digitnet"
        )
    sizes = metadata.get("sizes")
    if (
        not isinstance(sizes, list)
        or not 2 <= len(sizes) <= MAX_LAYERS
        or not all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= MAX_LAYER_SIZE for n in sizes)
    ):
        raise ModelFileError(
            f"{path}: invalid model metadata (sizes must list 2 to {MAX_LAYERS} layer sizes "
            f"from 1 to {MAX_LAYER_SIZE:,})"
        )
    parameters = sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    if parameters > MAX_PARAMETERS:
        raise ModelFileError(
            f"{path}: the network would have {parameters:,} parameters; the limit is {MAX_PARAMETERS:,}"
        )
    if metadata.get("dtype", "float32") not in WEIGHT_DTYPES:
        raise ModelFileError(f"{path}: invalid model metadata (dtype must be float32 or float64)")
    for key in ("activation", "output", "cost", "init"):
        if not isinstance(metadata.get(key, "lecun"), str):
            raise ModelFileError(f"{path}: invalid model metadata ({key} must be a name)")
    recipe, history = metadata.get("recipe") or {}, metadata.get("history") or []
    if not isinstance(recipe, dict) or not isinstance(history, list):
        raise ModelFileError(f"{path}: invalid model metadata (recipe must be an object, history a list)")
    if not all(
        isinstance(record, dict)
        and all(_is_number(v) or v is None for v in record.values())
        and isinstance(record.get("epoch"), int)
        for record in history
    ):
        raise ModelFileError(
            f"{path}: invalid model metadata (each history record must map names to numbers, with its epoch)"
        )
    if recipe.get("lr") is not None and not (_is_number(recipe["lr"]) and recipe["lr"] > 0):
        raise ModelFileError(f"{path}: invalid model metadata (recipe lr must be a positive number)")
    best = recipe.get("best_epoch")
    if best is not None and not (isinstance(best, int) and not isinstance(best, bool) and 1 <= best <= len(history)):
        raise ModelFileError(f"{path}: invalid model metadata (best_epoch must be an epoch of its history)")


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_outputs_stay_finite(path, net):
    """Refuse weights so large that some input in [0, 1] would overflow a weighted sum (NaN outputs).

    Bound |z| layer by layer: |z| ≤ Σ|W| · max|a| + |b|, with |a| ≤ 1 after sigmoid, tanh or softmax and
    |a| ≤ |z| after ReLU.
    """
    bound = 1.0  # inputs are in [0, 1]
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        row_sum = float(np.abs(W).astype(np.float64).sum(axis=1).max(initial=0))
        z = row_sum * bound + float(np.abs(b).max(initial=0))  # Python floats: an overflow is inf, not a warning
        if not z <= MAX_PREACTIVATION:
            raise ModelFileError(
                f"{path}: weights too large: layer {l + 1}'s weighted sums could reach "
                f"{z:.3g}, beyond what {net.dtype} computes without overflowing"
            )
        bound = z if net.layer_activation(l).name == "relu" else 1.0


def _load_rejector(path, archive, settings, sizes):
    """The Rejector stored in a model file, checked for consistent shapes and finite values."""
    from .rejection import DEFAULT_UNSURE_BELOW, Rejector

    if not isinstance(settings, dict) or settings.get("method") != REJECTOR_METHOD:
        method = settings.get("method") if isinstance(settings, dict) else settings
        raise ModelFileError(f"{path}: unknown rejector method {str(method)[:60]!r}")
    fields = {}
    for field in REJECTOR_ARRAYS:
        array = archive.read(f"rejector_{field}", WEIGHT_DTYPES)
        if not np.isfinite(array).all():
            raise ModelFileError(f"{path}: array rejector_{field} is not finite floating-point numbers")
        fields[field] = array
    k, pixels, classes = fields["directions"].shape[0], sizes[0], sizes[-1]
    expected = {
        "mean": (pixels,),
        "directions": (k, pixels),
        "class_means": (classes, k),
        "class_whiteners": (classes, k, k),
        "class_log_dets": (classes,),
        "held_out": (len(fields["held_out"]),),
    }
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

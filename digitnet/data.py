"""MNIST: read the four IDX files, check them, find them, and download them.

Where the data is, in order: an explicit ``data_dir`` (``--data DIR``), else the
environment variable ``DIGITNET_DATA``, else the per-user cache
``$XDG_CACHE_HOME/digitnet/mnist`` (``~/.cache/digitnet/mnist``).

IDX format (big-endian): two zero bytes, a type code (0x08 = unsigned byte), the number
of dimensions, then one 4-byte size per dimension, then the data.  Files may be gzipped.
"""

import hashlib
import http.client
import math
import os
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import DataError
from .files import atomic_write, read_regular_file

#: The four files, with the SHA-256 of their decompressed content.
FILES = {
    "train-images": ("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    "train-labels": ("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    "test-images": ("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    "test-labels": ("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
}

#: Public mirrors of the gzipped files, tried in order.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://yann.lecun.com/exdb/mnist/",
)

IDX_TYPES = {0x08: np.uint8}
MAX_IDX_VALUES = 70_000 * 28 * 28  # no MNIST file holds more (the limit is checked before allocating)
MAX_IDX_BYTES = MAX_IDX_VALUES + 64  # ... plus its header
MAX_DOWNLOAD_BYTES = MAX_IDX_BYTES  # a mirror sending more is cut off (gzip never grows MNIST)
DOWNLOAD_DEADLINE = 300  # seconds for one file from one mirror, however slowly it trickles


def resolve_data_dir(explicit=None):
    """The folder to read MNIST from: ``explicit``, else $DIGITNET_DATA, else the user cache."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get("DIGITNET_DATA"):
        return Path(os.environ["DIGITNET_DATA"]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "digitnet" / "mnist"


INFLATE_PIECE = 1 << 18  # bytes inflated at a time: a file is never held twice, inflated and copied
INFLATE_INPUT = 1 << 16  # compressed bytes handed to the inflater at a time (it copies what it leaves)


def _inflated_pieces(content, limit, name):
    """gzip ``content`` inflated (every member, in order) as pieces of at most INFLATE_PIECE bytes,
    at most ``limit`` bytes in all, never inflating more."""
    size, position, view = 0, 0, memoryview(content)  # position: bytes handed to inflaters so far
    try:
        while position < len(content) and size < limit:
            inflater, pending = zlib.decompressobj(16 + zlib.MAX_WBITS), b""
            while not inflater.eof and size < limit:
                given = pending or view[position : position + INFLATE_INPUT]
                position += 0 if pending else len(given)
                piece = inflater.decompress(given, min(INFLATE_PIECE, limit - size))
                pending = inflater.unconsumed_tail
                if not piece and not given:  # no input left, and nothing more comes out
                    break
                size += len(piece)
                yield piece
            if not inflater.eof:
                if size >= limit:
                    break
                raise DataError(f"{name}: corrupt gzip file (it ends in the middle of its compressed data)")
            position -= len(inflater.unused_data)  # the next member starts there
    except zlib.error as error:
        raise DataError(f"{name}: corrupt gzip file ({error})") from None


def _inflate(content, limit, name):
    """At most ``limit`` bytes of gzip ``content`` (every member, in order), never inflating more."""
    return b"".join(_inflated_pieces(content, limit, name))


def _decompressed(content, name, limit=MAX_IDX_BYTES):
    """``content`` decompressed if it is gzip (recognised by its magic bytes), else unchanged; DataError if it
    would inflate to more than ``limit`` bytes."""
    if content[:2] != b"\x1f\x8b":
        return content
    inflated = _inflate(content, limit + 1, name)
    if len(inflated) > limit:
        raise DataError(f"{name}: decompresses to more than {limit:,} bytes, more than any MNIST file")
    return inflated


def _idx_shape(content, name):
    """(dtype, shape, header length) from the start of IDX bytes, refusing what is not IDX or too large."""
    if len(content) < 4:
        raise DataError(f"{name}: too short to be an IDX file ({len(content)} bytes)")
    zero, type_code, ndim = int.from_bytes(content[:2], "big"), content[2], content[3]
    if zero != 0 or type_code not in IDX_TYPES or not 1 <= ndim <= 4:
        raise DataError(
            f"{name}: not an unsigned-byte IDX file (magic number {content[:4].hex()}, "
            "expected 00000801 for labels or 00000803 for images)"
        )
    header = 4 + 4 * ndim
    if len(content) < header:
        raise DataError(f"{name}: truncated in its header ({len(content)} bytes)")
    shape = tuple(int.from_bytes(content[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    if math.prod(shape) > MAX_IDX_VALUES:
        raise DataError(
            f"{name}: its header declares {'×'.join(map(str, shape))} values; an MNIST file holds "
            f"at most {MAX_IDX_VALUES:,} (70,000 images of 28×28)"
        )
    return IDX_TYPES[type_code], shape, header


def parse_idx(content, name="IDX data"):
    """Parse IDX bytes into an array, checking the magic number and that sizes match the length."""
    dtype, shape, header = _idx_shape(content, name)
    expected = header + math.prod(shape)
    if len(content) != expected:
        problem = "truncated" if len(content) < expected else "has extra bytes"
        raise DataError(
            f"{name}: {problem}: its header says {'×'.join(map(str, shape))} values "
            f"({expected} bytes in all) but it holds {len(content)} bytes"
        )
    return np.frombuffer(content, dtype=dtype, offset=header).reshape(shape)


def read_idx(path):
    """Read one IDX file (gzipped or not) into a writable uint8 array, refusing truncated, corrupt or
    oversized files.

    Only regular files are read; a gzipped file's declared sizes are checked (from its first
    bytes) before the rest is inflated, and it is never inflated past what its header declares.
    It is inflated straight into the array, a piece at a time.
    """
    content = read_regular_file(path, MAX_IDX_BYTES, DataError, "MNIST file")
    if content[:2] != b"\x1f\x8b":
        return parse_idx(content, name=str(path)).copy()  # writable, as an inflated file's array
    _, shape, header = _idx_shape(_inflate(content, 4 + 4 * 4, path), path)
    inflated = np.empty(header + math.prod(shape) + 1, np.uint8)  # one byte more reveals extra bytes
    size = 0
    for piece in _inflated_pieces(content, len(inflated), path):
        inflated[size : size + len(piece)] = np.frombuffer(piece, np.uint8)
        size += len(piece)
    return parse_idx(memoryview(inflated)[:size], name=str(path))


def find_file(folder, stem):
    """The path of ``stem`` in ``folder``, as ``stem``, ``stem.gz`` or with '.' for the first '-'."""
    dotted = stem.replace("-idx", ".idx")
    for name in (stem + ".gz", stem, dotted + ".gz", dotted):
        if (Path(folder) / name).is_file():
            return Path(folder) / name
    return None


def missing_files(folder, split=None):
    """The standard names of the MNIST files that ``folder`` lacks (of ``split``'s two, or of all four)."""
    return [
        stem + ".gz"
        for key, (stem, _) in FILES.items()
        if (split is None or key.startswith(split)) and find_file(folder, stem) is None
    ]


def _images_and_labels(folder, split, dtype):
    images_path = find_file(folder, FILES[f"{split}-images"][0])
    labels_path = find_file(folder, FILES[f"{split}-labels"][0])
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise DataError(f"{images_path}: expected images of 28×28 pixels, got shape {images.shape}")
    if labels.ndim != 1 or labels.shape[0] != images.shape[0]:
        raise DataError(
            f"{labels_path}: {labels.shape[0] if labels.ndim == 1 else labels.shape} labels "
            f"for {images.shape[0]} images in {images_path.name}"
        )
    if labels.size and labels.max() > 9:
        raise DataError(f"{labels_path}: holds a label {labels.max()}, not a digit 0–9")
    images = images.reshape(len(images), 784)
    if np.dtype(dtype) == np.uint8:
        return images, labels
    pixels = images.astype(dtype)
    np.divide(pixels, 255, out=pixels)  # in place: no second 188 MB array for the training set
    return pixels, labels


SPLITS = ("train", "test")
TRAINING_IMAGES = 60_000  # in MNIST's training split


def load_mnist(
    data_dir: str | os.PathLike | None = None,
    download: bool = False,
    on_progress: Callable[[str, int, int], Any] | None = None,
    dtype: npt.DTypeLike = np.float32,
    split: str | None = None,
) -> Any:
    """``(train_images, train_labels), (test_images, test_labels)`` from the MNIST folder.

    Images are float32 in [0, 1] of shape (n, 784) (60,000 train, 10,000 test), rows of 28
    pixels top to bottom; labels are uint8 digits (n,).  ``dtype=np.uint8`` gives the raw
    pixel values 0–255 instead, a quarter of the memory (every digitnet function reads uint8
    images as value / 255).  ``split="train"`` or ``"test"`` reads only that set's two files and
    returns its ``(images, labels)``.  With ``download=True`` missing files are fetched first
    (see ``download_mnist``); otherwise a DataError says what is missing and how to provide it.
    """
    if split not in (None, *SPLITS):
        raise ValueError(f"split must be 'train', 'test' or None, got {split!r}")
    folder = resolve_data_dir(data_dir)
    if missing_files(folder, split):
        if not download:
            raise DataError(_missing_message(folder, split))
        download_mnist(folder, on_progress=on_progress)
    if split is not None:
        return _images_and_labels(folder, split, dtype)
    return _images_and_labels(folder, "train", dtype), _images_and_labels(folder, "test", dtype)


def _missing_message(folder, split=None):
    return (
        f"MNIST not found in {folder}: need {', '.join(missing_files(folder, split))}; "
        "run `digitnet download` (needs the internet) or point --data / DIGITNET_DATA at a folder holding them"
    )


def sha256_of_content(content, name="download"):
    """SHA-256 of file bytes after decompressing them if gzipped (so any correct gzip matches)."""
    return hashlib.sha256(_decompressed(content, name)).hexdigest()


def download_mnist(folder=None, mirrors=MIRRORS, on_progress=None, timeout=30, deadline=DOWNLOAD_DEADLINE):
    """Fetch the missing MNIST files into ``folder`` (default: ``resolve_data_dir()``), verifying each.

    Each file is tried on every mirror in order; it is written to a temporary file and renamed
    into place only after the SHA-256 of its decompressed content matches ``FILES``.  A mirror
    fails over to the next one on any problem: no answer within ``timeout`` seconds, the file not
    complete within ``deadline`` seconds, a malformed ``Content-Length``, more than
    MAX_DOWNLOAD_BYTES, a wrong checksum.  ``on_progress(name, done_bytes, total_bytes or None)``
    reports the download (an exception it raises stops the download).  Raises DataError if a
    file cannot be fetched from any mirror.
    """
    folder = resolve_data_dir(folder)
    for stem, sha256 in FILES.values():
        if find_file(folder, stem) is not None:
            continue
        name = stem + ".gz"
        errors = []
        for mirror in mirrors:
            try:
                _fetch_verified(mirror + name, folder / name, sha256, on_progress, timeout, deadline)
                break
            except (OSError, ValueError, urllib.error.URLError, http.client.HTTPException, DataError) as error:
                errors.append(f"{mirror}: {getattr(error, 'reason', None) or error}")
        else:
            raise DataError(
                f"could not download {name} ({'; '.join(errors)}); "
                f"copy the MNIST files into {folder} or point --data / DIGITNET_DATA at them"
            )
    return folder


def _declared_length(response):
    """The response's Content-Length as an int, None when absent; DataError when malformed or too large."""
    values = response.headers.get_all("Content-Length") or []
    if not values:
        return None
    if len(set(values)) != 1 or not (values[0].isascii() and values[0].strip().isdigit()):
        raise DataError(f"malformed Content-Length {', '.join(values)[:40]!r}")
    total = int(values[0])
    if total > MAX_DOWNLOAD_BYTES:
        raise DataError(f"the mirror announces {total:,} bytes, more than any MNIST file")
    return total


def _fetch_verified(url, target, sha256, on_progress, timeout, deadline):
    request = urllib.request.Request(url, headers={"User-Agent": "digitnet"})
    give_up = time.monotonic() + deadline
    chunks, done = [], 0
    with urllib.request.urlopen(request, timeout=min(timeout, deadline)) as response:
        total = _declared_length(response)
        read = getattr(response, "read1", response.read)  # returns what has arrived: a trickle cannot hold it
        while chunk := read(1 << 16):
            chunks.append(chunk)
            done += len(chunk)
            if done > MAX_DOWNLOAD_BYTES:
                raise DataError(f"the mirror sent more than {MAX_DOWNLOAD_BYTES:,} bytes, more than any MNIST file")
            if time.monotonic() > give_up:
                raise DataError(f"not complete after {deadline} s ({done:,} bytes so far)")
            if on_progress is not None:
                on_progress(target.name, done, total)
    if total is not None and done != total:
        raise DataError(f"the mirror sent {done:,} bytes but announced {total:,}")
    content = b"".join(chunks)
    actual = sha256_of_content(content, url)
    if actual != sha256:
        raise DataError(f"checksum mismatch for {url} (SHA-256 {actual[:12]}…, expected {sha256[:12]}…)")
    with atomic_write(target) as file:
        file.write(content)

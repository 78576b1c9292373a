"""MNIST: read the four IDX files, check them, find them, and download them.

Where the data is, in order: an explicit ``data_dir`` (``--data DIR``), else the
environment variable ``DIGITNET_DATA``, else the per-user cache
``$XDG_CACHE_HOME/digitnet/mnist`` (``~/.cache/digitnet/mnist``).

IDX format (big-endian): two zero bytes, a type code (0x08 = unsigned byte), the number
of dimensions, then one 4-byte size per dimension, then the data.  Files may be gzipped.
"""

import gzip
import hashlib
import os
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import numpy as np

from .errors import DataError
from .files import atomic_write

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


def resolve_data_dir(explicit=None):
    """The folder to read MNIST from: ``explicit``, else $DIGITNET_DATA, else the user cache."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get("DIGITNET_DATA"):
        return Path(os.environ["DIGITNET_DATA"]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "digitnet" / "mnist"


def _decompressed(content, name):
    """``content`` decompressed if it is gzip (recognised by its magic bytes), else unchanged."""
    if content[:2] != b"\x1f\x8b":
        return content
    try:
        return gzip.decompress(content)
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"{name}: corrupt gzip file ({error})") from None


def parse_idx(content, name="IDX data"):
    """Parse IDX bytes into an array, checking the magic number and that sizes match the length."""
    if len(content) < 4:
        raise DataError(f"{name}: too short to be an IDX file ({len(content)} bytes)")
    zero, type_code, ndim = int.from_bytes(content[:2], "big"), content[2], content[3]
    if zero != 0 or type_code not in IDX_TYPES or not 1 <= ndim <= 4:
        raise DataError(f"{name}: not an unsigned-byte IDX file (magic number {content[:4].hex()}, "
                        "expected 00000801 for labels or 00000803 for images)")
    header = 4 + 4 * ndim
    if len(content) < header:
        raise DataError(f"{name}: truncated in its header ({len(content)} bytes)")
    shape = tuple(int.from_bytes(content[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape, dtype=np.int64))
    if len(content) != expected:
        problem = "truncated" if len(content) < expected else "has extra bytes"
        raise DataError(f"{name}: {problem}: its header says {'×'.join(map(str, shape))} values "
                        f"({expected} bytes in all) but it holds {len(content)} bytes")
    return np.frombuffer(content, dtype=IDX_TYPES[type_code], offset=header).reshape(shape)


def read_idx(path):
    """Read one IDX file (gzipped or not) into a uint8 array, refusing truncated or corrupt files."""
    return parse_idx(_decompressed(Path(path).read_bytes(), path), name=str(path))


def find_file(folder, stem):
    """The path of ``stem`` in ``folder``, as ``stem``, ``stem.gz`` or with '.' for the first '-'."""
    dotted = stem.replace("-idx", ".idx")
    for name in (stem + ".gz", stem, dotted + ".gz", dotted):
        if (Path(folder) / name).is_file():
            return Path(folder) / name
    return None


def missing_files(folder):
    """The standard names of the MNIST files that ``folder`` lacks."""
    return [stem + ".gz" for stem, _ in FILES.values() if find_file(folder, stem) is None]


def _images_and_labels(folder, split, dtype):
    images_path = find_file(folder, FILES[f"{split}-images"][0])
    labels_path = find_file(folder, FILES[f"{split}-labels"][0])
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise DataError(f"{images_path}: expected images of 28×28 pixels, got shape {images.shape}")
    if labels.ndim != 1 or labels.shape[0] != images.shape[0]:
        raise DataError(f"{labels_path}: {labels.shape[0] if labels.ndim == 1 else labels.shape} labels "
                        f"for {images.shape[0]} images in {images_path.name}")
    if labels.size and labels.max() > 9:
        raise DataError(f"{labels_path}: holds a label {labels.max()}, not a digit 0–9")
    images, labels = images.reshape(len(images), 784), labels.copy()  # copies are writable, the file's bytes not
    if np.dtype(dtype) == np.uint8:
        return images.copy(), labels
    pixels = images.astype(dtype)
    np.divide(pixels, 255, out=pixels)  # in place: no second 188 MB array for the training set
    return pixels, labels


def load_mnist(data_dir=None, download=False, on_progress=None, dtype=np.float32):
    """``(train_images, train_labels), (test_images, test_labels)`` from the MNIST folder.

    Images are float32 in [0, 1] of shape (n, 784) (60,000 train, 10,000 test), rows of 28
    pixels top to bottom; labels are uint8 digits (n,).  ``dtype=np.uint8`` gives the raw
    pixel values 0–255 instead, a quarter of the memory (every digitnet function reads uint8
    images as value / 255).  With ``download=True`` missing files
    are fetched first (see ``download``); otherwise a DataError says what is missing and how
    to provide it.
    """
    folder = resolve_data_dir(data_dir)
    if missing_files(folder):
        if not download:
            raise DataError(_missing_message(folder))
        download_mnist(folder, on_progress=on_progress)
    return _images_and_labels(folder, "train", dtype), _images_and_labels(folder, "test", dtype)


def _missing_message(folder):
    return (f"MNIST not found in {folder}: need {', '.join(missing_files(folder))}; "
            "run `digitnet download` (needs the internet) or point --data / DIGITNET_DATA at a folder holding them")


def sha256_of_content(content, name="download"):
    """SHA-256 of file bytes after decompressing them if gzipped (so any correct gzip matches)."""
    return hashlib.sha256(_decompressed(content, name)).hexdigest()


def download_mnist(folder=None, mirrors=MIRRORS, on_progress=None, timeout=30):
    """Fetch the missing MNIST files into ``folder`` (default: ``resolve_data_dir()``), verifying each.

    Each file is tried on every mirror in order; it is written to a temporary file and renamed
    into place only after the SHA-256 of its decompressed content matches ``FILES``.
    ``on_progress(name, done_bytes, total_bytes or None)`` reports the download.  Raises
    DataError if a file cannot be fetched from any mirror.
    """
    folder = resolve_data_dir(folder)
    for stem, sha256 in FILES.values():
        if find_file(folder, stem) is not None:
            continue
        name = stem + ".gz"
        errors = []
        for mirror in mirrors:
            try:
                _fetch_verified(mirror + name, folder / name, sha256, on_progress, timeout)
                break
            except (OSError, urllib.error.URLError, DataError) as error:
                errors.append(f"{mirror}: {getattr(error, 'reason', error)}")
        else:
            raise DataError(f"could not download {name} ({'; '.join(errors)}); "
                            f"copy the MNIST files into {folder} or point --data / DIGITNET_DATA at them")
    return folder


def _fetch_verified(url, target, sha256, on_progress, timeout):
    request = urllib.request.Request(url, headers={"User-Agent": "digitnet"})
    chunks = []
    with urllib.request.urlopen(request, timeout=timeout) as response:
        total = int(response.headers.get("Content-Length") or 0) or None
        done = 0
        while chunk := response.read(1 << 16):
            chunks.append(chunk)
            done += len(chunk)
            if on_progress is not None:
                on_progress(target.name, done, total)
    content = b"".join(chunks)
    actual = sha256_of_content(content, url)
    if actual != sha256:
        raise DataError(f"checksum mismatch for {url} (SHA-256 {actual[:12]}…, expected {sha256[:12]}…)")
    with atomic_write(target) as file:
        file.write(content)



"""Shared test fixtures: tiny hand-built MNIST folders and the real set when it is available."""

import gzip
import hashlib
import http.server
import os
import threading
from pathlib import Path

import numpy as np
import pytest

REAL_MNIST = os.environ.get("DIGITNET_DATA")


def run_cli(capsys, *argv):
    """Run ``digitnet argv`` in-process: (exit status, stdout, stderr)."""
    from digitnet.cli import main

    status = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def idx_bytes(array):
    """Hand-built IDX encoding of a uint8 array: magic 0x0000 08 ndim, big-endian sizes, data."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return header + array.tobytes()


def write_mnist(folder, train=(60, 28), test=(20, 28), gz=True, seed=0):
    """A tiny synthetic MNIST folder: images of random blobs whose position encodes the label."""
    rng = np.random.default_rng(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for prefix, (count, _side) in (("train", train), ("t10k", test)):
        labels = rng.integers(0, 10, count).astype(np.uint8)
        images = synthetic_digits(labels, rng)
        for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
            name = f"{prefix}-{kind}-ubyte"
            content = idx_bytes(array)
            if gz:
                (folder / (name + ".gz")).write_bytes(gzip.compress(content))
            else:
                (folder / name).write_bytes(content)
    return folder


def synthetic_digits(labels, rng):
    """(n, 28, 28) uint8 images: a bright 6×6 square at a place set by the label, plus faint noise."""
    images = rng.integers(0, 40, (len(labels), 28, 28)).astype(np.uint8)
    for image, label in zip(images, labels):
        row, col = 3 + 8 * (label // 4), 3 + 6 * (label % 4)
        image[row : row + 6, col : col + 6] = 255
    return images


@pytest.fixture
def tiny_mnist(tmp_path):
    return write_mnist(tmp_path / "mnist")


@pytest.fixture(scope="session")
def real_mnist():
    """The real MNIST set from $DIGITNET_DATA (skips with the reason when it is not there)."""
    from digitnet.data import missing_files

    if not REAL_MNIST:
        pytest.skip("the real MNIST set is not available: set DIGITNET_DATA to a folder holding it")
    if missing_files(REAL_MNIST):
        pytest.skip(f"DIGITNET_DATA={REAL_MNIST} lacks {missing_files(REAL_MNIST)}")
    from digitnet import load_mnist

    return load_mnist(REAL_MNIST)


def start_explorer(net=None, **options):
    """The explorer's server for ``net`` (default: the shipped network) on a free loopback port, running."""
    from digitnet.models import load_bundled
    from digitnet.web.server import make_server

    server = make_server(net or load_bundled(), "shipped", port=0, **options)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def server(mnist_dir):
    """The explorer on the test module's own ``mnist_dir`` fixture, running for the module's tests."""
    server = start_explorer(data_dir=mnist_dir)
    yield server
    server.close()


@pytest.fixture
def mnist_mirror(tmp_path, monkeypatch):
    """The URL of an HTTP mirror on loopback serving a tiny MNIST, whose checksums digitnet is told to expect."""
    from digitnet import data

    source = write_mnist(tmp_path / "mirror")
    monkeypatch.setattr(
        data,
        "FILES",
        {
            key: (stem, hashlib.sha256(gzip.decompress((source / f"{stem}.gz").read_bytes())).hexdigest())
            for key, (stem, _) in data.FILES.items()
        },
    )

    class Mirror(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(source), **kwargs)

        def log_message(self, *args):
            pass

    mirror = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Mirror)
    threading.Thread(target=mirror.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{mirror.server_address[1]}/"
    mirror.shutdown()
    mirror.server_close()

"""The MNIST layer: the IDX reader on hand-built good and bad files, finding, checksums, downloads."""

import gzip

import numpy as np
import pytest

from conftest import idx_bytes, write_mnist
from digitnet.data import (FILES, download_mnist, load_mnist, parse_idx, read_idx, resolve_data_dir,
                           sha256_of_content)
from digitnet.errors import DataError


def test_reads_hand_built_idx_files_gzipped_or_not(tmp_path):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "plain").write_bytes(idx_bytes(array))
    (tmp_path / "zipped").write_bytes(gzip.compress(idx_bytes(array)))
    assert np.array_equal(read_idx(tmp_path / "plain"), array)
    assert np.array_equal(read_idx(tmp_path / "zipped"), array)


@pytest.mark.parametrize("content,message", [
    (b"\x00\x00\x08", "too short"),
    (b"\x12\x34\x08\x01" + (3).to_bytes(4, "big") + b"abc", "magic number 12340801"),
    (b"\x00\x00\x0d\x01" + (3).to_bytes(4, "big") + b"abc", "not an unsigned-byte IDX"),
    (b"\x00\x00\x08\x03" + (2).to_bytes(4, "big"), "truncated in its header"),
    (idx_bytes(np.zeros((4, 28, 28)))[:-10], r"truncated: its header says 4×28×28"),
    (idx_bytes(np.zeros(5)) + b"xx", "has extra bytes"),
])
def test_refuses_corrupt_idx_with_a_message_naming_the_problem(content, message):
    with pytest.raises(DataError, match=message):
        parse_idx(content)


def test_a_truncated_gzip_names_the_file(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.zeros((3, 28, 28))))[:-12])
    with pytest.raises(DataError, match="train-images-idx3-ubyte.gz: corrupt gzip"):
        read_idx(path)


def test_load_mnist_returns_float_images_in_0_1_and_uint8_labels(tmp_path):
    folder = write_mnist(tmp_path / "m", gz=False)
    (train_images, train_labels), (test_images, test_labels) = load_mnist(folder)
    assert train_images.shape == (60, 784) and train_images.dtype == np.float32
    assert 0 <= train_images.min() and train_images.max() == 1
    assert train_labels.dtype == np.uint8 and test_labels.shape == (20,) and test_images.shape == (20, 784)


def test_label_count_must_match_image_count(tmp_path):
    folder = write_mnist(tmp_path / "m")
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(np.zeros(7))))
    with pytest.raises(DataError, match="7 labels for 20 images"):
        load_mnist(folder)


def test_missing_data_says_which_files_and_both_ways_to_get_them(tmp_path):
    with pytest.raises(DataError) as error:
        load_mnist(tmp_path)
    message = str(error.value)
    assert "train-images-idx3-ubyte.gz" in message and "t10k-labels-idx1-ubyte.gz" in message
    assert "digitnet download" in message and "DIGITNET_DATA" in message and "\n" not in message


def test_data_folder_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("DIGITNET_DATA", str(tmp_path / "env"))
    assert resolve_data_dir(tmp_path / "flag") == tmp_path / "flag"
    assert resolve_data_dir() == tmp_path / "env"
    monkeypatch.delenv("DIGITNET_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert resolve_data_dir() == tmp_path / "cache" / "digitnet" / "mnist"


def test_checksum_is_of_the_decompressed_content():
    content = b"some bytes"
    assert sha256_of_content(content) == sha256_of_content(gzip.compress(content, compresslevel=1))
    assert sha256_of_content(gzip.compress(content, compresslevel=9)) == sha256_of_content(content)


def serve_files(tmp_path, files):
    """A file:// mirror holding ``files`` (name → bytes)."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for name, content in files.items():
        (mirror / name).write_bytes(content)
    return mirror.as_uri() + "/"


def test_download_verifies_checksums_and_tries_the_next_mirror(tmp_path, monkeypatch):
    contents = {stem + ".gz": gzip.compress(stem.encode()) for stem, _ in FILES.values()}
    fake_files = {key: (stem, sha256_of_content(stem.encode())) for key, (stem, _) in FILES.items()}
    monkeypatch.setattr("digitnet.data.FILES", fake_files)
    (tmp_path / "bad").mkdir()
    tampered = serve_files(tmp_path / "bad", {name: gzip.compress(b"tampered") for name in contents})
    missing = (tmp_path / "nowhere").as_uri() + "/"
    (tmp_path / "good").mkdir()
    good = serve_files(tmp_path / "good", contents)
    target = tmp_path / "data"
    seen = []
    download_mnist(target, mirrors=(missing, tampered, good), on_progress=lambda name, done, total: seen.append(name))
    assert sorted(p.name for p in target.iterdir()) == sorted(contents)
    assert all((target / name).read_bytes() == content for name, content in contents.items())
    assert set(seen) == set(contents)


def test_download_refuses_a_file_whose_checksum_does_not_match(tmp_path, monkeypatch):
    stem = FILES["train-images"][0]
    monkeypatch.setattr("digitnet.data.FILES", {"train-images": (stem, "0" * 64)})
    mirror = serve_files(tmp_path, {stem + ".gz": gzip.compress(b"not mnist")})
    with pytest.raises(DataError, match="checksum mismatch"):
        download_mnist(tmp_path / "data", mirrors=(mirror,))
    assert not (tmp_path / "data").exists() or not list((tmp_path / "data").iterdir())


def test_the_real_mnist_set_has_the_standard_sizes(real_mnist):
    (train_images, train_labels), (test_images, test_labels) = real_mnist
    assert train_images.shape == (60_000, 784) and test_images.shape == (10_000, 784)
    assert np.bincount(test_labels).tolist()[:3] == [980, 1135, 1032]

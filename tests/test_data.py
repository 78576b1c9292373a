"""The MNIST layer: the IDX reader on hand-built good and bad files, finding, checksums, downloads."""

import functools
import gzip

import numpy as np
import pytest
from conftest import idx_bytes, write_mnist

from digitnet.data import FILES, download_mnist, load_mnist, parse_idx, read_idx, resolve_data_dir, sha256_of_content
from digitnet.errors import DataError


def test_reads_hand_built_idx_files_gzipped_or_not(tmp_path):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "plain").write_bytes(idx_bytes(array))
    (tmp_path / "zipped").write_bytes(gzip.compress(idx_bytes(array)))
    assert np.array_equal(read_idx(tmp_path / "plain"), array)
    assert np.array_equal(read_idx(tmp_path / "zipped"), array)


def test_a_gzip_is_inflated_piece_by_piece_into_one_writable_array(tmp_path, monkeypatch):
    import tracemalloc

    import digitnet.data

    array = np.random.default_rng(0).integers(0, 256, (30, 28, 28), dtype=np.uint8)
    content = idx_bytes(array)
    path = tmp_path / "images.gz"
    path.write_bytes(gzip.compress(content[:5000]) + gzip.compress(content[5000:]))  # two gzip members
    monkeypatch.setattr(digitnet.data, "INFLATE_PIECE", 1000)  # pieces ending inside and across members
    monkeypatch.setattr(digitnet.data, "INFLATE_INPUT", 300)  # and compressed input handed over in bits
    images = read_idx(path)
    assert np.array_equal(images, array) and images.flags.writeable
    for cut, message in ((len(content) - 7, "truncated: its header says 30×28×28"), (len(content) + 1, "extra bytes")):
        path.write_bytes(gzip.compress((content + b"x")[:cut]))
        with pytest.raises(DataError, match=message):
            read_idx(path)
    monkeypatch.undo()
    big = np.zeros((4000, 28, 28), np.uint8)  # 3.1 MB inflated, a few KB on disk
    path.write_bytes(gzip.compress(idx_bytes(big)))
    tracemalloc.start()
    try:
        images = read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert np.array_equal(images, big)
    assert peak < big.nbytes + 4 * digitnet.data.INFLATE_PIECE  # the array and a few pieces, not the file twice


@pytest.mark.parametrize(
    "content,message",
    [
        (b"\x00\x00\x08", "too short"),
        (b"\x12\x34\x08\x01" + (3).to_bytes(4, "big") + b"abc", "magic number 12340801"),
        (b"\x00\x00\x0d\x01" + (3).to_bytes(4, "big") + b"abc", "not an unsigned-byte IDX"),
        (b"\x00\x00\x08\x03" + (2).to_bytes(4, "big"), "truncated in its header"),
        (idx_bytes(np.zeros((4, 28, 28)))[:-10], r"truncated: its header says 4×28×28"),
        (idx_bytes(np.zeros(5)) + b"xx", "has extra bytes"),
    ],
)
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


# ---------------------------------------------------------------- bombs, special files, hostile mirrors


def test_a_gzip_bomb_is_refused_from_its_header_before_inflating(tmp_path):
    import tracemalloc

    header = b"\x00\x00\x08\x03" + b"".join(n.to_bytes(4, "big") for n in (3_000_000, 28, 28))
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(header + bytes(50_000_000), compresslevel=9))  # 2.4 GB declared, 49 KB on disk
    tracemalloc.start()
    try:
        with pytest.raises(DataError, match="declares 3000000×28×28 values; an MNIST file holds at most"):
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000


def test_a_gzip_that_inflates_past_its_header_is_not_inflated_further(tmp_path):
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.zeros(5, np.uint8)) + bytes(40_000_000)))
    with pytest.raises(DataError, match="has extra bytes"):
        read_idx(path)


def test_special_files_are_refused_not_read(tmp_path):
    import os

    fifo = tmp_path / "train-images-idx3-ubyte"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="not a regular file"):
        read_idx(fifo)  # would block forever if opened for reading normally
    with pytest.raises(DataError, match="not a regular file"):
        read_idx("/dev/zero")  # would never end
    with pytest.raises(DataError, match="is a folder"):
        read_idx(tmp_path)


def test_evaluate_reads_only_the_test_files(tmp_path, capsys):
    from digitnet import Network
    from digitnet.cli import main

    folder = write_mnist(tmp_path / "m")
    (folder / "train-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b corrupt")
    (folder / "train-labels-idx1-ubyte.gz").unlink()
    Network(seed=0).save(tmp_path / "m.npz")
    assert main(["evaluate", str(tmp_path / "m.npz"), "--data", str(folder), "--json"]) == 0
    assert '"count": 20' in capsys.readouterr().out
    assert load_mnist(folder, split="test")[0].shape == (20, 784)
    with pytest.raises(DataError, match="need train-labels-idx1-ubyte.gz"):
        load_mnist(folder, split="train")


class Mirror:
    """A local HTTP mirror whose answer for every file is ``respond(handler)`` (run in a thread)."""

    def __init__(self, respond):
        import http.server
        import threading

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                try:
                    respond(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def one_fake_file(monkeypatch):
    stem = FILES["train-images"][0]
    content = gzip.compress(b"the real file")
    monkeypatch.setattr("digitnet.data.FILES", {"train-images": (stem, sha256_of_content(content))})
    return stem + ".gz", content


def trickle(handler):
    import time

    handler.send_response(200)
    handler.send_header("Content-Length", "1000000")
    handler.end_headers()
    for _ in range(200):
        handler.wfile.write(b"x")
        handler.wfile.flush()
        time.sleep(0.05)


def endless(handler):
    handler.send_response(200)
    handler.end_headers()
    block = bytes(1 << 20)
    while True:
        handler.wfile.write(block)


def bad_length(handler):
    handler.wfile.write("HTTP/1.0 200 OK\r\nContent-Length: １２\r\n\r\n".encode() + b"x" * 12)  # full-width digits


@functools.cache
def bomb_body():
    return gzip.compress(bytes(200_000_000))  # 200 MB of zeros in about 200 KB


def bomb(handler):
    body = bomb_body()
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@pytest.mark.parametrize(
    "respond,problem",
    [
        (trickle, "not complete after 1 s"),
        (endless, "more than"),
        (bad_length, "malformed Content-Length"),
        (bomb, "decompresses to more than"),
    ],
)
def test_a_hostile_mirror_is_cut_off_and_the_next_one_used(tmp_path, monkeypatch, respond, problem):
    import time

    bomb_body()  # made before the clock starts
    name, content = one_fake_file(monkeypatch)
    (tmp_path / "good").mkdir()
    good = serve_files(tmp_path / "good", {name: content})
    mirror = Mirror(respond)
    try:
        started = time.monotonic()
        download_mnist(tmp_path / "data", mirrors=(mirror.url, good), timeout=5, deadline=1)
        assert time.monotonic() - started < 6
        assert (tmp_path / "data" / name).read_bytes() == content
        with pytest.raises(DataError, match=problem):
            download_mnist(tmp_path / "data2", mirrors=(mirror.url,), timeout=5, deadline=1)
    finally:
        mirror.close()

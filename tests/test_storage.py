"""Model files: save → load is exact; wrong, newer or inconsistent files are refused clearly."""

import io
import json
import zipfile

import numpy as np
import pytest

from digitnet import Network
from digitnet.errors import DigitnetError, ModelFileError
from digitnet.storage import FORMAT_VERSION


def test_save_then_load_gives_identical_predictions_and_metadata(tmp_path):
    rng = np.random.default_rng(0)
    images, labels = rng.random((30, 784)).astype(np.float32), rng.integers(0, 10, 30)
    net = Network([784, 12, 10], activation="tanh", output="softmax", cost="cross-entropy", seed=3)
    net.fit(images, labels, epochs=2, lr=0.5, seed=1, test=(images, labels))
    net.save(tmp_path / "m.npz")
    loaded = Network.load(tmp_path / "m.npz")
    assert np.array_equal(loaded.get_parameters(), net.get_parameters())
    assert np.array_equal(loaded.feedforward(images), net.feedforward(images))
    assert loaded.config() == net.config() and loaded.history == net.history and loaded.recipe == net.recipe


def test_files_contain_no_pickle(tmp_path):
    Network(seed=0).save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as archive:
        metadata = json.loads(archive["metadata"].tobytes())
        assert all(archive[name].dtype != object for name in archive.files)
    assert metadata["format"] == "digitnet-model" and metadata["sizes"] == [784, 16, 16, 10]


def rewrite(path, change):
    """Re-save the archive at ``path`` after ``change(arrays, metadata)``."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    metadata = json.loads(arrays["metadata"].tobytes())
    change(arrays, metadata)
    arrays["metadata"] = np.frombuffer(json.dumps(metadata).encode(), dtype=np.uint8)
    with open(path, "wb") as file:
        np.savez(file, **arrays)


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda a, m: m.update(format_version=FORMAT_VERSION + 1), "newer than this digitnet reads"),
        (lambda a, m: m.update(format="something-else"), "not a digitnet model file"),
        (lambda a, m: a.update(W2=np.zeros((3, 3), np.float32)), r"W2 has shape \(3, 3\)"),
        (lambda a, m: a.pop("b3"), "b3 is missing"),
        (lambda a, m: a["W1"].__setitem__((0, 0), np.nan), "not finite"),
        (lambda a, m: m.update(activation="swish"), "invalid model metadata"),
    ],
)
def test_bad_model_files_are_refused_with_a_clear_message(tmp_path, change, message):
    path = tmp_path / "m.npz"
    Network(seed=0).save(path)
    rewrite(path, change)
    with pytest.raises(ModelFileError, match=message):
        Network.load(path)


def test_files_of_the_wrong_kind_are_refused(tmp_path):
    (tmp_path / "text.npz").write_text("hello")
    with pytest.raises(ModelFileError, match=r"not a digitnet model file \(not an .npz archive\)$"):
        Network.load(tmp_path / "text.npz")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("other.npy", b"junk")
    (tmp_path / "zip.npz").write_bytes(buffer.getvalue())
    with pytest.raises(ModelFileError):
        Network.load(tmp_path / "zip.npz")
    with pytest.raises(ModelFileError, match="no such model file"):
        Network.load(tmp_path / "absent.npz")


def test_a_failed_save_leaves_the_old_file_untouched(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    Network(seed=0).save(path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        Network(seed=1).save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


def test_saved_files_get_the_usual_permissions(tmp_path):
    import os

    Network(seed=0).save(tmp_path / "m.npz")
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "m.npz").stat().st_mode & 0o777 == 0o666 & ~mask


# ---------------------------------------------------------------- hostile files: every one a one-line error


def npy(array, header_shape=None):
    """The .npy bytes of ``array``; with ``header_shape`` the header lies about its shape."""
    buffer = io.BytesIO()
    header = np.lib.format.header_data_from_array_1_0(array)
    if header_shape is not None:
        header["shape"] = tuple(header_shape)
    np.lib.format.write_array_header_1_0(buffer, header)
    buffer.write(array.tobytes())
    return buffer.getvalue()


def archive_bytes(members, compression=zipfile.ZIP_STORED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def members_of(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def with_metadata(members, **changes):
    metadata = json.loads(np.lib.format.read_array(io.BytesIO(members["metadata.npy"])).tobytes())
    metadata.update(changes)
    return {**members, "metadata.npy": npy(np.frombuffer(json.dumps(metadata).encode(), np.uint8))}


def peak_bytes_of(call):
    import tracemalloc

    tracemalloc.start()
    try:
        call()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


@pytest.mark.parametrize(
    "build,message",
    [
        (lambda m: with_metadata(m, sizes=[784, 300_000, 10]), "sizes must list 2 to 64 layer sizes from 1 to 65,536"),
        (lambda m: with_metadata(m, sizes=[784, 60_000, 60_000, 10]), "parameters; the limit is"),
        (lambda m: with_metadata(m, dtype="bool"), "dtype must be float32 or float64"),
        (lambda m: with_metadata(m, dtype="uint8"), "dtype must be float32 or float64"),
        (
            lambda m: {**m, "W1.npy": npy(np.zeros((16, 784), np.uint8))},
            "holds uint8, not float16 or float32 or float64",
        ),
        (lambda m: {**m, "W1.npy": npy(np.zeros((16, 784), bool))}, "holds bool"),
        (lambda m: {**m, "b1.npy": npy(np.zeros(16, np.float32), header_shape=(10**9,))}, "but the layer sizes need"),
        (lambda m: {**m, "b1.npy": npy(np.zeros(16, np.float32))[:-8]}, "does not match its size"),
        (
            lambda m: with_metadata(
                {**m, "W1.npy": npy(np.zeros((16, 784), np.float32), header_shape=(20_000, 784))},
                sizes=[784, 20_000, 16, 10],
            ),
            "does not match its size",
        ),
        (lambda m: {**m, "W1.npy": b"\x93NUMPY\x01\x00\x10\x00{'descr': '<f4',"}, "corrupt .npy header"),
        (lambda m: with_metadata(m, history=[{"epoch": 1, "test_accuracy": "high"}]), "history record"),
        (lambda m: with_metadata(m, recipe=[1, 2]), "recipe must be an object"),
        (lambda m: with_metadata(m, recipe={"best_epoch": 7}), "best_epoch must be an epoch of its history"),
        (lambda m: with_metadata(m, sizes="784,16,10"), "sizes must list"),
        (lambda m: with_metadata(m, format_version=True), "format_version"),
        (lambda m: {**m, "metadata.npy": npy(np.frombuffer(b"[" * 100_000, np.uint8))}, "metadata is not valid JSON"),
        (
            lambda m: {**m, "metadata.npy": npy(np.frombuffer(b'{"format": NaN}', np.uint8))},
            "metadata is not valid JSON",
        ),
        (lambda m: {**m, "evil.txt": b"x"}, "unexpected member"),
    ],
)
def test_hostile_model_files_are_one_line_errors_with_bounded_memory(tmp_path, build, message):
    good = tmp_path / "good.npz"
    Network(seed=0).save(good)
    path = tmp_path / "m.npz"
    path.write_bytes(archive_bytes(build(members_of(good))))
    errors = []

    def load():
        with pytest.raises(ModelFileError) as error:
            Network.load(path)
        errors.append(str(error.value))

    assert peak_bytes_of(load) < 20_000_000
    assert message in errors[0] and "\n" not in errors[0]


def test_a_member_declaring_gigabytes_is_refused_before_inflating(tmp_path):
    import struct

    good = tmp_path / "good.npz"
    Network(seed=0).save(good)
    content = bytearray(archive_bytes(members_of(good), zipfile.ZIP_DEFLATED))
    central = content.index(b"PK\x01\x02")  # the first member's central directory entry
    content[central + 24 : central + 28] = struct.pack("<I", 2_000_000_000)  # its uncompressed size
    path = tmp_path / "bomb.npz"
    path.write_bytes(bytes(content))
    with pytest.raises(ModelFileError, match="would unpack to 2,000,"):
        Network.load(path)


def test_encrypted_or_oddly_compressed_members_are_refused(tmp_path):
    good = tmp_path / "good.npz"
    Network(seed=0).save(good)
    path = tmp_path / "m.npz"
    path.write_bytes(archive_bytes(members_of(good), zipfile.ZIP_BZIP2))
    with pytest.raises(ModelFileError, match="compressed in an unsupported way"):
        Network.load(path)
    content = bytearray(good.read_bytes())
    content[6] |= 0x1  # the first member's "encrypted" flag, in its local header …
    central = content.index(b"PK\x01\x02")
    content[central + 8] |= 0x1  # … and in the central directory
    path.write_bytes(bytes(content))
    with pytest.raises(ModelFileError):
        Network.load(path)


def test_special_files_are_refused_as_models(tmp_path):
    import os

    os.mkfifo(tmp_path / "fifo.npz")
    for path in (tmp_path / "fifo.npz", "/dev/zero"):
        with pytest.raises(ModelFileError, match="not a regular file"):
            Network.load(path)


def test_writes_keep_permissions_and_go_through_symlinks(tmp_path):
    import os

    target = tmp_path / "real.npz"
    Network(seed=0).save(target)
    os.chmod(target, 0o640)
    link = tmp_path / "link.npz"
    link.symlink_to(target)
    Network(seed=1).save(link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.stat().st_mode & 0o777 == 0o640
    assert np.array_equal(Network.load(target).get_parameters(), Network(seed=1).get_parameters())


def test_a_save_removes_temporaries_left_by_dead_processes_only(tmp_path):
    import subprocess

    dead = subprocess.Popen(["true"])
    dead.wait()  # its process id now belongs to no running process
    stale = tmp_path / f".m.npz.{dead.pid}.abc123.part"
    stale.write_bytes(b"half a model")
    alive = tmp_path / f".m.npz.{os_getppid()}.def456.part"
    alive.write_bytes(b"another process is writing")
    Network(seed=0).save(tmp_path / "m.npz")
    assert not stale.exists() and alive.exists()


def os_getppid():
    import os

    return os.getppid()


def test_finite_weights_that_would_overflow_to_nan_are_refused(tmp_path):
    images = np.random.default_rng(0).random((5, 784)).astype(np.float32)
    net = Network([784, 16, 10], activation="relu", output="softmax", cost="cross-entropy", seed=0)
    net.weights[0][...], net.weights[1][...] = 1e20, -1e20
    with np.errstate(all="ignore"):
        assert np.isnan(net.feedforward(images)).all()  # what --json would have printed
    net.save(tmp_path / "huge.npz")
    with pytest.raises(ModelFileError, match="weights too large: layer 2's weighted sums could reach 1.25e"):
        Network.load(tmp_path / "huge.npz")
    net.weights[0][...], net.weights[1][...] = 1e3, -1e3  # large but harmless
    net.save(tmp_path / "large.npz")
    Network.load(tmp_path / "large.npz")


def test_a_full_disk_is_one_line_and_keeps_the_old_file(tmp_path, monkeypatch):
    import errno
    import os

    path = tmp_path / "m.npz"
    Network(seed=0).save(path)
    before = path.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(DigitnetError, match=f"cannot write {path}: No space left on device$"):
        Network(seed=1).save(path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["m.npz"]

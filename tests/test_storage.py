"""Model files: save → load is exact; wrong, newer or inconsistent files are refused clearly."""

import io
import json
import zipfile

import numpy as np
import pytest

from digitnet import Network
from digitnet.errors import ModelFileError
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


@pytest.mark.parametrize("change,message", [
    (lambda a, m: m.update(format_version=FORMAT_VERSION + 1), "newer than this digitnet reads"),
    (lambda a, m: m.update(format="something-else"), "not a digitnet model file"),
    (lambda a, m: a.update(W2=np.zeros((3, 3), np.float32)), r"W2 has shape \(3, 3\)"),
    (lambda a, m: a.pop("b3"), "b3 is missing"),
    (lambda a, m: a["W1"].__setitem__((0, 0), np.nan), "not finite"),
    (lambda a, m: m.update(activation="swish"), "invalid model metadata"),
])
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

"""Fault injection: a process killed (SIGKILL) at any step of saving a model or downloading MNIST leaves
the old file or the new one, whole, never a mix; the next save cleans up what the dead process left."""

import gzip
import hashlib
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from digitnet import Network

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Runs in a child process: make the step named STEP (its COUNT-th occurrence) kill the process with SIGKILL.
KILLER = textwrap.dedent("""
    import os, signal, sys, tempfile
    STEP, COUNT = sys.argv[1], int(sys.argv[2])
    seen = {}

    def step(name):
        seen[name] = seen.get(name, 0) + 1
        if name == STEP and seen[name] == COUNT:
            os.kill(os.getpid(), signal.SIGKILL)

    def wrap(module, attribute, name):
        real = getattr(module, attribute)
        def wrapped(*args, **kwargs):
            step(name)
            result = real(*args, **kwargs)
            step(name + ":after")
            return result
        setattr(module, attribute, wrapped)

    wrap(tempfile, "mkstemp", "mkstemp")
    wrap(os, "chmod", "chmod")
    wrap(os, "fsync", "fsync")
    wrap(os, "replace", "rename")
    real_fdopen = os.fdopen

    class Writer:
        def __init__(self, file):
            self.file = file
        def write(self, data):
            step("write")
            return self.file.write(data)
        def __getattr__(self, name):
            return getattr(self.file, name)
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            return self.file.__exit__(*exc)

    os.fdopen = lambda *args, **kwargs: Writer(real_fdopen(*args, **kwargs))
""")

SAVE = KILLER + textwrap.dedent("""
    from digitnet import Network
    Network(seed=2).save(sys.argv[3])
""")

DOWNLOAD = KILLER + textwrap.dedent("""
    import digitnet.data
    digitnet.data.FILES = {"train-images": ("train-images-idx3-ubyte", sys.argv[5])}
    def progress(name, done, total):
        step("received")
    digitnet.data.download_mnist(sys.argv[3], mirrors=(sys.argv[4],), on_progress=progress)
""")

STEPS = [
    ("mkstemp", 1),
    ("mkstemp:after", 1),
    ("chmod", 1),
    ("write", 1),
    ("write", 3),
    ("write", 8),
    ("fsync", 1),
    ("fsync:after", 1),
    ("rename", 1),
    ("rename:after", 1),
    ("fsync", 2),
    ("fsync:after", 2),
]


def run_child(program, *arguments):
    return subprocess.run(
        [sys.executable, "-c", program, *map(str, arguments)],
        cwd=ROOT,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": ROOT},
        timeout=120,
    )


@pytest.mark.slow
@pytest.mark.parametrize("step,count", STEPS)
def test_a_save_killed_at_any_step_leaves_the_old_or_the_new_model_whole(tmp_path, step, count):
    path = tmp_path / "m.npz"
    old, new = Network(seed=1), Network(seed=2)
    old.save(path)
    child = run_child(SAVE, step, count, path)
    assert child.returncode == -9, child.stderr.decode()[-500:]  # it really was killed at that step
    saved = Network.load(path).get_parameters()
    assert np.array_equal(saved, old.get_parameters()) or np.array_equal(saved, new.get_parameters())
    if step.startswith("rename:after") or (step, count) in (("fsync", 2), ("fsync:after", 2)):
        assert np.array_equal(saved, new.get_parameters())  # renamed: the new one
    if step in ("mkstemp", "mkstemp:after", "chmod", "write") or (step, count) == ("fsync", 1):
        assert np.array_equal(saved, old.get_parameters())  # not renamed yet: the old one
    Network(seed=3).save(path)  # the next save tidies up after the dead one
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "step,count",
    [("received", 1), ("received", 3), ("mkstemp", 1), ("write", 1), ("fsync", 1), ("rename", 1), ("rename:after", 1)],
)
def test_a_download_killed_at_any_step_leaves_no_file_or_the_whole_verified_one(tmp_path, step, count):
    content = gzip.compress(os.urandom(300_000))  # incompressible: several reads
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "train-images-idx3-ubyte.gz").write_bytes(content)
    target = tmp_path / "data"
    sha256 = hashlib.sha256(gzip.decompress(content)).hexdigest()
    child = run_child(DOWNLOAD, step, count, target, mirror.as_uri() + "/", sha256)
    assert child.returncode == -9, child.stderr.decode()[-500:]
    files = [p for p in target.iterdir() if not p.name.endswith(".part")] if target.exists() else []
    assert files == [] or [p.read_bytes() for p in files] == [content]
    if step == "rename:after":
        assert files and files[0].name == "train-images-idx3-ubyte.gz"

"""A small mutation fuzzer for digitnet's file readers (IDX, model files, pictures).

Each reader is fed mutated copies of valid files (bit flips, interesting bytes and integers, cuts,
insertions, splices) and, for the formats that wrap others, mutations made inside the wrapper
(a model archive's members re-zipped with valid checksums, an IDX file's gzip re-compressed), so
the mutations reach the parsers behind the checksums.  A reader passes an input when it returns or
raises a DigitnetError (the one-line error); anything else is a failure, as is an input that takes
longer than ``TIMEOUT`` seconds or allocates more than ``MEMORY_LIMIT`` bytes (traced by tracemalloc).

Used by tests/test_fuzz.py (a few seconds per reader) and scripts/fuzz_files.py (as long as you like).
"""

import gzip
import io
import json
import signal
import tempfile
import time
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from digitnet import Network
from digitnet.data import read_idx
from digitnet.errors import DigitnetError
from digitnet.images import image_to_input

TIMEOUT = 5  # seconds one input may take
MEMORY_LIMIT = 200 * 1024**2  # bytes one input may allocate at its peak
INTERESTING_BYTES = (0x00, 0x01, 0x7F, 0x80, 0xFF)
INTERESTING_INTS = (0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 60_000, 10**9)


# ------------------------------------------------------------------ valid starting files
def idx_seeds():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (3, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, 3, dtype=np.uint8)
    raw = [
        b"\x00\x00\x08\x03" + b"".join(n.to_bytes(4, "big") for n in images.shape) + images.tobytes(),
        b"\x00\x00\x08\x01" + (3).to_bytes(4, "big") + labels.tobytes(),
    ]
    return raw + [gzip.compress(content) for content in raw]


def model_seeds():
    seeds = []
    for net in (
        Network([784, 6, 10], seed=0),
        Network([784, 5, 4, 10], activation="relu", output="softmax", cost="cross-entropy", seed=1, dtype=np.float64),
    ):
        net.history = [{"epoch": 1, "test_accuracy": 0.5, "train_cost": None}]
        net.recipe = {"epochs": 1, "lr": 0.5, "best_epoch": 1}
        buffer = io.BytesIO()
        with tempfile.TemporaryDirectory() as folder:
            net.save(Path(folder) / "m.npz")
            buffer.write((Path(folder) / "m.npz").read_bytes())
        seeds.append(buffer.getvalue())
    return seeds


def picture_seeds():
    image = Image.new("L", (40, 40), 255)
    ImageDraw.Draw(image).line([(8, 8), (32, 8), (18, 34)], fill=0, width=4)
    seeds = []
    for kind, picture in (
        ("PNG", image),
        ("JPEG", image),
        ("GIF", image),
        ("BMP", image),
        ("TIFF", image),
        ("PNG", image.convert("RGBA")),
        ("PNG", image.convert("P")),
        ("PNG", Image.fromarray(np.asarray(image, dtype=np.uint16) * 257)),
        ("TIFF", Image.fromarray(np.asarray(image, dtype=np.float32) / 255)),
    ):
        buffer = io.BytesIO()
        picture.save(buffer, format=kind)
        seeds.append(buffer.getvalue())
    return seeds


# ------------------------------------------------------------------ mutations
def mutate_bytes(content, rng, others=()):
    """``content`` changed by one to four random byte-level mutations."""
    data = bytearray(content)
    for _ in range(int(rng.integers(1, 5))):
        kind = int(rng.integers(0, 7))
        where = int(rng.integers(0, max(len(data), 1)))
        if kind == 0 and data:  # flip a bit
            data[where % len(data)] ^= 1 << int(rng.integers(0, 8))
        elif kind == 1 and data:  # an interesting byte
            data[where % len(data)] = INTERESTING_BYTES[int(rng.integers(0, len(INTERESTING_BYTES)))]
        elif kind == 2 and len(data) >= 4:  # an interesting 32-bit integer
            value = INTERESTING_INTS[int(rng.integers(0, len(INTERESTING_INTS)))]
            where = min(where, len(data) - 4)
            data[where : where + 4] = value.to_bytes(4, "big" if rng.random() < 0.5 else "little")
        elif kind == 3:  # cut the end off
            del data[where:]
        elif kind == 4:  # insert random bytes
            data[where:where] = rng.integers(0, 256, int(rng.integers(1, 64)), dtype=np.uint8).tobytes()
        elif kind == 5 and data:  # repeat a piece
            end = min(len(data), where + int(rng.integers(1, 256)))
            data[where:where] = data[where:end] * int(rng.integers(1, 8))
        elif kind == 6 and others:  # splice with another file
            other = others[int(rng.integers(0, len(others)))]
            data = data[:where] + other[int(rng.integers(0, max(len(other), 1))) :]
    return bytes(data)


def mutate_idx(content, rng, others):
    if content[:2] == b"\x1f\x8b" and rng.random() < 0.5:  # mutate inside the gzip
        return gzip.compress(mutate_bytes(gzip.decompress(content), rng))
    return mutate_bytes(content, rng, others)


def mutate_model(content, rng, others):
    """Half the time a byte-level mutation of the archive; else one member changed (the metadata's
    JSON text, or an array's .npy bytes) and the archive rebuilt with valid checksums."""
    if rng.random() < 0.4:
        return mutate_bytes(content, rng, others)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    names = sorted(members)
    name = names[int(rng.integers(0, len(names)))]
    if name == "metadata.npy" and rng.random() < 0.7:
        metadata = json.loads(np.lib.format.read_array(io.BytesIO(members[name])).tobytes())
        text = mutate_json(metadata, rng) if rng.random() < 0.5 else mutate_bytes(json.dumps(metadata).encode(), rng)
        buffer = io.BytesIO()
        np.lib.format.write_array(buffer, np.frombuffer(text, dtype=np.uint8))
        members[name] = buffer.getvalue()
    elif rng.random() < 0.1:
        del members[name]
    else:
        members[name] = mutate_bytes(members[name], rng)
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if rng.random() < 0.3 else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return buffer.getvalue()


JSON_VALUES = (
    None,
    True,
    -1,
    0,
    1,
    2**64,
    1e308,
    -1e308,
    "",
    "x" * 300,
    [],
    {},
    [[[[]]]],
    [784, 10],
    [784, 65_536, 10],
    [784, 0, 10],
    "float16",
    "bool",
    "relu",
    {"lr": "fast"},
)


def mutate_json(metadata, rng):
    """The metadata with one field (top level, in the recipe or in a history record) set to an odd value."""
    metadata = json.loads(json.dumps(metadata))
    target = metadata
    if rng.random() < 0.3 and metadata.get("history"):
        target = metadata["history"][0]
    elif rng.random() < 0.3 and isinstance(metadata.get("recipe"), dict):
        target = metadata["recipe"]
    keys = sorted(target) + ["extra"]
    key = keys[int(rng.integers(0, len(keys)))]
    if rng.random() < 0.1:
        target.pop(key, None)
    else:
        target[key] = JSON_VALUES[int(rng.integers(0, len(JSON_VALUES)))]
    return json.dumps(metadata).encode()


def mutate_picture(content, rng, others):
    return mutate_bytes(content, rng, others)


# ------------------------------------------------------------------ the readers under test
def read_model(path):
    Network.load(path)


READERS = {
    "idx": (read_idx, idx_seeds, mutate_idx),
    "model": (read_model, model_seeds, mutate_model),
    "picture": (image_to_input, picture_seeds, mutate_picture),
}


class Hang(Exception):
    """An input took longer than TIMEOUT seconds."""


def _alarm(signum, frame):
    raise Hang


def _read_one(read, path):
    """("accepted" | "refused" | "failed", the problem or None) for one input, within TIMEOUT seconds."""
    if tracemalloc.is_tracing():
        tracemalloc.reset_peak()
    signal.alarm(TIMEOUT)
    try:
        read(path)
        return "accepted", None
    except DigitnetError as error:
        return ("failed", f"a message of several lines: {error!r}") if "\n" in str(error) else ("refused", None)
    except Hang:
        return "failed", f"took over {TIMEOUT} s"
    except Exception as error:  # noqa: BLE001 - any other exception (or warning) is what we are looking for
        return "failed", f"{type(error).__name__}: {error}"
    finally:
        signal.alarm(0)


def fuzz(reader, seed=0, count=1000, budget=None):
    """Feed ``reader`` ("idx", "model" or "picture") up to ``count`` mutated inputs (stopping after
    ``budget`` seconds if given).  Returns {"inputs", "refused", "accepted", "failures": [(input number,
    problem)], "seconds", "peak_bytes"}.  A warning counts as a failure (a person would see it printed)."""
    read, seeds, mutate = READERS[reader]
    rng = np.random.default_rng(seed)
    valid = seeds()
    results = {
        "reader": reader,
        "seed": seed,
        "inputs": 0,
        "refused": 0,
        "accepted": 0,
        "failures": [],
        "peak_bytes": 0,
    }
    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, _alarm)
    tracemalloc.start()
    try:
        with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
            warnings.simplefilter("error")
            for number in range(count):
                if budget is not None and time.monotonic() - started > budget:
                    break
                path = Path(folder) / f"input-{number}"  # a fresh name: truncating one file is slow here
                path.write_bytes(mutate(valid[int(rng.integers(0, len(valid)))], rng, valid))
                outcome, problem = _read_one(read, path)
                peak = tracemalloc.get_traced_memory()[1]
                if problem is not None and problem.startswith("took over"):  # tracing slows Python a lot:
                    tracemalloc.stop()  # time it again untraced
                    outcome, problem = _read_one(read, path)
                    tracemalloc.start()
                if peak > MEMORY_LIMIT:
                    outcome, problem = "failed", f"allocated {peak:,} bytes"
                if outcome == "failed":
                    results["failures"].append((number, problem))
                else:
                    results[outcome] += 1
                results["peak_bytes"] = max(results["peak_bytes"], peak)
                results["inputs"] += 1
                path.unlink()
    finally:
        tracemalloc.stop()
        signal.signal(signal.SIGALRM, previous)
    results["seconds"] = round(time.monotonic() - started, 2)
    return results

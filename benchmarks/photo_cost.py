"""Benchmark: what reading a photographed digit costs, before and after a change, side by side.

    python benchmarks/photo_cost.py --before COMMIT [--rounds 5] [--out benchmarks/results/photo_cost.json]

``digitnet predict`` on a phone's photo of a digit on paper runs ``images.read_picture``, whose
local background and polarity steps run only on such pictures (a clean drawing, like the explorer's
canvas, skips them: ``benchmarks/rejection_cost.py`` times that path).  40 photos of printed digits
written on a sheet lying on a desk (``scripts/drawing_validation.sheet_on_desk``, JPEG, 60–900
pixels across) are read by a fresh process for the working tree and for COMMIT (exported with
``git archive``), in turns, 3 warm-up reads first; CPU milliseconds per photo (process time),
per round, their medians, and after/before.
"""

import sys
import tempfile
from pathlib import Path

import numpy as np
from machine import (  # benchmarks/machine.py
    before_and_after,
    before_and_after_arguments,
    cpu_model,
    json_from_tree,
    report,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from drawing_validation import font_digit, sheet_on_desk  # noqa: E402

PHOTOS = 40

TIMER = """
import json, sys, time
from pathlib import Path
from digitnet.images import read_picture

photos = [path.read_bytes() for path in sorted(Path(sys.argv[1]).glob("*.jpg"))]
for photo in photos[:3]:
    read_picture(photo)
start = time.process_time()
for photo in photos:
    read_picture(photo)
print(json.dumps((time.process_time() - start) * 1000 / len(photos)))
"""


def milliseconds(tree, photos):
    """CPU ms per photo of one fresh process reading the photos in folder ``photos`` with ``tree``."""
    return json_from_tree(tree, TIMER, str(photos))


def main():
    args = before_and_after_arguments(__doc__.splitlines()[0])
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as photos:
        for k in range(PHOTOS):
            (Path(photos) / f"{k:02d}.jpg").write_bytes(sheet_on_desk(font_digit(k % 10, rng), rng))
        result = before_and_after(args.before, lambda tree: milliseconds(tree, photos), args.rounds, "cpu_ms_per_photo")
    report({"cpu": cpu_model(), "photos": PHOTOS, **result}, args.out)


if __name__ == "__main__":
    main()

"""Benchmark: peak memory of reading one very large picture (7,000 × 7,000 pixels), as one JSON object.

    PYTHONPATH=. python benchmarks/picture_memory.py [--side 7000]

For each format (PNG, JPEG) a picture of a drawn 7 is written to a temporary folder, then a fresh
Python process runs ``digitnet.images.image_to_input`` on it and reports its peak resident memory
(ru_maxrss) before and after the call, and the seconds the call took.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from machine import cpu_model  # benchmarks/machine.py
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
MEASURE = """
import json, resource, sys, time
from digitnet.images import image_to_input
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
image_to_input(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - started, "peak_mb_before": before / 1024,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def draw(side, folder):
    """Write a ``side`` × ``side`` picture of a 7 to ``folder`` as seven.png and seven.jpeg."""
    picture = Image.new("RGB", (side, side), "white")
    s = side / 280
    ImageDraw.Draw(picture).line(
        [(70 * s, 60 * s), (200 * s, 60 * s), (120 * s, 230 * s)], fill="black", width=int(24 * s)
    )
    for kind in ("PNG", "JPEG"):
        picture.save(Path(folder) / f"seven.{kind.lower()}", format=kind)


def main():
    if sys.argv[1:2] == ["--draw"]:
        draw(int(sys.argv[2]), sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=7000)
    args = parser.parse_args()
    side, results = args.side, {}
    with tempfile.TemporaryDirectory() as folder:
        # Drawn in a process of its own: a child started from a large process inherits its peak memory figure.
        subprocess.run([sys.executable, __file__, "--draw", str(side), folder], check=True)
        for kind in ("PNG", "JPEG"):
            path = Path(folder) / f"seven.{kind.lower()}"
            child = subprocess.run(
                [sys.executable, "-c", MEASURE, str(path)],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            results[kind] = {"file_bytes": path.stat().st_size, **json.loads(child.stdout)}
    print(
        json.dumps(
            {
                "benchmark": "picture_memory",
                "side": side,
                "results": results,
                "cpu": cpu_model(),
                "python": platform.python_version(),
                "pillow": Image.__version__,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()

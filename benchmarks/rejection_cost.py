"""Benchmark: what "not a digit" costs per drawing, before and after a change, side by side.

    python benchmarks/rejection_cost.py --before COMMIT [--rounds 5] [--out benchmarks/results/rejection_cost.json]

The explorer runs the whole path on every drawing event: the canvas (a 140×140 PNG, white strokes
on black, as the page sends it) read by ``images.read_picture``, the drawing check on its ink, and
``predict_or_reject`` with the shipped ``3b1b`` network (its density model and the digit check).
For the working tree and for COMMIT (exported with ``git archive`` into a temporary folder) this
runs, in turns, a fresh process that times that path on the same 100 drawings (10 warm-up calls
first) and reports CPU milliseconds per drawing (process time: the other work on a shared
machine counts less than in wall time).  Per tree: the median over the rounds; and after/before.
A tree whose pictures carry no colour statistics (``images.Picture.colours``) has its drawing
check take the ink alone, as it did then.
"""

from machine import (  # benchmarks/machine.py
    before_and_after,
    before_and_after_arguments,
    cpu_model,
    json_from_tree,
    report,
)

DRAWINGS = 100

TIMER = """
import io, json, time
import numpy as np
from PIL import Image, ImageDraw
from digitnet.drawing_check import is_drawing
from digitnet.images import read_picture
from digitnet.models import load_shipped

DRAWINGS = {drawings}
rng = np.random.default_rng(1)
canvases = []
for _ in range(DRAWINGS):
    canvas = Image.new("L", (140, 140), 0)
    points = [tuple(p) for p in rng.uniform(20, 120, (int(rng.integers(3, 8)), 2))]
    ImageDraw.Draw(canvas).line(points, fill=255, width=int(rng.integers(6, 14)), joint="curve")
    buffer = io.BytesIO()
    canvas.save(buffer, "PNG")
    canvases.append(buffer.getvalue())
net = load_shipped("3b1b")
takes_picture = hasattr(read_picture(canvases[0]), "colours")

def answer(png):
    picture = read_picture(png)
    drawing = is_drawing(picture if takes_picture else picture.ink)
    return net.predict_or_reject(picture.pixels, engine="reference", drawings=drawing)

for png in canvases[:10]:
    answer(png)
start = time.process_time()
for png in canvases:
    answer(png)
print(json.dumps((time.process_time() - start) * 1000 / len(canvases)))
"""


def milliseconds(tree):
    """CPU ms per drawing of one fresh process running TIMER with ``tree`` on its path."""
    return json_from_tree(tree, TIMER.replace("{drawings}", str(DRAWINGS)))


def main():
    args = before_and_after_arguments(__doc__.splitlines()[0])
    result = before_and_after(args.before, milliseconds, args.rounds, "cpu_ms_per_drawing")
    report({"cpu": cpu_model(), "drawings": DRAWINGS, **result}, args.out)


if __name__ == "__main__":
    main()

"""Benchmark: one image's latency through ``net.outputs`` (``auto`` and ``fast``) and ``net.predict``,
the working tree against a commit, in turns, each in a fresh process.

    DIGITNET_DATA=../shared/mnist python benchmarks/one_image.py --before COMMIT [--rounds 5]
        [--out benchmarks/results/one_image.json]

Each process loads the shipped ``3b1b`` network (784-16-16-10, sigmoid) and MNIST's test images
(float32), runs one image through the fast engine (its few-image code loaded from the disk cache,
so ``auto`` may take it, as after training or in the explorer), then for each way of calling
(``outputs`` with ``engine="fast"``, ``outputs`` with the default ``auto``, ``predict`` with
``auto``) 500 images not timed (``auto`` tries both engines and chooses), then ``ROUNDS_IN_PROCESS``
times 400 images in turn, one call each; it reports the median µs per image of each way, and the
engine ``auto`` then takes for one image.  Wall-clock time: run it with nothing else on the machine.
Per tree: every process's figures and their medians over the processes; after/before for ``auto``.
"""

import statistics

from machine import (  # benchmarks/machine.py
    ROOT,
    before_and_after,
    before_and_after_arguments,
    cpu_model,
    json_from_tree,
    report,
)

ROUNDS_IN_PROCESS = 7

TIMER = """
import json, statistics, time
from digitnet import load_mnist
from digitnet.engines import engine_for_outputs
from digitnet.models import load_shipped

net = load_shipped("3b1b")
(_, _), (test_images, _) = load_mnist()
net.outputs(test_images[0], engine="fast")
calls = {
    "fast": lambda image: net.outputs(image, engine="fast"),
    "auto": net.outputs,
    "predict_auto": net.predict,
}
for call in calls.values():
    for image in test_images[400:900]:
        call(image)
times = {name: [] for name in calls}
for _ in range({rounds}):
    for name, call in calls.items():
        started = time.perf_counter()
        for image in test_images[:400]:
            call(image)
        times[name].append((time.perf_counter() - started) / 400 * 1e6)
figures = {name: statistics.median(values) for name, values in times.items()}
figures["auto_engine"] = engine_for_outputs("auto", net, test_images[:1]).name
print(json.dumps(figures))
"""


def main():
    args = before_and_after_arguments(__doc__.splitlines()[0])
    figures = {"before": [], "after": []}

    def auto_microseconds(tree):
        measured = json_from_tree(tree, TIMER.replace("{rounds}", str(ROUNDS_IN_PROCESS)))
        figures["after" if tree == ROOT else "before"].append(measured)
        return measured["auto"]

    result = before_and_after(args.before, auto_microseconds, args.rounds, "auto_microseconds")
    medians = {
        tree: {name: statistics.median(run[name] for run in runs) for name in ("fast", "auto", "predict_auto")}
        for tree, runs in figures.items()
    }
    report({"cpu": cpu_model(), **result, "every_process": figures, "median_microseconds_per_image": medians}, args.out)


if __name__ == "__main__":
    main()

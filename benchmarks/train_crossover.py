"""Benchmark: where training on the reference engine's matrix products beats the fast engine, as one JSON object.

    DIGITNET_DATA=../shared/mnist python benchmarks/train_crossover.py [--images 10000] [--rounds 3]

For networks 784-w-w-10 (ReLU hidden layers, softmax outputs, cross-entropy, He start) with w from
``WIDTHS``, at mini-batches of 10 and 100, one epoch of plain SGD on the first ``--images``
training images (uint8 pixel values, as ``digitnet train`` reads them) with each engine, the
engines taking turns, ``--rounds`` times after an untimed warm-up; the median seconds per epoch,
and ``auto``'s choice for a full run on MNIST (``digitnet.engines.suits_reference``), so that the
rule can be read against the times.  The machine's CPU and load average are recorded.
"""

import argparse
import os
import statistics
import time

import numpy as np
from machine import cpu_model, report  # benchmarks/machine.py

from digitnet import Network, load_mnist
from digitnet.engines import get_engine, suits_reference
from digitnet.recipe import Recipe

WIDTHS = (16, 32, 64, 128, 256, 512)
BATCH_SIZES = (10, 100)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    (images, labels), _ = load_mnist(dtype=np.uint8)
    images, labels = images[: args.images], labels[: args.images]
    order = np.random.default_rng(0).permutation(len(images))
    load_before = os.getloadavg()
    results = []
    for width in WIDTHS:
        for batch_size in BATCH_SIZES:
            times = {"reference": [], "fast": []}
            nets = {}
            for name in times:
                nets[name] = Network(
                    [784, width, width, 10],
                    activation="relu",
                    cost="cross-entropy",
                    output="softmax",
                    init="he",
                    seed=0,
                )
                get_engine(name, nets[name], images).train_epoch(
                    nets[name], images[:500], labels[:500], np.arange(500), batch_size, 0.01
                )
            for _ in range(args.rounds):
                for name, runs in times.items():
                    engine = get_engine(name, nets[name], images)
                    started = time.perf_counter()
                    engine.train_epoch(nets[name], images, labels, order, batch_size, 0.01)
                    runs.append(time.perf_counter() - started)
            full_run = Recipe(epochs=15, batch_size=batch_size)
            results.append(
                {
                    "sizes": [784, width, width, 10],
                    "batch_size": batch_size,
                    "epoch_seconds": {name: statistics.median(runs) for name, runs in times.items()},
                    "auto_trains_on": "reference" if suits_reference(nets["fast"], 60_000, full_run) else "fast",
                }
            )
    report(
        {
            "benchmark": "train_crossover",
            "images": len(images),
            "rounds": args.rounds,
            "results": results,
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
            "machine": {"cpu": cpu_model(), "cores": os.cpu_count()},
        }
    )


if __name__ == "__main__":
    main()

"""Benchmark: microseconds per image fed forward by each engine, by how many images one call holds.

    DIGITNET_DATA=../shared/mnist python benchmarks/inference_crossover.py

Prints one JSON object; the fast engine's ``SPARSE_FROM`` (from how many images it feeds forward
through its padded copies of the weights rather than through W itself) is chosen from it, and it
shows whether ``auto`` (the fast engine wherever it runs) gives up much against the reference's
BLAS products at any count.  Default network, MNIST test images,
median of 5 rounds of enough calls to feed about 20,000 images, for float32 and for uint8
images (``microseconds_per_image[type][count][engine]``).
"""

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np
from machine import cpu_model, report  # benchmarks/machine.py

import digitnet
from digitnet.engines import fast

COUNTS = (1, 10, 32, 50, 64, 128, 200, 1000, 10_000)
PATHS = {"fast": fast.SPARSE_FROM, "fast through W": float("inf"), "fast through the copies": 0}


def microseconds_per_image(net, images, engine):
    net.outputs(images, engine=engine)  # warm-up (and compilation)
    calls = max(3, 20_000 // len(images))
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(calls):
            net.outputs(images, engine=engine)
        rounds.append((time.perf_counter() - started) / calls / len(images) * 1e6)
    return statistics.median(rounds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="also write the JSON result to this file")
    args = parser.parse_args()
    net = digitnet.Network(seed=0)
    load_before = os.getloadavg()
    results = {}
    for dtype in (np.float32, np.uint8):
        _, (test_images, _) = digitnet.load_mnist(dtype=dtype)
        # one engine after the other, not alternating: OpenBLAS's threads keep spinning for a while
        # after the reference's products and would slow the fast engine's threads down
        timed = {}
        for name, sparse_from in PATHS.items():
            fast.SPARSE_FROM = sparse_from
            timed[name] = {n: microseconds_per_image(net, test_images[:n], "fast") for n in COUNTS}
        fast.SPARSE_FROM = PATHS["fast"]
        timed["reference"] = {n: microseconds_per_image(net, test_images[:n], "reference") for n in COUNTS}
        results[np.dtype(dtype).name] = {str(n): {engine: timed[engine][n] for engine in timed} for n in COUNTS}
    report(
        {
            "benchmark": "inference_crossover",
            "network": net.sizes,
            "microseconds_per_image": results,
            "sparse_from": fast.SPARSE_FROM,
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
            "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version()},
        },
        args.out,
    )


if __name__ == "__main__":
    main()

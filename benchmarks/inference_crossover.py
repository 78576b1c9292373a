"""Benchmark: microseconds per image fed forward by each engine, by how many images one call holds.

    DIGITNET_DATA=../shared/mnist python benchmarks/inference_crossover.py

Prints one JSON object; ``digitnet.engines.AUTO_REFERENCE_FROM`` (where ``auto`` switches from the
fast engine to the reference's BLAS products) is chosen from it.  Default network, MNIST test images,
median of 5 rounds of enough calls to feed about 20,000 images.
"""

import json
import os
import statistics
import time

import digitnet

COUNTS = (1, 10, 32, 50, 200, 1000, 10_000)


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
    _, (test_images, _) = digitnet.load_mnist()
    net = digitnet.Network(seed=0)
    load_before = os.getloadavg()
    results = {str(n): {engine: microseconds_per_image(net, test_images[:n], engine) for engine in ("fast", "reference")}
               for n in COUNTS}
    print(json.dumps({"benchmark": "inference_crossover", "network": net.sizes, "microseconds_per_image": results,
                      "auto_reference_from": digitnet.engines.AUTO_REFERENCE_FROM,
                      "load_average_before": load_before, "load_average_after": os.getloadavg()}, indent=1))


if __name__ == "__main__":
    main()

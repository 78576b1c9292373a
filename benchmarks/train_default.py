"""Benchmark: the default `digitnet train` recipe on the full MNIST set, as one JSON object.

    DIGITNET_DATA=../shared/mnist python benchmarks/train_default.py [--epochs 30] [--engine auto]

Prints test accuracy, seconds per epoch (median, min, max; training only, without the
monitoring passes), total seconds and the peak resident memory of this process.
"""

import argparse
import json
import platform
import resource
import statistics
import time

import numpy as np

import digitnet
from digitnet.presets import DEFAULT_PRESET, PRESETS


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=PRESETS[DEFAULT_PRESET].recipe.epochs)
    parser.add_argument("--engine", default="auto")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    preset = PRESETS[DEFAULT_PRESET]
    (train_images, train_labels), test = digitnet.load_mnist()
    net = digitnet.Network(**preset.network, seed=args.seed)
    started = time.perf_counter()
    history = net.fit(
        train_images, train_labels, preset.recipe, epochs=args.epochs, seed=args.seed, test=test, engine=args.engine
    )
    seconds = [record["seconds"] for record in history]
    print(
        json.dumps(
            {
                "preset": DEFAULT_PRESET,
                "epochs": args.epochs,
                "seed": args.seed,
                "engine": net.recipe["engine"],
                "test_accuracy": history[-1]["test_accuracy"],
                "seconds_per_epoch": {"median": statistics.median(seconds), "min": min(seconds), "max": max(seconds)},
                "total_seconds": time.perf_counter() - started,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "python": platform.python_version(),
                "numpy": np.__version__,
                "digitnet": digitnet.__version__,
                "machine": platform.machine(),
                "processor": platform.processor(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()

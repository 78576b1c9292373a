"""Train every named preset with its fixed seed on MNIST and print one JSON line per preset.

    python benchmarks/presets.py [--presets 3b1b,big] [--seed 0] [--data DIR]

Each line: preset, test_accuracy (fraction of the 10,000 test images, measured once after
training), test_cost, parameters, epochs, train_seconds (wall-clock time of ``fit``: no test-set
evaluation, but the per-epoch validation for presets with a validation set), train_cpu_seconds
(CPU time of this process over all its threads during ``fit``), seconds_per_epoch (training
alone), best_epoch and validation_accuracy (the best epoch's, for presets with early stopping),
engine, and the machine's load average before and after.  The machine may be shared: wall-clock
times are only as quiet as it was, which the load averages and the CPU time (the work done,
whatever the waiting) let a reader judge.
"""

import argparse
import json
import os
import platform
import time

import numpy as np

from digitnet import Network, __version__, load_mnist
from digitnet.presets import PRESETS


def benchmark(name, train, test, seed):
    preset = PRESETS[name]
    net = Network(**preset.network, seed=seed)
    load_before = os.getloadavg()
    started, cpu_started = time.perf_counter(), time.process_time()
    history = net.fit(*train, preset.recipe, seed=seed)
    train_seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    scores = net.evaluate(*test)
    return {
        "preset": name,
        "test_accuracy": scores["accuracy"],
        "test_cost": scores["cost"],
        "parameters": net.num_parameters,
        "epochs": len(history),
        "train_seconds": round(train_seconds, 1),
        "train_cpu_seconds": round(cpu_seconds, 1),
        "seconds_per_epoch": round(float(np.mean([record["seconds"] for record in history])), 2),
        "best_epoch": net.recipe.get("best_epoch"),
        "validation_accuracy": max(
            (record["validation_accuracy"] for record in history if record["validation_accuracy"] is not None),
            default=None,
        ),
        "engine": net.recipe["engine"],
        "seed": seed,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "numpy": np.__version__,
        "python": platform.python_version(),
        "digitnet": __version__,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default=",".join(PRESETS), help="comma-separated preset names (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", help="MNIST folder (default: $DIGITNET_DATA or the cache)")
    args = parser.parse_args()
    names = args.presets.split(",")
    unknown = [name for name in names if name not in PRESETS]
    if unknown:
        parser.error(f"unknown presets {unknown}; choose from {', '.join(PRESETS)}")
    train, test = load_mnist(args.data)
    for name in names:
        print(json.dumps(benchmark(name, train, test, args.seed)), flush=True)


if __name__ == "__main__":
    main()

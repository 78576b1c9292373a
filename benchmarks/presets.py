"""Train every named preset with its fixed seed on MNIST and print one JSON line per preset.

    python benchmarks/presets.py [--presets 3b1b,big] [--seed 0] [--data DIR] [--epochs N]
        [--engine auto] [--code DIR DIR ...] [--out FILE]

Each line: preset, test_accuracy (fraction of the 10,000 test images, measured once after
training), test_cost, parameters, epochs, train_seconds (wall-clock time of ``fit``: no test-set
evaluation, but the per-epoch validation for presets with a validation set), train_cpu_seconds
(CPU time of this process over all its threads during ``fit``), seconds_per_epoch (training
alone), best_epoch and validation_accuracy (the best epoch's, for presets with early stopping),
engine, and the machine's load average before and after.  The machine may be shared: wall-clock
times are only as quiet as it was, which the load averages and the CPU time (the work done,
whatever the waiting) let a reader judge.  ``--epochs`` trains each preset for that many
epochs instead of its own (its schedule then spans those epochs), for shorter runs that still
time whole epochs of its recipe; ``--engine`` trains on that engine instead of ``auto``'s choice.

``--code`` compares folders holding a ``digitnet`` package (two checkouts, say): each preset is
trained in a child process with each folder's code in turn (preset 1 with every folder, then
preset 2…), so that a change in the machine's load falls on all of them alike, after one untimed
child per folder that loads (or compiles) its fast engine's kernels into the compile cache.  The
lines, the CPU model and the load averages are printed (and written to ``--out``) as one JSON object.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from machine import cpu_model, report  # benchmarks/machine.py

from digitnet import Network, __version__, load_mnist
from digitnet.presets import PRESETS


def benchmark(name, train, test, seed, epochs=None, engine="auto"):
    preset = PRESETS[name]
    net = Network(**preset.network, seed=seed)
    recipe = preset.recipe if epochs is None else preset.recipe.replace(epochs=epochs)
    load_before = os.getloadavg()
    started, cpu_started = time.perf_counter(), time.process_time()
    history = net.fit(*train, recipe, seed=seed, engine=engine)
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
        "epoch_seconds_median": round(float(np.median([record["seconds"] for record in history])), 3),
        "best_epoch": net.recipe.get("best_epoch"),
        "validation_accuracy": max(
            (record["validation_accuracy"] for record in history if record["validation_accuracy"] is not None),
            default=None,
        ),
        "engine": net.recipe["engine"],
        "seed": seed,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "numpy": np.__version__,
        "python": platform.python_version(),
        "digitnet": __version__,
    }


def child(code, arguments):
    """The JSON lines printed by this script run as a child process with ``code`` (a folder) first
    on the path."""
    environment = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run([sys.executable, __file__, *arguments], capture_output=True, text=True, env=environment)
    if done.returncode:
        raise SystemExit(f"{arguments} failed with {code}: {done.stderr.strip().splitlines()[-1:]}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def compare(codes, names, arguments, out):
    """Every preset in ``names`` with every folder of ``codes`` in turn (see the module docstring)."""
    load_before = os.getloadavg()
    for code in codes:  # untimed: the kernels into the compile cache
        child(code, ["--presets", "3b1b", "--epochs", "1", "--engine", "fast", "--limit", "2000"])
    results = {str(code): [] for code in codes}
    for name in names:
        for code in codes:
            print(f"{name}: {code}", file=sys.stderr, flush=True)
            results[str(code)] += child(code, ["--presets", name, *arguments])
    report(
        {
            "cpu": cpu_model(),
            "cpus": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "arguments": arguments,
            "results": results,
        },
        out,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default=",".join(PRESETS), help="comma-separated preset names (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", help="MNIST folder (default: $DIGITNET_DATA or the cache)")
    parser.add_argument("--epochs", type=int, help="epochs instead of each preset's own")
    parser.add_argument("--engine", default="auto", help="the engine to train on (default: auto's choice)")
    parser.add_argument("--limit", type=int, help="train on the first LIMIT training images only")
    parser.add_argument("--code", nargs="+", type=Path, help="folders holding a digitnet package to compare")
    parser.add_argument("--out", type=Path, help="with --code: also write the JSON object to this file")
    args = parser.parse_args()
    names = args.presets.split(",")
    unknown = [name for name in names if name not in PRESETS]
    if unknown:
        parser.error(f"unknown presets {unknown}; choose from {', '.join(PRESETS)}")
    if args.code:
        arguments = ["--seed", str(args.seed), "--engine", args.engine]
        arguments += ["--epochs", str(args.epochs)] if args.epochs else []
        arguments += ["--data", args.data] if args.data else []
        compare(args.code, names, arguments, args.out)
        return
    (train_images, train_labels), test = load_mnist(args.data)
    train = train_images[: args.limit], train_labels[: args.limit]
    for name in names:
        print(json.dumps(benchmark(name, train, test, args.seed, args.epochs, args.engine)), flush=True)


if __name__ == "__main__":
    main()

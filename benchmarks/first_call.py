"""Benchmark: how long a user waits on a fresh install (empty compile cache) and after it, as one JSON object.

    DIGITNET_DATA=../shared/mnist python benchmarks/first_call.py [--rounds 3] [--code DIR ...]

Each measurement is a child process started as a user would start ``digitnet`` (with the
Python running this script), timed from start to exit, with its peak resident memory and
that of the largest process it started and waited for (``children_peak_rss_mb``: the fast
engine compiles its kernels in a child process when the compile cache has none), and the
largest memory of the two together, sampled every ``SAMPLE_SECONDS`` (the sum over the
process and everything it started of the resident memory, ``together_peak_rss_mb``, and of the
proportional share, ``together_peak_pss_mb``, which counts pages both map, such as Numba's
compiler library, once; Linux only):

    predict       ``digitnet predict`` of one picture with the shipped network
    train         ``digitnet train --epochs 1`` (the default recipe on all of MNIST)
    train-30      ``digitnet train`` (the default recipe's 30 epochs)
    import        ``import digitnet`` and one ``Network().predict`` of one image: which of
                  numba and matplotlib it loaded

each once with an empty compile cache (a new NUMBA_CACHE_DIR, as after installing) and once
with the cache that run left ("warm"), so the difference is the compiler's work.  ``--code``
names folders holding a ``digitnet`` package to compare (by default, the one this script
imports); the folders and the rounds are interleaved (round 1 of every folder, then round 2…),
so that a change in the machine's load falls on all of them alike.  ``--commands`` names the
commands to run (all by default).  Medians over the rounds; the machine's CPU and load average
before and after are recorded.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from machine import cpu_model, report  # benchmarks/machine.py

ROOT = Path(__file__).resolve().parent.parent
PICTURE = ROOT / "tests" / "data" / "drawn_digits" / "digit-3-0.png"
COMMANDS = ("import", "predict", "train", "train-30")
SAMPLE_SECONDS = 0.05

CHILD = """
import json, resource, sys, time
command = sys.argv[1]
if command == "import":
    import numpy as np
    import digitnet
    net = digitnet.Network(seed=0)
    net.predict(np.zeros(784, np.float32))
    print(json.dumps({"numba_loaded": "numba" in sys.modules, "matplotlib_loaded": "matplotlib" in sys.modules}))
else:
    from digitnet.cli import main
    status = main(sys.argv[1:])
    if status:
        sys.exit(status)
print(json.dumps({
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "children_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
}))
"""


def run(code, cache, command, folder):
    """Seconds, peak MB and last JSON lines of one child process running ``command`` with ``code``."""
    arguments = {
        "predict": ["predict", str(ROOT / "digitnet" / "models" / "3b1b.npz"), str(PICTURE)],
        "train": ["train", "--epochs", "1", "--json", "--out", os.path.join(folder, "model.npz")],
        "train-30": ["train", "--json", "--out", os.path.join(folder, "model.npz")],
        "import": ["import"],
    }[command]
    environment = {**os.environ, "PYTHONPATH": str(code), "NUMBA_CACHE_DIR": cache}
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        cwd=folder,
    )
    together = {"rss": 0.0, "pss": 0.0}
    sampler = threading.Thread(target=sample_together, args=(child, together))
    sampler.start()
    stdout, stderr = child.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    if child.returncode:
        raise SystemExit(f"{command} failed with {code}: {stderr.strip().splitlines()[-1:]}")
    lines = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    result = {
        "seconds": seconds,
        **lines[-1],
        "together_peak_rss_mb": together["rss"],
        "together_peak_pss_mb": together["pss"],
    }
    if command == "import":
        result.update(lines[-2])
    return result


def sample_together(child, together):
    """Until ``child`` ends, every ``SAMPLE_SECONDS``: the resident memory (and proportional share) of
    it and of every process it started, summed; keep the largest sums in ``together`` (MB)."""
    while child.poll() is None:
        rss = pss = 0.0
        for pid in process_tree(child.pid):
            try:
                with open(f"/proc/{pid}/smaps_rollup") as rollup:
                    fields = dict(line.split()[:2] for line in rollup if line.split()[0] in ("Rss:", "Pss:"))
            except OSError:  # it ended meanwhile
                continue
            rss += int(fields.get("Rss:", 0)) / 1024
            pss += int(fields.get("Pss:", 0)) / 1024
        together["rss"], together["pss"] = max(together["rss"], rss), max(together["pss"], pss)
        time.sleep(SAMPLE_SECONDS)


def process_tree(pid):
    """``pid`` and every process it started, and they started (Linux: each thread's list of children)."""
    tree, waiting = [], [pid]
    while waiting:
        current = waiting.pop()
        tree.append(current)
        try:
            threads = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for thread in threads:
            try:
                with open(f"/proc/{current}/task/{thread}/children") as children:
                    waiting.extend(int(child) for child in children.read().split())
            except OSError:
                continue
    return tree


def one_round(code, folder, commands):
    """Every command with an empty cache, then with the cache it left."""
    results = {}
    for command in commands:
        with tempfile.TemporaryDirectory() as cache:
            results[f"{command} empty cache"] = run(code, cache, command, folder)
            results[f"{command} warm cache"] = run(code, cache, command, folder)
    return results


def summary(rounds):
    """Medians over the rounds, and the compiler's share (empty minus warm)."""
    keys = rounds[0].keys()
    result = {
        key: {
            "seconds": statistics.median(r[key]["seconds"] for r in rounds),
            "seconds_each": [r[key]["seconds"] for r in rounds],
            "peak_rss_mb": statistics.median(r[key]["peak_rss_mb"] for r in rounds),
            "children_peak_rss_mb": statistics.median(r[key]["children_peak_rss_mb"] for r in rounds),
            "peak_rss_mb_plus_children_peak_rss_mb": statistics.median(
                r[key]["peak_rss_mb"] + r[key]["children_peak_rss_mb"] for r in rounds
            ),
            "together_peak_rss_mb": statistics.median(r[key]["together_peak_rss_mb"] for r in rounds),
            "together_peak_pss_mb": statistics.median(r[key]["together_peak_pss_mb"] for r in rounds),
        }
        for key in keys
    }
    for key in keys:
        if "numba_loaded" in rounds[0][key]:
            result[key].update(
                numba_loaded=rounds[0][key]["numba_loaded"], matplotlib_loaded=rounds[0][key]["matplotlib_loaded"]
            )
    for command in ("train", "train-30"):
        if f"{command} empty cache" not in rounds[0]:
            continue
        result[f"{command}: first run minus the next, seconds"] = statistics.median(
            r[f"{command} empty cache"]["seconds"] - r[f"{command} warm cache"]["seconds"] for r in rounds
        )
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--code", nargs="+", default=[str(ROOT)], help="folders holding a digitnet package")
    parser.add_argument("--commands", nargs="+", choices=COMMANDS, default=list(COMMANDS))
    parser.add_argument("--out", type=Path, help="also write the JSON result to this file")
    args = parser.parse_args()
    load_before = os.getloadavg()
    rounds = {code: [] for code in args.code}
    with tempfile.TemporaryDirectory() as folder:
        for number in range(args.rounds):
            for code in args.code:
                print(f"round {number + 1}: {code}", file=sys.stderr, flush=True)
                rounds[code].append(one_round(code, folder, args.commands))
    report(
        {
            "benchmark": "first_call",
            "rounds": args.rounds,
            "commands": args.commands,
            "results": {code: summary(runs) for code, runs in rounds.items()},
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
            "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version()},
        },
        args.out,
    )


if __name__ == "__main__":
    main()

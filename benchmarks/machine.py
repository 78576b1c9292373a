"""What every benchmark records about the machine it ran on, and how it hands over its result."""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu_model():
    """The CPU's model name, as lscpu shows it (from /proc/cpuinfo), else what ``platform`` reports."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            names = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
    except OSError:
        names = []
    return names[0] if names else platform.processor()


def report(result, out=None):
    """Print ``result`` as JSON, and write it to the file ``out`` (a Path) when one is given."""
    text = json.dumps(result, indent=1)
    print(text)
    if out:
        out.write_text(text + "\n")


def before_and_after_arguments(description):
    """The command line of a benchmark that times the working tree against a commit: ``before``,
    ``rounds`` and ``out``, parsed."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--before", required=True, help="the commit to compare the working tree with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    return parser.parse_args()


def json_from_tree(tree, code, *arguments):
    """What ``python -c code arguments`` prints as JSON, run in a fresh process that imports
    digitnet from the source tree ``tree``.  The process runs in ``tree``: ``python -c`` puts its
    working folder first on the path, ahead of PYTHONPATH."""
    environment = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run(
        [sys.executable, "-c", code, *arguments], cwd=tree, env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def before_and_after(before, measure, rounds, unit):
    """Time the working tree against the commit ``before`` (exported with ``git archive`` into a
    temporary folder), in turns: ``measure(tree)`` for the commit, then for the working tree, each
    round.  Returns the result's fields: both commits, every round's figure under ``unit``, their
    medians and after/before."""
    commit = subprocess.run(["git", "rev-parse", before], cwd=ROOT, capture_output=True, text=True, check=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    edited = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True)
    times = {"before": [], "after": []}
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(["git", "archive", commit.stdout.strip()], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", folder], input=archive.stdout, check=True)
        for _ in range(rounds):
            times["before"].append(measure(folder))
            times["after"].append(measure(ROOT))
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {
        "before_commit": commit.stdout.strip(),
        "after_commit": head.stdout.strip() + (" with uncommitted changes" if edited.stdout.strip() else ""),
        unit: times,
        f"median_{unit}": medians,
        "after_over_before": medians["after"] / medians["before"],
    }

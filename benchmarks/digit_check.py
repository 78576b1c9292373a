"""Benchmark of an experiment: benchmarks/rejection.py's sets with a fitted digit check added.

    DIGITNET_DATA=../shared/mnist python benchmarks/digit_check.py CHECK_DIR [--out benchmarks/results/digit_check.json]

CHECK_DIR holds what scripts/fit_digit_check.py wrote.  For every shipped network, a picture is
rejected when the shipped rejection says so (density model, drawing check, blank) *or* the digit
check does; the JSON has benchmarks/rejection.py's fields, plus the check's own settings.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "scripts")]

from fit_digit_check import DigitCheck  # noqa: E402
from machine import cpu_model, report  # noqa: E402
from rejection import benchmark, picture_sets  # noqa: E402

import digitnet  # noqa: E402
from digitnet.models import SHIPPED, load_shipped  # noqa: E402


class WithDigitCheck:
    """A network whose batch ``predict_or_reject`` also rejects what ``check`` rejects."""

    def __init__(self, net, check):
        self.net, self.check = net, check

    def __getattr__(self, name):
        return getattr(self.net, name)

    def predict_or_reject(self, images, drawings=None):
        verdict = self.net.predict_or_reject(images, drawings=drawings)
        rejected = verdict.rejected | self.check.rejects(np.atleast_2d(images))
        unsure = verdict.unsure & ~rejected
        state = np.where(rejected, "rejected", np.where(unsure, "unsure", "sure"))
        return verdict._replace(
            digit=np.where(rejected, -1, verdict.outputs.argmax(axis=1)), rejected=rejected, unsure=unsure, state=state
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("check", type=Path, help="folder written by scripts/fit_digit_check.py")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    check = DigitCheck.load(args.check)
    _, test = digitnet.load_mnist()
    sets = picture_sets()
    result = {
        "cpu": cpu_model(),
        "digitnet_version": digitnet.__version__,
        "digit_check": json.loads((args.check / "digit_check.json").read_text()),
        "networks": [benchmark(name, WithDigitCheck(load_shipped(name), check), test, sets) for name in SHIPPED],
    }
    report(result, args.out)


if __name__ == "__main__":
    main()

"""An experiment, not shipped: a small "is this one digit?" network trained against generated non-digits.

    DIGITNET_DATA=../shared/mnist python scripts/fit_digit_check.py --out DIR [--seed 0] [--count 3000]

The density model of ``digitnet.rejection`` knows only how digits vary.  This check is shown what
is *not* a digit: a 784 → 64 → 2 network (ReLU, softmax, cross-entropy, trained with digitnet's
own ``Network.fit``) whose second output is P(not a digit), on the 784 pixels the digit network
reads.  Digits (label 0): a spread sample of MNIST training digits (never the last 10,000) and
the drawing hand's digits (shown four times).  Not digits (label 1): generated non-digits
(scripts/digit_check_pictures.py, shown twice).  Of the generated pictures a fifth is kept aside
for validation, and another fifth of the hand's digits for calibration: the threshold refuses at
most REFUSED_DIGITS of the held-out MNIST training digits and REFUSED_HAND of those.  Writes
DIR/digit_check.npz (the network) and DIR/digit_check.json (threshold, settings, validation
rates) and prints the JSON.  Same seed, same machine: the same files, bit for bit.
benchmarks/digit_check.py measures it on the evaluation pictures.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from digit_check_pictures import hand_digits, non_digits  # noqa: E402

from digitnet import Network, load_mnist  # noqa: E402
from digitnet.files import atomic_write  # noqa: E402
from digitnet.rejection import HELD_OUT  # noqa: E402

SIZES = (784, 64, 2)
MNIST_DIGITS = 8000
REFUSED_DIGITS = 0.005  # share of held-out MNIST digits the threshold may refuse
REFUSED_HAND = 0.01  # share of the held-out hand digits the threshold may refuse
KINDS = ("marks", "glyph rows", "charts", "photographs")  # the order of non_digits' kinds


class DigitCheck:
    """A trained ``network`` (784 → … → 2, output 1 = not a digit) and its ``threshold`` on P(not a digit)."""

    def __init__(self, network, threshold):
        self.network, self.threshold = network, float(threshold)

    def probability(self, images):
        """P(not a digit) for (n, 784) inputs: (n,) floats."""
        outputs = np.asarray(self.network.outputs(images, engine="reference"), dtype=np.float64)
        return outputs[..., 1] / np.maximum(outputs.sum(axis=-1), 1e-12)

    def rejects(self, images):
        """(n,) bool: True where an input is not a digit."""
        return self.probability(images) > self.threshold

    @classmethod
    def load(cls, folder):
        settings = json.loads((Path(folder) / "digit_check.json").read_text())
        return cls(Network.load(Path(folder) / "digit_check.npz"), settings["threshold"])


def fit_check(mnist, hand, others, held_out_digits, held_out_hand, seed, epochs=30):
    """A DigitCheck trained on (n, 784) ``mnist`` and ``hand`` digits against ``others``; its threshold
    refuses at most REFUSED_DIGITS of ``held_out_digits`` (MNIST) and REFUSED_HAND of ``held_out_hand``."""
    digits = np.vstack([mnist] + [hand] * 4)
    images = np.vstack([digits, others, others]).astype(np.float32)
    labels = np.r_[np.zeros(len(digits)), np.ones(2 * len(others))].astype(np.int64)
    net = Network(SIZES, activation="relu", output="softmax", cost="cross-entropy", seed=seed)
    net.fit(images, labels, epochs=epochs, batch_size=32, lr=0.1, seed=seed, engine="reference")
    check = DigitCheck(net, threshold=1.0)
    check.threshold = max(
        float(np.quantile(check.probability(held_out_digits), 1 - REFUSED_DIGITS)),
        float(np.quantile(check.probability(held_out_hand), 1 - REFUSED_HAND)),
    )
    return check


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for digit_check.npz and .json")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=3000, help="generated non-digits and hand digits, each")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    (train_images, _), _ = load_mnist()
    fitting = train_images[:-HELD_OUT]
    mnist = fitting[rng.choice(len(fitting), MNIST_DIGITS, replace=False)]
    hand, others = hand_digits(rng, args.count), non_digits(rng, args.count)
    fifth = len(hand) // 5
    hand_fit, hand_calibrate, hand_val = hand[: 3 * fifth], hand[3 * fifth : 4 * fifth], hand[4 * fifth :]
    start = len(others) * 4 // 5
    check = fit_check(mnist, hand_fit, others[:start], train_images[-HELD_OUT:], hand_calibrate, args.seed)
    rejected, kind = check.rejects(others[start:]), np.arange(start, len(others)) % len(KINDS)
    report = {
        "threshold": check.threshold,
        "sizes": list(SIZES),
        "seed": args.seed,
        "count": args.count,
        "held_out_mnist_refused": float(check.rejects(train_images[-HELD_OUT:]).mean()),
        "validation_hand_digits_refused": float(check.rejects(hand_val).mean()),
        "validation_non_digits_refused": float(rejected.mean()),
        **{f"validation_{name}_refused": float(rejected[kind == k].mean()) for k, name in enumerate(KINDS)},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    check.network.save(args.out / "digit_check.npz")
    with atomic_write(args.out / "digit_check.json") as file:
        file.write(json.dumps(report, indent=1).encode())
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()

"""Two figures the tutorial quotes about a network's first hidden layer, one JSON object.

    DIGITNET_DATA=../shared/mnist python benchmarks/layer_one_switches.py [MODEL]

    switch_share   the share of layer 1's activations on the 10,000 MNIST test images that are
                   below 0.01 or above 0.99 (its neurons work as switches)
    grey_max_abs_z the largest |z| = |W[1] a + b[1]| of layer 1 on a flat grey image (every pixel
                   0.5), where activation maximization starts
MODEL is a model file or a shipped name (default: 3b1b).
"""

import sys

import numpy as np
from machine import report  # benchmarks/machine.py

import digitnet
from digitnet.models import load_named


def main():
    model = sys.argv[1] if len(sys.argv) > 1 else "3b1b"
    net = load_named(model)
    _, (test_images, _) = digitnet.load_mnist()
    layer_one = net.feedforward(test_images, every_layer=True)[1]
    grey_z = np.asarray(net.weights[0], float) @ np.full(784, 0.5) + np.asarray(net.biases[0], float).ravel()
    report(
        {
            "model": model,
            "switch_share": float(((layer_one < 0.01) | (layer_one > 0.99)).mean()),
            "grey_max_abs_z": float(np.abs(grey_z).max()),
        }
    )


if __name__ == "__main__":
    main()

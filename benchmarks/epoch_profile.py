"""Benchmark: where the fast engine's epoch goes, in CPU seconds of the one thread that runs it, as one JSON object.

    DIGITNET_DATA=../shared/mnist python benchmarks/epoch_profile.py

On the 60,000 training images as uint8 pixel values (as ``digitnet train`` reads them), the video's
network (784-16-16-10) in mini-batches of 10, median of 7 rounds (thread CPU time, which other
jobs on a shared machine inflate less than wall-clock time):

    train                    one epoch of training, in a shuffled order
    forward, shuffled        feeding the same images forward in that order (a copy of them in
                             it, 16 at a time), the first layer over each image's nonzero
                             pixels, as training does
    forward, in order        the same in the stored order
    forward, in blocks       the same, every layer 4 images at a time over the inputs not 0 in
                             all 4 (simd.block_sums), as inference does
    nonzero pixels           finding each image's nonzero pixels and their values, alone
    nonzero pixels + sums    the same, then the first layer's weighted sums over them
"""

import json
import os
import statistics
import time

import numba
import numpy as np
from machine import cpu_model  # benchmarks/machine.py

from digitnet import Network, load_mnist
from digitnet.engines import fast, simd

ROUNDS = 7


@numba.njit(nogil=True)
def _nonzero_only(images, pixel_values, pixels, values):
    found = 0
    for i in range(images.shape[0]):
        found += fast._nonzero_pixels(images[i], pixel_values, pixels, values)
    return found


@numba.njit(nogil=True)
def _nonzero_and_sums(images, pixel_values, pixels, values, rows, biases, z):
    check = 0.0
    for i in range(images.shape[0]):
        count = fast._nonzero_pixels(images[i], pixel_values, pixels, values)
        simd.sum_rows(z, rows, pixels, values, count, biases)
        check += z[0]
    return check


def cpu_seconds(work):
    work()  # compiles, and warms the caches
    times = []
    for _ in range(ROUNDS):
        started = time.thread_time()
        work()
        times.append(time.thread_time() - started)
    return {"median": statistics.median(times), "min": min(times), "max": max(times)}


def main():
    load_before = os.getloadavg()
    (images, labels), _ = load_mnist(dtype=np.uint8)
    labels = labels.astype(np.int64)
    net = Network(seed=0)
    codes, layers = fast._codes(net), fast._layers(net)
    order = np.random.default_rng(0).permutation(len(images))
    outputs = np.empty((len(images), 10), np.float32)
    lr = np.float32(1.0)
    pixel_values = fast._PIXEL_VALUES[net.dtype]
    pixels, values = np.empty(784, np.int32), np.empty(784, np.float32)
    z = np.zeros(16, np.float32)
    shuffled = images[order]  # the images in training's order, stored so
    timed = {
        "train": cpu_seconds(
            lambda: fast._train_steps(
                images, order, labels, lr, layers, codes, fast._buffers(net, 10, layers), fast._stepping(net, None)
            )
        ),
        "forward, shuffled": cpu_seconds(
            lambda: fast._outputs_rows(shuffled, False, layers, codes, fast._buffers(net, fast.TOGETHER), outputs)
        ),
        "forward, in order": cpu_seconds(
            lambda: fast._outputs_rows(images, False, layers, codes, fast._buffers(net, fast.TOGETHER), outputs)
        ),
        "forward, in blocks": cpu_seconds(
            lambda: fast._outputs_rows(images, True, layers, codes, fast._buffers(net, fast.TOGETHER), outputs)
        ),
        "nonzero pixels": cpu_seconds(lambda: _nonzero_only(images, pixel_values, pixels, values)),
        "nonzero pixels + sums": cpu_seconds(
            lambda: _nonzero_and_sums(images, pixel_values, pixels, values, layers.forward_rows[0], layers.biases[0], z)
        ),
    }
    count = len(images)
    print(
        json.dumps(
            {
                "benchmark": "epoch_profile",
                "network": net.sizes,
                "batch_size": 10,
                "images": count,
                "nonzero_pixels_per_image": int(np.count_nonzero(images)) / count,
                "cpu_seconds": timed,
                "nanoseconds_per_image": {name: seconds["median"] / count * 1e9 for name, seconds in timed.items()},
                "load_average_before": load_before,
                "load_average_after": os.getloadavg(),
                "machine": {
                    "cpu": cpu_model(),
                    "cores": os.cpu_count(),
                    "numba": numba.__version__,
                },
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()

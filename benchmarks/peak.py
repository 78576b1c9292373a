"""Benchmark: this machine's measured peak on one core, and the per-epoch lower bound it gives, as one JSON object.

    DIGITNET_DATA=../shared/mnist python benchmarks/peak.py

Peak arithmetic: float32 matrix products (OpenBLAS sgemm, 1 thread, 1024 × 1024, best of 20),
in multiply-adds per second.  Peak memory reading: the sum of a 256 MB float32 array (best of
5), in bytes per second.  The work of one epoch of the video's network (784-16-16-10, mini-batches
of 10) on the 60,000 training images, counted as the fast engine does it (the first layer over
the nonzero pixels only):

    forward    nonzero pixels × 16  +  16 × 16  +  16 × 10          multiply-adds per example
    backward   δ below: 10 × 16 + 16 × 16;  gradients: 16 × 10 + 16 × 16 + nonzero pixels × 16

and the bytes of the images read once.  The lower bound is the larger of the arithmetic at the
peak and the reading at the peak; ``docs/performance.md`` compares the engines with it.

The same for feeding one test image forward, on one core, counted as the fast engine's inference
does it (``simd.block_sums``: each layer over the inputs not 0 in at least one of the 4 images
taken together, 16 multiply-adds per input and image):

    used pixels of 4 images together × 16  +  16 × 16  +  16 × 10       multiply-adds per image

and the image's bytes (784 as uint8, 3,136 as float32), in nanoseconds per image.
"""

import json
import os
import time

import numpy as np
from machine import cpu_model  # benchmarks/machine.py
from threadpoolctl import threadpool_limits

from digitnet import load_mnist
from digitnet.engines import simd

SIZES = (784, 16, 16, 10)


def best_seconds(work, repeats):
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main():
    load_before = os.getloadavg()
    rng = np.random.default_rng(0)
    a, b = rng.random((1024, 1024), dtype=np.float32), rng.random((1024, 1024), dtype=np.float32)
    with threadpool_limits(1, user_api="blas"):
        a @ b
        multiply_adds_per_second = 1024**3 / best_seconds(lambda: a @ b, 20)
    big = np.ones(64 * 2**20, np.float32)
    big.sum()
    bytes_per_second = big.nbytes / best_seconds(big.sum, 5)
    (images, _), _ = load_mnist()
    nonzero = int(np.count_nonzero(images))
    n = len(images)
    h1, h2, out = SIZES[1:]
    forward = nonzero * h1 + n * (h1 * h2 + h2 * out)
    backward = n * (out * h2 + h2 * h1) + n * (h2 * out + h1 * h2) + nonzero * h1
    arithmetic_seconds = (forward + backward) / multiply_adds_per_second
    reading = {"uint8": images.size, "float32": images.size * 4}
    _, (test_images, _) = load_mnist()
    together = simd.IMAGES_TOGETHER
    kept = len(test_images) // together * together
    used = test_images[:kept].reshape(-1, together, SIZES[0]).any(axis=1).sum() / (kept // together)  # per group
    inference = used * h1 + h1 * h2 + h2 * out
    print(
        json.dumps(
            {
                "benchmark": "peak",
                "network": list(SIZES),
                "batch_size": 10,
                "training_images": n,
                "nonzero_pixels_per_image": nonzero / n,
                "multiply_adds_per_epoch": {"forward": forward, "backward": backward, "total": forward + backward},
                "peak_multiply_adds_per_second_1_core": multiply_adds_per_second,
                "peak_read_bytes_per_second_1_core": bytes_per_second,
                "epoch_lower_bound_seconds": {
                    "arithmetic at peak": arithmetic_seconds,
                    **{f"reading the images once ({kind})": size / bytes_per_second for kind, size in reading.items()},
                },
                "inference_multiply_adds_per_image": inference,
                "inference_lower_bound_nanoseconds_per_image_1_core": {
                    "arithmetic at peak": inference / multiply_adds_per_second * 1e9,
                    **{
                        f"reading the image once ({kind})": size / len(images) / bytes_per_second * 1e9
                        for kind, size in reading.items()
                    },
                },
                "load_average_before": load_before,
                "load_average_after": os.getloadavg(),
                "machine": {
                    "cpu": cpu_model(),
                    "cores": os.cpu_count(),
                    "numpy": np.__version__,
                },
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()

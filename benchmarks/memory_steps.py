"""Benchmark: where a training process's memory goes, step by step, as one JSON object.

    DIGITNET_DATA=../shared/mnist python benchmarks/memory_steps.py

The resident memory (RSS, MB) of this process after each step that ``digitnet train`` takes
with the fast engine: importing digitnet, reading MNIST as uint8 pixel values, importing Numba,
loading (or compiling, with an empty cache) and checking the training kernel, then the kernel
for feeding many images forward, then one epoch; and the peak.  Run it with the compile cache
warm to see what is not the compiler's.
"""

import os
import resource

import numpy as np
from machine import cpu_model, report  # benchmarks/machine.py


def rss_mb():
    """This process's resident memory now, in MB (Linux: /proc/self/statm)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main():
    steps = {"python and numpy": rss_mb()}
    import digitnet

    steps["import digitnet"] = rss_mb()
    (images, labels), _ = digitnet.load_mnist(dtype=np.uint8)
    steps["MNIST as uint8"] = rss_mb()
    import numba  # noqa: F401

    steps["import numba"] = rss_mb()
    from digitnet.engines import fast

    net = digitnet.Network(seed=0)
    fast.unsupported(net, np.uint8, "train")
    steps["training kernel loaded and checked"] = rss_mb()
    fast.unsupported(net, np.uint8, "rows")
    steps["inference kernel loaded and checked"] = rss_mb()
    net.fit(images, labels, epochs=1, engine="fast")
    steps["one epoch"] = rss_mb()
    report(
        {
            "benchmark": "memory_steps",
            "rss_mb_after": steps,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "machine": {"cpu": cpu_model(), "cores": os.cpu_count()},
        }
    )


if __name__ == "__main__":
    main()

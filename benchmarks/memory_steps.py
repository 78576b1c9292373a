"""Benchmark: where a training process's memory goes, step by step, as one JSON object.

    DIGITNET_DATA=../shared/mnist python benchmarks/memory_steps.py

The resident memory (RSS, MB) of this process after each step that ``digitnet train`` takes
with the fast engine: importing digitnet, reading MNIST as uint8 pixel values, importing Numba,
loading (or compiling, with an empty cache) and checking the training kernel, then the kernel
for feeding many images forward, then one epoch, then what the command does after training:
fitting the "not a digit" model, and evaluating on the test set with the engine that trained.
As the command does, it first asks the C allocator to give large freed blocks back to the
system (``digitnet.cli.train.give_freed_arrays_back``).  After each step
also the peak so far, so that a step whose temporary arrays are freed before it ends shows
where the peak comes from.  Run it with the compile cache warm to see what is not the
compiler's.
"""

import os
import resource

import numpy as np
from machine import cpu_model, report  # benchmarks/machine.py


def rss_mb():
    """This process's resident memory now, in MB (Linux: /proc/self/statm)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb():
    """This process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    steps, peaks = {}, {}

    def step(name):
        steps[name], peaks[name] = rss_mb(), peak_mb()

    step("python and numpy")
    import digitnet
    from digitnet.cli.train import fit_rejector_for, give_freed_arrays_back

    give_freed_arrays_back()

    step("import digitnet")
    (images, labels), test = digitnet.load_mnist(dtype=np.uint8)
    step("MNIST as uint8")
    import numba  # noqa: F401

    step("import numba")
    from digitnet.engines import fast

    net = digitnet.Network(seed=0)
    fast.unsupported(net, np.uint8, "train")
    step("training kernel loaded and checked")
    fast.unsupported(net, np.uint8, "rows")
    step("inference kernel loaded and checked")
    net.fit(images, labels, epochs=1, engine="fast", test=test, monitor=True)
    step("one epoch, the test set evaluated")
    fit_rejector_for(net, images, labels)
    step('"not a digit" model fitted')
    net.evaluate(*test, engine=net.recipe["engine"])
    step("test set evaluated by the training engine")
    report(
        {
            "benchmark": "memory_steps",
            "rss_mb_after": steps,
            "peak_rss_mb_after": peaks,
            "peak_rss_mb": peak_mb(),
            "machine": {"cpu": cpu_model(), "cores": os.cpu_count()},
        }
    )


if __name__ == "__main__":
    main()

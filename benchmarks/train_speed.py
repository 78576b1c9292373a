"""Benchmark: training and inference speed of digitnet's engines (and PyTorch, when installed), as one JSON object.

    DIGITNET_DATA=../shared/mnist python benchmarks/train_speed.py [--epochs 5] [--no-torch]
        [--config "784-16-16-10 batch 10" ...] [--no-train-command]

For each configuration (the video's network 784-16-16-10 with mini-batches of 10; the same with
mini-batches of 100; 784-100-10 with mini-batches of 10; all sigmoid, quadratic cost, lr 3.0,
but 784-100-10 at lr 1.0: at 3.0 it collapses to constant outputs in its first epoch from some
starts, seed 0 among them, on either engine and in float64 too, and digitnet stops such training)
and each engine, side by side in this one process: one warm-up epoch, then ``--epochs`` timed
epochs, taken in turns (an epoch of each engine, then the next round), so that a change in the
machine's load falls on every engine alike.  An epoch is
``net.fit(images, labels, epochs=1, batch_size=..., lr=..., engine=...)`` on the 60,000 training
images as ``load_mnist`` returns them (float32; the fast engine also on uint8 pixel values, as
``digitnet train`` reads them), without test data or monitoring; its wall-clock
seconds (median, min, max) and the CPU seconds of this process are reported, and the test
accuracy after the timed epochs.  The reference engine is timed with BLAS on 1 thread and on
all cores.  PyTorch (``nn.Sequential`` + ``optim.SGD``, tensor indexing, no DataLoader, the
same starting weights and cost Σ (a − y)²) runs when ``torch`` is importable, with its default
threads and with 1, and with 1 and ``torch.set_flush_denormal(True)`` (numbers below float's
normal range as 0, as the fast engine's kernels run).

Inference: images per second for the 10,000 test images in one call (median of 40 calls),
and the latency of one image through ``net.outputs`` (median over 5 rounds of 400 images),
the engines taking turns (see ``time_inference``).
Peak memory: this process's, and that of ``digitnet train`` (default recipe, 1 epoch, run as
a child process) with each engine, and on a first run of the fast engine, with an empty
compile cache (``--train-command-only`` measures just that, ``--no-train-command`` skips it).
``--config`` times only the configurations named (all by default); ``--inference-only`` times
inference alone, after one untimed epoch of training, for the fast engine (float32 and uint8
images), the reference and PyTorch with its default threads (about a minute a configuration).  The machine: CPU model,
cores, load average before and after (other work on the machine slows every engine), threads,
library versions.
"""

import argparse
import contextlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from machine import ROOT, cpu_model  # benchmarks/machine.py

import digitnet
from digitnet import Network, load_mnist
from digitnet.engines import fast

CONFIGS = {  # name: (layer sizes, mini-batch size, learning rate)
    "784-16-16-10 batch 10": ((784, 16, 16, 10), 10, 3.0),
    "784-16-16-10 batch 100": ((784, 16, 16, 10), 100, 3.0),
    "784-100-10 batch 10": ((784, 100, 10), 10, 1.0),
}


def blas_threads(count):
    """A context limiting BLAS to ``count`` threads (threadpoolctl), or nothing if it is missing."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(count, user_api="blas")


class DigitnetRunner:
    """One digitnet engine on one configuration (optionally with BLAS limited to some threads, or
    training on the images as uint8 pixel values, as `digitnet train` reads MNIST)."""

    def __init__(self, engine, sizes, batch_size, lr, threads=None, uint8_pixels=False):
        self.engine, self.batch_size, self.lr, self.threads = engine, batch_size, lr, threads
        self.net = Network(sizes, seed=0)
        self.epochs = 0
        self.uint8_pixels, self.pixels_of = uint8_pixels, None  # (float images, their uint8 pixels)

    def limits(self):
        return blas_threads(self.threads) if self.threads else contextlib.nullcontext()

    def epoch(self, images, labels):
        if self.uint8_pixels:  # converted once, in the warm-up epoch, which is not timed
            if self.pixels_of is None or self.pixels_of[0] is not images:
                self.pixels_of = (images, uint8_pixels(images))
            images = self.pixels_of[1]
        self.net.fit(
            images, labels, epochs=1, batch_size=self.batch_size, lr=self.lr, seed=self.epochs, engine=self.engine
        )
        self.epochs += 1

    def accuracy(self, images, labels):
        return self.net.evaluate(images, labels, engine=self.engine)["accuracy"]

    def outputs(self, images):
        return self.net.outputs(images, engine=self.engine)


class TorchRunner:
    """The same network and recipe in PyTorch, starting from digitnet's initial weights."""

    def __init__(self, sizes, batch_size, lr, threads=None, flush_denormal=False):
        import torch

        self.torch, self.batch_size, self.threads = torch, batch_size, threads
        self.flush_denormal = flush_denormal
        start = Network(sizes, seed=0)
        layers = []
        for W, b in zip(start.weights, start.biases):
            linear = torch.nn.Linear(W.shape[1], W.shape[0])
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(W))
                linear.bias.copy_(torch.from_numpy(b))
            layers += [linear, torch.nn.Sigmoid()]
        self.model = torch.nn.Sequential(*layers)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=lr)
        self.generator = torch.Generator().manual_seed(0)

    def limits(self):
        @contextlib.contextmanager
        def threads():
            before = self.torch.get_num_threads()
            self.torch.set_num_threads(self.threads or before)
            self.torch.set_flush_denormal(self.flush_denormal)
            try:
                yield
            finally:
                self.torch.set_num_threads(before)
                self.torch.set_flush_denormal(False)

        return threads()

    def epoch(self, images, labels):
        torch = self.torch
        inputs, digits = torch.from_numpy(images), torch.from_numpy(labels.astype(np.int64))
        wanted = torch.nn.functional.one_hot(digits, 10).to(inputs.dtype)
        order = torch.randperm(len(inputs), generator=self.generator)
        for start in range(0, len(inputs), self.batch_size):
            batch = order[start : start + self.batch_size]
            self.optimizer.zero_grad()
            loss = ((self.model(inputs[batch]) - wanted[batch]) ** 2).sum(dim=1).mean()
            loss.backward()
            self.optimizer.step()

    def outputs(self, images):
        with self.torch.no_grad():
            return self.model(self.torch.from_numpy(images)).numpy()

    def accuracy(self, images, labels):
        return float((self.outputs(images).argmax(axis=1) == labels).mean())


def uint8_pixels(images):
    """Float images in [0, 1] back to their pixel values 0–255, as ``load_mnist(dtype=np.uint8)`` gives them."""
    return np.rint(images * 255).astype(np.uint8)


def seconds(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def time_training(runners, images, labels, epochs):
    """Warm up each runner, then time ``epochs`` epochs of each, in turns; wall and CPU seconds."""
    for runner in runners.values():
        with runner.limits():
            runner.epoch(images, labels)
    wall = {name: [] for name in runners}
    cpu = {name: [] for name in runners}
    for _ in range(epochs):
        for name, runner in runners.items():
            with runner.limits():
                started, started_cpu = time.perf_counter(), time.process_time()
                runner.epoch(images, labels)
                wall[name].append(time.perf_counter() - started)
                cpu[name].append(time.process_time() - started_cpu)
    return wall, cpu


SETTLE_SECONDS = 0.5  # OpenBLAS's and PyTorch's idle threads spin for a while before they sleep
WARM_SECONDS = 0.2  # then calls that are not timed: after the pause, the caches and the clock are cold
INFERENCE_ROUNDS = 5  # each engine's turn: CALLS calls on the test set, then 400 single images
CALLS = 8


def single_image_calls(runner):
    """The calls of one image timed for ``runner``: ``outputs`` with its engine, and for digitnet's
    engines also ``outputs`` and ``predict`` with the default engine ``auto`` (which takes, of the
    engines whose code is ready, the one measured faster)."""
    calls = {"single_image_microseconds": runner.outputs}
    if isinstance(runner, DigitnetRunner):
        calls["single_image_microseconds_auto"] = runner.net.outputs
        calls["single_image_predict_microseconds_auto"] = runner.net.predict
    return calls


def time_inference(runners, test_images):
    """Per engine: images per second for the whole test set in one call (median of 40 calls; for
    digitnet's engines also with the images as uint8 pixel values, a quarter of the bytes to
    read), and one image's latency in µs (median of 5 rounds of 400 images; ``single_image_calls``).

    The engines take turns, ``INFERENCE_ROUNDS`` times, so that a change in the machine's load
    (here, mostly the memory bandwidth other work leaves) falls on every engine alike; each turn
    starts after a pause, so that another library's threads, still spinning after its own turn,
    do not take the cores this engine's threads need, and then with ``WARM_SECONDS`` of calls
    that are not timed, since after the pause the CPU's caches and clock are cold (on a virtual
    machine, a core left idle for the pause takes several calls to come back to speed).
    """
    calls = {engine: [] for engine in runners}
    calls_uint8 = {engine: [] for engine, runner in runners.items() if isinstance(runner, DigitnetRunner)}
    singles = {engine: {} for engine in runners}
    test_uint8 = uint8_pixels(test_images)
    for runner in runners.values():
        runner.outputs(test_images[:100])  # warm-up
    for _ in range(INFERENCE_ROUNDS):
        for engine, runner in runners.items():
            time.sleep(SETTLE_SECONDS)
            with runner.limits():
                warm_until = time.perf_counter() + WARM_SECONDS
                while time.perf_counter() < warm_until:
                    runner.outputs(test_images)
                for _ in range(CALLS):
                    started = time.perf_counter()
                    runner.outputs(test_images)
                    calls[engine].append(time.perf_counter() - started)
                for _ in range(CALLS if engine in calls_uint8 else 0):
                    started = time.perf_counter()
                    runner.outputs(test_uint8)
                    calls_uint8[engine].append(time.perf_counter() - started)
                for name, one in single_image_calls(runner).items():
                    for image in test_images[400:500]:  # not timed, as above
                        one(image)
                    started = time.perf_counter()
                    for image in test_images[:400]:
                        one(image)
                    singles[engine].setdefault(name, []).append((time.perf_counter() - started) / 400 * 1e6)
    return {
        engine: {
            "test_images_per_second": len(test_images) / statistics.median(calls[engine]),
            "test_images_per_second_uint8": (
                len(test_images) / statistics.median(calls_uint8[engine]) if engine in calls_uint8 else None
            ),
            **{name: statistics.median(times) for name, times in singles[engine].items()},
        }
        for engine in runners
    }


def time_inference_only(runners, images, labels, test_images, test_labels):
    """``time_inference`` for ``runners`` after one epoch of training each (not timed), with the
    test accuracy of each network, and the fast engine's images per second over each other's."""
    for runner in runners.values():
        with runner.limits():
            runner.epoch(images, labels)
    inference = time_inference(runners, test_images)
    config = {
        engine: {"test_accuracy": runner.accuracy(test_images, test_labels), "epochs_trained": 1, **inference[engine]}
        for engine, runner in runners.items()
    }
    config["ratios"] = {
        f"fast / {engine}": config["fast"]["test_images_per_second"] / config[engine]["test_images_per_second"]
        for engine in runners
        if engine != "fast"
    }
    return config


def train_command_peak_mb(engine, first_run=False):
    """Peak resident memory and wall-clock seconds of ``digitnet train`` (default recipe, 1 epoch)
    in a child process running the ``digitnet`` of this script's tree; with ``first_run``, Numba's
    compile cache is an empty folder, as after installing, so the compiler's work (time and
    memory) is in the figures."""
    child = (
        "import json, resource, sys\n"
        "from digitnet.cli import main\n"
        "status = main(sys.argv[1:])\n"
        "print(json.dumps({'status': status, 'peak_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))"
    )
    with tempfile.TemporaryDirectory() as folder:
        paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}  # this script's tree first
        if first_run:
            environment["NUMBA_CACHE_DIR"] = folder
        started = time.perf_counter()
        run = subprocess.run(
            [
                sys.executable,
                "-c",
                child,
                "train",
                "--epochs",
                "1",
                "--engine",
                engine,
                "--json",
                "--out",
                os.path.join(folder, "model.npz"),
            ],
            capture_output=True,
            text=True,
            check=True,
            env=environment,
            cwd=folder,  # not the caller's: ``python -c`` puts its folder first on the path, ahead of ROOT
        )
        seconds = time.perf_counter() - started
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    return {
        "peak_rss_mb": lines[-1]["peak_kb"] / 1024,
        "seconds": seconds,
        "test_accuracy": lines[-2]["test_accuracy"],
        "exit_status": lines[-1]["status"],
    }


def train_command():
    """``train_command_peak_mb`` for the engines, and for the fast one on a first run."""
    return {
        "auto": train_command_peak_mb("auto"),
        "auto, first run (empty compile cache)": train_command_peak_mb("auto", first_run=True),
        "reference": train_command_peak_mb("reference"),
    }


def machine():
    info = {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "digitnet": digitnet.__version__,
        "numba": None,
        "numba_threads": None,
        "torch": None,
        "torch_threads": None,
        "blas": None,
        "thread_variables": {
            k: os.environ[k]
            for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
            if k in os.environ
        },
    }
    if fast.numba:
        info.update(numba=fast.numba.__version__, numba_threads=fast.numba.get_num_threads())
    with contextlib.suppress(ImportError):
        import torch

        info.update(torch=torch.__version__, torch_threads=torch.get_num_threads())
    with contextlib.suppress(ImportError):
        from threadpoolctl import threadpool_info

        info["blas"] = [
            {k: pool.get(k) for k in ("internal_api", "num_threads", "version", "architecture")}
            for pool in threadpool_info()
            if pool.get("user_api") == "blas"
        ]
    return info


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5, help="timed epochs per engine and configuration (default 5)")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch even if it is installed")
    parser.add_argument(
        "--train-command-only",
        action="store_true",
        help="only the peak memory and seconds of `digitnet train` (a minute, not ten)",
    )
    parser.add_argument(
        "--config", action="append", choices=CONFIGS, help="time only this configuration (repeatable; default all)"
    )
    parser.add_argument("--no-train-command", action="store_true", help="skip the `digitnet train` child processes")
    parser.add_argument(
        "--inference-only",
        action="store_true",
        help="time inference only (after one untimed epoch of training), for the fast engine on float32 and "
        "uint8 images, the reference and PyTorch with its default threads: about a minute",
    )
    args = parser.parse_args()
    load_before = os.getloadavg()
    commands = None if args.no_train_command else train_command()
    if args.train_command_only:
        print(
            json.dumps(
                {
                    "benchmark": "train_speed",
                    "digitnet_train_default_1_epoch": commands,
                    "load_average_before": load_before,
                    "load_average_after": os.getloadavg(),
                    "machine": machine(),
                },
                indent=2,
            )
        )
        return
    (train_images, train_labels), (test_images, test_labels) = load_mnist()
    try:
        import torch  # noqa: F401

        has_torch = not args.no_torch
    except ImportError:
        has_torch = False
    results = {}
    for name in args.config or CONFIGS:
        sizes, batch_size, lr = CONFIGS[name]
        runners = {
            "fast": DigitnetRunner("fast", sizes, batch_size, lr),
            "reference": DigitnetRunner("reference", sizes, batch_size, lr),
            "reference 1 BLAS thread": DigitnetRunner("reference", sizes, batch_size, lr, threads=1),
            "fast, uint8 pixels": DigitnetRunner("fast", sizes, batch_size, lr, uint8_pixels=True),
        }
        if has_torch:
            runners["pytorch"] = TorchRunner(sizes, batch_size, lr)
            runners["pytorch 1 thread"] = TorchRunner(sizes, batch_size, lr, threads=1)
            runners["pytorch 1 thread, flush denormals"] = TorchRunner(
                sizes, batch_size, lr, threads=1, flush_denormal=True
            )
        if args.inference_only:
            runners = {
                engine: runners[engine]
                for engine in ("fast", "fast, uint8 pixels", "reference", "pytorch")
                if engine in runners
            }
        print(f"timing {name}: {', '.join(runners)}", file=sys.stderr, flush=True)
        if args.inference_only:
            results[name] = time_inference_only(runners, train_images, train_labels, test_images, test_labels)
            continue
        wall, cpu = time_training(runners, train_images, train_labels, args.epochs)
        config = {"lr": lr}
        inference = time_inference(runners, test_images)
        for engine, runner in runners.items():
            config[engine] = {
                "epoch_seconds": seconds(wall[engine]),
                "epoch_cpu_seconds": seconds(cpu[engine]),
                "test_accuracy": runner.accuracy(test_images, test_labels),
                "epochs_trained": args.epochs + 1,
                **inference[engine],
            }
        fast_epoch = config["fast"]["epoch_seconds"]["median"]
        config["ratios"] = {
            f"{engine} / fast": {
                "epoch": config[engine]["epoch_seconds"]["median"] / fast_epoch,
                "inference": config["fast"]["test_images_per_second"] / config[engine]["test_images_per_second"],
                "single_image": (
                    config[engine]["single_image_microseconds"] / config["fast"]["single_image_microseconds"]
                ),
            }
            for engine in runners
            if engine != "fast"
        }
        results[name] = config
    print(
        json.dumps(
            {
                "benchmark": "train_speed",
                "epochs_timed": 0 if args.inference_only else args.epochs,
                "inference_only": args.inference_only,
                "activation": "sigmoid",
                "cost": "quadratic",
                "results": results,
                "digitnet_train_default_1_epoch": commands,
                "peak_rss_mb_this_process": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "load_average_before": load_before,
                "load_average_after": os.getloadavg(),
                "machine": machine(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()

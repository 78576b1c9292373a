"""The training loop: epochs of mini-batch SGD, monitoring, history, and the divergence guard.

Nothing here prints.  Callers watch progress through two callbacks:

    on_progress(done, total)   during an epoch, examples done so far (about 100 calls per epoch)
    on_epoch(record)           after each epoch, with that epoch's history record

Either callback may raise ``StopTraining`` to end training cleanly after the current
mini-batch or epoch; ``train`` then returns the history so far.
"""

import time

import numpy as np

from .engines import get_engine
from .errors import TrainingDiverged


SCHEDULES = ("constant", "cosine", "step")


def learning_rate(schedule, lr, epoch, epochs):
    """The learning rate for ``epoch`` (0-based) of ``epochs``:

    constant  lr every epoch
    cosine    lr · ½(1 + cos(π · epoch / epochs)): from lr down smoothly towards 0
    step      lr halved after every third of the epochs
    """
    if schedule == "constant":
        return lr
    if schedule == "cosine":
        return lr * 0.5 * (1 + np.cos(np.pi * epoch / epochs))
    if schedule == "step":
        return lr * 0.5 ** (epoch // max(1, -(-epochs // 3)))
    raise ValueError(f"unknown schedule {schedule!r}; choose one of {', '.join(SCHEDULES)}")


class StopTraining(Exception):
    """Raised by a callback to stop training early; the network keeps what it has learned."""


def _check_examples(net, images, labels, what):
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 2 or images.shape[1] != net.sizes[0]:
        raise ValueError(f"{what} images must have shape (n, {net.sizes[0]}), got {images.shape}")
    if labels.shape != (images.shape[0],):
        raise ValueError(f"{what} labels must have shape ({images.shape[0]},), got {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= net.sizes[-1]):
        raise ValueError(f"{what} labels must be digits 0..{net.sizes[-1] - 1}")
    return images, labels


PROBE_SIZE = 500  # training examples used to check that the outputs still depend on the input


def _failure(net, record, probe):
    """Why training has failed this epoch, or None: NaN/inf anywhere, or outputs that ignore the input."""
    costs = [record[k] for k in ("train_cost", "test_cost") if record[k] is not None]
    if not all(np.isfinite(p).all() for p in net.weights + net.biases) or not np.isfinite(costs).all():
        return "the cost or weights became NaN or infinite"
    outputs = net.feedforward(probe)
    if len(probe) > 1 and np.ptp(outputs, axis=0).max() < 1e-4:
        return "the outputs no longer depend on the input (every neuron saturated or dead)"
    return None


def train(net, images, labels, *, epochs=30, batch_size=10, lr=3.0, schedule="constant", test=None,
          seed=None, monitor=False, engine="auto", on_epoch=None, on_progress=None):
    """Train ``net`` in place by mini-batch SGD and return its history (a list of epoch records).

    Each record holds ``epoch`` (counting on from any earlier training), ``seconds`` (the
    training time of that epoch alone), ``lr`` (that epoch's, following ``schedule``), and ``train_cost``/``train_accuracy``
    (with ``monitor=True``) and ``test_cost``/``test_accuracy`` (with ``test=(images, labels)``),
    else None.  Accuracies are fractions in [0, 1].

    If the weights or a cost become NaN or infinite, or the outputs stop depending on the
    input (all neurons saturated or dead, which a far too large learning rate causes), the
    network is put back as it was before that epoch and ``TrainingDiverged`` is raised,
    naming the learning rate.
    """
    images, labels = _check_examples(net, images, labels, "training")
    if test is not None:
        test = _check_examples(net, *test, "test")
    if epochs < 0 or batch_size < 1 or not lr > 0:
        raise ValueError("epochs must be ≥ 0, batch_size ≥ 1 and lr > 0")
    learning_rate(schedule, lr, 0, max(epochs, 1))  # reject an unknown schedule before any work
    runner = get_engine(engine, net)
    rng = np.random.default_rng(seed)
    net.recipe = {"epochs": len(net.history) + epochs, "batch_size": batch_size, "lr": lr,
                  "schedule": schedule, "seed": seed, "init": net.init, "engine": runner.name}
    try:
        for epoch in range(epochs):
            epoch_lr = learning_rate(schedule, lr, epoch, epochs)
            before = ([w.copy() for w in net.weights], [b.copy() for b in net.biases])
            order = rng.permutation(len(images))
            started = time.perf_counter()
            runner.train_epoch(net, images, labels, order, batch_size, epoch_lr, on_progress)
            record = {"epoch": len(net.history) + 1, "seconds": time.perf_counter() - started, "lr": epoch_lr,
                      "train_cost": None, "train_accuracy": None, "test_cost": None, "test_accuracy": None}
            if monitor:
                scores = net.evaluate(images, labels, engine=engine)
                record.update(train_cost=scores["cost"], train_accuracy=scores["accuracy"])
            if test is not None:
                scores = net.evaluate(*test, engine=engine)
                record.update(test_cost=scores["cost"], test_accuracy=scores["accuracy"])
            failure = _failure(net, record, images[:PROBE_SIZE])
            if failure:
                net.weights, net.biases = before
                raise TrainingDiverged(
                    f"training diverged in epoch {record['epoch']}: {failure}; the learning rate {epoch_lr:g} "
                    "is probably too large (try a value 10 times smaller)")
            net.history.append(record)
            if on_epoch is not None:
                on_epoch(record)
    except StopTraining:
        pass
    return net.history

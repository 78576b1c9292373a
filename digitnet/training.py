"""The training loop: epochs of mini-batch SGD, monitoring, history, and the divergence guard.

Plus the training options, each off by default: an optimiser other than plain SGD and L2
weight decay (``digitnet.optimizers``), dropout (``digitnet.dropout``), augmentation
(``digitnet.augment``), and a validation split with early stopping (here).

Nothing here prints.  Callers watch progress through two callbacks:

    on_progress(done, total)   during an epoch, examples done so far (about 100 calls per epoch)
    on_epoch(record)           after each epoch, with that epoch's history record

Either callback may raise ``StopTraining`` to end training cleanly after the current
mini-batch or epoch; ``train`` then returns the history so far.
"""

import time

import numpy as np

from .augment import Augmentation
from .dropout import check_rate
from .engines import get_engine
from .errors import DigitnetError, TrainingDiverged
from .optimizers import make_optimizer


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
    costs = [record[k] for k in ("train_cost", "validation_cost", "test_cost") if record[k] is not None]
    if not all(np.isfinite(p).all() for p in net.weights + net.biases) or not np.isfinite(costs).all():
        return "the cost or weights became NaN or infinite"
    outputs = net.feedforward(probe)
    if len(probe) > 1 and np.ptp(outputs, axis=0).max() < 1e-4:
        return "the outputs no longer depend on the input (every neuron saturated or dead)"
    return None


def split_validation(images, labels, count):
    """Hold out the last ``count`` examples (as Nielsen's loader does with MNIST's last 10,000):
    ((training images, labels), (validation images, labels))."""
    if not 0 < count < len(images):
        raise ValueError(f"validation must be between 1 and {len(images) - 1} examples "
                         f"(the training set has {len(images)}), got {count}")
    return (images[:-count], labels[:-count]), (images[-count:], labels[-count:])


def _options_in_use(optimizer, weight_decay, dropout, augmentation):
    """The names of the training options that only the reference engine runs."""
    return [name for name, used in (("the " + optimizer + " optimizer", optimizer != "sgd"),
                                    ("weight decay", weight_decay > 0), ("dropout", dropout > 0),
                                    ("augmentation", augmentation is not None)) if used]


def check_recipe(*, epochs=30, batch_size=10, lr=3.0, schedule="constant", optimizer="sgd", momentum=0.9,
                 nesterov=False, weight_decay=0.0, dropout=0.0, augment=None, validation=None, patience=None):
    """Refuse bad training arguments (ValueError) before any work; ``train`` takes the same ones.

    Returns what training uses: (the optimiser, the dropout rate, the Augmentation or None).
    """
    if epochs < 0 or batch_size < 1 or not lr > 0:
        raise ValueError("epochs must be ≥ 0, batch_size ≥ 1 and lr > 0")
    learning_rate(schedule, lr, 0, max(epochs, 1))  # reject an unknown schedule
    if patience is not None and (patience < 1 or not validation):
        raise ValueError("early stopping needs patience ≥ 1 and a validation set (validation=N)")
    return (make_optimizer(optimizer, momentum, nesterov, weight_decay), check_rate(dropout),
            Augmentation.from_setting(augment))


def train(net, images, labels, *, epochs=30, batch_size=10, lr=3.0, schedule="constant", test=None,
          seed=None, monitor=False, engine="auto", on_epoch=None, on_progress=None,
          optimizer="sgd", momentum=0.9, nesterov=False, weight_decay=0.0, dropout=0.0, augment=None,
          validation=None, patience=None):
    """Train ``net`` in place by mini-batch SGD and return its history (a list of epoch records).

    Each record holds ``epoch`` (counting on from any earlier training), ``seconds`` (the
    training time of that epoch alone), ``lr`` (that epoch's, following ``schedule``), and ``train_cost``/``train_accuracy``
    (with ``monitor=True``), ``validation_cost``/``validation_accuracy`` (with ``validation``)
    and ``test_cost``/``test_accuracy`` (with ``test=(images, labels)``), else None.
    Accuracies are fractions in [0, 1].

    Options (see each module for the formulas):

    optimizer     "sgd" (default), "momentum" (with ``momentum`` μ, and ``nesterov``), "adam"
    weight_decay  L2 weight decay λ: the cost gets + (λ/2) Σ w² over the weights
    dropout       probability of dropping each hidden neuron during training (off at evaluation)
    augment       True, a dict of ``digitnet.augment.Augmentation`` fields, or an Augmentation:
                  every mini-batch's images are shifted/rotated (/elastically deformed) at random
    validation    hold out the LAST ``validation`` training examples as a validation set; the
                  test set is never used to choose anything
    patience      early stopping: stop once the validation accuracy has not improved for
                  ``patience`` epochs, and put back the weights of the best epoch
                  (``net.recipe["best_epoch"]``); needs ``validation``

    Only the reference engine runs the optimisers other than SGD, weight decay, dropout and
    augmentation: with any of them ``engine="auto"`` picks it, and asking for another engine
    raises DigitnetError.  With ``seed``, the mini-batch order and every random draw of the
    options (moves, dropout masks) repeat exactly.

    If the weights or a cost become NaN or infinite, or the outputs stop depending on the
    input (all neurons saturated or dead, which a far too large learning rate causes), the
    network is put back as it was before that epoch and ``TrainingDiverged`` is raised,
    naming the learning rate.
    """
    images, labels = _check_examples(net, images, labels, "training")
    if test is not None:
        test = _check_examples(net, *test, "test")
    step_rule, dropout, augmentation = check_recipe(
        epochs=epochs, batch_size=batch_size, lr=lr, schedule=schedule, optimizer=optimizer, momentum=momentum,
        nesterov=nesterov, weight_decay=weight_decay, dropout=dropout, augment=augment, validation=validation,
        patience=patience)
    if validation:
        (images, labels), validation = split_validation(images, labels, validation)
    options = _options_in_use(optimizer, weight_decay, dropout, augmentation)
    runner = get_engine(engine, net, images)
    if options and runner.name != "reference":
        if engine != "auto":
            raise DigitnetError(f"the {runner.name} engine runs plain SGD only; for {', '.join(options)} "
                                "use the reference engine (engine 'reference' or 'auto')")
        runner = get_engine("reference")
    rng = np.random.default_rng(seed)
    step_options = {}
    if options:
        step_options = {"optimizer": step_rule, "dropout": dropout, "augmentation": augmentation,
                        "rng": rng.spawn(1)[0]}  # its own stream: the mini-batch order stays the same
    net.recipe = {"epochs": len(net.history) + epochs, "batch_size": batch_size, "lr": lr,
                  "schedule": schedule, "seed": seed, "init": net.init, "engine": runner.name,
                  "optimizer": optimizer,
                  **({"momentum": momentum, "nesterov": nesterov} if optimizer == "momentum" else {}),
                  "weight_decay": weight_decay, "dropout": dropout,
                  "augment": augmentation.as_dict() if augmentation else None,
                  "validation": len(validation[0]) if validation else None, "patience": patience}
    best = None  # (validation accuracy, epoch, weights, biases) of the best epoch so far
    try:
        for epoch in range(epochs):
            epoch_lr = learning_rate(schedule, lr, epoch, epochs)
            before = ([w.copy() for w in net.weights], [b.copy() for b in net.biases])
            order = rng.permutation(len(images))
            started = time.perf_counter()
            runner.train_epoch(net, images, labels, order, batch_size, epoch_lr, on_progress, **step_options)
            record = {"epoch": len(net.history) + 1, "seconds": time.perf_counter() - started, "lr": epoch_lr,
                      "train_cost": None, "train_accuracy": None, "validation_cost": None,
                      "validation_accuracy": None, "test_cost": None, "test_accuracy": None}
            if monitor:
                scores = net.evaluate(images, labels, engine=runner)
                record.update(train_cost=scores["cost"], train_accuracy=scores["accuracy"])
            if validation:
                scores = net.evaluate(*validation, engine=runner)
                record.update(validation_cost=scores["cost"], validation_accuracy=scores["accuracy"])
            if test is not None:
                scores = net.evaluate(*test, engine=runner)
                record.update(test_cost=scores["cost"], test_accuracy=scores["accuracy"])
            failure = _failure(net, record, images[:PROBE_SIZE])
            if failure:
                net.weights, net.biases = before
                raise TrainingDiverged(
                    f"training diverged in epoch {record['epoch']}: {failure}; the learning rate {epoch_lr:g} "
                    "is probably too large (try a value 10 times smaller)")
            net.history.append(record)
            if patience is not None and (best is None or record["validation_accuracy"] > best[0]):
                best = (record["validation_accuracy"], record["epoch"],
                        [w.copy() for w in net.weights], [b.copy() for b in net.biases])
            if on_epoch is not None:
                on_epoch(record)
            if patience is not None and record["epoch"] - best[1] >= patience:
                break
    except StopTraining:
        pass
    if patience is not None and best is not None:
        net.weights, net.biases = best[2], best[3]
        net.recipe["best_epoch"] = best[1]
    return net.history

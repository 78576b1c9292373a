"""The training loop: epochs of mini-batch SGD, monitoring, early stopping, and the divergence guard.

``train(net, images, labels, recipe)`` runs a ``digitnet.recipe.Recipe``: for each epoch it
shuffles, takes a gradient step per mini-batch (``_train_epoch``), scores the network
(``_monitor``), checks that training has not diverged, records the epoch, and asks the
``EarlyStopping`` rule whether to go on.

Nothing here prints.  Callers watch progress through two callbacks:

    on_progress(done, total)   during an epoch, examples done so far (about 100 calls per epoch)
    on_epoch(record)           after each epoch, with that epoch's history record

Either callback may raise ``StopTraining`` to end training cleanly; ``train`` then returns
the history so far.  Stopped (or interrupted by Ctrl-C) in the middle of an epoch, the
network is put back as it was after the last complete epoch, so its weights always match its
history.
"""

import time

import numpy as np

from .engines import get_engine, prepare, suits_reference
from .errors import DigitnetError, TrainingDiverged
from .recipe import SCHEDULES, Recipe, learning_rate
from .teacher import Teacher

__all__ = ["SCHEDULES", "EarlyStopping", "Recipe", "StopTraining", "learning_rate", "split_validation", "train"]


class StopTraining(Exception):
    """Raised by a callback to stop training early; the network keeps what it learned in complete epochs."""


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
        raise ValueError(
            f"validation must be between 1 and {len(images) - 1} examples "
            f"(the training set has {len(images)}), got {count}"
        )
    return (images[:-count], labels[:-count]), (images[-count:], labels[-count:])


def choose_engine(recipe, engine, net, images):
    """The engine that runs ``recipe`` on ``net`` and ``images``: ``engine``, except that "auto" picks
    the reference for the work it suits better (``engines.suits_reference``)."""
    if engine == "auto" and suits_reference(net, len(images), recipe):
        return get_engine("reference")  # without loading the fast engine
    runner = get_engine(engine, net, images)
    if not runner.supports(recipe):
        raise DigitnetError(
            f"the {runner.name} engine cannot train with {', '.join(recipe.options_in_use())}; "
            "use the reference engine (engine 'reference' or 'auto')"
        )
    return runner


class EarlyStopping:
    """Stop once the validation accuracy has not improved for ``patience`` epochs; remember the best
    epoch's weights so they can be put back (the first epoch with the highest accuracy wins)."""

    def __init__(self, patience):
        self.patience = patience
        self.best_accuracy = self.best_epoch = self.best_parameters = None

    def update(self, net, record):
        """Note epoch ``record``'s validation accuracy; True when training should stop now."""
        if self.best_epoch is None or record["validation_accuracy"] > self.best_accuracy:
            self.best_accuracy, self.best_epoch = record["validation_accuracy"], record["epoch"]
            self.best_parameters = _parameters(net)
        return record["epoch"] - self.best_epoch >= self.patience

    def restore(self, net):
        """Put back the best epoch's weights (nothing to do before the first epoch)."""
        if self.best_parameters is not None:
            net.weights, net.biases = self.best_parameters


def _parameters(net):
    """Copies of ``net``'s weights and biases: ([W1, W2, …], [b1, b2, …])."""
    return [w.copy() for w in net.weights], [b.copy() for b in net.biases]


def _train_epoch(net, runner, images, labels, recipe, epoch, rng, step_options, on_progress):
    """One pass over the training set in a fresh random order: a new history record (epoch, seconds, lr)."""
    epoch_lr = recipe.learning_rate(epoch)
    order = rng.permutation(len(images))
    started = time.perf_counter()
    runner.train_epoch(net, images, labels, order, recipe.batch_size, epoch_lr, on_progress, **step_options)
    return {
        "epoch": len(net.history) + 1,
        "seconds": time.perf_counter() - started,
        "lr": epoch_lr,
        "train_cost": None,
        "train_accuracy": None,
        "validation_cost": None,
        "validation_accuracy": None,
        "test_cost": None,
        "test_accuracy": None,
    }


def _monitor(net, record, engine, training, validation, test):
    """Fill ``record``'s costs and accuracies for each set given (``training`` only when monitoring)."""
    for name, examples in (("train", training), ("validation", validation), ("test", test)):
        if examples is not None:
            scores = net.evaluate(*examples, engine=engine)
            record.update({f"{name}_cost": scores["cost"], f"{name}_accuracy": scores["accuracy"]})


def _recorded(recipe, net, runner, first_epoch, stopped_by, stopping):
    """The recipe as it ran, for ``net.recipe`` and the model file: the recipe's settings plus the
    network's ``init``, the ``engine`` used, ``epochs_trained`` (epochs this run completed),
    ``stopped_early`` (None, or "patience", "asked", "interrupted" or "diverged" when fewer
    than ``epochs`` ran) and, with early stopping, ``best_epoch`` (whose weights the network keeps)."""
    recorded = {
        **recipe.as_dict(),
        "init": net.init,
        "engine": runner.name,
        "epochs_trained": len(net.history) - first_epoch,
        "stopped_early": stopped_by,
    }
    if stopping is not None:
        recorded["best_epoch"] = stopping.best_epoch
    return recorded


def train(
    net, images, labels, recipe=None, *, test=None, monitor=False, engine="auto", on_epoch=None, on_progress=None
):
    """Train ``net`` in place following ``recipe`` (a Recipe; default ``Recipe()``) and return its history.

    The history is a list of epoch records, each holding ``epoch`` (counting on from any earlier
    training), ``seconds`` (the training time of that epoch alone), ``lr`` (that epoch's, following
    the schedule), and ``train_cost``/``train_accuracy`` (with ``monitor=True``),
    ``validation_cost``/``validation_accuracy`` (with the recipe's ``validation``) and
    ``test_cost``/``test_accuracy`` (with ``test=(images, labels)``), else None.  Accuracies are
    fractions in [0, 1].  The test set is never used to choose anything.

    With early stopping (``recipe.patience``) the weights of the best validation epoch are put
    back at the end, however training ends.  ``net.recipe`` records what happened (see ``_recorded``).

    Both engines run every option (the optimisers, weight decay, dropout, augmentation), from the
    same random draws.  With ``recipe.seed``, the mini-batch order and every random draw of the
    options (moves, dropout masks) repeat exactly, on either engine.

    If the weights or a cost become NaN or infinite, or the outputs stop depending on the
    input (all neurons saturated or dead, which a far too large learning rate causes), the
    network is put back as it was before that epoch and ``TrainingDiverged`` is raised,
    naming the learning rate.
    """
    recipe = Recipe() if recipe is None else recipe
    if not isinstance(recipe, Recipe):
        raise TypeError(f"recipe must be a digitnet Recipe, got {type(recipe).__name__}")
    images, labels = _check_examples(net, images, labels, "training")
    if test is not None:
        test = _check_examples(net, *test, "test")
    validation = None
    if recipe.validation:
        (images, labels), validation = split_validation(images, labels, recipe.validation)
    runner = choose_engine(recipe, engine, net, images)
    if runner.name == "fast":  # its code for feeding many images forward is loaded meanwhile, so that ``auto``
        prepare("fast", net, images.dtype, kernels=("rows",), wait=False)  # evaluates on it (for a few: see
    #                                                                         ``engines._make_ready_later``)
    rng = np.random.default_rng(recipe.seed)
    step_options = {}
    if recipe.options_in_use():
        step_options = {
            "optimizer": recipe.make_optimizer(),
            "dropout": recipe.dropout,
            "augmentation": recipe.augment,
            "rng": rng.spawn(1)[0],
        }  # its own stream: the mini-batch order stays the same
        if recipe.teacher is not None:
            step_options["teacher"] = Teacher.for_recipe(recipe, net)
    stopping = EarlyStopping(recipe.patience) if recipe.patience else None
    first_epoch, stopped_by = len(net.history), None
    try:
        for epoch in range(recipe.epochs):
            last_complete = _parameters(net)
            try:
                record = _train_epoch(net, runner, images, labels, recipe, epoch, rng, step_options, on_progress)
                _monitor(net, record, runner, (images, labels) if monitor else None, validation, test)
            except BaseException:  # stopped, interrupted or failed inside the epoch: back to the last whole one
                net.weights, net.biases = last_complete
                raise
            failure = _failure(net, record, images[:PROBE_SIZE])
            if failure:
                net.weights, net.biases = last_complete
                raise TrainingDiverged(
                    f"training diverged in epoch {record['epoch']}: {failure}; the learning rate {record['lr']:g} "
                    "is probably too large (try a value 10 times smaller)"
                )
            net.history.append(record)
            patience_ran_out = stopping is not None and stopping.update(net, record)
            if on_epoch is not None:
                on_epoch(record)
            if patience_ran_out:
                stopped_by = "patience" if epoch + 1 < recipe.epochs else None
                break
    except StopTraining:
        stopped_by = "asked"
    except KeyboardInterrupt:
        stopped_by = "interrupted"
        raise
    except TrainingDiverged:
        stopped_by = "diverged"
        raise
    finally:
        if stopping is not None:
            stopping.restore(net)
        net.recipe = _recorded(recipe, net, runner, first_epoch, stopped_by, stopping)
    return net.history

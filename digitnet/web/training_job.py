"""What a training job started from the page runs in its child process (see ``digitnet.web.jobs``).

``train_network`` trains a fresh network with the library's ``Network.fit`` and reports, as it goes:

- ``initial``: the untrained network's average cost on the training and test images (epoch 0);
- ``batch_costs``: [epochs done, cost] pairs, the true cost of mini-batches as training meets
  them.  At each progress report (about 100 an epoch) and at the start of each epoch,
  ``CostWatch`` measures the cost of the mini-batch the next step trains on, at the weights that
  step starts from: the cost that step's own forward pass computes (the compiled engine does
  not hand its costs back, so one mini-batch in every few is measured again, with NumPy);
- ``snapshot``: the network as it is now (``at`` epochs done, a fraction), at most every
  ``SNAPSHOT_INTERVAL`` seconds, for the page to draw as it learns;
- after each complete epoch, its history ``record`` (the average cost over all the training
  images among others) and the ``network`` itself.
"""

import time

from ..data import load_mnist
from ..network import Network
from ..training import choose_engine

SMALL_WORK_ENGINE = "reference"  # the epoch-0 costs: NumPy answers at once, with no compiler to wait for
MAX_BATCH_COSTS = 1000  # (epochs done, cost) points kept: beyond that, every other one is dropped
SNAPSHOT_INTERVAL = 0.25  # seconds: at most four snapshots of the network a second reach the server


class CostWatch:
    """An engine (see ``digitnet.engines``) that trains with ``engine`` and tells
    ``on_batch_cost(done, total, cost)`` the cost of the mini-batch that starts at example
    ``done`` of the epoch, measured at the weights its step starts from: before the epoch's first
    step and whenever ``engine`` reports progress (when the network holds the current weights).

    It only reads the network: training goes exactly as with ``engine`` alone.  With augmentation
    or dropout (which the page's training does not use) a step would see moved images or silenced
    neurons, and its cost would differ from the one measured here."""

    def __init__(self, engine, on_batch_cost):
        self._engine, self._on_batch_cost = engine, on_batch_cost
        self.name = engine.name

    def supports(self, recipe):
        return self._engine.supports(recipe)

    def outputs(self, net, images):
        return self._engine.outputs(net, images)

    def train_epoch(self, net, images, labels, order, batch_size, lr, on_progress=None, **options):
        def measure(done):
            batch = order[done : done + batch_size]
            if len(batch):
                self._on_batch_cost(done, len(order), float(net.example_costs(images[batch], labels[batch]).mean()))

        def progress(done, total):
            measure(done)
            if on_progress is not None:
                on_progress(done, total)

        measure(0)
        self._engine.train_epoch(net, images, labels, order, batch_size, lr, progress, **options)


def train_network(data_dir, network, recipe, settings, report):
    """Train a fresh network (``network``: Network's options, sizes from ``settings``) by ``recipe``
    on MNIST from ``data_dir``, reporting as the module's docstring says."""
    (train_images, train_labels), test = load_mnist(data_dir)
    limit = settings["limit"] or len(train_images)
    images, labels = train_images[:limit], train_labels[:limit]
    net = Network(**{**network, "sizes": settings["sizes"]}, seed=settings["seed"])
    before_train = net.evaluate(images, labels, engine=SMALL_WORK_ENGINE)
    before_test = net.evaluate(*test, engine=SMALL_WORK_ENGINE)
    report(
        initial={
            "train_cost": before_train["cost"],
            "test_cost": before_test["cost"],
            "test_accuracy": before_test["accuracy"],
        }
    )
    batch_costs = []
    last_snapshot = time.monotonic()

    def on_batch_cost(done, total, cost):
        batch_costs.append([len(net.history) + done / total, cost])
        if len(batch_costs) > MAX_BATCH_COSTS:
            batch_costs[:] = batch_costs[::2]
        report.progress(
            progress={"epoch": len(net.history) + 1, "done": done, "total": total}, batch_costs=list(batch_costs)
        )

    def on_progress(done, total):  # the network holds the current weights here
        nonlocal last_snapshot
        now = time.monotonic()
        if done < total and now - last_snapshot >= SNAPSHOT_INTERVAL:  # at the epoch's end the record carries it
            last_snapshot = now
            report(snapshot=net, at=len(net.history) + done / total)

    def on_epoch(record):
        nonlocal last_snapshot
        last_snapshot = time.monotonic()
        report(record=record, network=net)

    engine = CostWatch(choose_engine(recipe, "auto", net, images), on_batch_cost)
    net.fit(images, labels, recipe, test=test, monitor=True, engine=engine, on_progress=on_progress, on_epoch=on_epoch)

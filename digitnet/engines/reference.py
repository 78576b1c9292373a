"""The reference engine: mini-batch SGD written with the Network's own backprop, step by step.

It is also the only engine that runs the training options (augmentation, dropout and the
optimisers with weight decay): one training step of the reference engine is their specification.

Training runs with BLAS on one thread.  A mini-batch's matrix products are too small to share
between cores, and when the cores are busy with anything else, BLAS threads wait on each other:
784-16-16-10 at batch 100 took 4.08 s per epoch with 2 BLAS threads against 0.35 s with one
at load average 8.5 (benchmarks/results/train_speed-2026-11-26-load-8.5.json).
"""

from contextlib import closing

from threadpoolctl import threadpool_limits

from .batches import ahead, mini_batches

PROGRESS_STEPS = 100  # progress callbacks per epoch, at most


class ReferenceEngine:
    name = "reference"

    def supports(self, recipe):
        """Whether it can train by ``recipe`` (a digitnet.recipe.Recipe): always."""
        return True

    def outputs(self, net, images):
        """(n, n_in) images → (n, n_out) output activations, by ``net.feedforward``."""
        return net.feedforward(images)

    def train_epoch(self, net, images, labels, order, batch_size, lr, on_progress=None, **options):
        """One epoch of ``_train_epoch`` with BLAS on one thread (see the module's docstring)."""
        with threadpool_limits(1, user_api="blas"):
            self._train_epoch(net, images, labels, order, batch_size, lr, on_progress, **options)

    def _train_epoch(
        self,
        net,
        images,
        labels,
        order,
        batch_size,
        lr,
        on_progress=None,
        *,
        optimizer=None,
        dropout=0.0,
        augmentation=None,
        teacher=None,
        rng=None,
    ):
        """One epoch: for each mini-batch ``order[k:k+batch_size]``, compute ∇C and step along −∇C.

        The options change each step, in this order: ``augmentation`` (digitnet.augment) moves
        the mini-batch's images at random; ``dropout`` (digitnet.dropout) silences hidden neurons
        with that probability while computing ∇C (both drawn by ``batches.mini_batches``, a few
        mini-batches ahead on another thread); ``optimizer`` (digitnet.optimizers) turns ∇C
        into the step; without one the step is plain SGD, p ← p − lr ∇C.  ``rng`` (a NumPy
        Generator) draws the moves and the dropout masks.  With a ``teacher`` (digitnet.teacher),
        ∇C is taken towards its wanted outputs for the moved images instead of the bare labels.
        """
        total = len(order)
        every = max(1, total // batch_size // PROGRESS_STEPS)
        batches = mini_batches(net, images, order, batch_size, augmentation, dropout, rng, labels)
        if augmentation is not None or dropout:
            batches = ahead(batches)  # the moves and masks of the next mini-batches drawn on another core
        with closing(batches):
            for step, (batch, batch_images, masks) in enumerate(batches, 1):
                wanted = None if teacher is None else teacher.wanted(batch_images, labels[batch], net.dtype)
                gradient = net.backprop(batch_images, labels[batch], masks, wanted)
                if optimizer is None:
                    net.gradient_step(gradient, lr)
                else:
                    optimizer.step(net, gradient, lr)
                if on_progress is not None and step % every == 0:
                    on_progress(min(step * batch_size, total), total)

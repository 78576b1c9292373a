"""The reference engine: mini-batch SGD written with the Network's own backprop, step by step."""

PROGRESS_STEPS = 100  # progress callbacks per epoch, at most


class ReferenceEngine:
    name = "reference"

    def outputs(self, net, images):
        """(n, n_in) images → (n, n_out) output activations, by ``net.feedforward``."""
        return net.feedforward(images)

    def train_epoch(self, net, images, labels, order, batch_size, lr, on_progress=None):
        """One epoch: for each mini-batch ``order[k:k+batch_size]``, compute ∇C and step along −∇C."""
        total = len(order)
        every = max(1, total // batch_size // PROGRESS_STEPS)
        for step, start in enumerate(range(0, total, batch_size), 1):
            batch = order[start:start + batch_size]
            net.gradient_step(net.backprop(images[batch], labels[batch]), lr)
            if on_progress is not None and step % every == 0:
                on_progress(min(start + batch_size, total), total)

"""What each mini-batch of an epoch trains on, the same for every engine.

``mini_batches`` yields, for each mini-batch of ``order`` in turn, its example indices, its
images (moved at random by the augmentation, ``digitnet.augment``) and its dropout masks
(``digitnet.dropout``), drawing from one random generator in one fixed order: the moves of a
mini-batch, then its masks, then the next mini-batch's.  Every engine trains on what it yields,
so the same seed gives every engine the same moved images and the same masks, and the engines'
results differ only by their float rounding.

``ahead`` works them out in a background thread, a few mini-batches ahead of the training that
uses them, so that on a second core they are ready while the first one trains.  That pays where
the training releases the GIL for long stretches (the reference's matrix products of a wide
network); moving a few images is many small NumPy steps that hold the GIL between them, so
where training between them is short, the two threads mostly wait for each other (the fast
engine draws in its own thread).  The generator is still
drawn from in one thread, in order, so what is drawn does not depend on the timing.
"""

import queue
import threading

from ..dropout import dropout_masks


def mini_batches(net, images, order, batch_size, augmentation=None, dropout=0.0, rng=None, labels=None):
    """For each mini-batch ``order[k : k + batch_size]``: (its indices (m,), its images (m, n_in),
    its masks: None or one (n_l, m) array per hidden layer, 0 or 1/(1 − dropout)).

    Images are ``images[indices]`` as they are, or, with ``augmentation``, randomly moved float32
    copies in [0, 1] (``labels`` (N,), for the moves that depend on the digit); ``rng`` (a NumPy
    Generator) draws the moves, then the masks."""
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        batch_images = images[batch]
        if augmentation is not None:
            batch_images = augmentation.apply(batch_images, rng, None if labels is None else labels[batch])
        masks = dropout_masks(net, len(batch), dropout, rng) if dropout else None
        yield batch, batch_images, masks


AHEAD = 8  # items ``ahead`` holds ready at most


def ahead(items, depth=AHEAD):
    """The items of the iterator ``items``, worked out in a background thread up to ``depth`` ahead
    of the caller.  An exception in the thread is raised in the caller at the item it stopped at;
    when the caller stops early (an exception, or it closes this generator) the thread stops too."""
    ready, stop = queue.Queue(depth), threading.Event()
    finished = object()

    def hand_over(item):
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        try:
            for item in items:
                if not hand_over((item, None)):
                    return
        except BaseException as error:  # noqa: BLE001 - handed to the caller, raised there
            hand_over((finished, error))
            return
        hand_over((finished, None))

    worker = threading.Thread(target=produce, name="digitnet-batches", daemon=True)
    worker.start()
    try:
        while True:
            item, error = ready.get()
            if item is finished:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        worker.join()

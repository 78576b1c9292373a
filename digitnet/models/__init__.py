"""Networks that ship inside the package, so the explorer works with no data and no network.

``3b1b.npz`` is the video's network (784-16-16-10, sigmoid, quadratic cost) trained by digitnet
itself with the default recipe and seed 0: ``scripts/train_bundled_model.sh`` retrains it.
"""

from importlib import resources

from ..network import Network

BUNDLED = "3b1b.npz"


def load_bundled():
    """The trained 784-16-16-10 network that ships with digitnet (test accuracy in its history)."""
    with resources.as_file(resources.files(__name__) / BUNDLED) as path:
        return Network.load(path)

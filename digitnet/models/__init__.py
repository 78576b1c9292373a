"""Networks that ship inside the package, by name, so every command works with no data and no training.

    3b1b   the video's network: 784-16-16-10, sigmoid, quadratic cost (13,002 parameters),
           trained by digitnet itself with the video's recipe on training images redrawn
           gently the ways people draw (preset ``3b1b-drawn``), seed 0
    big    784-512-512-10 ReLU/softmax trained on training images redrawn the ways people draw,
           each put back in MNIST's box and centre (preset ``big-drawn``), seed 0, weights
           stored as float16 (half the file)

Each carries its "not a digit" model (fitted at the end of training).  ``scripts/train_shipped_models.py``
retrains every one of them bit for bit.  Any command that takes MODEL takes one of these names.
"""

from importlib import resources
from pathlib import Path

from ..network import Network

SHIPPED = {"3b1b": "3b1b.npz", "big": "big.npz"}  # name → file in this package
BUNDLED = SHIPPED["3b1b"]  # the explorer's default network


def shipped_names():
    return list(SHIPPED)


def load_shipped(name):
    """The shipped network called ``name`` (KeyError for an unknown name)."""
    with resources.as_file(resources.files(__name__) / SHIPPED[name]) as path:
        return Network.load(path)


def load_named(model):
    """The model file ``model``, or the shipped network of that name when no such file exists
    (Network.load's errors are one line)."""
    if model in SHIPPED and not Path(model).exists():
        return load_shipped(model)
    return Network.load(model)


def load_bundled():
    """The trained 784-16-16-10 network that ships with digitnet (test accuracy in its history)."""
    return load_shipped("3b1b")


def describe(name):
    """What ``digitnet models`` says about a shipped network: name, sizes, parameters, test accuracy, rejector."""
    net = load_shipped(name)
    kept_epoch = net.recipe.get("best_epoch") or len(net.history)  # the epoch whose weights were kept
    kept = [record for record in net.history if record.get("epoch") == kept_epoch]
    return {
        "name": name,
        "sizes": net.sizes,
        "parameters": net.num_parameters,
        "test_accuracy": kept[0].get("test_accuracy") if kept else None,
        "rejector": net.rejector is not None,
    }

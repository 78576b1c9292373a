"""digitnet: a neural network that learns to read handwritten digits, built to be looked inside.

>>> import digitnet
>>> (train_images, train_labels), (test_images, test_labels) = digitnet.load_mnist()
>>> net = digitnet.Network()                 # 784-16-16-10, sigmoid, quadratic cost
>>> net.fit(train_images, train_labels, epochs=30, test=(test_images, test_labels))
>>> net.predict(test_images[:5])
"""

__version__ = "0.1.0"

# The public names load on first use (PEP 562), so `import digitnet` and the command line start at once
# and a Ctrl-C while they start is caught by the command line like any other.
_PUBLIC = {
    "Network": "network",
    "Recipe": "recipe",
    "load_mnist": "data",
    "DigitnetError": "errors",
    "StopTraining": "training",
}

__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'digitnet' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)

"""digitnet: a neural network that learns to read handwritten digits, built to be looked inside.

    >>> import digitnet
    >>> (train_images, train_labels), (test_images, test_labels) = digitnet.load_mnist()
    >>> net = digitnet.Network()                 # 784-16-16-10, sigmoid, quadratic cost
    >>> net.fit(train_images, train_labels, epochs=30, test=(test_images, test_labels))
    >>> net.predict(test_images[:5])
"""

__version__ = "0.1.0"

from .data import load_mnist  # noqa: E402
from .errors import DigitnetError  # noqa: E402
from .network import Network  # noqa: E402
from .training import StopTraining  # noqa: E402

__all__ = ["Network", "load_mnist", "DigitnetError", "StopTraining", "__version__"]

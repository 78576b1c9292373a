"""The one exception family digitnet raises for bad files, bad input and failed training.

Every message is a single line meant for a person: the command line prints it as
``digitnet: error: <message>`` and exits non-zero, with no traceback.
"""


class DigitnetError(Exception):
    """Base class: something the user can fix (a file, an argument, a setting)."""


class DataError(DigitnetError):
    """MNIST files missing, truncated, corrupt or failing their checksum."""


class ModelFileError(DigitnetError):
    """A model file that is not digitnet's, is too new, or does not match its own shapes."""


class ImageError(DigitnetError):
    """A picture that cannot be read or holds no digit (empty, too large, not an image)."""


class BlankImageError(ImageError):
    """A picture with no ink at all: blank white, blank black, one flat colour."""


class TrainingDiverged(DigitnetError):
    """The cost or the weights became NaN or infinite during training."""

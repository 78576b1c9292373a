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
    """A picture with no digit to read: no ink at all (blank white, blank black, one flat colour).
    ``reason`` says which, in the words ``digitnet predict --reject`` and the explorer answer with."""

    reason = "blank"


class TooSmallImageError(BlankImageError):
    """A picture whose ink is too few pixels across to read (a digit a few pixels tall)."""

    reason = "too small"


class TrainingDiverged(DigitnetError):
    """The cost or the weights became NaN or infinite during training."""

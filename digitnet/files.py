"""Writing files safely: everything digitnet writes goes to a temporary file first, then is renamed.

A rename within one folder is atomic, so an interrupted run (Ctrl-C, a full disk, a crash)
leaves either the old file or the new one, never half of one.
"""

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import DigitnetError


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_writable(path):
    """Raise DigitnetError (one line) unless a file can be written at ``path``: not a folder, its folder creatable
    and writable.  Commands call it before long work, so a bad ``--out`` fails at once, not after training."""
    path = Path(path)
    if path.is_dir():
        raise DigitnetError(f"{path}: is a folder; give a file name to write")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DigitnetError(f"cannot write {path}: {error.strerror or error}") from None
    if not os.access(path.parent, os.W_OK):
        raise DigitnetError(f"cannot write {path}: its folder is not writable")


@contextlib.contextmanager
def atomic_write(path, mode="wb"):
    """Open a temporary file beside ``path`` for writing; rename it to ``path`` only on success."""
    path = Path(path)
    check_writable(path)
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as error:
        raise DigitnetError(f"cannot write {path}: {error.strerror or error}") from None
    os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; give the permissions open() would
    try:
        with os.fdopen(fd, mode) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise

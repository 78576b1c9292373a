"""Reading and writing files safely.

Reading: ``read_regular_file`` opens without blocking, refuses anything that is not a regular
file (a FIFO would block forever, ``/dev/zero`` never ends) and reads at most a stated number
of bytes.

Writing: everything digitnet writes goes to a temporary file beside the target, is flushed to
disk, then renamed over the target, and the folder is flushed so the rename itself survives a
crash.  A rename within one folder is atomic, so an interrupted run (Ctrl-C, a full disk, a
crash, a kill) leaves either the old file or the new one, never half of one.  Writing to a
symbolic link writes the file it points to; an existing file keeps its permissions.
Temporary files are named ``.NAME.PID.RANDOM.part``; those left behind by a process that no
longer runs are removed by the next write of the same file.
"""

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from .errors import DigitnetError


def read_regular_file(path, limit, error=DigitnetError, what="file"):
    """The bytes of ``path``, refusing (``error``, one line) non-regular files and files over ``limit`` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise error(f"{path}: no such {what}") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not a {what}") from None
    except OSError as problem:
        raise error(f"{path}: cannot open ({problem.strerror or problem})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise error(f"{path}: is a folder, not a {what}")
        if not stat.S_ISREG(info.st_mode):
            raise error(f"{path}: not a regular file (a device, pipe or socket cannot be read as a {what})")
        raise error(f"{path}: too large for a {what} ({info.st_size:,} bytes; the limit is {limit:,})")
    with os.fdopen(fd, "rb") as file:
        try:
            content = file.read(info.st_size + 1)
            if len(content) > info.st_size:  # it grew since fstat: read on, but never past the limit
                content += file.read(limit + 1 - len(content))
        except OSError as problem:
            raise error(f"{path}: cannot read ({problem.strerror or problem})") from None
    if len(content) > limit:  # it grew while being read
        raise error(f"{path}: too large for a {what} (over {limit:,} bytes)")
    return content


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_target(path):
    """Where writing ``path`` really goes: the end of its chain of symbolic links (``path`` itself if none)."""
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def check_writable(path):
    """Raise DigitnetError (one line) unless a file can be written at ``path``: a file name (not a folder,
    nor a name ending in a slash), its folder creatable, and a file really creatable in it (tried, then
    removed).  Commands call it before long work, so a bad ``--out`` fails at once, not after training."""
    if str(path).endswith((os.sep, "/")):
        raise DigitnetError(f"{path}: names a folder (it ends with a slash); give a file name to write")
    path = write_target(path)
    if path.is_dir():
        raise DigitnetError(f"{path}: is a folder; give a file name to write")
    if path.exists() and not path.is_file():
        raise DigitnetError(f"{path}: not a regular file; give a file name to write")
    for folder in (path.parent, *path.parent.parents):
        if folder.exists():
            if not folder.is_dir():
                raise DigitnetError(f"cannot write {path}: {folder} is a file, not a folder")
            break
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=_temporary_prefix(path), suffix=".probe"):
            pass
    except OSError as error:
        raise DigitnetError(f"cannot write {path}: {error.strerror or error}") from None


def _temporary_prefix(path):
    return f".{path.name}."


def remove_stale_temporaries(path):
    """Delete temporary files left beside ``path`` by digitnet processes that no longer run."""
    prefix = _temporary_prefix(path)
    for leftover in path.parent.glob(f"{prefix}*.part"):
        pid = leftover.name[len(prefix) :].split(".", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or _running(int(pid)):
            continue
        with contextlib.suppress(OSError):
            leftover.unlink()


def _running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but belongs to someone else
        return True
    return True


def _fsync_folder(folder):
    with contextlib.suppress(OSError):  # some file systems cannot open or flush a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_write(path, mode="wb"):
    """Open a temporary file beside ``path`` for writing; on success flush it and rename it to ``path``.

    Through a symbolic link the link's target is replaced (the link stays).  The new file gets the
    old file's permission bits, or those ``open()`` would give a new file.
    """
    path = write_target(path)
    check_writable(path)
    remove_stale_temporaries(path)
    try:
        permissions = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        permissions = 0o666 & ~_umask()
    try:
        fd, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f"{_temporary_prefix(path)}{os.getpid()}.", suffix=".part"
        )
    except OSError as error:
        raise DigitnetError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        os.chmod(temporary, permissions)  # mkstemp makes 0600
        with os.fdopen(fd, mode) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        if isinstance(error, OSError):  # a full disk, a quota, a vanished folder: one line, old file intact
            raise DigitnetError(f"cannot write {path}: {error.strerror or error}") from None
        raise
    _fsync_folder(path.parent)

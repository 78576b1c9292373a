"""The ``digitnet`` command: parses arguments, runs a subcommand, turns errors into one line.

Each subcommand lives in its own module with a ``register(subparsers)`` function.
"""

import argparse
import importlib
import os
import signal
import sys
import threading

from .. import __version__
from ..errors import DigitnetError

COMMANDS = ("train", "evaluate", "predict", "show", "reject", "models", "explore")  # modules, imported when parsing
FLAG_NAMES = {  # the library's names for values the command line takes as options
    "held_out must": "--held-out must",
    "components must": "--components must",
    "reject_share must": "--reject-share must",
    "validation=N": "--validation N",
}


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, pointing at --help."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    def parse_args(self, args=None, namespace=None):
        """As argparse's, but unknown arguments point at the subcommand's --help."""
        parsed, unknown = self.parse_known_args(args, namespace)
        if unknown:
            command = getattr(parsed, "command", None)
            self.exit(
                2,
                f"{self.prog}: error: unrecognized arguments: {' '.join(unknown)} "
                f"(see {self.prog}{' ' + command if command else ''} --help)\n",
            )
        return parsed


def build_parser():
    """The argument parser for ``digitnet`` and all its subcommands."""
    parser = Parser(
        prog="digitnet",
        description="A neural network that learns to read handwritten digits, built to be looked inside.",
    )
    parser.add_argument("--version", action="version", version=f"digitnet {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f".{name}", __name__).register(subparsers)
    return parser


def main(argv=None):
    """Run ``digitnet`` with ``argv``; return the exit status (0 ok, 1 error, 2 usage, 130 Ctrl-C or
    ``kill``, which stop a command alike: training saves its last complete epoch)."""
    args = build_parser().parse_args(argv)
    previous = (
        signal.signal(signal.SIGTERM, _interrupt) if threading.current_thread() is threading.main_thread() else None
    )
    try:
        return args.run(args) or 0
    except DigitnetError as error:
        print(f"digitnet: error: {error}", file=sys.stderr)
        return 1
    except ValueError as error:  # the library's argument checks: bad sizes, unknown names, …
        print(f"digitnet: error: {in_flag_names(str(error))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("digitnet: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `digitnet ... | head`
        sys.stderr.close()
        return 0
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def in_flag_names(message):
    """``message`` with the library's names for values the user gave as options put as those options."""
    for library_name, flag in FLAG_NAMES.items():
        message = message.replace(library_name, flag)
    return message


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class PipeSafeOutput:
    """A text stream (sys.stdout) that, once its reader has gone (``digitnet show … --out w.png | head``),
    drops the rest of the output instead of stopping the command, so that the files it was asked to
    write still get written."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._drop_the_rest()
            return len(text)

    def flush(self):
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._drop_the_rest()

    def _drop_the_rest(self):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, self._stream.fileno())  # Python's own flush at exit then has nowhere to fail
        os.close(devnull)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def entry_point():
    """Console-script entry: exit with ``main``'s status; a Ctrl-C at any moment, even while the
    subcommands' modules load, ends with one line and status 130."""
    sys.stdout = PipeSafeOutput(sys.stdout)
    try:
        status = main()
    except KeyboardInterrupt:
        print("digitnet: interrupted", file=sys.stderr)
        status = 130
    sys.exit(status)

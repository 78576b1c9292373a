"""The ``digitnet`` command: parses arguments, runs a subcommand, turns errors into one line.

Each subcommand lives in its own module with a ``register(subparsers)`` function.
"""

import argparse
import importlib
import sys

from .. import __version__
from ..errors import DigitnetError

COMMANDS = ("train", "evaluate", "predict", "show", "reject", "models", "explore")  # modules, imported when parsing


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, pointing at --help."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


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
    """Run ``digitnet`` with ``argv``; return the exit status (0 ok, 1 error, 2 usage, 130 Ctrl-C)."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except DigitnetError as error:
        print(f"digitnet: error: {error}", file=sys.stderr)
        return 1
    except ValueError as error:  # the library's argument checks: bad sizes, unknown names, …
        print(f"digitnet: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("digitnet: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `digitnet ... | head`
        sys.stderr.close()
        return 0


def entry_point():
    """Console-script entry: exit with ``main``'s status; a Ctrl-C at any moment, even while the
    subcommands' modules load, ends with one line and status 130."""
    try:
        status = main()
    except KeyboardInterrupt:
        print("digitnet: interrupted", file=sys.stderr)
        status = 130
    sys.exit(status)

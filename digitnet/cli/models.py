"""``digitnet models``: the networks that ship with digitnet, usable by name wherever a command takes MODEL."""

from ..models import describe, shipped_names
from .common import add_json_option, emit, percent


def register(subparsers):
    parser = subparsers.add_parser(
        "models",
        help="list the networks that ship with digitnet (usable by name as MODEL)",
        description="List the trained networks inside the package. Every command that takes MODEL also "
        "takes one of these names, e.g. `digitnet predict 3b1b picture.png`.",
    )
    add_json_option(parser)
    parser.set_defaults(run=run_models)


def run_models(args):
    for name in shipped_names():
        facts = describe(name)
        if args.json:
            emit(facts)
            continue
        accuracy = "" if facts["test_accuracy"] is None else f", {percent(facts['test_accuracy'])} on MNIST's test set"
        print(
            f"{name}: {'-'.join(map(str, facts['sizes']))}, {facts['parameters']:,} parameters{accuracy}"
            f"{', says “not a digit” (--reject)' if facts['rejector'] else ''}"
        )
    return 0

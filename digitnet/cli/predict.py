"""``digitnet predict``: read pictures of digits and say which digit each one is."""

import sys

from ..errors import ImageError
from ..images import image_to_input
from .common import add_engine_option, add_json_option, emit, load_model


def register(subparsers):
    parser = subparsers.add_parser(
        "predict", help="recognise digits in PNG/JPEG pictures",
        description="Read pictures of handwritten digits (any size, dark on light or light on dark, "
                    "transparent backgrounds too), turn each into MNIST-style input and print the digit "
                    "and the ten output activations.")
    parser.add_argument("model", metavar="MODEL", help="a model file saved by `digitnet train`")
    parser.add_argument("images", metavar="IMAGE", nargs="+", help="picture files")
    add_engine_option(parser)
    add_json_option(parser)
    parser.set_defaults(run=run_predict)


def run_predict(args):
    net = load_model(args.model)
    failed = 0
    for path in args.images:
        try:
            pixels = image_to_input(path)
        except ImageError as error:
            failed += 1
            if args.json:
                emit({"file": path, "error": str(error)})
            else:
                print(f"digitnet: error: {error}", file=sys.stderr)
            continue
        outputs = net.outputs(pixels, engine=args.engine)
        digit = int(outputs.argmax())
        if args.json:
            emit({"file": path, "digit": digit, "outputs": [float(a) for a in outputs]})
        else:
            print(f"{path}: {digit}   outputs " + " ".join(f"{d}:{a:.2f}" for d, a in enumerate(outputs)))
    return 1 if failed else 0

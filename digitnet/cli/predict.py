"""``digitnet predict``: read pictures of digits and say which digit each one is (or that it is none)."""

import sys

from ..drawing_check import is_drawing
from ..errors import BlankImageError, ImageError
from ..images import MAX_FILE_BYTES, read_picture
from ..rejection import confidence, is_unsure, rejection_reason
from .common import (
    MODEL_HELP,
    add_engine_option,
    add_json_option,
    add_reject_option,
    emit,
    load_model,
    require_rejector,
)


def register(subparsers):
    parser = subparsers.add_parser(
        "predict",
        help="recognise digits in PNG/JPEG pictures",
        description="Read pictures of handwritten digits (any size, dark on light or light on dark, "
        "transparent backgrounds too), turn each into MNIST-style input and print the digit "
        "and the ten output activations. With --reject, pictures unlike any digit (and blank "
        'ones) are answered "not a digit".',
    )
    parser.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    parser.add_argument("images", metavar="IMAGE", nargs="+", help="picture files; - reads one from standard input")
    add_reject_option(parser)
    add_engine_option(parser)
    add_json_option(parser)
    parser.set_defaults(run=run_predict)


def run_predict(args):
    net = load_model(args.model)
    if args.reject:
        require_rejector(net, args.model)
    failed = 0
    for path in args.images:
        try:
            picture = read_picture(*_picture_source(path))
        except BlankImageError as error:
            if args.reject:  # a blank picture, or one too small to read, is not a digit: an answer, not an error
                report(
                    args,
                    {
                        "file": path,
                        "digit": None,
                        "rejected": True,
                        "state": "rejected",
                        "unsure": False,
                        "typicality": 0.0,
                        "blank": error.reason == "blank",
                        "reason": error.reason,
                    },
                )
                continue
            failed += 1
            report_error(args, path, error)
            continue
        except ImageError as error:
            failed += 1
            report_error(args, path, error)
            continue
        if args.reject:
            drawing = is_drawing(picture)
            verdict = net.predict_or_reject(picture.pixels, engine=args.engine, drawings=drawing)
            report(
                args,
                {
                    "file": path,
                    "digit": verdict.digit,
                    "rejected": verdict.rejected,
                    "state": verdict.state,
                    "unsure": verdict.unsure,
                    "typicality": verdict.typicality,
                    "drawing": drawing,
                    "reason": rejection_reason(net, verdict, drawing),
                    "confidence": float(confidence(verdict.outputs)),
                    "outputs": [float(a) for a in verdict.outputs],
                },
            )
        else:
            outputs = net.outputs(picture.pixels, engine=args.engine)
            unsure = bool(is_unsure(net, outputs))
            report(
                args,
                {
                    "file": path,
                    "digit": int(outputs.argmax()),
                    "state": "unsure" if unsure else "sure",
                    "unsure": unsure,
                    "confidence": float(confidence(outputs)),
                    "outputs": [float(a) for a in outputs],
                },
            )
    return 1 if failed else 0


NO_DIGIT = {"blank": "blank image", "too small": "too small to read"}  # BlankImageError's reasons
REASONS = {
    "not a drawing": "not a drawing: it looks like a photograph or a texture",
    "unusual": "unlike the digits this network learned",
    "digit check": "the digit check does not see one digit in it",
}


def _picture_source(path):
    """What read_picture reads for the IMAGE argument ``path``: (path, None), or for "-" the bytes piped
    into standard input and the name "stdin" (at most MAX_FILE_BYTES + 1 read; read_picture refuses more)."""
    if path != "-":
        return path, None
    if sys.stdin is None or sys.stdin.isatty():
        raise ImageError("-: reads a picture piped into standard input, and none is (predict MODEL - < picture.png)")
    return sys.stdin.buffer.read(MAX_FILE_BYTES + 1), "stdin"


def report(args, answer):
    """Print one image's answer: a JSON line, or a line of text."""
    if args.json:
        emit(answer)
        return
    if answer.get("reason") in NO_DIGIT:
        print(f"{answer['file']}: not a digit ({NO_DIGIT[answer['reason']]})")
        return
    outputs = " ".join(f"{d}:{a:.2f}" for d, a in enumerate(answer["outputs"]))
    guess = max(range(10), key=lambda d: answer["outputs"][d])
    if answer["state"] == "rejected":
        print(
            f"{answer['file']}: not a digit ({REASONS[answer['reason']]}; typicality {answer['typicality']:.4f}; "
            f"the network's guess would be {guess})   outputs {outputs}"
        )
        return
    said = f"probably {guess} (unsure: confidence {answer['confidence']:.2f})" if answer["unsure"] else str(guess)
    typicality = f"   typicality {answer['typicality']:.4f}" if "typicality" in answer else ""
    print(f"{answer['file']}: {said}{typicality}   outputs {outputs}")


def report_error(args, path, error):
    if args.json:
        emit({"file": path, "error": str(error)})
    else:
        print(f"digitnet: error: {error}", file=sys.stderr)

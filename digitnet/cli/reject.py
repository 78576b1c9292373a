"""``digitnet calibrate-reject``: fit the "not a digit" model for a saved network and store it in the file."""

from pathlib import Path

from ..errors import DigitnetError
from ..files import check_writable
from ..models import SHIPPED
from ..rejection import COMPONENTS, HELD_OUT, REJECT_SHARE, fit_for_training_set, fitting_rows
from .common import (
    MODEL_HELP,
    add_data_option,
    add_json_option,
    emit,
    load_data,
    load_model,
    open_fraction,
    percent,
    positive_int,
)


def register(subparsers):
    parser = subparsers.add_parser(
        "calibrate-reject",
        help='fit the "not a digit" model of a saved network (for --reject)',
        description="Fit a density model of MNIST digits (a Gaussian per digit class along the main directions "
        "of pixel space) on up to 20,000 images spread over the training set minus its last "
        "--held-out images, calibrate its threshold on those held-out images so that a share "
        "--reject-share of them is rejected (and the network's unsure level on them), and store it "
        "in the model file. `digitnet train` already does this; this re-fits it. The test set is "
        "not used.",
    )
    parser.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    parser.add_argument(
        "--out", metavar="FILE", help="where to save the model with its rejector (default: MODEL itself)"
    )
    parser.add_argument(
        "--reject-share",
        type=open_fraction,
        default=REJECT_SHARE,
        metavar="F",
        help=f"share of held-out digits to reject (default {REJECT_SHARE})",
    )
    parser.add_argument(
        "--components",
        type=positive_int,
        default=COMPONENTS,
        metavar="K",
        help=f"main directions of pixel space to model (default {COMPONENTS})",
    )
    parser.add_argument(
        "--held-out",
        type=positive_int,
        default=HELD_OUT,
        metavar="N",
        help=f"last N training images kept aside for calibration (default {HELD_OUT:,})",
    )
    add_data_option(parser)
    add_json_option(parser)
    parser.set_defaults(run=run_calibrate)


def run_calibrate(args):
    net = load_model(args.model)
    if args.out is None and args.model in SHIPPED and not Path(args.model).exists():
        raise DigitnetError(f"{args.model} is a shipped network; say where to save the re-fitted copy with --out FILE")
    check_writable(args.out or args.model)
    (train_images, train_labels), _ = load_data(args)
    net.rejector = fit_for_training_set(
        train_images,
        train_labels,
        held_out=args.held_out,
        net=net,
        components=args.components,
        reject_share=args.reject_share,
    )
    out = args.out or args.model
    net.save(out)
    held_out_rejected = float(net.rejector.rejects(train_images[-args.held_out :]).mean())
    fitted_on = len(range(len(train_images))[fitting_rows(len(train_images), args.held_out)])
    if args.json:
        emit(
            {
                "model": out,
                "components": args.components,
                "reject_share": args.reject_share,
                "fitted_on": fitted_on,
                "held_out": args.held_out,
                "held_out_rejected_share": held_out_rejected,
                "unsure_below": net.rejector.unsure_below,
            }
        )
        return 0
    print(
        f"fitted on {fitted_on:,} training digits with {args.components} components; "
        f"rejects {percent(held_out_rejected)} of the {args.held_out:,} held-out digits; saved to {out}"
    )
    return 0

"""``digitnet evaluate`` (accuracy, cost, per-digit accuracy, confusion matrix) and ``digitnet info``."""

import numpy as np

from ..insight import confusion_matrix
from .common import (
    MODEL_HELP,
    add_data_option,
    add_engine_option,
    add_json_option,
    add_reject_option,
    emit,
    load_data,
    load_model,
    percent,
    require_rejector,
)


def register(subparsers):
    parser = subparsers.add_parser(
        "evaluate",
        help="test a saved network on the 10,000 MNIST test images",
        description="Accuracy, average cost, per-digit accuracy and the confusion "
        "matrix of a saved network on the MNIST test set.",
    )
    parser.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    add_reject_option(parser)
    add_data_option(parser)
    add_engine_option(parser)
    add_json_option(parser)
    parser.set_defaults(run=run_evaluate)

    parser = subparsers.add_parser(
        "info",
        help="describe a saved network",
        description="Layers, parameter count, training recipe and test accuracy of a saved network.",
    )
    parser.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    add_json_option(parser)
    parser.set_defaults(run=run_info)


def rejection_scores(net, images, labels, engine):
    """How the rejector treats real test digits: the share rejected, the accuracy on the rest, the
    share of answers that are unsure and the accuracy of the sure ones."""
    verdict = net.predict_or_reject(images, engine=engine)
    kept, sure = ~verdict.rejected, verdict.state == "sure"
    return {
        "rejected_share": float(verdict.rejected.mean()),
        "kept_count": int(kept.sum()),
        "kept_accuracy": float((verdict.digit[kept] == labels[kept]).mean()) if kept.any() else None,
        "unsure_share": float(verdict.unsure.mean()),
        "sure_accuracy": float((verdict.digit[sure] == labels[sure]).mean()) if sure.any() else None,
    }


def run_evaluate(args):
    net = load_model(args.model)
    if args.reject:
        require_rejector(net, args.model)
    images, labels = load_data(args, split="test")  # the training files are not read
    scores = net.evaluate(images, labels, engine=args.engine)
    confusion = confusion_matrix(labels, net.predict(images, engine=args.engine))
    per_digit = (np.diag(confusion) / np.maximum(confusion.sum(axis=1), 1)).tolist()
    rejection = rejection_scores(net, images, labels, args.engine) if args.reject else {}
    if args.json:
        emit(
            {
                "count": int(len(labels)),
                "accuracy": scores["accuracy"],
                "cost": scores["cost"],
                "per_digit_accuracy": per_digit,
                "confusion": confusion.tolist(),
                **rejection,
            }
        )
        return 0
    print(
        f"accuracy {percent(scores['accuracy'])} ({int(np.trace(confusion)):,} of {len(labels):,})   "
        f"average cost {scores['cost']:.4f}"
    )
    if rejection:
        kept_accuracy, sure_accuracy = rejection["kept_accuracy"], rejection["sure_accuracy"]
        print(
            f'with --reject: {percent(rejection["rejected_share"])} of the test digits called "not a digit"; '
            f"accuracy on the {rejection['kept_count']:,} kept "
            f"{percent(kept_accuracy) if kept_accuracy is not None else 'undefined (none kept)'}; "
            f"{percent(rejection['unsure_share'])} of the answers unsure, the sure ones right "
            f"{percent(sure_accuracy) if sure_accuracy is not None else 'undefined (none sure)'}"
        )
    print("per digit: " + "  ".join(f"{d}: {percent(a)}" for d, a in enumerate(per_digit)))
    print("confusion matrix (rows: true digit, columns: network's answer)")
    print("      " + "".join(f"{d:>6}" for d in range(10)))
    for digit, row in enumerate(confusion):
        print(f"{digit:>6}" + "".join(f"{count:>6}" for count in row))
    return 0


def run_info(args):
    net = load_model(args.model)
    best_epoch = net.recipe.get("best_epoch")  # early stopping put back that epoch's weights
    last = net.history[best_epoch - 1 if best_epoch else -1] if net.history else {}
    info = {
        "model": args.model,
        **net.config(),
        "parameters": net.num_parameters,
        "recipe": net.recipe,
        "epochs_trained": len(net.history),
        "test_accuracy": last.get("test_accuracy"),
        "rejector": None
        if net.rejector is None
        else {"components": net.rejector.components, "reject_share": net.rejector.reject_share},
    }
    if args.json:
        emit(info)
        return 0
    print(f"{args.model}: {net!r}")
    print(f"layers      {' → '.join(map(str, net.sizes))}")
    print(f"parameters  {net.num_parameters:,}")
    print(f"activation  {net.activation} (hidden), {net.output} (output); cost {net.cost_name}; init {net.init}")
    if net.recipe:
        print("recipe      " + "  ".join(f"{key}={value}" for key, value in net.recipe.items()))
    print(
        "not a digit "
        + (
            "not fitted (run `digitnet calibrate-reject MODEL` for --reject)"
            if net.rejector is None
            else f"fitted: {net.rejector.components} components, calibrated to reject "
            f"{percent(net.rejector.reject_share)} of held-out digits"
        )
    )
    accuracy = info["test_accuracy"]
    print(
        f"test accuracy {percent(accuracy) if accuracy is not None else 'not measured'} "
        f"after {len(net.history)} epochs"
        + (f" (weights of epoch {best_epoch}, the best on validation)" if best_epoch else "")
    )
    return 0

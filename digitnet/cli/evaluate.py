"""``digitnet evaluate`` (accuracy, cost, per-digit accuracy, confusion matrix) and ``digitnet info``."""

import numpy as np

from ..insight import confusion_matrix
from .common import add_data_option, add_engine_option, add_json_option, emit, load_data, load_model, percent


def register(subparsers):
    parser = subparsers.add_parser("evaluate", help="test a saved network on the 10,000 MNIST test images",
                                   description="Accuracy, average cost, per-digit accuracy and the confusion "
                                               "matrix of a saved network on the MNIST test set.")
    parser.add_argument("model", metavar="MODEL", help="a model file saved by `digitnet train`")
    add_data_option(parser)
    add_engine_option(parser)
    add_json_option(parser)
    parser.set_defaults(run=run_evaluate)

    parser = subparsers.add_parser("info", help="describe a saved network",
                                   description="Layers, parameter count, training recipe and test accuracy "
                                               "of a saved network.")
    parser.add_argument("model", metavar="MODEL", help="a model file saved by `digitnet train`")
    add_json_option(parser)
    parser.set_defaults(run=run_info)


def run_evaluate(args):
    net = load_model(args.model)
    _, (images, labels) = load_data(args)
    scores = net.evaluate(images, labels, engine=args.engine)
    confusion = confusion_matrix(labels, net.predict(images, engine=args.engine))
    per_digit = (np.diag(confusion) / np.maximum(confusion.sum(axis=1), 1)).tolist()
    if args.json:
        emit({"count": int(len(labels)), "accuracy": scores["accuracy"], "cost": scores["cost"],
              "per_digit_accuracy": per_digit, "confusion": confusion.tolist()})
        return 0
    print(f"accuracy {percent(scores['accuracy'])} ({int(np.trace(confusion)):,} of {len(labels):,})   "
          f"average cost {scores['cost']:.4f}")
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
    info = {"model": args.model, **net.config(), "parameters": net.num_parameters, "recipe": net.recipe,
            "epochs_trained": len(net.history), "test_accuracy": last.get("test_accuracy")}
    if args.json:
        emit(info)
        return 0
    print(f"{args.model}: {net!r}")
    print(f"layers      {' → '.join(map(str, net.sizes))}")
    print(f"parameters  {net.num_parameters:,}")
    print(f"activation  {net.activation} (hidden), {net.output} (output); cost {net.cost_name}; init {net.init}")
    if net.recipe:
        print("recipe      " + "  ".join(f"{key}={value}" for key, value in net.recipe.items()))
    accuracy = info["test_accuracy"]
    print(f"test accuracy {percent(accuracy) if accuracy is not None else 'not measured'} "
          f"after {len(net.history)} epochs" + (f" (weights of epoch {best_epoch}, the best on validation)"
                                                if best_epoch else ""))
    return 0

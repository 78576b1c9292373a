"""``digitnet train`` and ``digitnet download``."""

import argparse
import sys
import time

from ..data import download_mnist, resolve_data_dir
from ..network import Network
from ..presets import DEFAULT_PRESET, PRESETS
from ..training import SCHEDULES
from .common import (ProgressBar, add_data_option, add_engine_option, add_json_option, emit,
                     load_data, percent)


def register(subparsers):
    parser = subparsers.add_parser(
        "train", help="train a network on MNIST and save it",
        description="Train a network on MNIST by mini-batch gradient descent and save it. The default is "
                    "the video's network (784-16-16-10, sigmoid, quadratic cost, mini-batches of 10); "
                    "flags override the preset's values.")
    parser.add_argument("--preset", choices=sorted(PRESETS), default=DEFAULT_PRESET,
                        help=f"a named recipe (default {DEFAULT_PRESET}); see --list-presets")
    parser.add_argument("--list-presets", action="store_true", help="print the presets and what each sets, then exit")
    parser.add_argument("--layers", type=_layer_sizes, metavar="N,N,...", help="layer sizes, e.g. 784,16,16,10")
    parser.add_argument("--activation", choices=("sigmoid", "tanh", "relu"), help="hidden-layer activation")
    parser.add_argument("--output", choices=("sigmoid", "softmax"), help="output-layer activation")
    parser.add_argument("--cost", choices=("quadratic", "cross-entropy"), help="cost function")
    parser.add_argument("--init", choices=("lecun", "nielsen", "xavier", "he"), help="initial weights")
    parser.add_argument("--epochs", type=_non_negative_int, help="passes over the training set")
    parser.add_argument("--batch-size", type=_positive_int, help="examples per gradient step")
    parser.add_argument("--lr", type=_positive_float, help="learning rate (step size along −∇C)")
    parser.add_argument("--schedule", choices=SCHEDULES, help="learning-rate schedule over the epochs")
    parser.add_argument("--seed", type=int, default=0, help="random seed for the start and the order (default 0)")
    parser.add_argument("--limit", type=_positive_int, metavar="N", help="train on the first N training images only")
    parser.add_argument("--out", default="model.npz", metavar="FILE", help="where to save the model (default model.npz)")
    add_data_option(parser)
    add_engine_option(parser)
    add_json_option(parser)
    parser.set_defaults(run=run_train)

    parser = subparsers.add_parser("download", help="download MNIST (verified by SHA-256) into the data folder",
                                   description="Fetch the four MNIST files from public mirrors into the data "
                                               "folder, verifying each file's SHA-256.")
    add_data_option(parser)
    parser.set_defaults(run=run_download)


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def _non_negative_int(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def _layer_sizes(text):
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers like 784,16,16,10, got {text!r}") from None
    if len(sizes) < 2 or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"need at least two positive sizes, got {text!r}")
    if sizes[0] != 784 or sizes[-1] != 10:
        raise argparse.ArgumentTypeError(f"MNIST needs 784 inputs and 10 outputs, got {text!r}")
    return sizes


def list_presets():
    for name, preset in PRESETS.items():
        settings = {**preset["network"], **preset["training"]}
        settings["sizes"] = "-".join(map(str, settings["sizes"]))
        print(f"{name}{' (default)' if name == DEFAULT_PRESET else ''}: {preset['description']}")
        print("    " + "  ".join(f"{key}={value}" for key, value in settings.items()))


def recipe_from(args):
    """Network(...) and fit(...) arguments: the preset's, overridden by any flags given."""
    preset = PRESETS[args.preset]
    network, training = dict(preset["network"]), dict(preset["training"])
    for key, flag in (("sizes", "layers"), ("activation", "activation"), ("output", "output"),
                      ("cost", "cost"), ("init", "init")):
        if getattr(args, flag) is not None:
            network[key] = getattr(args, flag)
    for key in ("epochs", "batch_size", "lr", "schedule"):
        if getattr(args, key) is not None:
            training[key] = getattr(args, key)
    return network, training


def run_train(args):
    if args.list_presets:
        list_presets()
        return 0
    network_args, training_args = recipe_from(args)
    net = Network(**network_args, seed=args.seed)
    (train_images, train_labels), test = load_data(args, download=True)
    if args.limit:
        train_images, train_labels = train_images[:args.limit], train_labels[:args.limit]
    epochs = training_args["epochs"]
    if not args.json:
        print(f"training {net!r} on {len(train_images):,} images for {epochs} epoch{'' if epochs == 1 else 's'} "
              f"(batch {training_args['batch_size']}, lr {training_args['lr']:g}, {training_args['schedule']})",
              flush=True)
    bar = ProgressBar("epoch")

    def show_epoch(record):
        bar.close()
        if args.json:
            emit({"type": "epoch", **record})
        else:
            print(f"epoch {record['epoch']:>3}/{epochs}  test accuracy {percent(record['test_accuracy'])}  "
                  f"test cost {record['test_cost']:.4f}  train cost {record['train_cost']:.4f}  "
                  f"{record['seconds']:.2f} s", flush=True)

    started = time.perf_counter()
    try:
        net.fit(train_images, train_labels, **training_args, test=test, seed=args.seed, monitor=True,
                engine=args.engine, on_epoch=show_epoch,
                on_progress=lambda done, total: bar.update(done, total, f"{len(net.history) + 1}/{epochs}"))
    except KeyboardInterrupt:
        bar.close()
        net.save(args.out)
        print(f"digitnet: interrupted; saved the network after {len(net.history)} complete epochs to {args.out}",
              file=sys.stderr)
        return 130
    net.save(args.out)
    final = net.evaluate(*test, engine=args.engine)
    summary = {"type": "summary", "test_accuracy": final["accuracy"], "test_cost": final["cost"],
               "parameters": net.num_parameters, "epochs": len(net.history),
               "seconds": time.perf_counter() - started, "model": str(args.out)}
    if args.json:
        emit(summary)
    else:
        print(f"test accuracy {percent(final['accuracy'])} with {net.num_parameters:,} parameters; "
              f"saved to {args.out}")
    return 0


def run_download(args):
    folder = resolve_data_dir(args.data)
    bar = ProgressBar("download")
    try:
        download_mnist(folder, on_progress=lambda name, done, total: bar.update(done, total, name))
    finally:
        bar.close()
    print(f"MNIST is ready in {folder}")
    return 0

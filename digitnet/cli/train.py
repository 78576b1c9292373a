"""``digitnet train`` and ``digitnet download``."""

import argparse
import ctypes
import dataclasses
import sys
import time
from pathlib import Path

from ..augment import Augmentation
from ..data import TRAINING_IMAGES, download_mnist, resolve_data_dir
from ..engines import prepare, suits_reference
from ..files import check_writable
from ..network import INITS, Network
from ..optimizers import OPTIMIZERS
from ..presets import DEFAULT_PRESET, PRESETS
from ..recipe import SCHEDULES, Recipe
from ..rejection import HELD_OUT, fit_for_training_set
from ..training import split_validation
from .common import (
    ProgressBar,
    add_data_option,
    add_engine_option,
    add_json_option,
    angle,
    emit,
    fraction_below_one,
    load_data,
    non_negative_float,
    non_negative_int,
    open_fraction_to_one,
    percent,
    positive_float,
    positive_int,
)


def register(subparsers):
    parser = subparsers.add_parser(
        "train",
        help="train a network on MNIST and save it",
        description="Train a network on MNIST by mini-batch gradient descent and save it. The default is "
        "the video's network (784-16-16-10, sigmoid, quadratic cost, mini-batches of 10); "
        "flags override the preset's values.",
    )
    parser.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        default=DEFAULT_PRESET,
        help=f"a named recipe (default {DEFAULT_PRESET}); see --list-presets",
    )
    parser.add_argument("--list-presets", action="store_true", help="print the presets and what each sets, then exit")
    parser.add_argument("--layers", type=_layer_sizes, metavar="N,N,...", help="layer sizes, e.g. 784,16,16,10")
    parser.add_argument("--activation", choices=("sigmoid", "tanh", "relu"), help="hidden-layer activation")
    parser.add_argument("--output", choices=("sigmoid", "softmax"), help="output-layer activation")
    parser.add_argument("--cost", choices=("quadratic", "cross-entropy"), help="cost function")
    parser.add_argument(
        "--init",
        choices=INITS,
        help="initial weights: nielsen N(0,1); lecun N(0,1/n_in); "
        "xavier N(0,2/(n_in+n_out)); he N(0,2/n_in) (for relu)",
    )
    parser.add_argument(
        "--epochs",
        type=non_negative_int,
        help="passes over the training set (0 saves the untrained network, to look inside it)",
    )
    parser.add_argument("--batch-size", type=positive_int, help="examples per gradient step")
    parser.add_argument("--lr", type=positive_float, help="learning rate (step size along −∇C)")
    parser.add_argument("--schedule", choices=SCHEDULES, help="learning-rate schedule over the epochs")
    options = parser.add_argument_group("training options")
    options.add_argument(
        "--optimizer",
        choices=OPTIMIZERS,
        help="sgd: p ← p − lr ∇C; momentum: v ← μv − lr ∇C, p ← p + v; adam (use lr ≈ 0.001)",
    )
    options.add_argument("--momentum", type=fraction_below_one, metavar="MU", help="momentum μ in [0, 1) (default 0.9)")
    options.add_argument("--nesterov", action=argparse.BooleanOptionalAction, help="Nesterov momentum")
    options.add_argument(
        "--weight-decay",
        type=non_negative_float,
        metavar="LAMBDA",
        help="L2 weight decay λ: the cost gets + (λ/2) Σ w² (0 = off)",
    )
    options.add_argument(
        "--dropout",
        type=fraction_below_one,
        metavar="P",
        help="drop each hidden neuron with probability P while training (0 = off)",
    )
    options.add_argument(
        "--augment",
        action=argparse.BooleanOptionalAction,
        help="move every training image at random each epoch (shift ±2 px, rotation ±10° "
        "unless --shift/--rotate say otherwise)",
    )
    options.add_argument("--shift", type=non_negative_float, metavar="PX", help="largest random shift, pixels")
    options.add_argument("--rotate", type=angle, metavar="DEG", help="largest random rotation, degrees (0–180)")
    options.add_argument(
        "--elastic",
        type=non_negative_float,
        metavar="ALPHA",
        help="elastic deformation of ALPHA pixels, smoothed over 4 pixels (0 = off)",
    )
    options.add_argument(
        "--teacher",
        metavar="MODEL",
        help="learn from MODEL's outputs as well as the labels (a model file or a shipped network's name; "
        "see docs/training.md)",
    )
    options.add_argument(
        "--teacher-weight",
        type=open_fraction_to_one,
        metavar="W",
        help="share of the teacher's outputs in the wanted outputs, in (0, 1] (default 0.5)",
    )
    options.add_argument(
        "--teacher-temperature",
        type=positive_float,
        metavar="T",
        help="soften the teacher's outputs: softmax of its weighted sums / T (default 1)",
    )
    options.add_argument(
        "--validation",
        type=non_negative_int,
        metavar="N",
        help="hold out the LAST N training images to validate on (0 = none)",
    )
    options.add_argument(
        "--patience",
        type=non_negative_int,
        metavar="EPOCHS",
        help="early stopping: stop after EPOCHS epochs without a better validation accuracy "
        "and keep the best epoch's weights (needs --validation; 0 = off)",
    )
    parser.add_argument(
        "--seed", type=non_negative_int, default=0, help="random seed for the start and the order (default 0)"
    )
    parser.add_argument("--limit", type=positive_int, metavar="N", help="train on the first N training images only")
    parser.add_argument(
        "--out",
        default="model.npz",
        metavar="FILE",
        help="where to save the model (default model.npz; Ctrl-C saves the last complete epoch)",
    )
    add_data_option(parser)
    add_engine_option(parser)
    add_json_option(parser)
    parser.set_defaults(run=run_train)

    parser = subparsers.add_parser(
        "download",
        help="download MNIST (verified by SHA-256) into the data folder",
        description="Fetch the four MNIST files from public mirrors into the data "
        "folder, verifying each file's SHA-256.",
    )
    add_data_option(parser)
    parser.set_defaults(run=run_download)


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
    always = ("epochs", "batch_size", "lr", "schedule")
    defaults = Recipe().as_dict()
    for name, preset in PRESETS.items():
        recipe = preset.recipe.as_dict()
        settings = {
            **preset.network,
            **{key: value for key, value in recipe.items() if key in always or value != defaults.get(key)},
        }
        settings["sizes"] = "-".join(map(str, settings["sizes"]))
        if settings.get("augment"):
            settings["augment"] = ",".join(f"{key}={value:g}" for key, value in settings["augment"].items())
        print(f"{name}{' (default)' if name == DEFAULT_PRESET else ''}: {preset.description}")
        print("    " + "  ".join(f"{key}={value}" for key, value in settings.items()))


def recipe_from(args):
    """(Network(...) arguments, the Recipe): the preset's, overridden by any flags given."""
    preset = PRESETS[args.preset]
    network = dict(preset.network)
    for key, flag in (
        ("sizes", "layers"),
        ("activation", "activation"),
        ("output", "output"),
        ("cost", "cost"),
        ("init", "init"),
    ):
        if getattr(args, flag) is not None:
            network[key] = getattr(args, flag)
    changes = {"seed": args.seed, "augment": augmentation_from(args, preset.recipe.augment)}
    if args.optimizer not in (None, "momentum"):  # a preset's momentum settings go with its optimizer
        changes.update(momentum=Recipe.momentum, nesterov=Recipe.nesterov)
    if args.momentum is not None and (args.optimizer or preset.recipe.optimizer) != "momentum":
        raise ValueError("--momentum applies to --optimizer momentum")
    for key in (
        "epochs",
        "batch_size",
        "lr",
        "schedule",
        "optimizer",
        "momentum",
        "nesterov",
        "weight_decay",
        "dropout",
        "teacher",
        "teacher_weight",
        "teacher_temperature",
        "validation",
        "patience",
    ):  # --validation 0 / --patience 0 turn a preset's off
        if getattr(args, key) is not None:
            changes[key] = getattr(args, key)
    return network, preset.recipe.replace(**changes)


def augmentation_from(args, preset_augment):
    """The preset's Augmentation (or None) changed by --augment/--no-augment, --shift, --rotate, --elastic."""
    if args.augment is False:
        return None
    moves = {
        key: value
        for key, value in (("shift", args.shift), ("rotation", args.rotate), ("elastic", args.elastic))
        if value is not None
    }
    if not (args.augment or moves or preset_augment):
        return None
    return dataclasses.replace(preset_augment or Augmentation(), **moves)


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter: blocks from this size get their own mapping


def give_freed_arrays_back():
    """Ask the C allocator (glibc) to map every block of 1 MB or more on its own, so that freeing one
    hands its memory back to the system.  By default it raises that size as it frees large blocks,
    and then keeps the freed arrays of the "not a digit" model's fit (about 25 MB) inside the
    process (benchmarks/memory_steps.py).  Elsewhere than glibc, nothing changes."""
    try:
        ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, 2**20)
    except (OSError, AttributeError, TypeError):  # not glibc, or no C library to ask
        pass


def run_train(args):
    if args.list_presets:
        list_presets()
        return 0
    give_freed_arrays_back()
    network_args, recipe = recipe_from(args)  # a bad combination of options is refused before loading any data
    net = Network(**network_args, seed=args.seed)
    check_writable(args.out)  # and a bad --out before training
    examples = min(args.limit or TRAINING_IMAGES, TRAINING_IMAGES) - (recipe.validation or 0)
    if not suits_reference(net, examples, recipe):
        prepare(args.engine, net)  # the fast engine's compiler works while the data loads (uint8 pixels)
    (train_images, train_labels), test = load_data(args, download=True)
    if args.limit:
        train_images, train_labels = train_images[: args.limit], train_labels[: args.limit]
    validation = recipe.validation or 0
    if validation:
        split_validation(train_images, train_labels, validation)  # too many held out: refused before training
    epochs = recipe.epochs
    if not args.json:
        print(
            f"training {net!r} on {len(train_images) - validation:,} images "
            f"for {epochs} epoch{'' if epochs == 1 else 's'} "
            f"(batch {recipe.batch_size}, lr {recipe.lr:g}, {recipe.schedule}"
            f"{''.join(f', {option}' for option in recipe.describe())})",
            flush=True,
        )
    bar = ProgressBar("epoch")

    def show_epoch(record):
        bar.close()
        if args.json:
            emit({"type": "epoch", **record})
        else:
            validation = (
                f"validation accuracy {percent(record['validation_accuracy'])}  "
                if record["validation_accuracy"] is not None
                else ""
            )
            print(
                f"epoch {record['epoch']:>3}/{epochs}  {validation}test accuracy {percent(record['test_accuracy'])}  "
                f"test cost {record['test_cost']:.4f}  train cost {record['train_cost']:.4f}  "
                f"{record['seconds']:.2f} s",
                flush=True,
            )

    started = time.perf_counter()
    try:
        net.fit(
            train_images,
            train_labels,
            recipe,
            test=test,
            monitor=True,
            engine=args.engine,
            on_epoch=show_epoch,
            on_progress=lambda done, total: bar.update(done, total, f"{len(net.history) + 1}/{epochs}"),
        )
    except KeyboardInterrupt:
        bar.close()
        print(f"digitnet: interrupted; {save_interrupted(net, args.out)}", file=sys.stderr)
        return 130
    try:
        rejector_note = fit_rejector_for(net, train_images, train_labels)
    except KeyboardInterrupt:  # training is complete: keep it, without the "not a digit" model
        net.rejector = None
        print(
            f'digitnet: interrupted while fitting the "not a digit" model; {save_interrupted(net, args.out)} '
            f"(run `digitnet calibrate-reject {args.out}` to add it)",
            file=sys.stderr,
        )
        return 130
    net.save(args.out)
    final = net.evaluate(*test, engine=net.recipe["engine"])  # the engine that trained, its code ready
    summary = {
        "type": "summary",
        "test_accuracy": final["accuracy"],
        "test_cost": final["cost"],
        "parameters": net.num_parameters,
        "epochs": len(net.history),
        "best_epoch": net.recipe.get("best_epoch"),
        "rejector": net.rejector is not None,
        "seconds": time.perf_counter() - started,
        "model": str(args.out),
    }
    if args.json:
        emit(summary)
    else:
        if summary["best_epoch"] is not None:
            print(f"kept the weights of epoch {summary['best_epoch']} (the best validation accuracy)")
        print(rejector_note)
        print(f"test accuracy {percent(final['accuracy'])} with {net.num_parameters:,} parameters; saved to {args.out}")
    return 0


def fit_rejector_for(net, train_images, train_labels):
    """Fit ``net``'s "not a digit" model on the training set as `digitnet calibrate-reject` does; in words."""
    held_out = min(HELD_OUT, len(train_images) // 6)
    if held_out < 1:
        return f'no "not a digit" model fitted: {len(train_images)} training images are too few'
    try:
        net.rejector = fit_for_training_set(train_images, train_labels, held_out=held_out, net=net)
    except ValueError as error:
        return f'no "not a digit" model fitted ({error})'
    return (
        f'fitted the "not a digit" model (--reject); answers below confidence '
        f"{net.rejector.unsure_below:.2f} are unsure"
    )


def save_interrupted(net, out):
    """Save a network whose training was interrupted, if it finished at least one epoch; what happened, in words.

    Training has already put back the weights of the last complete epoch (or the best one, with early
    stopping), so the file holds exactly what its history says.  An interrupted run that completed no
    epoch saves nothing: an existing file is never replaced by an untrained network.
    """
    done = net.recipe.get("epochs_trained", 0)
    if not done:
        return (
            f"no epoch was complete, so nothing was saved ({out} is unchanged)"
            if Path(out).exists()
            else "no epoch was complete, so nothing was saved"
        )
    net.save(out)
    best = net.recipe.get("best_epoch")
    kept = f" (the weights of epoch {best}, the best on validation)" if best is not None else ""
    return f"saved the network after {done} complete epoch{'' if done == 1 else 's'}{kept} to {out}"


def run_download(args):
    folder = resolve_data_dir(args.data)
    bar = ProgressBar("download")
    try:
        download_mnist(folder, on_progress=lambda name, done, total: bar.update(done, total, name))
    finally:
        bar.close()
    print(f"MNIST is ready in {folder}")
    return 0

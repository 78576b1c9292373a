"""``digitnet show LESSON`` and ``digitnet noise``: the lessons of ``digitnet.insight`` on the command line.

LESSON is weights, cost, gradient, activations, landscape, history or confusion.

Each prints a table; ``--out FILE.png`` also draws the figure (``digitnet.plots``, imported
only then); ``--json`` prints the same figures as JSON instead of the table.
"""

import numpy as np

from .. import insight
from ..data import missing_files, resolve_data_dir
from ..errors import DigitnetError
from ..files import check_writable
from ..images import image_to_input
from .common import (
    MODEL_HELP,
    add_data_option,
    add_engine_option,
    add_json_option,
    add_reject_option,
    digit_argument,
    emit,
    load_data,
    load_model,
    non_negative_int,
    percent,
    pixel_value,
    positive_float,
    positive_int,
    require_rejector,
)

MAX_NOISE_IMAGES = 100_000


def _model_argument(parser):
    parser.add_argument("model", metavar="MODEL", help=MODEL_HELP)


def _output_options(parser):
    parser.add_argument("--out", metavar="FILE", help="also draw the figure into FILE (.png, .svg or .pdf)")
    add_json_option(parser)


def _split_option(parser, default_words="test"):
    parser.add_argument(
        "--split", choices=("test", "train"), help=f"which MNIST set the examples come from (default: {default_words})"
    )
    add_data_option(parser)


def register(subparsers):
    show = subparsers.add_parser(
        "show",
        help="look inside a network: weights, the cost, −∇C, activations, the landscape, mistakes",
        description="The lessons of the videos, on a saved network. Each prints a table; --out FILE.png draws "
        "the figure; --json prints the data.",
    )
    lessons = show.add_subparsers(dest="lesson", metavar="LESSON", required=True)

    parser = lessons.add_parser(
        "weights",
        help="what each hidden neuron looks for",
        description="Layer 1: each neuron's 784 incoming weights as a 28×28 picture and "
        "its bias. Deeper layers: the weights pulled back through the layers "
        "below (linear view) and an input found by gradient ascent from grey "
        "(activation maximization).",
    )
    _model_argument(parser)
    parser.add_argument("--layer", type=int, default=1, help="which layer, from 1 (the first hidden layer; default 1)")
    parser.add_argument(
        "--steps",
        type=positive_int,
        default=200,
        help="gradient-ascent steps for activation maximization (default 200)",
    )
    parser.add_argument(
        "--start",
        type=pixel_value,
        default=0.5,
        help="the starting pixel value for activation maximization (default 0.5, grey; 0 is MNIST's black background)",
    )
    _output_options(parser)
    parser.set_defaults(run=run_weights)

    parser = lessons.add_parser(
        "cost",
        help="the cost of one example, output by output",
        description="For one example: each output's activation, the wanted value and "
        "its squared difference, the total; the average cost over the set; "
        "and its most confidently right and its worst example.",
    )
    _model_argument(parser)
    _example_options(parser, label=True)
    _output_options(parser)
    parser.set_defaults(run=run_cost)

    parser = lessons.add_parser(
        "gradient",
        help="−∇C: how every weight and bias should be nudged",
        description="−∇C over all parameters for one example (--index), a random "
        "mini-batch (--batch K) or a whole set (--all): its size per layer and "
        "the largest nudges, in words.",
    )
    _model_argument(parser)
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--index", type=non_negative_int, metavar="N", help="one example (default: --index 0)")
    chosen.add_argument("--batch", type=positive_int, metavar="K", help="K random examples")
    chosen.add_argument("--all", action="store_true", help="the whole set (60,000 training images)")
    _split_option(parser, "test for --index, train for --batch and --all")
    parser.add_argument(
        "--top", type=positive_int, default=10, help="how many of the largest nudges to list (default 10)"
    )
    parser.add_argument("--seed", type=int, default=0, help="which random mini-batch (default 0)")
    _output_options(parser)
    parser.set_defaults(run=run_gradient)

    parser = lessons.add_parser(
        "activations",
        help="every neuron's activation for one image",
        description="The network as columns of neurons shaded by activation for one "
        "image, with the strongest connections and the answer.",
    )
    _model_argument(parser)
    _example_options(parser, label=False)
    parser.add_argument(
        "--connections",
        type=non_negative_int,
        default=40,
        help="how many of the strongest connections per layer to list and draw (default 40)",
    )
    _output_options(parser)
    parser.set_defaults(run=run_activations)

    parser = lessons.add_parser(
        "landscape",
        help="the cost along −∇C and on a 2-D slice, with descent steps",
        description="The cost along the downhill direction −∇C (with the slope at zero) "
        "and on a 2-D slice (−∇C and a random direction), with the path of a "
        "few gradient-descent steps.",
    )
    _model_argument(parser)
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--index", type=non_negative_int, metavar="N", help="the cost of one example")
    chosen.add_argument("--batch", type=positive_int, metavar="K", help="the cost of K random examples (default 100)")
    _split_option(parser, "test for --index, train for --batch")
    parser.add_argument("--steps", type=non_negative_int, default=5, help="gradient-descent steps (default 5)")
    parser.add_argument("--lr", type=positive_float, help="their learning rate (default: the model's training rate)")
    parser.add_argument("--span", type=positive_float, help="how far the slices reach (default: to fit the path)")
    parser.add_argument("--seed", type=int, default=0, help="the random direction and mini-batch (default 0)")
    _output_options(parser)
    parser.set_defaults(run=run_landscape)

    parser = lessons.add_parser(
        "history",
        help="cost and accuracy per epoch, from the model's saved history",
        description="The training history saved in the model: cost and accuracy per epoch.",
    )
    _model_argument(parser)
    _output_options(parser)
    parser.set_defaults(run=run_history)

    parser = lessons.add_parser(
        "confusion",
        help="the confusion matrix and the most confident mistakes",
        description="Which digits are taken for which, and the mistakes the network is surest of.",
    )
    _model_argument(parser)
    _split_option(parser)
    parser.add_argument("--count", type=non_negative_int, default=16, help="how many mistakes to list (default 16)")
    add_engine_option(parser)
    _output_options(parser)
    parser.set_defaults(run=run_confusion)

    parser = subparsers.add_parser(
        "noise",
        help="feed random images and see what the network answers",
        description="Feed random images and report the share answered as each digit and the network's "
        "confidence on noise versus on the real test digits: it answers anyway, because it only "
        "knows how to choose among ten digits.",
    )
    _model_argument(parser)
    parser.add_argument("--count", type=positive_int, default=1000, help="how many random images (default 1000)")
    parser.add_argument(
        "--kind",
        choices=insight.NOISE_KINDS,
        default="uniform",
        help="uniform pixels, gaussian around grey, blank-white (all ink), blank-black (no ink), "
        "salt-pepper (each pixel black or white); default uniform",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    add_reject_option(parser)
    add_data_option(parser)
    add_engine_option(parser)
    _output_options(parser)
    parser.set_defaults(run=run_noise)


def _example_options(parser, label):
    parser.add_argument(
        "image",
        metavar="IMAGE",
        nargs="?",
        help="a picture of a digit instead of an MNIST example" + (" (needs --label)" if label else ""),
    )
    parser.add_argument("--index", type=non_negative_int, metavar="N", help="which MNIST example (default 0)")
    if label:
        parser.add_argument("--label", type=digit_argument, help="the digit the picture shows (with IMAGE)")
    _split_option(parser)


# ---------------------------------------------------------------------- shared steps
def _figure_module(args):
    """``digitnet.plots`` (imported only now: matplotlib is slow to load) if --out was given, after
    checking the file name, so that a bad name fails before any work."""
    if not args.out:
        return None
    from .. import plots

    plots.check_figure_path(args.out)
    check_writable(args.out)
    return plots


def _save_figure(plots, figure, args):
    """Write ``figure`` to ``args.out`` and say so (in the text output; the JSON stays JSON)."""
    plots.save_figure(figure, args.out)
    if not args.json:
        print(f"figure saved to {args.out}")


def _mnist_split(args, split):
    """(images, labels) of the chosen MNIST set, read once per command (the other set's files are not read)."""
    if not hasattr(args, "loaded_mnist"):
        args.loaded_mnist = {}
    if split not in args.loaded_mnist:
        args.loaded_mnist[split] = load_data(args, split=split)
    return args.loaded_mnist[split]


def _mnist_available(args, split):
    return not missing_files(resolve_data_dir(args.data), split)


def _pick(images, labels, index, split):
    if index >= len(images):
        raise DigitnetError(
            f"--index {index} is out of range: the {split} set has {len(images):,} images (0..{len(images) - 1})"
        )
    return images[index], int(labels[index])


def _one_example(args, need_label):
    """(image (784,), label or None, where) from IMAGE or --index in --split."""
    if args.image is not None:
        if args.index is not None:
            raise DigitnetError("give either an IMAGE or --index, not both")
        if need_label and args.label is None:
            raise DigitnetError("with an IMAGE, say which digit it shows with --label D (the cost needs it)")
        return image_to_input(args.image), getattr(args, "label", None), {"image": args.image}
    if getattr(args, "label", None) is not None:
        raise DigitnetError("--label goes with an IMAGE; MNIST examples have their own labels")
    split, index = args.split or "test", args.index or 0
    images, labels = _mnist_split(args, split)
    image, label = _pick(images, labels, index, split)
    return image, label, {"index": index, "split": split}


def _examples(args, default_batch=None):
    """(images (n, 784), labels (n,), where) from --index, --batch K (random, --seed) or --all."""
    batch = args.batch or (default_batch if args.index is None and not getattr(args, "all", False) else None)
    split = args.split or ("test" if batch is None and not getattr(args, "all", False) else "train")
    images, labels = _mnist_split(args, split)
    if getattr(args, "all", False):
        return images, labels, {"split": split, "examples": int(len(images))}
    if batch is None:
        index = args.index or 0
        image, label = _pick(images, labels, index, split)
        return image[None, :], np.array([label]), {"split": split, "index": index}
    if batch > len(images):
        raise DigitnetError(f"--batch {batch} is larger than the {split} set ({len(images):,} images)")
    chosen = np.sort(np.random.default_rng(args.seed).choice(len(images), batch, replace=False))
    return images[chosen], labels[chosen], {"split": split, "batch": int(batch), "seed": args.seed}


def _where(where):
    if "image" in where:
        return where["image"]
    if "index" in where:
        return f"{where['split']} image #{where['index']}"
    if "batch" in where:
        return f"{where['batch']:,} random {where['split']} images (seed {where['seed']})"
    return f"all {where['examples']:,} {where['split']} images"


# ---------------------------------------------------------------------- weights
def run_weights(args):
    plots = _figure_module(args)
    net = load_model(args.model)
    layer = args.layer
    biases = net.biases[layer - 1] if 1 <= layer <= net.num_layers else None
    if layer == 1:
        pictures = insight.first_layer_images(net)
        maximized = None
    else:
        pictures = insight.linear_views(net, layer)
        maximized = np.array(
            [
                insight.activation_maximization(net, layer, neuron, steps=args.steps, start=args.start)
                for neuron in range(net.sizes[layer])
            ]
        )
        reached = [net.feedforward(m.ravel(), every_layer=True)[layer][n] for n, m in enumerate(maximized)]
    if args.json:
        record = {"layer": layer, "neurons": len(pictures), "biases": biases.tolist()}
        if maximized is not None:
            record["start"] = args.start
        if maximized is None:
            record["weights"] = pictures.reshape(len(pictures), 784).tolist()
        else:
            record.update(
                linear_views=pictures.reshape(len(pictures), 784).tolist(),
                activation_maximization=maximized.reshape(len(pictures), 784).tolist(),
                activation_reached=[float(a) for a in reached],
            )
        emit(record)
    else:
        what = (
            "incoming weights (a 28×28 picture each)"
            if maximized is None
            else "linear views (weights pulled back to the pixels) and activation maximization"
        )
        print(f"layer {layer}: {len(pictures)} neurons — {what}")
        header = f"{'neuron':>6} {'bias':>8} {'min w':>8} {'max w':>8} {'mean |w|':>9}"
        print(header + ("" if maximized is None else f" {'activation reached':>19} {'mean pixel':>11}"))
        for neuron, picture in enumerate(pictures):
            line = (
                f"{neuron:>6} {biases[neuron]:>8.3f} {picture.min():>8.3f} {picture.max():>8.3f} "
                f"{np.abs(picture).mean():>9.4f}"
            )
            if maximized is not None:
                line += f" {reached[neuron]:>19.4f} {maximized[neuron].mean():>11.3f}"
            print(line)
    if plots:
        figure = (
            plots.first_layer_figure(pictures, biases)
            if maximized is None
            else plots.deeper_layer_figure(
                pictures,
                maximized,
                biases,
                layer,
                reached=reached,
                start=args.start,
                output_layer=layer == net.num_layers,
            )
        )
        _save_figure(plots, figure, args)
    return 0


# ---------------------------------------------------------------------- cost
def run_cost(args):
    plots = _figure_module(args)
    net = load_model(args.model)
    image, label, where = _one_example(args, need_label=True)
    breakdown = insight.cost_breakdown(net, image, label)
    split = args.split or "test"
    # The set's average needs MNIST; a picture of one's own is explained even without it.
    contrast = insight.cost_contrast(net, *_mnist_split(args, split)) if _mnist_available(args, split) else None
    record = {
        **where,
        **breakdown,
        "average_cost": contrast and contrast["average_cost"],
        "set": split if contrast else None,
        "confident": contrast and contrast["confident"],
        "trash": contrast and contrast["trash"],
    }
    if args.json:
        emit(record)
    else:
        print(f"{_where(where)}: a {label}; the network answers {breakdown['digit']}")
        print("digit  term of the cost")
        for digit, (output, wanted, term) in enumerate(
            zip(breakdown["outputs"], breakdown["wanted"], breakdown["squared_differences"])
        ):
            print(f"{digit:>5}  {insight.describe_term(net.cost_name, output, wanted, term, net.output)}")
        print(f"Cost: {breakdown['cost']:.4f}" + ("" if net.cost_name == "quadratic" else f" ({net.cost_name})"))
        if contrast:
            print(f"average cost over the {contrast['count']:,} {split} images: {contrast['average_cost']:.4f}")
            if contrast["confident"]:
                c = contrast["confident"]
                print(
                    f"  confidently right: #{c['index']} (a {c['label']}, answered {c['digit']}) cost {c['cost']:.2g}"
                )
            t = contrast["trash"]
            print(f"  utter trash:       #{t['index']} (a {t['label']}, answered {t['digit']}) cost {t['cost']:.4f}")
        else:
            print("average cost over the set: not computed (MNIST not found)")
    if plots:
        title = f"The cost of {_where(where)}"
        if contrast:
            title += f" (average over the {contrast['count']:,} {split} images: {contrast['average_cost']:.4f})"
        _save_figure(plots, plots.cost_figure(image, breakdown, title=title), args)
    return 0


# ---------------------------------------------------------------------- gradient
def run_gradient(args):
    plots = _figure_module(args)
    net = load_model(args.model)
    images, labels, where = _examples(args)
    report = insight.nudges(net, images, labels, top=args.top)
    if args.json:
        emit({**where, **report})
    else:
        print(f"−∇C over {report['parameters']:,} parameters, averaged over {_where(where)}")
        print(f"{'part':>6} {'size':>7} {'norm':>12}")
        sizes = {
            f"{kind}[{l}]": p.size
            for l, (W, b) in enumerate(zip(net.weights, net.biases), 1)
            for kind, p in (("w", W), ("b", b))
        }
        for name, norm in report["layer_norms"].items():
            print(f"{name:>6} {sizes[name]:>7,} {norm:>12.4g}")
        print(f"{'total':>6} {report['parameters']:>7,} {report['total_norm']:>12.4g}")
        print(f"the {len(report['top'])} largest nudges:")
        print(f"{'parameter':<14} {'value':>9} {'nudge':>11}  in words")
        for entry in report["top"]:
            words = entry["words"][len(entry["name"]) + 1 :]
            print(f"{entry['name']:<14} {entry['value']:>9.4f} {entry['nudge']:>+11.3g}  {words}")
    if plots:
        first_layer = insight.negative_gradient(net, images, labels).weights[0]
        figure = plots.gradient_figure(
            first_layer.reshape(len(first_layer), 28, 28), title=f"−∇C for the first layer's weights ({_where(where)})"
        )
        _save_figure(plots, figure, args)
    return 0


# ---------------------------------------------------------------------- activations
def run_activations(args):
    plots = _figure_module(args)
    net = load_model(args.model)
    image, label, where = _one_example(args, need_label=False)
    layers = insight.layer_activations(net, image, connections=args.connections)
    if args.json:
        emit({**where, "label": label, **layers})
    else:
        print(
            f"{_where(where)}"
            + (f": a {label}" if label is not None else "")
            + f"; the network answers {layers['digit']}"
        )
        pixels = np.asarray(layers["activations"][0])
        print(f"input   {len(pixels)} pixels, {int((pixels > 0.5).sum())} of them inked (> 0.5)")
        for l, a in enumerate(layers["activations"][1:], 1):
            name = "output" if l == net.num_layers else f"layer {l}"
            print(f"{name:<7} " + " ".join(f"{value:.2f}" for value in a))
        shown = [c for c in layers["connections"] if c["rank"] < 5]
        print("the strongest connections of each layer (w·a: how hard each pushes the neuron it feeds):")
        for c in shown:
            source = f"pixel {c['from']}" if c["layer"] == 1 else f"neuron {c['from']} of layer {c['layer'] - 1}"
            print(
                f"  w[{c['layer']}][{c['to']},{c['from']}] = {c['weight']:+.3f}  from {source}: "
                f"{c['contribution']:+.3f}"
            )
    if plots:
        _save_figure(plots, plots.activations_figure(layers, max_drawn=40), args)
    return 0


# ---------------------------------------------------------------------- landscape
def run_landscape(args):
    plots = _figure_module(args)
    net = load_model(args.model)
    images, labels, where = _examples(args, default_batch=100)
    landscape = insight.cost_landscape(
        net, images, labels, span=args.span, steps=args.steps, lr=args.lr, seed=args.seed
    )
    if args.json:
        emit({**where, **landscape})
    else:
        print(f"the cost of {_where(where)}: {landscape['cost']:.5f}; ‖∇C‖ = {landscape['gradient_norm']:.4g}")
        print(f"along d1 = −∇C/‖∇C‖ (slope at 0: {landscape['slope_at_zero']:.4g}):")
        print(f"{'t':>10} {'cost':>10}")
        for t, cost in zip(landscape["offsets"], landscape["costs_1d"]):
            if not np.isclose(t, np.linspace(-landscape["span"], landscape["span"], 9)).any():
                continue
            print(f"{t:>10.4g} {cost:>10.5f}")
        print(
            f"{len(landscape['path']) - 1} gradient-descent steps (lr {landscape['lr']:g}), "
            "and how far each has left the 2-D slice:"
        )
        print(f"{'step':>4} {'along d1':>10} {'along d2':>10} {'off slice':>10} {'cost':>10}")
        for p in landscape["path"]:
            print(f"{p['step']:>4} {p['d1']:>10.4g} {p['d2']:>10.4g} {p['off_slice']:>10.4g} {p['cost']:>10.5f}")
    if plots:
        _save_figure(plots, plots.landscape_figure(landscape, title=f"The cost landscape of {_where(where)}"), args)
    return 0


# ---------------------------------------------------------------------- history and mistakes
def run_history(args):
    plots = _figure_module(args)
    net = load_model(args.model)
    if not net.history:
        raise DigitnetError(f"{args.model}: no training history saved (the network was never trained)")
    if args.json:
        for record in net.history:
            emit(record)
    else:
        print(
            f"{'epoch':>5} {'lr':>7} {'train cost':>11} {'train acc':>10} {'test cost':>10} {'test acc':>9} "
            f"{'seconds':>8}"
        )
        for record in net.history:

            def number(key, spec, record=record):
                return "—" if record.get(key) is None else format(record[key], spec)

            def share(key, record=record):
                return "—" if record.get(key) is None else percent(record[key])

            print(
                f"{record['epoch']:>5} {number('lr', '.4g'):>7} {number('train_cost', '.4f'):>11} "
                f"{share('train_accuracy'):>10} {number('test_cost', '.4f'):>10} {share('test_accuracy'):>9} "
                f"{number('seconds', '.2f'):>8}"
            )
    if plots:
        _save_figure(plots, plots.history_figure(net.history, title=f"Training history of {args.model}"), args)
    return 0


def run_confusion(args):
    plots = _figure_module(args)
    net = load_model(args.model)
    split = args.split or "test"
    images, labels = _mnist_split(args, split)
    digits = net.predict(images, engine=args.engine)
    matrix = insight.confusion_matrix(labels, digits, net.sizes[-1])
    mistakes = insight.confident_mistakes(net, images, labels, count=args.count, engine=args.engine)
    accuracy = float((digits == labels).mean())
    if args.json:
        emit(
            {
                "split": split,
                "count": int(len(labels)),
                "accuracy": accuracy,
                "confusion": matrix.tolist(),
                "mistakes": mistakes,
            }
        )
    else:
        print(f"{split} set: {len(labels):,} images, accuracy {percent(accuracy)}")
        print("confusion matrix (rows: true digit, columns: network's answer)")
        print("      " + "".join(f"{d:>6}" for d in range(len(matrix))))
        for digit, row in enumerate(matrix):
            print(f"{digit:>6}" + "".join(f"{count:>6}" for count in row))
        print(f"the {len(mistakes)} most confident mistakes:")
        for m in mistakes:
            print(f"  #{m['index']:<6} a {m['label']} taken for a {m['digit']} (activation {m['confidence']:.3f})")
    if plots:
        figure = plots.confusion_figure(
            matrix,
            mistakes,
            images[[m["index"] for m in mistakes]],
            title=f"Where the network goes wrong ({split} set, {percent(accuracy)} right)",
        )
        _save_figure(plots, figure, args)
    return 0


# ---------------------------------------------------------------------- noise
def run_noise(args):
    plots = _figure_module(args)
    if args.count > MAX_NOISE_IMAGES:
        raise DigitnetError(f"--count {args.count:,} is too many: at most {MAX_NOISE_IMAGES:,} random images")
    net = load_model(args.model)
    if args.reject:
        require_rejector(net, args.model)
    # The comparison with real digits needs MNIST; without it the noise is still reported.
    digits = _mnist_split(args, "test")[0] if _mnist_available(args, "test") else None
    report = insight.noise_report(net, args.kind, args.count, seed=args.seed, digits=digits, engine=args.engine)
    if args.reject:
        images = insight.noise_images(args.kind, args.count, args.seed)
        report["rejected"] = int(net.rejector.rejects(images).sum())
    if args.json:
        emit(report)
    else:
        print(f"{report['count']:,} {report['kind']} noise images (seed {report['seed']}): what the network answers")
        print(f"{'digit':>5} {'images':>8} {'share':>8}")
        for digit, (count, share) in enumerate(zip(report["answers"], report["shares"])):
            print(f"{digit:>5} {count:>8,} {percent(share):>8}")
        edges = report["histogram_edges"]
        print("top output activation (how sure it sounds):")
        print(f"{'range':>11} {'noise':>8}" + ("" if digits is None else f" {'digits':>8}"))
        for k, count in enumerate(report["top_activation_histogram_noise"]):
            line = f"{edges[k]:>5.1f}–{edges[k + 1]:<5.1f} {percent(count / report['count']):>8}"
            if digits is not None:
                line += f" {percent(report['top_activation_histogram_digits'][k] / len(digits)):>8}"
            print(line)
        print(
            f"mean top activation: noise {report['mean_top_activation_noise']:.3f}, "
            + (
                "real test digits: not measured (MNIST not found)"
                if digits is None
                else f"real test digits {report['mean_top_activation_digits']:.3f}"
            )
        )
        if args.reject:
            print(
                f"with --reject: {report['rejected']:,} of the {report['count']:,} noise images called "
                f'"not a digit" ({percent(report["rejected"] / report["count"])})'
            )
    if plots:
        images = insight.noise_images(args.kind, min(args.count, 200), args.seed)
        _save_figure(plots, plots.noise_figure(images, net.outputs(images, engine=args.engine), report), args)
    return 0

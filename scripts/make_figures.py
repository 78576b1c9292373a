"""Draw the README's figures (docs/images/) from the shipped 3b1b network, or from a model you name.

    python scripts/make_figures.py                      # the shipped 3b1b network (`digitnet models`)
    python scripts/make_figures.py --model model.npz    # or a model you trained with `digitnet train`

Every figure is drawn by the `digitnet show …` / `digitnet noise` command that the README
names beside it, so the README shows exactly what the commands draw.  Needs MNIST
(--data DIR or $DIGITNET_DATA).
"""

import argparse
import sys
from pathlib import Path

from PIL import Image

from digitnet import insight
from digitnet.cli import main
from digitnet.cli.common import load_data, load_model
from digitnet.files import atomic_write

ROOT = Path(__file__).resolve().parent.parent


def run(*argv):
    """Run one `digitnet` command in-process; stop the script if it fails."""
    argv = [str(a) for a in argv]
    print("$ digitnet " + " ".join(argv), file=sys.stderr, flush=True)
    status = main(argv)
    if status:
        sys.exit(f"`digitnet {' '.join(argv)}` failed with status {status}")


def shrink(path):
    """Re-save a PNG with a 256-colour palette: a third of the size, and the figures stay sharp."""
    with Image.open(path) as image:
        palette = image.convert("RGB").quantize(256)
    with atomic_write(path) as file:
        palette.save(file, format="PNG", optimize=True)


def figure_commands(model, confident, worst, data_options):
    """(file name, digitnet arguments) for every figure; ``confident`` and ``worst`` are test indices."""
    return [
        ("weights-layer1.png", ["show", "weights", model]),
        ("weights-layer2.png", ["show", "weights", model, "--layer", 2]),
        ("weights-output.png", ["show", "weights", model, "--layer", 3, "--start", 0]),
        ("cost-trash.png", ["show", "cost", model, "--index", worst, *data_options]),
        ("cost-confident.png", ["show", "cost", model, "--index", confident, *data_options]),
        ("gradient-one-example.png", ["show", "gradient", model, "--index", 0, *data_options]),
        ("noise-uniform.png", ["noise", model, "--count", 1000, *data_options]),
        ("activations.png", ["show", "activations", model, "--index", 0, *data_options]),
        ("landscape.png", ["show", "landscape", model, "--index", worst, *data_options]),
        ("history.png", ["show", "history", model]),
        ("confusion.png", ["show", "confusion", model, *data_options]),
    ]


def main_script(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="3b1b", help="a model file or shipped name (default: the shipped 3b1b)")
    parser.add_argument("--data", help="the MNIST folder (default: $DIGITNET_DATA or the cache)")
    parser.add_argument("--out-dir", default=ROOT / "docs" / "images", type=Path, help="where to write the PNGs")
    args = parser.parse_args(argv)
    data_options = ["--data", args.data] if args.data else []
    _, (test_images, test_labels) = load_data(args)
    contrast = insight.cost_contrast(load_model(args.model), test_images, test_labels)
    extremes = contrast["confident"]["index"], contrast["trash"]["index"]
    for name, command in figure_commands(args.model, *extremes, data_options):
        run(*command, "--out", args.out_dir / name)
        shrink(args.out_dir / name)
    return 0


if __name__ == "__main__":
    sys.exit(main_script())

"""Benchmark: is dark ink on light paper read as dark ink?  Photographs of paper, one JSON object.

    DIGITNET_DATA=../shared/mnist python benchmarks/paper_polarity.py [--count 400] \
        [--out benchmarks/results/paper_polarity.json]

Every picture here is dark ink on light paper, photographed by the tuning generators
(scripts/tuning_pictures.py), so the right polarity is known:

    hand-on-paper   digits of the tuning drawing hand (tests/data/draw_test_images.py), a sheet
                    on a desk (``on_paper``: vignetting, a soft shadow, the sheet turned, JPEG)
    hand-sheet      the same hand written on a sheet and photographed (``photographed_sheet``:
                    grain, ruled lines, a hard shadow, pencil or ballpoint, a tilt, the desk)
    mnist-sheet     MNIST test digits drawn again (``redrawn``) and photographed the same way

For each set: the share of pictures whose ink the polarity rule (``digitnet.images``'
``_light_background`` on the picture's grey levels) takes for light ink, and the share each
shipped network reads right through the whole path (``read_picture``; a blank counts as wrong).
"""

import argparse
import sys
from pathlib import Path

import numpy as np
from machine import cpu_model, report  # benchmarks/machine.py
from rejection import read_pictures  # benchmarks/rejection.py

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from digit_check_pictures import redrawn  # noqa: E402
from tuning_pictures import drawing_hand, on_paper, photographed_sheet  # noqa: E402

import digitnet
from digitnet import images
from digitnet.colours import LUMINANCE
from digitnet.models import SHIPPED, load_shipped


def picture_sets(count, seed=5):
    """{set name: (list of picture bytes, (count,) labels)}, as the module's docstring lists them."""
    rng = np.random.default_rng(seed)
    hand = drawing_hand()
    labels = np.arange(count) % 10
    drawn = [hand.render(hand.DIGITS[str(label)](), rng) for label in labels]
    (_, _), (test_images, test_labels) = digitnet.load_mnist(dtype=np.uint8)
    chosen = rng.choice(len(test_images), count, replace=False)
    return {
        "hand-on-paper": ([on_paper(picture, rng) for picture in drawn], labels),
        "hand-sheet": ([photographed_sheet(picture, rng) for picture in drawn], labels),
        "mnist-sheet": (
            [photographed_sheet(redrawn(test_images[k].reshape(28, 28) / 255, rng), rng) for k in chosen],
            test_labels[chosen],
        ),
    }


def read_as_light_ink(picture):
    """Does the polarity rule take the ink of ``picture`` (bytes) for light ink on a dark background?"""
    rgba = images.read_rgba(picture)
    return not images._light_background(rgba[..., :3] @ np.array(LUMINANCE, dtype=np.float32))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=400, help="pictures per set")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    networks = {name: load_shipped(name) for name in SHIPPED}
    result = {"cpu": cpu_model(), "digitnet_version": digitnet.__version__, "pictures_per_set": args.count}
    for name, (pictures, labels) in picture_sets(args.count).items():
        _, _, pixels, _, _ = read_pictures(pictures, [name] * len(pictures), labels)
        result[name] = {
            "read_as_light_ink": float(np.mean([read_as_light_ink(picture) for picture in pictures])),
            "read": {net_name: float((net.predict(pixels) == labels).mean()) for net_name, net in networks.items()},
        }
    report(result, args.out)


if __name__ == "__main__":
    main()

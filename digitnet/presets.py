"""Named training recipes: a network shape plus how to train it.

Each ``Preset`` holds ``network`` (the ``Network(...)`` arguments), ``recipe`` (a
``digitnet.recipe.Recipe``) and a one-line ``description``.  The command line's flags
override any of them; from the library::

    preset = PRESETS["big"]
    net = Network(**preset.network, seed=0)
    net.fit(images, labels, preset.recipe, epochs=5)
"""

from dataclasses import dataclass

from .recipe import Recipe


@dataclass(frozen=True)
class Preset:
    """A named network shape (``network``: Network arguments) with its training ``recipe``."""

    description: str
    network: dict
    recipe: Recipe


DRAWING_MOVES = {
    "shift": 1.0,
    "rotation": 10.0,
    "scale": 0.1,
    "aspect": 0.2,
    "shear": 0.3,
    "thickness": 1.0,
    "elastic": 1.0,
    "flag": 0.5,
    "renormalise": True,
}  # how people's drawings differ from MNIST's, after preprocessing has boxed and centred them (digitnet.augment)

VIDEO_NETWORK = {
    "sizes": [784, 16, 16, 10],
    "activation": "sigmoid",
    "output": "sigmoid",
    "cost": "quadratic",
    "init": "lecun",
}  # the video's 784-16-16-10 (13,002 parameters)
VIDEO_RECIPE = Recipe(epochs=30, batch_size=10, lr=1.0, schedule="step")

BIG = Preset(
    description="a larger MLP, 784-512-512-10 ReLU with softmax and cross-entropy, dropout 0.2 on the hidden "
    "layers, training images shifted up to 1.5 pixels and turned up to 8 degrees at random, "
    "Nesterov momentum, cosine schedule; the last 10,000 training images validate, and the "
    "weights of the best epoch on them are kept",
    network={
        "sizes": [784, 512, 512, 10],
        "activation": "relu",
        "output": "softmax",
        "cost": "cross-entropy",
        "init": "he",
    },
    recipe=Recipe(
        epochs=15,
        batch_size=100,
        lr=0.05,
        schedule="cosine",
        optimizer="momentum",
        momentum=0.9,
        nesterov=True,
        dropout=0.2,
        augment={"shift": 1.5, "rotation": 8.0, "elastic": 0.0, "elastic_sigma": 4.0},
        validation=10000,
        patience=3,
    ),
)

PRESETS = {
    "3b1b": Preset(
        description="the video's network, 784-16-16-10 sigmoid with the quadratic cost (no ½), "
        "mini-batches of 10, LeCun-scaled start, learning rate 1.0 halved after every third of the epochs",
        network=VIDEO_NETWORK,
        recipe=VIDEO_RECIPE,
    ),
    "3b1b-drawn": Preset(
        description="the recipe of the shipped 3b1b network: the video's network and recipe, on training "
        "images redrawn gently the ways people draw: shifted up to half a pixel, turned up to 8 degrees, "
        "20% wider or narrower, slanted up to 0.3, strokes up to 1 pixel thicker or thinner; trained on the first "
        "50,000 training images, the last 10,000 validate",
        network=VIDEO_NETWORK,
        recipe=VIDEO_RECIPE.replace(
            augment={"shift": 0.5, "rotation": 8.0, "aspect": 0.2, "shear": 0.3, "thickness": 1.0}, validation=10000
        ),
    ),
    "nielsen": Preset(
        description="network.py's exact recipe on 784-16-16-10: N(0, 1) weights and biases, constant "
        "η = 3.0 on the ½-quadratic cost (= lr 1.5 on digitnet's cost without the ½)",
        network={**VIDEO_NETWORK, "init": "nielsen"},
        recipe=Recipe(epochs=30, batch_size=10, lr=1.5, schedule="constant"),
    ),
    "3b1b-plus": Preset(
        description="the video's 784-16-16-10 size (13,002 parameters) with a modern recipe: ReLU hidden "
        "neurons, softmax outputs with the cross-entropy cost, He start, Adam in mini-batches "
        "of 32, cosine schedule, training images shifted up to 1 pixel and turned up to 8 degrees",
        network={
            "sizes": [784, 16, 16, 10],
            "activation": "relu",
            "output": "softmax",
            "cost": "cross-entropy",
            "init": "he",
        },
        recipe=Recipe(
            epochs=50,
            batch_size=32,
            lr=0.002,
            schedule="cosine",
            optimizer="adam",
            augment={"shift": 1.0, "rotation": 8.0, "elastic": 0.0, "elastic_sigma": 4.0},
        ),
    ),
    "big": BIG,
    "big-drawn": Preset(
        description="the recipe of the shipped big network: the big preset's network and training, 20 epochs, "
        "on training images redrawn the ways people draw: turned up to 10 degrees, 20% wider or narrower, "
        "slanted up to 0.3, strokes up to 1 pixel thicker or thinner, a slight elastic wobble, half the 1s "
        "written with a flag (and half of those with a foot), put back in MNIST's 20-pixel box and centre "
        "as preprocessing does, then 10% bigger or smaller and shifted up to 1 pixel; the best epoch on "
        "the last 10,000 training images is kept",
        network=BIG.network,
        recipe=BIG.recipe.replace(
            epochs=20,
            augment=DRAWING_MOVES,
            patience=4,
        ),
    ),
}
DEFAULT_PRESET = "3b1b"

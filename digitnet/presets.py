"""Named training recipes: a network shape plus how to train it.

``network`` holds Network(...) arguments, ``training`` holds fit(...) arguments.  The
command line's flags override any of them.
"""

PRESETS = {
    "3b1b": {
        "description": "the video's network, 784-16-16-10 sigmoid with the quadratic cost (no ½), "
                       "mini-batches of 10, LeCun-scaled start, learning rate 1.0 halved after every third of the epochs",
        "network": {"sizes": [784, 16, 16, 10], "activation": "sigmoid", "output": "sigmoid",
                    "cost": "quadratic", "init": "lecun"},
        "training": {"epochs": 30, "batch_size": 10, "lr": 1.0, "schedule": "step"},
    },
    "nielsen": {
        "description": "network.py's exact recipe on 784-16-16-10: N(0, 1) weights and biases, constant "
                       "η = 3.0 on the ½-quadratic cost (= lr 1.5 on digitnet's cost without the ½)",
        "network": {"sizes": [784, 16, 16, 10], "activation": "sigmoid", "output": "sigmoid",
                    "cost": "quadratic", "init": "nielsen"},
        "training": {"epochs": 30, "batch_size": 10, "lr": 1.5, "schedule": "constant"},
    },
}
DEFAULT_PRESET = "3b1b"

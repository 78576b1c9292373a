"""A training recipe: every choice that says how a network is trained, in one frozen, self-checking object.

    Recipe(epochs=30, batch_size=10, lr=1.0, schedule="step")          the video's recipe
    recipe.replace(epochs=5)                                           a changed copy (checked again)

A ``Recipe`` checks itself when it is made (ValueError naming the bad field), so a bad
combination is refused before any data is loaded.  Each front end (``Network.fit``, the
command line, the explorer) builds one and ``digitnet.training.train`` runs it.  What it
holds (each option is off by default; see each module for the formulas):

    epochs        passes over the training set (0 = none)
    batch_size    examples per gradient step
    lr            learning rate η, changed each epoch by ``schedule`` (constant, cosine, step)
    optimizer     "sgd", "momentum" (with ``momentum`` μ and ``nesterov``), "adam"  (digitnet.optimizers)
    weight_decay  L2 weight decay λ: the cost gets + (λ/2) Σ w² over the weights
    dropout       probability of dropping each hidden neuron while training       (digitnet.dropout)
    augment       None (off) or a ``digitnet.augment.Augmentation``; True or a dict of its fields
                  are accepted and turned into one
    teacher       None, or a trained network (a shipped name or a model file) whose outputs join the
                  labels in the wanted outputs, with weight ``teacher_weight`` and softened by
                  ``teacher_temperature``                                             (digitnet.teacher)
    validation    hold out the LAST ``validation`` training examples to validate on (None or 0 = off)
    patience      early stopping: stop once the validation accuracy has not improved for
                  ``patience`` epochs and keep the best epoch's weights (None or 0 = off; needs validation)
    seed          the mini-batch order and every random draw of the options (None = fresh each run)
"""

import math
import operator
from dataclasses import asdict, dataclass, fields, replace
from os import PathLike

import numpy as np

from .augment import Augmentation
from .optimizers import OPTIMIZERS, make_optimizer

SCHEDULES = ("constant", "cosine", "step")


def learning_rate(schedule, lr, epoch, epochs):
    """The learning rate for ``epoch`` (0-based) of ``epochs``:

    constant  lr every epoch
    cosine    lr · ½(1 + cos(π · epoch / epochs)): from lr down smoothly towards 0
    step      lr halved after every third of the epochs
    """
    if schedule == "constant":
        return lr
    if schedule == "cosine":
        return lr * 0.5 * (1 + np.cos(np.pi * epoch / epochs))
    if schedule == "step":
        return lr * 0.5 ** (epoch // max(1, -(-epochs // 3)))
    raise ValueError(f"unknown schedule {schedule!r}; choose one of {', '.join(SCHEDULES)}")


def _whole(name, value, low):
    """``value`` as a Python int ≥ ``low`` (NumPy integers accepted, booleans and floats refused)."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    try:
        value = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be a whole number, got {value!r}") from None
    if value < low:
        raise ValueError(f"{name} must be at least {low}, got {value}")
    return value


def _real(name, value, accept, rule):
    """``value`` as a finite Python float with ``accept(value)`` true, else ValueError saying ``rule``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not (math.isfinite(value) and accept(value)):
        raise ValueError(f"{name} must be {rule}, got {value:g}")
    return value


def _name(name, value):
    """``value`` as a non-empty str (a path accepted), or None."""
    if value is None:
        return None
    if not isinstance(value, (str, PathLike)) or not str(value):
        raise ValueError(f"{name} must name a shipped network or a model file, got {value!r}")
    return str(value)


@dataclass(frozen=True)
class Recipe:
    """How to train a network (see the module docstring).  Frozen: change it with ``replace``."""

    epochs: int = 30
    batch_size: int = 10
    lr: float = 3.0
    schedule: str = "constant"
    optimizer: str = "sgd"
    momentum: float = 0.9
    nesterov: bool = False
    weight_decay: float = 0.0
    dropout: float = 0.0
    augment: Augmentation | None = None
    teacher: str | None = None
    teacher_weight: float = 0.5
    teacher_temperature: float = 1.0
    validation: int | None = None
    patience: int | None = None
    seed: int | None = None

    def __post_init__(self):
        checked = {
            "epochs": _whole("epochs", self.epochs, 0),
            "batch_size": _whole("batch_size", self.batch_size, 1),
            "lr": _real("lr", self.lr, lambda v: v > 0, "a positive number"),
            "momentum": _real("momentum", self.momentum, lambda v: 0 <= v < 1, "in [0, 1)"),
            "weight_decay": _real("weight_decay", self.weight_decay, lambda v: v >= 0, "0 or more"),
            "dropout": _real("dropout", self.dropout, lambda v: 0 <= v < 1, "a probability in [0, 1)"),
            "augment": Augmentation.from_setting(self.augment),
            "teacher": _name("teacher", self.teacher),
            "teacher_weight": _real("teacher_weight", self.teacher_weight, lambda v: 0 < v <= 1, "in (0, 1]"),
            "teacher_temperature": _real(
                "teacher_temperature", self.teacher_temperature, lambda v: v > 0, "a positive number"
            ),
            "validation": _whole("validation", self.validation, 0) or None if self.validation is not None else None,
            "patience": _whole("patience", self.patience, 0) or None if self.patience is not None else None,
            "seed": _whole("seed", self.seed, 0) if self.seed is not None else None,
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)
        if self.schedule not in SCHEDULES:
            raise ValueError(f"unknown schedule {self.schedule!r}; choose one of {', '.join(SCHEDULES)}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
        if not isinstance(self.nesterov, (bool, np.bool_)):
            raise ValueError(f"nesterov must be true or false, got {self.nesterov!r}")
        object.__setattr__(self, "nesterov", bool(self.nesterov))
        if self.nesterov and self.optimizer != "momentum":
            raise ValueError(f"nesterov applies to the momentum optimizer, not {self.optimizer!r}")
        if self.patience is not None and self.validation is None:
            raise ValueError("early stopping needs patience ≥ 1 and a validation set (validation=N)")

    def replace(self, **changes):
        """A copy with ``changes`` (field=value), checked again; unknown fields are a ValueError."""
        unknown = sorted(set(changes) - {field.name for field in fields(self)})
        if unknown:
            raise ValueError(
                f"unknown training option{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
                f"choose from {', '.join(field.name for field in fields(self))}"
            )
        return replace(self, **changes)

    @classmethod
    def from_options(cls, recipe=None, **options):
        """``recipe`` (default ``Recipe()``) with ``options`` changed: what ``fit(recipe, **options)`` trains."""
        return (recipe if recipe is not None else cls()).replace(**options)

    def learning_rate(self, epoch):
        """The learning rate of ``epoch`` (0-based) under this recipe's schedule."""
        return learning_rate(self.schedule, self.lr, epoch, self.epochs)

    def make_optimizer(self):
        """A fresh optimiser (its state at zero) for this recipe's optimizer, momentum and weight decay."""
        return make_optimizer(self.optimizer, self.momentum, self.nesterov, self.weight_decay)

    def options_in_use(self):
        """Names of the options in use beyond plain SGD (empty for plain SGD)."""
        return [
            name
            for name, used in (
                ("the " + self.optimizer + " optimizer", self.optimizer != "sgd"),
                ("weight decay", self.weight_decay > 0),
                ("dropout", self.dropout > 0),
                ("augmentation", self.augment is not None),
                ("a teacher", self.teacher is not None),
            )
            if used
        ]

    def describe(self):
        """Short words for the options this recipe turns on, e.g. ["adam", "dropout 0.2"]."""
        words = []
        if self.optimizer != "sgd":
            words.append(self.optimizer + (" (Nesterov)" if self.nesterov else ""))
        if self.weight_decay:
            words.append(f"weight decay {self.weight_decay:g}")
        if self.dropout:
            words.append(f"dropout {self.dropout:g}")
        if self.augment:
            moves = self.augment.as_dict()
            if not moves["elastic"]:
                del moves["elastic"], moves["elastic_sigma"]
            words.append(
                "augmented ("
                + ", ".join(key if value is True else f"{key} {value:g}" for key, value in moves.items())
                + ")"
            )
        if self.teacher:
            words.append(
                f"taught by {self.teacher} (weight {self.teacher_weight:g}, temperature {self.teacher_temperature:g})"
            )
        if self.validation:
            words.append(f"validation {self.validation:,}")
        if self.patience:
            words.append(f"patience {self.patience}")
        return words

    def as_dict(self):
        """Plain JSON-ready data (``augment`` as a dict or None); momentum and nesterov only with momentum,
        the teacher and its weight and temperature only with a teacher."""
        settings = asdict(self)
        settings["augment"] = self.augment.as_dict() if self.augment else None
        if self.optimizer != "momentum":
            del settings["momentum"], settings["nesterov"]
        if self.teacher is None:
            del settings["teacher"], settings["teacher_weight"], settings["teacher_temperature"]
        return settings

"""Learning from a teacher: training a network on a trained network's outputs as well as the labels.

A small network learns more from a large trained one's answers than from bare labels (Bucilă et al.
2006; Hinton et al. 2015, "distillation"): the teacher says how much a sloppy 7 looks like a 1, a 6
like a 5, which a label alone cannot.  With a teacher, each training image, as the augmentation
moved it, gets the wanted outputs (10,)

    y = (1 − w) · one_hot(label) + w · softmax(z / T)

where z is the teacher's output layer's weighted sums for that image, w the recipe's
``teacher_weight`` and T its ``teacher_temperature`` (T > 1 spreads the teacher's belief over the
other digits).  Only y changes: the cost is still the student's own, so for the video's network it is
still C_x = Σ_j (a_j − y_j)².  The teacher's outputs involve no random draw, so a seed still repeats a
training run exactly.

``teacher`` names a model file, or a shipped network (``digitnet models``) when no such file exists.
"""

import numpy as np

from .costs import one_hot
from .errors import DigitnetError


class Teacher:
    """A trained network whose outputs, softened by ``temperature`` and weighted by ``weight``, join the
    labels in the wanted outputs of each training step."""

    def __init__(self, net, weight, temperature):
        self.net = net.astype(np.float32)  # a float16 shipped network computes in float32
        self.weight = weight
        self.temperature = temperature

    @classmethod
    def for_recipe(cls, recipe, student):
        """The teacher that ``recipe`` names (shipped name or model file), checked to fit ``student``."""
        from .models import load_named

        name = recipe.teacher
        try:
            net = load_named(name)
        except DigitnetError as error:
            raise DigitnetError(f"cannot read the teacher {name!r}: {error}") from None
        if net.sizes[0] != student.sizes[0] or net.sizes[-1] != student.sizes[-1]:
            raise DigitnetError(
                f"the teacher {name!r} reads {net.sizes[0]} inputs into {net.sizes[-1]} outputs; "
                f"the network being trained reads {student.sizes[0]} into {student.sizes[-1]}"
            )
        return cls(net, recipe.teacher_weight, recipe.teacher_temperature)

    def beliefs(self, images):
        """softmax(z / T) of the teacher for (n, n_in) images: a (n_out, n) array, each column summing to 1."""
        z = self.net.forward(images)[0][-1].T / self.temperature
        spread = np.exp(z - z.max(axis=0))
        return spread / spread.sum(axis=0)

    def wanted(self, images, labels, dtype):
        """The wanted outputs y (n_out, n) in ``dtype`` for (n, n_in) ``images`` with digit ``labels`` (n,)."""
        labelled = one_hot(labels, self.net.sizes[-1], np.float32)
        return ((1 - self.weight) * labelled + self.weight * self.beliefs(images)).astype(dtype)

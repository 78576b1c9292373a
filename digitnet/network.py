"""The network itself: the reference maths, written to read like the videos and Nielsen's book.

A network is a list of layers of neurons.  Each neuron holds a number, its activation.
Layer l + 1 is computed from layer l by

    z = W @ a + b          (the weighted sums: weights W of shape (n_out, n_in), biases b of shape (n_out,))
    a′ = σ(z)              (squashed by the activation function)

In four steps, learning is:

1. **Feed forward** an image (784 pixels in [0, 1]) to get ten output activations.
2. **Cost**: compare them with the wanted outputs (1 for the right digit, 0 elsewhere).
3. **Backpropagate**: compute ∇C, how the cost changes with every weight and bias.
4. **Step downhill**: move every parameter a little along −∇C, and repeat over mini-batches.

This module is the specification.  Faster engines (``digitnet.engines``) must agree with it.
Inside, a batch is a matrix with **one example per column**, so that ``W @ a + b`` is
literally the code; the public methods take and return one example per row, as NumPy
users expect: ``images`` of shape (n, 784), outputs of shape (n, 10).
"""

from collections.abc import Callable, Sequence
from os import PathLike
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, Activation, get_activation
from .costs import get_cost, one_hot
from .engines import feed_forward
from .parameters import Gradient, flatten, unflatten_into
from .pixels import pixel_values

if TYPE_CHECKING:
    from .recipe import Recipe

DEFAULT_SIZES = (784, 16, 16, 10)
INITS = ("lecun", "nielsen", "xavier", "he")


def initial_parameters(sizes, init, rng):
    """Random starting weights and biases (float64) for layer ``sizes``.

    nielsen  W ~ N(0, 1),         b ~ N(0, 1)    (network.py)
    lecun    W ~ N(0, 1/n_in),    b ~ N(0, 1)    (network2.py's default; digitnet's default)
    xavier   W ~ N(0, 2/(n_in + n_out)), b = 0
    he       W ~ N(0, 2/n_in),    b = 0          (for ReLU)
    """
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")
    weights, biases = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        scale = {
            "nielsen": 1.0,
            "lecun": np.sqrt(1 / n_in),
            "xavier": np.sqrt(2 / (n_in + n_out)),
            "he": np.sqrt(2 / n_in),
        }[init]
        weights.append(rng.standard_normal((n_out, n_in)) * scale)
        bias = rng.standard_normal(n_out)
        biases.append(bias if init in ("nielsen", "lecun") else np.zeros(n_out))
    return weights, biases


class Network:
    """A fully connected network: ``sizes[0]`` inputs, hidden layers, ``sizes[-1]`` outputs.

    ``Network()`` is the video's network: 784 → 16 → 16 → 10, sigmoid everywhere, quadratic
    cost, 13,002 parameters.  ``activation`` is used by the hidden layers (sigmoid, tanh, relu);
    ``output`` by the last layer (sigmoid or softmax); ``cost`` is quadratic or cross-entropy
    (see ``digitnet.costs`` for the exact formulas).  ``seed`` makes the starting weights
    repeatable; ``dtype`` is float32 for speed, float64 for gradient checks.
    """

    def __init__(
        self,
        sizes: Sequence[int] = DEFAULT_SIZES,
        activation: str = "sigmoid",
        cost: str = "quadratic",
        output: str = "sigmoid",
        init: str = "lecun",
        seed: int | None = None,
        dtype: npt.DTypeLike = np.float32,
    ) -> None:
        sizes = [int(n) for n in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least two positive layer sizes, got {sizes}")
        if activation not in HIDDEN_ACTIVATIONS:
            raise ValueError(f"unknown hidden activation {activation!r}; choose one of {', '.join(HIDDEN_ACTIVATIONS)}")
        if output not in OUTPUT_ACTIVATIONS:
            raise ValueError(f"unknown output activation {output!r}; choose one of {', '.join(OUTPUT_ACTIVATIONS)}")
        self.sizes = sizes
        self.activation = activation
        self.output = output
        self.cost_function = get_cost(cost)  # a digitnet.costs.Cost: C_x and its output error
        self.cost_name = self.cost_function.name
        self.init = init
        self.dtype = np.dtype(dtype)
        weights, biases = initial_parameters(sizes, init, np.random.default_rng(seed))
        self.weights = [w.astype(self.dtype) for w in weights]
        self.biases = [b.astype(self.dtype) for b in biases]
        self.recipe: dict[str, Any] = {}  # how it was trained (filled in by fit)
        self.history: list[dict[str, Any]] = []  # one dict per epoch trained (filled in by fit)
        self.rejector: Any = None  # says "not a digit" (digitnet.rejection); fitted separately, saved with the model

    # ------------------------------------------------------------------ shape facts
    @property
    def num_parameters(self) -> int:
        """How many numbers the network learns: every weight and every bias (13,002 by default)."""
        return sum(w.size + b.size for w, b in zip(self.weights, self.biases))

    @property
    def num_layers(self) -> int:
        """Number of weight layers (3 for the default network)."""
        return len(self.weights)

    def layer_activation(self, l: int) -> Activation:
        """The Activation used by weight layer ``l`` (0-based): hidden layers, then the output layer."""
        return get_activation(self.output if l == self.num_layers - 1 else self.activation)

    def config(self) -> dict[str, Any]:
        """The architecture as plain data: enough to rebuild an untrained network of this shape."""
        return {
            "sizes": self.sizes,
            "activation": self.activation,
            "output": self.output,
            "cost": self.cost_name,
            "init": self.init,
        }

    def __repr__(self):
        return (
            f"Network({'-'.join(map(str, self.sizes))}, activation={self.activation!r}, "
            f"output={self.output!r}, cost={self.cost_name!r}, parameters={self.num_parameters:,})"
        )

    # ------------------------------------------------------------------ the flat view
    def get_parameters(self) -> np.ndarray:
        """All parameters as one vector (the video's "13,002-dimensional" point): W1, b1, W2, b2, …"""
        return flatten(self.weights, self.biases)

    def set_parameters(self, vector: npt.ArrayLike) -> None:
        """Inverse of ``get_parameters``: fill every W and b from one vector, in the same order."""
        vector = np.asarray(vector)
        if vector.shape != (self.num_parameters,):
            raise ValueError(f"expected a vector of {self.num_parameters} parameters, got shape {vector.shape}")
        unflatten_into(vector, self.weights, self.biases)

    def copy(self) -> "Network":
        """An independent copy (weights, biases, recipe and history)."""
        twin = object.__new__(Network)
        twin.__dict__.update(self.__dict__)
        twin.weights = [w.copy() for w in self.weights]
        twin.biases = [b.copy() for b in self.biases]
        twin.recipe = dict(self.recipe)
        twin.history = [dict(h) for h in self.history]
        twin.rejector = self.rejector  # never changed in place: fitting makes a new one
        return twin

    def astype(self, dtype: npt.DTypeLike) -> "Network":
        """A copy that computes in ``dtype`` (float64 for slopes and finite differences without float32 rounding)."""
        twin = self.copy()
        twin.dtype = np.dtype(dtype)
        twin.weights = [w.astype(dtype) for w in self.weights]
        twin.biases = [b.astype(dtype) for b in self.biases]
        return twin

    # ------------------------------------------------------------------ feeding forward
    def _columns(self, images):
        """(n, n_in) rows or one (n_in,) image → an (n_in, n) matrix of this network's dtype.

        Images are floats in [0, 1], or uint8 pixel values 0–255, read as value / 255.
        """
        images = np.asarray(images)
        if images.ndim == 1:
            images = images[None, :]
        if images.ndim != 2 or images.shape[1] != self.sizes[0]:
            raise ValueError(f"expected images of shape (n, {self.sizes[0]}) or ({self.sizes[0]},), got {images.shape}")
        return pixel_values(images, self.dtype).T

    def _forward(self, a, masks=None):
        """Feed the columns of ``a`` (n_in, n) forward; return every layer's z and a (columns).

        ``masks`` (training with dropout only): one (n_l, n) array per hidden layer that
        multiplies its activations (see ``digitnet.dropout``).
        """
        weighted_sums, activations = [], [a]
        for l, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = W @ a + b[:, None]
            a = self.layer_activation(l).function(z)
            if masks is not None and l < self.num_layers - 1:
                a = a * masks[l]
            weighted_sums.append(z)
            activations.append(a)
        return weighted_sums, activations

    def forward(self, images: npt.ArrayLike) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Every layer's weighted sums z and activations a for ``images``.

        Returns ``(weighted_sums, activations)``: lists with one array per weight layer (z) and
        per layer including the input (a).  Arrays are (n, n_l), or (n_l,) for one image.
        """
        single = np.ndim(images) == 1
        weighted_sums, activations = self._forward(self._columns(images))
        rows = (lambda m: m[:, 0]) if single else (lambda m: m.T)
        return [rows(z) for z in weighted_sums], [rows(a) for a in activations]

    def feedforward(self, images: npt.ArrayLike, every_layer: bool = False) -> Any:
        """The output activations for one image (784,) → (10,) or a batch (n, 784) → (n, 10).

        With ``every_layer=True``, return the list of every layer's activations, input first.
        """
        activations = self.forward(images)[1]
        return activations if every_layer else activations[-1]

    def predict(self, images: npt.ArrayLike, engine: Any = "auto") -> Any:
        """The recognised digit: the index of the most active output. (n,) ints, or one int."""
        outputs = self.outputs(images, engine=engine)
        return int(outputs.argmax()) if outputs.ndim == 1 else outputs.argmax(axis=1)

    def predict_or_reject(self, images: npt.ArrayLike, engine: Any = "auto", drawings: Any = None) -> Any:
        """Like ``predict``, but "not a digit" for an image unlike any digit: a Verdict with
        ``digit`` (None, or −1 in a batch, when rejected), ``rejected``, ``typicality``,
        ``outputs``, ``unsure`` and ``state`` (see ``digitnet.rejection``)."""
        from .rejection import predict_or_reject

        return predict_or_reject(self, images, engine=engine, drawings=drawings)

    def outputs(self, images: npt.ArrayLike, engine: Any = "auto") -> np.ndarray:
        """Output activations like ``feedforward``, computed by ``engine``: a name (see
        ``digitnet.engines``; ``auto`` takes, of the engines ready, the one measured faster here
        on such work) or an engine."""
        images = np.asarray(images)
        rows = images[None, :] if images.ndim == 1 else images
        outputs = feed_forward(engine, self, rows)
        return outputs[0] if images.ndim == 1 else outputs

    # ------------------------------------------------------------------ the cost
    def example_costs(self, images: npt.ArrayLike, labels: npt.ArrayLike) -> np.ndarray:
        """C_x for each example (n,) — see ``digitnet.costs`` for the formula (quadratic: no ½)."""
        outputs = self._forward(self._columns(images))[1][-1]
        wanted = one_hot(labels, self.sizes[-1], self.dtype)
        return self.cost_function.example_costs(outputs, wanted, self.output)

    def cost(self, images: npt.ArrayLike, labels: npt.ArrayLike) -> float:
        """The network's cost C: the mean of C_x over the examples."""
        return float(self.example_costs(images, labels).mean())

    def evaluate(
        self, images: np.ndarray, labels: npt.ArrayLike, engine: Any = "auto", chunk: int = 10_000
    ) -> dict[str, float]:
        """``{"accuracy": fraction correct in [0, 1], "cost": mean cost}`` on the given examples.

        Works through ``chunk`` examples at a time, so a large set needs no large temporary arrays.
        """
        labels = np.asarray(labels)
        correct, total_cost = 0, 0.0
        for start in range(0, len(labels), chunk):
            outputs = self.outputs(images[start : start + chunk], engine=engine)
            wanted = one_hot(labels[start : start + chunk], self.sizes[-1], outputs.dtype)
            correct += int((outputs.argmax(axis=1) == labels[start : start + chunk]).sum())
            total_cost += float(self.cost_function.example_costs(outputs.T, wanted, self.output).sum(dtype=np.float64))
        return {"accuracy": correct / len(labels), "cost": total_cost / len(labels)}

    # ------------------------------------------------------------------ learning
    def backprop(
        self,
        images: npt.ArrayLike,
        labels: npt.ArrayLike,
        masks: list[np.ndarray] | None = None,
        wanted: np.ndarray | None = None,
    ) -> Gradient:
        """∇C for the mean cost over ``images`` (n, 784) with digit ``labels`` (n,).

        Backpropagation, all examples at once (one column each):
            δᴸ = ∂C_x/∂zᴸ                       (see costs.output_error)
            δˡ = (W[l+1]ᵀ δˡ⁺¹) ⊙ σ′(zˡ)          for the layers below
            ∂C/∂W[l] = mean over examples of δˡ (aˡ⁻¹)ᵀ,   ∂C/∂b[l] = mean of δˡ

        With dropout ``masks`` (one (n_l, n) array per hidden layer, see ``digitnet.dropout``),
        hidden activations are aˡ ⊙ maskˡ, so δˡ is multiplied by maskˡ too.  ``wanted`` (n_out, n), when
        given, are the wanted outputs y in place of one_hot(labels) (a teacher's, ``digitnet.teacher``).
        """
        weighted_sums, activations = self._forward(self._columns(images), masks)
        if wanted is None:
            wanted = one_hot(labels, self.sizes[-1], self.dtype)
        n = wanted.shape[1]
        delta = self.cost_function.output_error(self.output, activations[-1], wanted) / n
        nabla_w: list[Any] = [None] * self.num_layers
        nabla_b: list[Any] = [None] * self.num_layers
        for l in reversed(range(self.num_layers)):
            nabla_w[l] = delta @ activations[l].T
            nabla_b[l] = delta.sum(axis=1)
            if l > 0:
                delta = (self.weights[l].T @ delta) * self.layer_activation(l - 1).prime(weighted_sums[l - 1])
                if masks is not None:
                    delta *= masks[l - 1]
        return Gradient(nabla_w, nabla_b)

    def gradient_step(self, gradient: Gradient, lr: float) -> None:
        """One step downhill: every parameter p ← p − lr · ∂C/∂p (in place)."""
        for W, nabla_w in zip(self.weights, gradient.weights):
            W -= lr * nabla_w
        for b, nabla_b in zip(self.biases, gradient.biases):
            b -= lr * nabla_b

    def fit(
        self,
        images: npt.ArrayLike,
        labels: npt.ArrayLike,
        recipe: "Recipe | None" = None,
        *,
        test: tuple[npt.ArrayLike, npt.ArrayLike] | None = None,
        monitor: bool = False,
        engine: Any = "auto",
        on_epoch: Callable[[dict[str, Any]], Any] | None = None,
        on_progress: Callable[[int, int], Any] | None = None,
        **options: Any,
    ) -> list[dict[str, Any]]:
        """Train by mini-batch stochastic gradient descent; return the history (one dict per epoch).

        ``recipe`` is a ``digitnet.recipe.Recipe`` (default ``Recipe()``: 30 epochs, mini-batches
        of 10, lr 3.0); any of its fields given as ``options`` change it, so
        ``net.fit(images, labels, epochs=5, lr=1.0)`` and ``net.fit(images, labels, PRESETS["big"].recipe,
        epochs=5)`` both work.  Each epoch shuffles the examples (without touching the caller's
        arrays), then for each mini-batch steps every parameter by ``−lr · ∂C/∂p``.  ``test=(images,
        labels)`` adds the test cost and accuracy to each epoch's record; ``monitor=True`` adds the
        training cost and accuracy (one more pass over the training set).  The recipe's ``seed``
        fixes the order of the mini-batches, so a run repeats bit for bit on the same machine.
        See ``digitnet.training.train`` for the callbacks, early stopping and what happens when
        training diverges; ``self.recipe`` afterwards records what ran.
        """
        from .recipe import Recipe
        from .training import train

        return train(
            self,
            images,
            labels,
            Recipe.from_options(recipe, **options),
            test=test,
            monitor=monitor,
            engine=engine,
            on_epoch=on_epoch,
            on_progress=on_progress,
        )

    # ------------------------------------------------------------------ files
    def save(self, path: str | PathLike) -> None:
        """Write the network to ``path`` (.npz: arrays + JSON metadata, no pickle), atomically."""
        from .storage import save_network

        save_network(self, path)

    @classmethod
    def load(cls, path: str | PathLike) -> "Network":
        """Read a network saved by ``save``; raises ModelFileError with a clear message if it cannot."""
        from .storage import load_network

        return load_network(path)

"""Cost functions: how wrong the output layer is for one example, and its gradient.

Conventions used everywhere in digitnet (library, command line, explorer page):

* ``quadratic``: the cost of one example is  C_x = Σ_j (a_j − y_j)²  over the ten
  outputs, with **no ½** (as in the video: "add up the squares of the differences").
  So ∂C_x/∂a_j = 2 (a_j − y_j).  Nielsen's network.py uses ½ Σ_j (a_j − y_j)²; its
  learning rate η corresponds to η/2 here.
* ``cross-entropy``: with sigmoid outputs,  C_x = −Σ_j [y_j ln a_j + (1 − y_j) ln(1 − a_j)];
  with softmax outputs it is the log-likelihood  C_x = −ln a_y  (= −Σ_j y_j ln a_j).
  In both cases the output error is simply  δ = a − y.

The network's cost C is the **mean** of C_x over the examples.  Arrays here hold one
example per column: ``outputs`` and ``wanted`` are (10, n); per-example costs are (n,).
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def one_hot(labels, size=10, dtype=np.float32):
    """The wanted outputs y for digit ``labels`` (n,): a (size, n) array, 1 at the label, else 0."""
    labels = np.asarray(labels)
    wanted = np.zeros((size, labels.size), dtype=dtype)
    wanted[labels.reshape(-1), np.arange(labels.size)] = 1
    return wanted


def _safe_log(x):
    """ln x with x clipped away from 0, so a saturated output costs a large finite amount."""
    return np.log(np.maximum(x, np.finfo(x.dtype).tiny))


def quadratic(outputs, wanted, output_activation="sigmoid"):
    """C_x = Σ_j (a_j − y_j)² for each example: (n,) from (10, n) arrays."""
    return ((outputs - wanted) ** 2).sum(axis=0)


def quadratic_error(output_activation, outputs, wanted):
    """δᴸ = ∂C_x/∂zᴸ for the quadratic cost: (10, n).

    sigmoid:  δ = 2 (a − y) ⊙ σ′(z)
    softmax:  δ = J(z)ᵀ 2(a − y), with the softmax Jacobian J = diag(a) − a aᵀ
    """
    dcost_doutputs = 2 * (outputs - wanted)
    if output_activation == "softmax":
        return outputs * (dcost_doutputs - (outputs * dcost_doutputs).sum(axis=0))
    return dcost_doutputs * outputs * (1 - outputs)  # σ′(z) = σ(z)(1 − σ(z)) = a(1 − a)


def cross_entropy(outputs, wanted, output_activation="sigmoid"):
    """C_x for each example: (n,); the log-likelihood −ln a_y with softmax outputs."""
    if output_activation == "softmax":
        return -(wanted * _safe_log(outputs)).sum(axis=0)
    return -(wanted * _safe_log(outputs) + (1 - wanted) * _safe_log(1 - outputs)).sum(axis=0)


def cross_entropy_error(output_activation, outputs, wanted):
    """δᴸ = a − y, with either output activation: (10, n)."""
    return outputs - wanted


@dataclass(frozen=True)
class Cost:
    """A named cost: ``example_costs(outputs, wanted, output_activation)`` gives C_x (n,) and
    ``output_error(output_activation, outputs, wanted)`` its δᴸ = ∂C_x/∂zᴸ (10, n)."""

    name: str
    example_costs: Callable
    output_error: Callable


COST_FUNCTIONS = (
    Cost("quadratic", quadratic, quadratic_error),
    Cost("cross-entropy", cross_entropy, cross_entropy_error),
)
COSTS = tuple(cost.name for cost in COST_FUNCTIONS)


def get_cost(name):
    """The Cost called ``name`` (or ``name`` itself if it is one); ValueError listing the choices if unknown."""
    if isinstance(name, Cost):
        return name
    for cost in COST_FUNCTIONS:
        if cost.name == name:
            return cost
    raise ValueError(f"unknown cost {name!r}; choose one of {', '.join(COSTS)}")


def check_cost(name):
    """Return ``name`` if it is a known cost, else raise ValueError listing the choices."""
    return get_cost(name).name


def example_costs(cost, outputs, wanted, output_activation="sigmoid"):
    """C_x for each example of the cost called ``cost``: (n,) from ``outputs`` and ``wanted`` of shape (10, n)."""
    return get_cost(cost).example_costs(outputs, wanted, output_activation)


def output_error(cost, output_activation, outputs, wanted):
    """δᴸ = ∂C_x/∂zᴸ of the cost called ``cost`` for every example: (10, n)."""
    return get_cost(cost).output_error(output_activation, outputs, wanted)

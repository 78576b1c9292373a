"""Optimisers: how a mini-batch's gradient ∇C moves every parameter p (each weight and bias).

η is the epoch's learning rate (``lr``, following the schedule); products are elementwise.

    sgd       p ← p − η ∇C                                   (the video; Nielsen's network.py)
    momentum  v ← μ v − η ∇C,   p ← p + v                    (Nielsen's book, ch. 3: a ball rolling
                                                              downhill; μ = 0 is exactly sgd)
    nesterov  v ← μ v − η ∇C,   p ← p + μ v − η ∇C           (momentum that looks one step ahead:
                                                              Sutskever et al. 2013, as in Keras/PyTorch)
    adam      m ← β₁ m + (1 − β₁) ∇C,   s ← β₂ s + (1 − β₂) ∇C²,   t ← t + 1
              p ← p − η m̂ / (√ŝ + ε),   m̂ = m / (1 − β₁ᵗ),   ŝ = s / (1 − β₂ᵗ)
              (Kingma & Ba 2015; β₁ = 0.9, β₂ = 0.999, ε = 1e-8; typical η ≈ 0.001)

L2 weight decay λ adds (λ/2) Σ w² over every weight (not the biases) to the cost, so the weights'
gradient becomes ∇C + λ W before any of the updates above; with sgd that is
W ← (1 − ηλ) W − η ∇C.  (Nielsen's network2.py λ with n training images is λ/n here.)

The state (v, m, s, t) starts at zero and lives in the optimiser object, so it carries over from
one epoch to the next within one training run.
"""

import numpy as np

from .parameters import Gradient, in_order

OPTIMIZERS = ("sgd", "momentum", "adam")


class Optimizer:
    """Base class: ``step(net, gradient, lr)`` moves ``net``'s parameters in place."""

    name = None

    def __init__(self, weight_decay=0.0):
        weight_decay = float(weight_decay)
        if not weight_decay >= 0:
            raise ValueError(f"weight_decay must be ≥ 0, got {weight_decay}")
        self.weight_decay = weight_decay

    def decayed(self, net, gradient):
        """∇C with the L2 term: weights' gradient + λ W (biases unchanged); ∇C itself when λ = 0."""
        if not self.weight_decay:
            return gradient
        return Gradient(
            [nabla_w + self.weight_decay * W for nabla_w, W in zip(gradient.weights, net.weights)], gradient.biases
        )

    def step(self, net, gradient, lr):
        raise NotImplementedError


class SGD(Optimizer):
    """p ← p − η (∇C + λ W): ``Network.gradient_step`` on the (decayed) gradient."""

    name = "sgd"

    def step(self, net, gradient, lr):
        net.gradient_step(self.decayed(net, gradient), lr)


def _parameters(net, gradient):
    """Pairs (p, ∂C/∂p) in the order of ``digitnet.parameters`` (arrays of ``net``, updated in place)."""
    return list(zip(in_order(net.weights, net.biases), in_order(gradient.weights, gradient.biases)))


class Momentum(Optimizer):
    """v ← μ v − η ∇C, then p ← p + v (or, with ``nesterov``, p ← p + μ v − η ∇C)."""

    name = "momentum"

    def __init__(self, momentum=0.9, nesterov=False, weight_decay=0.0):
        super().__init__(weight_decay)
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)
        self.velocities = None

    def step(self, net, gradient, lr):
        pairs = _parameters(net, self.decayed(net, gradient))
        if self.velocities is None:
            self.velocities = [np.zeros_like(p) for p, _ in pairs]
        for (p, nabla), v in zip(pairs, self.velocities):
            step = lr * nabla  # η ∇C
            v *= self.momentum
            v -= step
            p += (self.momentum * v - step) if self.nesterov else v


class Adam(Optimizer):
    """Adam: steps of about η per parameter, along a running mean of ∇C scaled by its running size."""

    name = "adam"
    beta1, beta2, epsilon = 0.9, 0.999, 1e-8

    def __init__(self, weight_decay=0.0):
        super().__init__(weight_decay)
        self.means = self.squares = None
        self.steps = 0

    def step(self, net, gradient, lr):
        pairs = _parameters(net, self.decayed(net, gradient))
        if self.means is None:
            self.means = [np.zeros_like(p) for p, _ in pairs]
            self.squares = [np.zeros_like(p) for p, _ in pairs]
        self.steps += 1
        mean_correction, square_correction = 1 - self.beta1**self.steps, 1 - self.beta2**self.steps
        for (p, nabla), m, s in zip(pairs, self.means, self.squares):
            m *= self.beta1
            m += (1 - self.beta1) * nabla
            s *= self.beta2
            s += (1 - self.beta2) * nabla * nabla
            p -= lr * (m / mean_correction) / (np.sqrt(s / square_correction) + self.epsilon)


def make_optimizer(name="sgd", momentum=0.9, nesterov=False, weight_decay=0.0):
    """The optimiser called ``name`` (sgd, momentum, adam); ``momentum``/``nesterov`` are for momentum."""
    if nesterov and name != "momentum":
        raise ValueError(f"nesterov applies to the momentum optimizer, not {name!r}")
    if name == "sgd":
        return SGD(weight_decay)
    if name == "momentum":
        return Momentum(momentum, nesterov, weight_decay)
    if name == "adam":
        return Adam(weight_decay)
    raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")

"""Dropout (Srivastava, Hinton et al. 2014): silence random hidden neurons while training.

For every mini-batch, each hidden neuron of each example is dropped (its activation set to 0)
with probability ``rate``, independently, so no neuron can count on particular others being
there.  Kept neurons are multiplied by 1/(1 − rate) ("inverted dropout"), so every neuron's
expected activation is what it is without dropout: evaluation and prediction use the whole
network as it is, with no dropout and no rescaling.

Backpropagation goes through the same masks: a dropped neuron passes no error back,
δˡ = (W[l+1]ᵀ δˡ⁺¹) ⊙ σ′(zˡ) ⊙ maskˡ  (see ``Network.backprop``).
"""


def check_rate(rate):
    """``rate`` as a float if it is a valid dropout probability in [0, 1), else ValueError."""
    rate = float(rate)
    if not 0 <= rate < 1:
        raise ValueError(f"dropout must be a probability in [0, 1), got {rate}")
    return rate


def dropout_masks(net, n, rate, rng):
    """One (n_l, n) mask per hidden layer of ``net`` for ``n`` examples (one per column):
    0 for a dropped neuron, 1/(1 − rate) for a kept one, in the network's dtype."""
    keep = net.dtype.type(1 / (1 - rate))
    return [(rng.random((size, n)) >= rate).astype(net.dtype) * keep for size in net.sizes[1:-1]]

"""The network's maths: shapes, parameter count, backprop against finite differences, learning."""

import itertools
import warnings

import numpy as np
import pytest

from digitnet import Network
from digitnet.activations import sigmoid, softmax
from digitnet.costs import one_hot
from digitnet.errors import TrainingDiverged


def test_default_network_is_the_videos_with_13002_parameters():
    net = Network()
    assert net.sizes == [784, 16, 16, 10]
    assert net.num_parameters == 784 * 16 + 16 * 16 + 16 * 10 + 16 + 16 + 10 == 13_002
    assert [w.shape for w in net.weights] == [(16, 784), (16, 16), (10, 16)]
    assert [b.shape for b in net.biases] == [(16,), (16,), (10,)]
    assert net.get_parameters().shape == (13_002,)


def test_a_layer_is_sigmoid_of_w_a_plus_b():
    net = Network(seed=1)
    image = np.random.default_rng(0).random(784).astype(np.float32)
    a = image
    for W, b in zip(net.weights, net.biases):
        a = 1 / (1 + np.exp(-(W.astype(np.float64) @ a + b)))
    np.testing.assert_allclose(net.feedforward(image), a, rtol=1e-5)


def test_feedforward_of_one_image_equals_its_row_in_a_batch():
    net = Network(seed=2)
    images = np.random.default_rng(1).random((5, 784)).astype(np.float32)
    batch = net.feedforward(images)
    assert batch.shape == (5, 10)
    np.testing.assert_allclose(net.feedforward(images[3]), batch[3], rtol=1e-6)
    layers = net.feedforward(images, every_layer=True)
    assert [a.shape for a in layers] == [(5, 784), (5, 16), (5, 16), (5, 10)]


def test_sigmoid_and_softmax_are_stable_on_huge_inputs():
    z = np.array([[-1e6, -800.0, 0.0, 800.0, 1e6]]).T
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid(z)
        p = softmax(z)
    assert s[0, 0] == 0 and s[-1, 0] == 1 and s[2, 0] == 0.5
    assert np.isfinite(p).all() and p.sum() == pytest.approx(1)


def finite_difference_gradient(net, images, labels, eps=1e-6):
    """∂C/∂p for every parameter by central differences (float64)."""
    vector = net.get_parameters()
    gradient = np.empty_like(vector)
    for i in range(vector.size):
        costs = []
        for shift in (+eps, -eps):
            shifted = vector.copy()
            shifted[i] += shift
            net.set_parameters(shifted)
            costs.append(net.cost(images, labels))
        gradient[i] = (costs[0] - costs[1]) / (2 * eps)
    net.set_parameters(vector)
    return gradient


COMBINATIONS = [
    (act, out, cost)
    for act, (out, cost) in itertools.product(
        ("sigmoid", "tanh", "relu"),
        (
            ("sigmoid", "quadratic"),
            ("sigmoid", "cross-entropy"),
            ("softmax", "cross-entropy"),
            ("softmax", "quadratic"),
        ),
    )
]


@pytest.mark.parametrize("activation,output,cost", COMBINATIONS)
def test_backprop_matches_finite_differences(activation, output, cost):
    rng = np.random.default_rng(3)
    net = Network([7, 5, 4, 3], activation=activation, output=output, cost=cost, seed=4, dtype=np.float64)
    images = rng.random((6, 7))
    labels = rng.integers(0, 3, 6)
    gradient = net.backprop(images, labels)
    analytic = np.concatenate([p.ravel() for w, b in zip(*gradient) for p in (w, b)])
    numeric = finite_difference_gradient(net, images, labels)
    relative = np.linalg.norm(analytic - numeric) / np.linalg.norm(analytic + numeric)
    assert relative < 1e-6, relative


def test_cost_is_the_mean_of_sum_of_squares_without_a_half():
    net = Network([4, 3], seed=0, dtype=np.float64)
    images = np.eye(4)[:2]
    labels = np.array([0, 2])
    outputs = net.feedforward(images)
    wanted = one_hot(labels, 3, np.float64).T
    assert net.cost(images, labels) == pytest.approx(((outputs - wanted) ** 2).sum(axis=1).mean())


def test_sgd_learns_a_small_synthetic_problem():
    from conftest import synthetic_digits

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 600).astype(np.uint8)
    images = synthetic_digits(labels, rng).reshape(-1, 784).astype(np.float32) / 255
    net = Network(seed=0)
    before = net.evaluate(images[500:], labels[500:])
    history = net.fit(images[:500], labels[:500], epochs=15, lr=1.0, seed=0, test=(images[500:], labels[500:]))
    assert len(history) == 15 and history[-1]["test_accuracy"] > 0.95
    assert history[-1]["test_cost"] < before["cost"] / 3


def test_training_with_the_same_seed_repeats_bit_for_bit():
    rng = np.random.default_rng(1)
    images, labels = rng.random((200, 784)).astype(np.float32), rng.integers(0, 10, 200)
    runs = []
    for _ in range(2):
        net = Network(seed=5)
        net.fit(images, labels, epochs=2, seed=7)
        runs.append(net.get_parameters())
    assert np.array_equal(*runs)


def test_fit_does_not_touch_the_callers_arrays():
    rng = np.random.default_rng(2)
    images, labels = rng.random((50, 784)).astype(np.float32), rng.integers(0, 10, 50)
    images_before, labels_before = images.copy(), labels.copy()
    Network(seed=0).fit(images, labels, epochs=1, seed=0)
    assert np.array_equal(images, images_before) and np.array_equal(labels, labels_before)


def test_a_huge_learning_rate_stops_with_a_clear_message_and_keeps_the_last_good_weights():
    rng = np.random.default_rng(3)
    images, labels = rng.random((100, 784)).astype(np.float32), rng.integers(0, 10, 100)
    net = Network(activation="relu", seed=0)
    with pytest.raises(TrainingDiverged, match="learning rate 1000 is probably too large"):
        net.fit(images, labels, epochs=3, lr=1000.0, seed=0)
    assert np.isfinite(net.get_parameters()).all()


def test_history_records_monitoring_only_when_asked():
    rng = np.random.default_rng(4)
    images, labels = rng.random((40, 784)).astype(np.float32), rng.integers(0, 10, 40)
    net = Network(seed=0)
    (record,) = net.fit(images, labels, epochs=1, seed=0)
    assert record["seconds"] > 0 and record["train_cost"] is None and record["test_accuracy"] is None
    net.fit(images, labels, epochs=1, seed=0, monitor=True, test=(images, labels))
    record = net.history[-1]
    assert record["epoch"] == 2 and 0 <= record["train_accuracy"] <= 1 and record["test_cost"] > 0


def test_learning_rate_schedules():
    from digitnet.recipe import learning_rate

    assert [learning_rate("constant", 2.0, e, 4) for e in range(4)] == [2.0] * 4
    assert [learning_rate("step", 1.0, e, 6) for e in range(6)] == [1, 1, 0.5, 0.5, 0.25, 0.25]
    cosine = [learning_rate("cosine", 1.0, e, 4) for e in range(4)]
    assert cosine[0] == 1.0 and cosine[2] == pytest.approx(0.5) and cosine == sorted(cosine, reverse=True)


def test_bad_arguments_are_refused_with_clear_messages():
    with pytest.raises(ValueError, match="unknown hidden activation"):
        Network(activation="swish")
    with pytest.raises(ValueError, match="unknown cost"):
        Network(cost="hinge")
    with pytest.raises(ValueError, match=r"shape \(n, 784\)"):
        Network().feedforward(np.zeros(783))


def test_uint8_images_are_read_as_value_over_255():
    net = Network(seed=0)
    pixels = np.random.default_rng(0).integers(0, 256, (4, 784)).astype(np.uint8)
    np.testing.assert_allclose(net.feedforward(pixels), net.feedforward(pixels.astype(np.float32) / 255), rtol=1e-6)
    labels = np.arange(4)
    floats = pixels.astype(np.float32) / 255
    assert net.evaluate(pixels, labels, engine="reference") == net.evaluate(floats, labels, engine="reference")

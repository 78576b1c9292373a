"""The lessons: cost breakdowns, nudges, weight pictures, noise — checked against independent truth."""

import numpy as np
import pytest

from digitnet import Network
from digitnet import insight


def small_net(sizes=(784, 6, 5, 10), dtype=np.float64, **kwargs):
    return Network(sizes, seed=1, dtype=dtype, **kwargs)


def examples(n=8, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 784)), rng.integers(0, 10, n)


@pytest.mark.parametrize("cost,output", [("quadratic", "sigmoid"), ("cross-entropy", "sigmoid"),
                                         ("cross-entropy", "softmax"), ("quadratic", "softmax")])
def test_the_ten_terms_of_one_example_sum_to_its_cost(cost, output):
    net = small_net(cost=cost, output=output)
    images, labels = examples(1)
    breakdown = insight.cost_breakdown(net, images[0], labels[0])
    assert len(breakdown["squared_differences"]) == len(breakdown["outputs"]) == len(breakdown["wanted"]) == 10
    assert sum(breakdown["squared_differences"]) == pytest.approx(breakdown["cost"], rel=1e-12)
    assert breakdown["cost"] == pytest.approx(net.example_costs(images[:1], labels[:1])[0], rel=1e-12)
    assert breakdown["wanted"][labels[0]] == 1 and sum(breakdown["wanted"]) == 1
    assert breakdown["digit"] == int(np.argmax(breakdown["outputs"]))


def test_quadratic_terms_are_the_squared_differences():
    net = small_net()
    images, labels = examples(1)
    breakdown = insight.cost_breakdown(net, images[0], labels[0])
    outputs, wanted = np.array(breakdown["outputs"]), np.array(breakdown["wanted"])
    np.testing.assert_allclose(breakdown["squared_differences"], (outputs - wanted) ** 2, rtol=1e-12)


def test_negative_gradient_is_minus_backprop_also_when_chunked(monkeypatch):
    net = small_net()
    images, labels = examples(7)
    gradient = net.backprop(images, labels)
    monkeypatch.setattr(insight, "BACKPROP_CHUNK", 3)  # 3 + 3 + 1 examples, averaged by size
    nudge = insight.negative_gradient(net, images, labels)
    for mine, theirs in zip(nudge.weights + nudge.biases, gradient.weights + gradient.biases):
        np.testing.assert_allclose(mine, -theirs, rtol=1e-10, atol=1e-15)


def finite_difference(net, images, labels, name_index, eps=1e-6):
    """−∂C/∂p by central differences for the parameter at flat position ``name_index``."""
    vector = net.get_parameters()
    costs = []
    for shift in (eps, -eps):
        shifted = vector.copy()
        shifted[name_index] += shift
        net.set_parameters(shifted)
        costs.append(net.cost(images, labels))
    net.set_parameters(vector)
    return -(costs[0] - costs[1]) / (2 * eps)


def flat_position(net, layer, kind, index):
    """Where parameter w[layer][r,c] or b[layer][r] sits in get_parameters()."""
    position = 0
    for l, (W, b) in enumerate(zip(net.weights, net.biases), 1):
        if l == layer:
            if kind == "w":
                return position + index[0] * W.shape[1] + index[1]
            return position + W.size + index[0]
        position += W.size + b.size
    raise AssertionError


@pytest.mark.parametrize("sizes", [(784, 6, 5, 10), (784, 9, 10), (784, 4, 3, 7, 10)])
def test_top_nudges_equal_finite_differences_of_minus_the_cost(sizes):
    net = small_net(sizes)
    images, labels = examples(5)
    report = insight.nudges(net, images, labels, top=12)
    assert report["parameters"] == net.num_parameters and len(report["top"]) == 12
    magnitudes = [abs(entry["nudge"]) for entry in report["top"]]
    assert magnitudes == sorted(magnitudes, reverse=True)
    for entry in report["top"]:
        kind = entry["name"][0]
        position = flat_position(net, entry["layer"], kind, entry["index"])
        assert entry["value"] == net.get_parameters()[position]
        assert entry["nudge"] == pytest.approx(finite_difference(net, images, labels, position), rel=1e-6, abs=1e-10)
        direction = "increase" if entry["nudge"] > 0 else "decrease"
        assert entry["words"].startswith(f"{entry['name']} should {direction}")


def test_layer_norms_combine_to_the_total_norm():
    net = small_net()
    images, labels = examples(6)
    report = insight.nudges(net, images, labels)
    assert list(report["layer_norms"]) == ["w[1]", "b[1]", "w[2]", "b[2]", "w[3]", "b[3]"]
    combined = np.sqrt(sum(norm ** 2 for norm in report["layer_norms"].values()))
    assert combined == pytest.approx(report["total_norm"], rel=1e-12)


def test_names_follow_the_video_numbering():
    net = Network((784, 16, 16, 10), seed=0, dtype=np.float64)
    net.weights[0][3, 407] = 0.0
    images, labels = examples(1)
    report = insight.nudges(net, images, labels, top=net.num_parameters)
    names = {entry["name"]: entry for entry in report["top"]}
    assert len(names) == 13_002
    assert names["w[1][3,407]"]["index"] == [3, 407] and names["w[1][3,407]"]["layer"] == 1
    assert names["b[2][5]"]["index"] == [5] and names["b[2][5]"]["value"] == net.biases[1][5]


def test_first_layer_images_and_linear_views():
    net = small_net()
    pictures = insight.first_layer_images(net)
    assert pictures.shape == (6, 28, 28)
    assert pictures[2, 14, 15] == net.weights[0][2, 14 * 28 + 15]
    np.testing.assert_allclose(insight.linear_views(net, 1), pictures)
    second = insight.linear_views(net, 2)
    assert second.shape == (5, 28, 28)
    np.testing.assert_allclose(second.reshape(5, 784), net.weights[1] @ net.weights[0])
    with pytest.raises(ValueError, match="unknown layer 4"):
        insight.linear_views(net, 4)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_the_input_slope_used_by_activation_maximization_matches_finite_differences(activation):
    net = small_net(activation=activation)
    image = np.random.default_rng(2).random(784)
    slope = insight.input_gradient(net, image, 2, 3)[0]
    eps = 1e-6
    for pixel in (0, 300, 407, 783):
        up, down = image.copy(), image.copy()
        up[pixel] += eps
        down[pixel] -= eps
        numeric = (insight.weighted_sum(net, up, 2, 3)[0] - insight.weighted_sum(net, down, 2, 3)[0]) / (2 * eps)
        assert slope[pixel] == pytest.approx(numeric, rel=1e-6, abs=1e-12)


def test_activation_maximization_climbs_from_grey_and_stays_in_range():
    net = small_net(dtype=np.float32)
    picture = insight.activation_maximization(net, 2, 1, steps=60, seed=0)
    assert picture.shape == (28, 28) and picture.min() >= 0 and picture.max() <= 1
    reached = insight.weighted_sum(net, picture.ravel(), 2, 1)[0]
    assert reached > insight.weighted_sum(net, np.full(784, 0.5), 2, 1)[0]
    random_images = np.random.default_rng(0).random((200, 784))
    assert reached > insight.weighted_sum(net, random_images, 2, 1).max()


@pytest.mark.parametrize("kind", insight.NOISE_KINDS)
def test_noise_images_are_in_range_and_repeatable(kind):
    images = insight.noise_images(kind, 5, seed=3)
    assert images.shape == (5, 784) and images.dtype == np.float32
    assert images.min() >= 0 and images.max() <= 1
    np.testing.assert_array_equal(images, insight.noise_images(kind, 5, seed=3))
    if kind == "blank-white":
        assert (images == 1).all()
    if kind == "blank-black":
        assert (images == 0).all()


def test_noise_report_answers_every_image():
    net = small_net(dtype=np.float32)
    digits, _ = examples(20)
    report = insight.noise_report(net, "uniform", 37, seed=0, digits=digits)
    assert report["count"] == 37 and len(report["answers"]) == 10 and sum(report["answers"]) == 37
    assert sum(report["shares"]) == pytest.approx(1)
    assert sum(report["top_activation_histogram_noise"]) == 37
    assert sum(report["top_activation_histogram_digits"]) == 20
    assert 0 <= report["mean_top_activation_noise"] <= 1 and 0 <= report["mean_top_activation_digits"] <= 1
    assert insight.noise_report(net, "gaussian", 3)["mean_top_activation_digits"] is None
    with pytest.raises(ValueError, match="unknown noise kind"):
        insight.noise_images("pink", 3)

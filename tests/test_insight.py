"""The lessons: cost breakdowns, nudges, weight pictures, noise — checked against independent truth."""

import numpy as np
import pytest

from digitnet import Network, insight


def small_net(sizes=(784, 6, 5, 10), dtype=np.float64, **kwargs):
    return Network(sizes, seed=1, dtype=dtype, **kwargs)


def examples(n=8, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 784)), rng.integers(0, 10, n)


@pytest.mark.parametrize(
    "cost,output",
    [("quadratic", "sigmoid"), ("cross-entropy", "sigmoid"), ("cross-entropy", "softmax"), ("quadratic", "softmax")],
)
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
    combined = np.sqrt(sum(norm**2 for norm in report["layer_norms"].values()))
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


def test_a_whole_layer_climbs_at_once_as_each_neuron_would_alone():
    net = small_net(dtype=np.float32)
    together = insight.activation_maximizations(net, 2, [0, 1, 2], steps=20, start=0.0)
    alone = np.array([insight.activation_maximization(net, 2, n, steps=20, start=0.0) for n in (0, 1, 2)])
    np.testing.assert_allclose(together, alone, atol=1e-12)  # the same climb, batched (float rounding aside)
    with pytest.raises(ValueError, match="not 99"):
        insight.activation_maximizations(net, 2, [0, 99])


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


def test_layer_activations_lists_every_layer_and_the_strongest_pushes():
    net = small_net()
    image = examples(1)[0][0]
    layers = insight.layer_activations(net, image, connections=4)
    assert [len(a) for a in layers["activations"]] == [784, 6, 5, 10]
    assert layers["digit"] == int(np.argmax(net.feedforward(image)))
    assert [c["layer"] for c in layers["connections"]] == [1] * 4 + [2] * 4 + [3] * 4
    hidden = np.asarray(layers["activations"][1])
    everything = np.abs(net.weights[1] * hidden[None, :])
    second = [c for c in layers["connections"] if c["layer"] == 2]
    assert abs(second[0]["contribution"]) == pytest.approx(everything.max())
    assert second[0]["contribution"] == pytest.approx(
        net.weights[1][second[0]["to"], second[0]["from"]] * hidden[second[0]["from"]]
    )


def test_the_landscape_slope_at_zero_is_minus_the_gradient_norm_and_descent_goes_down():
    net = small_net()
    images, labels = examples(6)
    landscape = insight.cost_landscape(net, images, labels, points=11, grid=5, steps=3, lr=0.5)
    assert landscape["cost"] == pytest.approx(net.cost(images, labels))
    middle = landscape["offsets"].index(0.0)
    assert landscape["costs_1d"][middle] == pytest.approx(landscape["cost"])  # t = 0 is θ₀ itself
    # An independent slope: move every parameter along −∇C/‖∇C‖ by ±ε.
    gradient = np.concatenate([p.ravel() for w, b in zip(*net.backprop(images, labels)) for p in (w, b)])
    direction = -gradient / np.linalg.norm(gradient)
    start, eps, costs = net.get_parameters(), 1e-6, []
    for shift in (eps, -eps):
        twin = net.copy()
        twin.set_parameters(start + shift * direction)
        costs.append(twin.cost(images, labels))
    assert landscape["slope_at_zero"] == pytest.approx((costs[0] - costs[1]) / (2 * eps), rel=1e-5)
    path = [step["cost"] for step in landscape["path"]]
    assert len(path) == 4 and path == sorted(path, reverse=True)
    assert landscape["path"][1]["d1"] == pytest.approx(0.5 * landscape["gradient_norm"])
    assert np.asarray(landscape["costs_2d"]).shape == (5, 5)


def test_confusion_matrix_and_confident_mistakes():
    net = small_net(dtype=np.float32)
    images, labels = examples(30)
    digits = net.predict(images)
    matrix = insight.confusion_matrix(labels, digits)
    assert matrix.sum() == 30 and np.trace(matrix) == (digits == labels).sum()
    mistakes = insight.confident_mistakes(net, images, labels, count=5)
    assert all(m["label"] != m["digit"] == digits[m["index"]] for m in mistakes)
    confidences = [m["confidence"] for m in mistakes]
    assert confidences == sorted(confidences, reverse=True)


def test_cost_contrast_picks_the_cheapest_right_and_the_dearest_example():
    net = small_net()
    images, labels = examples(40)
    contrast = insight.cost_contrast(net, images, labels)
    costs = net.example_costs(images, labels)
    assert contrast["average_cost"] == pytest.approx(costs.mean())
    assert contrast["trash"]["cost"] == pytest.approx(costs.max())
    right = net.predict(images) == labels
    if right.any():
        assert contrast["confident"]["cost"] == pytest.approx(costs[right].min())


# ---------------------------------------------------------------------- the command line, end to end
import json  # noqa: E402

from conftest import run_cli, write_mnist  # noqa: E402

from digitnet.cli import main  # noqa: E402
from digitnet.data import load_mnist  # noqa: E402


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny MNIST folder and a small float64 network trained on it for a few epochs."""
    folder = tmp_path_factory.mktemp("insight")
    data = write_mnist(folder / "mnist", train=(200, 28), test=(60, 28))
    (train_images, train_labels), test = load_mnist(data)
    net = Network((784, 8, 6, 10), seed=0, dtype=np.float64)
    net.fit(train_images, train_labels, epochs=3, lr=1.0, seed=0, test=test, monitor=True)
    net.save(folder / "model.npz")
    return folder / "model.npz", data, net


def run_json(capsys, *argv):
    status, out, err = run_cli(capsys, *argv, "--json")
    assert status == 0, err
    return [json.loads(line) for line in out.splitlines()]


def test_cli_cost_json_sums_to_the_cost_and_reports_the_set_average(capsys, trained):
    model, data, net = trained
    (record,) = run_json(capsys, "show", "cost", model, "--index", 7, "--data", data)
    _, (images, labels) = load_mnist(data)
    assert record["label"] == labels[7] and record["index"] == 7 and record["split"] == "test"
    assert sum(record["squared_differences"]) == pytest.approx(record["cost"], rel=1e-12)
    assert record["cost"] == pytest.approx(net.example_costs(images[7:8], labels[7:8])[0])
    assert record["average_cost"] == pytest.approx(net.cost(images, labels), rel=1e-6)
    assert len(record["outputs"]) == len(record["wanted"]) == 10
    status, out, _ = run_cli(capsys, "show", "cost", model, "--index", 7, "--data", data)
    assert status == 0 and "Cost: " in out and "← (" in out and "utter trash" in out


def test_cli_gradient_json_matches_finite_differences(capsys, trained):
    model, data, net = trained
    (record,) = run_json(capsys, "show", "gradient", model, "--index", 4, "--top", 6, "--data", data)
    assert record["parameters"] == net.num_parameters == 784 * 8 + 8 + 8 * 6 + 6 + 6 * 10 + 10
    combined = np.sqrt(sum(norm**2 for norm in record["layer_norms"].values()))
    assert combined == pytest.approx(record["total_norm"], rel=1e-12)
    _, (images, labels) = load_mnist(data)
    for entry in record["top"]:
        position = flat_position(net, entry["layer"], entry["name"][0], entry["index"])
        numeric = finite_difference(net, images[4:5], labels[4:5], position)
        assert entry["nudge"] == pytest.approx(numeric, rel=1e-5, abs=1e-10)


@pytest.mark.parametrize("choice", [("--batch", 17), ("--all",)])
def test_cli_gradient_over_a_batch_or_the_whole_training_set(capsys, trained, choice):
    model, data, net = trained
    (record,) = run_json(capsys, "show", "gradient", model, *choice, "--data", data)
    (train_images, train_labels), _ = load_mnist(data)
    assert record["split"] == "train"
    if choice[0] == "--all":
        assert record["examples"] == 200
        expected = insight.nudges(net, train_images, train_labels)["total_norm"]
        assert record["total_norm"] == pytest.approx(expected, rel=1e-6)  # the CLI reads uint8 pixels / 255
    else:
        assert record["examples"] == 17


def test_cli_noise_answers_every_image(capsys, trained):
    model, data, _ = trained
    (record,) = run_json(capsys, "noise", model, "--count", 123, "--kind", "salt-pepper", "--data", data)
    assert record["count"] == 123 and record["kind"] == "salt-pepper" and sum(record["answers"]) == 123
    assert 0 <= record["mean_top_activation_noise"] <= 1 and 0 <= record["mean_top_activation_digits"] <= 1


def test_cli_noise_without_mnist_still_reports_the_noise(capsys, trained, tmp_path):
    model, _, _ = trained
    (record,) = run_json(capsys, "noise", model, "--count", 5, "--data", tmp_path)
    assert sum(record["answers"]) == 5 and record["mean_top_activation_digits"] is None


def test_cli_weights_json_for_the_first_and_a_deeper_layer(capsys, trained):
    model, _, net = trained
    (first,) = run_json(capsys, "show", "weights", model)
    assert np.array_equal(np.asarray(first["weights"]), net.weights[0]) and first["biases"] == net.biases[0].tolist()
    (second,) = run_json(capsys, "show", "weights", model, "--layer", 2, "--steps", 20)
    assert np.allclose(np.asarray(second["linear_views"]), net.weights[1] @ net.weights[0])
    pixels = np.asarray(second["activation_maximization"])
    assert pixels.shape == (6, 784) and pixels.min() >= 0 and pixels.max() <= 1
    assert len(second["activation_reached"]) == 6


def test_cli_activations_of_a_picture_file(capsys, trained, tmp_path):
    from PIL import Image

    model, _, net = trained
    canvas = np.full((60, 40), 255, np.uint8)
    canvas[10:50, 18:23] = 0  # a dark "1" on white paper
    Image.fromarray(canvas).save(tmp_path / "one.png")
    (record,) = run_json(capsys, "show", "activations", model, tmp_path / "one.png", "--connections", 3)
    assert record["image"] == str(tmp_path / "one.png") and record["label"] is None
    assert [len(a) for a in record["activations"]] == [784, 8, 6, 10]
    from digitnet.images import image_to_input

    assert record["digit"] == net.predict(image_to_input(tmp_path / "one.png"))


def test_cli_history_and_confusion_json(capsys, trained):
    model, data, net = trained
    history = run_json(capsys, "show", "history", model)
    assert [r["epoch"] for r in history] == [1, 2, 3] and history == net.history
    (record,) = run_json(capsys, "show", "confusion", model, "--data", data, "--count", 4)
    _, (images, labels) = load_mnist(data)
    assert np.asarray(record["confusion"]).sum() == 60 == record["count"]
    assert record["accuracy"] == pytest.approx(net.evaluate(images, labels)["accuracy"])
    assert all(m["label"] != m["digit"] for m in record["mistakes"]) and len(record["mistakes"]) <= 4


def test_cli_landscape_json(capsys, trained):
    model, data, _ = trained
    (record,) = run_json(capsys, "show", "landscape", model, "--batch", 20, "--steps", 2, "--data", data)
    assert record["batch"] == 20 and len(record["path"]) == 3 and record["slope_at_zero"] < 0
    assert record["path"][0]["cost"] == pytest.approx(record["costs_1d"][record["offsets"].index(0.0)])


LESSONS = [
    ("show", "weights", "{model}"),
    ("show", "weights", "{model}", "--layer", 3, "--steps", 5),
    ("show", "cost", "{model}", "--index", 1, "--data", "{data}"),
    ("show", "gradient", "{model}", "--batch", 5, "--data", "{data}"),
    ("show", "activations", "{model}", "--index", 2, "--data", "{data}"),
    ("show", "landscape", "{model}", "--index", 3, "--steps", 2, "--data", "{data}"),
    ("show", "history", "{model}"),
    ("show", "confusion", "{model}", "--data", "{data}"),
    ("noise", "{model}", "--count", 20, "--data", "{data}"),
]


def fill(argv, **values):
    return [str(a).format(**values) for a in argv]


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: " ".join(map(str, lesson[:2])))
def test_every_lesson_prints_a_table_and_draws_a_png(capsys, trained, tmp_path, lesson):
    model, data, _ = trained
    figure = tmp_path / "figure.png"
    status, out, err = run_cli(capsys, *fill(lesson, model=model, data=data), "--out", figure)
    assert status == 0, err
    assert len(out.splitlines()) >= 2 and not err
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["figure.png"]  # no temporary file left behind


@pytest.mark.parametrize(
    "argv,message",
    [
        (("show", "cost", "missing.npz", "--index", 0), "no such model file"),
        (
            ("show", "cost", "{model}", "--index", 60, "--data", "{data}"),
            "--index 60 is out of range: the test set has 60 images",
        ),
        (
            ("show", "gradient", "{model}", "--index", 200, "--split", "train", "--data", "{data}"),
            "out of range: the train set has 200",
        ),
        (("show", "gradient", "{model}", "--batch", 201, "--data", "{data}"), "larger than the train set"),
        (("show", "weights", "{model}", "--layer", 4), "unknown layer 4"),
        (("show", "weights", "{model}", "--layer", 0), "unknown layer 0"),
        (("show", "weights", "{model}", "--out", "figure.txt"), "use a .png, .svg or .pdf"),
        (("show", "cost", "{model}", "{picture}"), "--label"),
        (("show", "activations", "{model}", "{picture}", "--index", 3), "either an IMAGE or --index"),
        (("show", "activations", "{model}", "nothing.png"), "no such file"),
        (("show", "activations", "{model}", "{picture}"), "not an image file"),
        (("show", "confusion", "{model}", "--data", "{tmp}"), "MNIST not found"),
        (("noise", "{model}", "--count", 10**6), "at most 100,000"),
        (("show", "history", "{model}", "--out", "{tmp}/folder.png"), "is a folder"),
    ],
)
def test_bad_input_gets_a_one_line_error(capsys, trained, tmp_path, argv, message):
    model, data, _ = trained
    (tmp_path / "picture.png").write_bytes(b"not a picture")
    (tmp_path / "folder.png").mkdir()
    argv = fill(argv, model=model, data=data, picture=tmp_path / "picture.png", tmp=tmp_path)
    status, out, err = run_cli(capsys, *argv)
    assert status != 0 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err and err.startswith("digitnet: error:")


@pytest.mark.parametrize("option", ["--span", "--lr"])
@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0"])
def test_landscape_refuses_slices_and_steps_that_are_not_positive_numbers(capsys, trained, option, value):
    model, _, _ = trained
    with pytest.raises(SystemExit) as exit_:
        main(["show", "landscape", str(model), option, value])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and f"{option}: must be a positive number" in err and len(err.splitlines()) == 1


def test_history_of_an_untrained_model_is_a_clear_error(capsys, tmp_path):
    Network(seed=0).save(tmp_path / "new.npz")
    status, _, err = run_cli(capsys, "show", "history", tmp_path / "new.npz")
    assert status == 1 and "no training history" in err


@pytest.mark.slow
@pytest.mark.parametrize(
    "sizes,options",
    [
        ((784, 50, 10), {}),
        ((784, 12, 9, 7, 10), {}),
        ((784, 10, 10), {"output": "softmax", "cost": "cross-entropy", "activation": "relu", "init": "he"}),
    ],
)
def test_the_lessons_work_on_other_shapes_and_costs(capsys, trained, tmp_path, sizes, options):
    _, data, _ = trained
    (train_images, train_labels), _ = load_mnist(data)
    net = Network(sizes, seed=2, **options)
    net.fit(train_images, train_labels, epochs=1, lr=0.1, seed=0)
    model = tmp_path / "other.npz"
    net.save(model)
    last = len(sizes) - 1
    (weights,) = run_json(capsys, "show", "weights", model, "--layer", last, "--steps", 10)
    reached = net.feedforward(np.asarray(weights["activation_maximization"]), every_layer=True)[last]
    # float32, and the CLI may feed forward on the fast engine: sums in another order, ~1e-7 apart
    assert weights["activation_reached"] == pytest.approx(np.diag(reached).tolist(), rel=1e-5)
    (cost,) = run_json(capsys, "show", "cost", model, "--index", 0, "--data", data)
    assert sum(cost["squared_differences"]) == pytest.approx(cost["cost"]) and cost["cost_name"] == net.cost_name
    (gradient,) = run_json(capsys, "show", "gradient", model, "--index", 0, "--data", data)
    assert list(gradient["layer_norms"]) == [f"{kind}[{l}]" for l in range(1, last + 1) for kind in "wb"]
    for argv in (
        ("show", "activations", model, "--index", 1, "--data", data),
        ("show", "weights", model, "--layer", last, "--steps", 5),
        ("show", "landscape", model, "--batch", 5, "--steps", 1, "--data", data),
    ):
        status, _, err = run_cli(capsys, *argv, "--out", tmp_path / "figure.png")
        assert status == 0, err


def test_the_library_and_the_command_line_load_without_matplotlib():
    import subprocess
    import sys

    code = "import sys, digitnet, digitnet.insight, digitnet.cli; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_nudges_in_words_are_relative_to_the_largest():
    assert insight.describe_nudge(0.9, 1.0) == "should increase a lot"
    assert insight.describe_nudge(-0.5, 1.0) == "should decrease a lot"
    assert insight.describe_nudge(-0.2, 1.0) == "should decrease somewhat"
    assert insight.describe_nudge(0.01, 1.0) == "should increase a little"
    assert insight.describe_nudge(0.0, 1.0) == "should stay as it is"


def test_uint8_pixels_are_read_as_value_over_255_everywhere():
    net = small_net()
    rng = np.random.default_rng(5)
    raw = rng.integers(0, 256, (4, 784)).astype(np.uint8)
    labels = rng.integers(0, 10, 4)
    floats = raw / 255.0
    as_uint8 = insight.cost_landscape(net, raw, labels, points=5, grid=3, steps=1)
    as_float = insight.cost_landscape(net, floats, labels, points=5, grid=3, steps=1)
    np.testing.assert_allclose(as_uint8["costs_1d"], as_float["costs_1d"], rtol=1e-12)
    assert insight.nudges(net, raw, labels)["total_norm"] == pytest.approx(
        insight.nudges(net, floats, labels)["total_norm"], rel=1e-12
    )
    assert insight.cost_breakdown(net, raw[0], labels[0])["cost"] == pytest.approx(
        insight.cost_breakdown(net, floats[0], labels[0])["cost"], rel=1e-12
    )

"""Training options: each changes training the way its formula says, and only when asked for."""

import json

import numpy as np
import pytest
from conftest import synthetic_digits, write_mnist

from digitnet import Network
from digitnet.augment import Augmentation, bilinear_sample
from digitnet.cli import main
from digitnet.costs import example_costs, one_hot
from digitnet.dropout import dropout_masks
from digitnet.errors import DigitnetError
from digitnet.network import Gradient
from digitnet.optimizers import SGD, Adam, Momentum, make_optimizer
from digitnet.presets import PRESETS
from digitnet.recipe import learning_rate
from digitnet.training import split_validation


def synthetic_set(count, seed=0):
    """``count`` synthetic digits (a bright square placed by the label): images (n, 784) in [0, 1], labels."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, count).astype(np.uint8)
    return synthetic_digits(labels, rng).reshape(-1, 784).astype(np.float32) / 255, labels


def random_set(count, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((count, 784)).astype(np.float32), rng.integers(0, 10, count)


def trained_parameters(images, labels, **options):
    net = Network(seed=3)
    net.fit(images, labels, epochs=2, batch_size=10, lr=0.5, seed=4, engine="reference", **options)
    return net.get_parameters()


# ---------------------------------------------------------------- optimisers


def test_momentum_zero_is_plain_sgd_bit_for_bit():
    images, labels = random_set(120)
    plain = trained_parameters(images, labels)
    assert np.array_equal(trained_parameters(images, labels, optimizer="momentum", momentum=0.0), plain)
    assert np.array_equal(trained_parameters(images, labels, optimizer="momentum", momentum=0.0, nesterov=True), plain)
    assert np.array_equal(trained_parameters(images, labels, optimizer="sgd", weight_decay=0.0), plain)
    assert not np.array_equal(trained_parameters(images, labels, optimizer="momentum", momentum=0.5), plain)


def tiny_net():
    """A 3 → 2 network (float64) with known parameters W = [[1, 2, 3], [4, 5, 6]], b = [1, −1]."""
    net = Network([3, 2], seed=0, dtype=np.float64)
    net.weights[0][...] = [[1, 2, 3], [4, 5, 6]]
    net.biases[0][...] = [1, -1]
    return net


def gradient_of(w, b):
    return Gradient([np.array(w, dtype=np.float64)], [np.array(b, dtype=np.float64)])


G1 = ([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]], [2.0, -4.0])
G2 = ([[0.5, 1.0, -1.0], [2.0, 0.0, 1.0]], [-1.0, 1.0])


def test_momentum_and_nesterov_match_two_hand_computed_steps():
    lr, mu = 0.1, 0.9
    w0, g1, g2 = np.array([[1, 2, 3], [4, 5, 6]], float), np.array(G1[0]), np.array(G2[0])
    v1 = -lr * g1  # v ← μ·0 − η g1
    v2 = mu * v1 - lr * g2  # v ← μ v − η g2
    for nesterov, expected in ((False, w0 + v1 + v2), (True, w0 + (mu * v1 - lr * g1) + (mu * v2 - lr * g2))):
        net, optimizer = tiny_net(), Momentum(mu, nesterov=nesterov)
        optimizer.step(net, gradient_of(*G1), lr)
        optimizer.step(net, gradient_of(*G2), lr)
        np.testing.assert_allclose(net.weights[0], expected, rtol=1e-12)


def test_adam_matches_hand_computed_steps():
    lr, (b1, b2, eps) = 0.01, (0.9, 0.999, 1e-8)
    g1, g2 = np.array(G1[1]), np.array(G2[1])
    # step 1: m̂ = g1, ŝ = g1², so every parameter moves by lr · g1 / (|g1| + ε), about lr
    step1 = lr * g1 / (np.abs(g1) + eps)
    m, s = (1 - b1) * g1, (1 - b2) * g1**2
    m, s = b1 * m + (1 - b1) * g2, b2 * s + (1 - b2) * g2**2
    step2 = lr * (m / (1 - b1**2)) / (np.sqrt(s / (1 - b2**2)) + eps)
    net, optimizer = tiny_net(), Adam()
    optimizer.step(net, gradient_of(*G1), lr)
    np.testing.assert_allclose(net.biases[0], np.array([1, -1]) - step1, rtol=1e-12)
    optimizer.step(net, gradient_of(*G2), lr)
    np.testing.assert_allclose(net.biases[0], np.array([1, -1]) - step1 - step2, rtol=1e-12)


@pytest.mark.parametrize(
    "options", [{"optimizer": "momentum", "nesterov": True, "lr": 0.1}, {"optimizer": "adam", "lr": 0.01}]
)
def test_nesterov_and_adam_learn_a_small_problem(options):
    images, labels = synthetic_set(600)
    net = Network(seed=0)
    before = net.cost(images[500:], labels[500:])
    history = net.fit(
        images[:500], labels[:500], epochs=8, batch_size=10, seed=0, test=(images[500:], labels[500:]), **options
    )
    assert history[-1]["test_cost"] < before / 4 and history[-1]["test_accuracy"] > 0.85


def test_weight_decay_shrinks_weights_by_one_minus_lr_lambda_and_leaves_biases():
    lr, decay = 0.1, 0.5
    net = tiny_net()
    SGD(weight_decay=decay).step(net, gradient_of(*G1), lr)
    w0 = np.array([[1, 2, 3], [4, 5, 6]], float)
    np.testing.assert_allclose(net.weights[0], (1 - lr * decay) * w0 - lr * np.array(G1[0]), rtol=1e-12)
    np.testing.assert_allclose(net.biases[0], np.array([1, -1]) - lr * np.array(G1[1]), rtol=1e-12)
    zero = gradient_of(np.zeros((2, 3)), np.zeros(2))
    net = tiny_net()
    for _ in range(3):
        make_optimizer("momentum", momentum=0.0, weight_decay=decay).step(net, zero, lr)
    np.testing.assert_allclose(net.weights[0], (1 - lr * decay) ** 3 * w0, rtol=1e-12)


def test_weight_decay_gives_smaller_weights_after_training():
    images, labels = synthetic_set(300)
    plain, decayed = (trained_parameters(images, labels, weight_decay=decay) for decay in (0.0, 0.05))
    assert np.linalg.norm(decayed) < 0.95 * np.linalg.norm(plain)


def test_optimizer_arguments_are_checked():
    with pytest.raises(ValueError, match="unknown optimizer"):
        make_optimizer("rmsprop")
    with pytest.raises(ValueError, match="nesterov applies to the momentum optimizer"):
        make_optimizer("adam", nesterov=True)
    with pytest.raises(ValueError, match="momentum must be in"):
        make_optimizer("momentum", momentum=1.0)
    with pytest.raises(ValueError, match="weight_decay"):
        make_optimizer("sgd", weight_decay=-1)


# ---------------------------------------------------------------- dropout


def masked_cost(net, images, labels, masks):
    outputs = net._forward(net._columns(images), masks)[1][-1]
    return example_costs(net.cost_name, outputs, one_hot(labels, net.sizes[-1], net.dtype), net.output).mean()


def test_backprop_through_dropout_masks_matches_finite_differences():
    rng = np.random.default_rng(0)
    net = Network([6, 5, 4, 3], activation="tanh", output="softmax", cost="cross-entropy", seed=1, dtype=np.float64)
    images, labels = rng.random((7, 6)), rng.integers(0, 3, 7)
    masks = dropout_masks(net, 7, 0.4, rng)
    gradient = net.backprop(images, labels, masks)
    analytic = np.concatenate([p.ravel() for w, b in zip(*gradient) for p in (w, b)])
    vector, numeric, eps = net.get_parameters(), [], 1e-6
    for i in range(vector.size):
        costs = []
        for shift in (eps, -eps):
            shifted = vector.copy()
            shifted[i] += shift
            net.set_parameters(shifted)
            costs.append(masked_cost(net, images, labels, masks))
        numeric.append((costs[0] - costs[1]) / (2 * eps))
    net.set_parameters(vector)
    assert np.linalg.norm(analytic - numeric) / np.linalg.norm(analytic + numeric) < 1e-6


def test_dropout_masks_drop_about_rate_and_scale_the_kept():
    net = Network([784, 100, 50, 10], seed=0)
    masks = dropout_masks(net, 400, 0.3, np.random.default_rng(0))
    assert [m.shape for m in masks] == [(100, 400), (50, 400)]
    for mask in masks:
        assert set(np.unique(mask).tolist()) == {0.0, np.float32(1 / 0.7)}
        assert (mask == 0).mean() == pytest.approx(0.3, abs=0.02)


def test_a_dropped_neuron_gets_no_gradient_for_its_incoming_weights():
    images, labels = synthetic_set(1)
    net = Network(seed=0, dtype=np.float64)
    masks = [np.ones((16, 1)), np.ones((16, 1))]
    masks[0][5] = 0
    gradient = net.backprop(images, labels, masks)
    assert not gradient.weights[0][5].any() and gradient.weights[0][4].any()
    assert not gradient.weights[1][:, 5].any()  # and it sends nothing to the next layer


def test_dropout_is_on_in_training_and_off_at_evaluation():
    images, labels = synthetic_set(300)
    net = Network(seed=3)
    net.fit(images, labels, epochs=2, batch_size=10, lr=0.5, seed=4, dropout=0.5)
    assert not np.array_equal(net.get_parameters(), trained_parameters(images, labels))  # dropout changed training
    again = Network(seed=3)
    again.fit(images, labels, epochs=2, batch_size=10, lr=0.5, seed=4, dropout=0.5)
    assert np.array_equal(net.get_parameters(), again.get_parameters())  # reproducible with the seed
    outputs = net.feedforward(images)  # evaluation: the whole net,
    a = images.T.astype(np.float64)  # no masks, no rescaling
    for W, b in zip(net.weights, net.biases):
        a = 1 / (1 + np.exp(-(W @ a + b[:, None])))
    np.testing.assert_allclose(outputs, a.T, rtol=1e-4)
    assert np.array_equal(net.evaluate(images, labels)["accuracy"], net.evaluate(images, labels)["accuracy"])
    assert net.recipe["dropout"] == 0.5 and net.recipe["engine"] == "reference"


# ---------------------------------------------------------------- schedules


def test_each_epoch_trains_with_its_scheduled_learning_rate():
    images, labels = random_set(40)
    for schedule, expected in (
        ("step", [1, 1, 0.5, 0.5, 0.25, 0.25]),
        ("cosine", [0.5 * (1 + np.cos(np.pi * e / 6)) for e in range(6)]),
        ("constant", [1.0] * 6),
    ):
        history = Network(seed=0).fit(images, labels, epochs=6, lr=1.0, schedule=schedule, seed=0)
        assert [record["lr"] for record in history] == pytest.approx(expected, rel=1e-12)
    assert learning_rate("cosine", 0.4, 0, 10) == 0.4 and learning_rate("step", 0.4, 29, 30) == 0.1


# ---------------------------------------------------------------- augmentation


def centre_of_ink(images):
    """(2, n) row and column of each image's centre of mass."""
    pictures, grid = images.reshape(-1, 28, 28), np.arange(28)
    return np.stack([(pictures.sum(2) * grid).sum(1), (pictures.sum(1) * grid).sum(1)]) / pictures.sum((1, 2))


class Extremes:
    """A stand-in random generator whose uniform(low, high, size) always returns ``high``."""

    def uniform(self, low, high, size):
        return np.full(size, float(high))


def test_a_shift_moves_the_image_by_whole_pixels():
    images, _ = synthetic_set(3)
    moved = Augmentation(shift=3, rotation=0).apply(images, Extremes()).reshape(3, 28, 28)
    expected = np.zeros((3, 28, 28), np.float32)
    expected[:, 3:, 3:] = images.reshape(3, 28, 28)[:, :-3, :-3]
    np.testing.assert_allclose(moved, expected, atol=1e-6)


def test_a_quarter_turn_about_the_centre_is_rot90():
    images, _ = synthetic_set(2)
    turned = Augmentation(shift=0, rotation=90).apply(images, Extremes()).reshape(2, 28, 28)
    squares = images.reshape(2, 28, 28)
    matches = [np.allclose(turned, np.rot90(squares, k, axes=(1, 2)), atol=1e-5) for k in (1, 3)]
    assert any(matches)


def test_bilinear_sampling_interpolates_and_reads_zero_outside():
    image = np.zeros((1, 784), np.float32)
    image[0, 10 * 28 + 10] = 1.0
    rows = np.full((1, 28, 28), 10.25)
    cols = np.full((1, 28, 28), 9.5)
    np.testing.assert_allclose(bilinear_sample(image, rows, cols), 0.75 * 0.5)
    assert not bilinear_sample(np.ones((1, 784), np.float32), rows - 40, cols).any()


def drawn_digits(count, seed=0):
    """``count`` clean hand-drawn shapes on black, inside MNIST's central 20×20 box: a ring ("0"),
    a bar ("1") and a "7", each moved by up to 2 pixels: (count, 784) float32 in [0, 1]."""
    rows, cols = np.mgrid[0:28, 0:28]
    ring = np.clip(2 - np.abs(np.hypot(rows - 13.5, cols - 13.5) - 6), 0, 1)
    bar = ((np.abs(cols - 14) < 1.5) & (rows >= 6) & (rows <= 21)).astype(float)
    seven = (
        ((rows >= 6) & (rows <= 7) & (cols >= 8) & (cols <= 19))
        | ((np.abs(cols - (19 - (rows - 7) * 0.55)) < 1.2) & (rows >= 7) & (rows <= 21))
    ).astype(float)
    shapes, rng = (ring, bar, seven), np.random.default_rng(seed)
    return np.stack([np.roll(shapes[i % 3], rng.integers(-2, 3, 2), axis=(0, 1)).ravel() for i in range(count)]).astype(
        np.float32
    )


def test_augmentation_is_reproducible_moves_pixels_and_keeps_the_digit():
    images = drawn_digits(200)
    for settings in ({"shift": 2, "rotation": 10}, {"shift": 2, "rotation": 10, "elastic": 3}):
        augmentation = Augmentation(**settings)
        first = augmentation.apply(images, np.random.default_rng(7))
        assert np.array_equal(first, augmentation.apply(images, np.random.default_rng(7)))
        assert not np.array_equal(first, augmentation.apply(images, np.random.default_rng(8)))
        changed = np.abs(first - images).max(axis=1)
        assert (changed > 0.3).mean() > 0.95  # really moves pixels
        ink_before, ink_after = images.sum(axis=1), first.sum(axis=1)
        assert np.abs(ink_after / ink_before - 1).max() < 0.1  # the ink stays on the page
        moved_by = np.hypot(*(centre_of_ink(first) - centre_of_ink(images)))
        assert moved_by.max() < 2 * np.sqrt(2) + 1 and moved_by.mean() > 0.5  # by a few pixels, no more
        assert first.dtype == np.float32 and first.min() >= 0 and first.max() <= 1 + 1e-6


def test_augmented_training_is_reproducible_and_differs_from_plain():
    images, labels = synthetic_set(200)
    augmented = trained_parameters(images, labels, augment=True)
    assert np.array_equal(augmented, trained_parameters(images, labels, augment=True))
    assert not np.array_equal(augmented, trained_parameters(images, labels))
    assert not np.array_equal(augmented, trained_parameters(images, labels, augment={"elastic": 2.0}))


def test_augmentation_settings_are_checked():
    assert Augmentation.from_setting(None) is None and Augmentation.from_setting(True) == Augmentation()
    assert Augmentation.from_setting({"shift": 1}) == Augmentation(shift=1.0)
    with pytest.raises(ValueError, match="unknown augmentation settings"):
        Augmentation.from_setting({"zoom": 2})
    with pytest.raises(ValueError, match="must be ≥ 0"):
        Augmentation(shift=-1)


# ---------------------------------------------------------------- validation and early stopping


def test_the_validation_set_is_the_end_of_the_training_set():
    images, labels = random_set(100)
    (train_images, train_labels), (validation_images, validation_labels) = split_validation(images, labels, 30)
    assert np.array_equal(train_images, images[:70]) and np.array_equal(validation_labels, labels[70:])
    net = Network(seed=3)
    history = net.fit(images, labels, epochs=2, batch_size=10, lr=0.5, seed=4, engine="reference", validation=30)
    assert np.array_equal(net.get_parameters(), trained_parameters(images[:70], labels[:70]))  # trained on the first 70
    assert history[-1]["validation_accuracy"] == net.evaluate(images[70:], labels[70:])["accuracy"]
    assert history[-1]["validation_cost"] == pytest.approx(net.cost(images[70:], labels[70:]), rel=1e-6)
    assert net.recipe["validation"] == 30
    with pytest.raises(ValueError, match="validation must be between 1 and 99"):
        Network().fit(images, labels, validation=100)
    with pytest.raises(ValueError, match="early stopping needs"):
        Network().fit(images, labels, patience=3)


def test_early_stopping_stops_after_patience_and_restores_the_best_weights():
    images, labels = random_set(300, seed=5)  # random labels: validation accuracy wanders
    snapshots = []
    net = Network(seed=0)
    history = net.fit(
        images,
        labels,
        epochs=30,
        batch_size=10,
        lr=2.0,
        seed=0,
        validation=100,
        patience=2,
        on_epoch=lambda record: snapshots.append(net.get_parameters()),
    )
    accuracies = [record["validation_accuracy"] for record in history]
    best = int(np.argmax(accuracies))  # the first epoch with the highest accuracy
    assert len(history) == best + 1 + 2 < 30  # stopped 2 epochs after the best
    assert net.recipe["best_epoch"] == best + 1
    assert np.array_equal(net.get_parameters(), snapshots[best])
    assert not np.array_equal(net.get_parameters(), snapshots[-1])


# ---------------------------------------------------------------- engines, presets, the command line


def test_an_engine_that_cannot_run_the_options_is_refused_naming_them(monkeypatch):
    import digitnet.training

    class PlainSGDOnly:
        name = "fast"

        def supports(self, recipe):
            return not recipe.options_in_use()

    real_get_engine = digitnet.training.get_engine

    def get_engine(name, net=None, images=None):  # as if "fast" were an engine that runs plain SGD only
        return PlainSGDOnly() if name == "fast" else real_get_engine(name, net, images)

    monkeypatch.setattr(digitnet.training, "get_engine", get_engine)
    images, labels = random_set(30)
    with pytest.raises(
        DigitnetError, match="the fast engine cannot train with dropout, augmentation; use the reference engine"
    ):
        Network(seed=0).fit(images, labels, epochs=1, engine="fast", dropout=0.2, augment=True)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_builds_and_trains_on_a_tiny_subset(name):
    preset = PRESETS[name]
    images, labels = synthetic_set(120)
    net = Network(**preset.network, seed=0)
    before = net.get_parameters()
    history = net.fit(
        images, labels, preset.recipe, epochs=1, seed=0, validation=20 if preset.recipe.validation else None
    )
    assert len(history) == 1 and not np.array_equal(before, net.get_parameters())
    assert np.isfinite(net.get_parameters()).all()


def test_the_3b1b_plus_preset_has_the_videos_13002_parameters():
    assert Network(**PRESETS["3b1b-plus"].network).num_parameters == 13_002
    assert Network(**PRESETS["big"].network).num_parameters > 13_002


def test_list_presets_prints_every_preset(capsys):
    assert main(["train", "--list-presets"]) == 0
    printed = capsys.readouterr().out
    for name, preset in PRESETS.items():
        assert f"{name}" in printed and preset.description in printed


def test_cli_trains_with_options_and_records_the_recipe(tmp_path, capsys):
    data = write_mnist(tmp_path / "mnist", train=(200, 28))
    out = tmp_path / "m.npz"
    status = main(
        [
            "train",
            "--data",
            str(data),
            "--epochs",
            "3",
            "--optimizer",
            "momentum",
            "--nesterov",
            "--weight-decay",
            "0.001",
            "--dropout",
            "0.1",
            "--augment",
            "--rotate",
            "5",
            "--elastic",
            "1",
            "--validation",
            "50",
            "--patience",
            "2",
            "--lr",
            "0.1",
            "--out",
            str(out),
            "--json",
        ]
    )
    assert status == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    epochs = [line for line in lines if line["type"] == "epoch"]
    assert epochs and all(0 <= e["validation_accuracy"] <= 1 for e in epochs)
    recipe = Network.load(out).recipe
    assert recipe["optimizer"] == "momentum" and recipe["nesterov"] is True and recipe["momentum"] == 0.9
    assert recipe["weight_decay"] == 0.001 and recipe["dropout"] == 0.1 and recipe["validation"] == 50
    assert recipe["augment"] == {"shift": 2.0, "rotation": 5.0, "elastic": 1.0, "elastic_sigma": 4.0}
    assert recipe["patience"] == 2 and 1 <= recipe["best_epoch"] <= 3 and recipe["engine"] == "reference"


@pytest.mark.parametrize(
    "arguments,message",
    [
        (["--patience", "3"], "early stopping needs"),
        (["--validation", "500"], "validation must be between"),
        (["--optimizer", "adam", "--nesterov"], "nesterov applies to the momentum optimizer"),
    ],
)
def test_cli_refuses_bad_option_combinations_in_one_line(tmp_path, capsys, arguments, message):
    data = write_mnist(tmp_path / "mnist", train=(100, 28))
    status = main(["train", "--data", str(data), "--epochs", "1", "--out", str(tmp_path / "m.npz"), *arguments])
    output = capsys.readouterr()
    assert status != 0 and message in output.err and len(output.err.strip().splitlines()) == 1
    assert not output.out and not (tmp_path / "m.npz").exists()  # refused before training began


def test_cli_flags_turn_off_a_presets_options(tmp_path, capsys):
    data = write_mnist(tmp_path / "mnist", train=(200, 28))
    out = tmp_path / "m.npz"
    assert (
        main(
            [
                "train",
                "--data",
                str(data),
                "--preset",
                "big",
                "--layers",
                "784,20,10",
                "--epochs",
                "1",
                "--validation",
                "0",
                "--patience",
                "0",
                "--dropout",
                "0",
                "--no-augment",
                "--optimizer",
                "sgd",
                "--out",
                str(out),
                "--json",
            ]
        )
        == 0
    )
    recipe = Network.load(out).recipe
    assert recipe["validation"] is None and recipe["patience"] is None and recipe["dropout"] == 0
    assert recipe["augment"] is None and recipe["optimizer"] == "sgd" and recipe["schedule"] == "cosine"


@pytest.mark.parametrize("flag", ["--dropout=1", "--momentum=-0.1", "--weight-decay=-1", "--shift=x", "--rotate=400"])
def test_cli_refuses_out_of_range_option_values(flag, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["train", flag])
    assert exit_.value.code == 2 and len(capsys.readouterr().err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "init,weight_std,bias_std",
    [
        ("nielsen", lambda i, o: 1.0, 1.0),
        ("lecun", lambda i, o: np.sqrt(1 / i), 1.0),
        ("xavier", lambda i, o: np.sqrt(2 / (i + o)), 0.0),
        ("he", lambda i, o: np.sqrt(2 / i), 0.0),
    ],
)
def test_each_init_draws_its_scale_and_is_recorded_in_the_model_file(tmp_path, init, weight_std, bias_std):
    net = Network([784, 400, 300], init=init, seed=0)
    for W, b in zip(net.weights, net.biases):
        n_out, n_in = W.shape
        assert W.std() == pytest.approx(weight_std(n_in, n_out), rel=0.02)
        assert b.std() == pytest.approx(bias_std, abs=0.15)
    net.save(tmp_path / "m.npz")
    assert Network.load(tmp_path / "m.npz").init == init

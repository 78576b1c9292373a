"""Learning from a teacher (digitnet.teacher): its softened outputs become the wanted outputs of the cost."""

import numpy as np
import pytest
from conftest import synthetic_digits, write_mnist

from digitnet import Network
from digitnet.cli import main
from digitnet.costs import one_hot
from digitnet.engines import get_engine, suits_reference
from digitnet.errors import DigitnetError
from digitnet.presets import PRESETS
from digitnet.recipe import Recipe
from digitnet.teacher import Teacher


def synthetic_set(count, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, count).astype(np.uint8)
    return synthetic_digits(labels, rng).reshape(-1, 784).astype(np.float32) / 255, labels


def small_teacher(path=None):
    """A softmax network trained a little on the synthetic digits (saved to ``path`` when given)."""
    images, labels = synthetic_set(300, seed=1)
    net = Network([784, 20, 10], activation="relu", output="softmax", cost="cross-entropy", init="he", seed=5)
    net.fit(images, labels, epochs=2, batch_size=10, lr=0.1, seed=6, engine="reference")
    if path is not None:
        net.save(path)
    return net


def test_the_wanted_outputs_mix_the_label_and_the_teachers_softened_outputs():
    net = small_teacher()
    images, labels = synthetic_set(7, seed=2)
    z = net.forward(images)[0][-1].astype(np.float64)  # (n, 10) weighted sums of the output layer
    for weight, temperature in ((0.5, 1.0), (0.3, 3.0), (1.0, 2.0)):
        soft = np.exp(z / temperature) / np.exp(z / temperature).sum(axis=1, keepdims=True)
        expected = (1 - weight) * one_hot(labels, 10, np.float64) + weight * soft.T
        wanted = Teacher(net, weight, temperature).wanted(images, labels, np.float64)
        assert wanted.shape == (10, 7) and np.allclose(wanted, expected, atol=1e-6)
        assert np.allclose(wanted.sum(axis=0), 1, atol=1e-6)
    at_one = Teacher(net, 1.0, 1.0).wanted(images, labels, np.float32)
    assert np.allclose(at_one.T, net.feedforward(images), atol=1e-5)  # T = 1: the teacher's softmax outputs


def test_backprop_towards_soft_wanted_outputs_matches_finite_differences_of_the_quadratic_cost():
    rng = np.random.default_rng(0)
    net = Network([784, 6, 10], seed=1, dtype=np.float64)  # sigmoid, quadratic cost Σ (a − y)²
    images = rng.random((5, 784))
    wanted = rng.dirichlet(np.ones(10), 5).T  # (10, 5) soft wanted outputs

    def cost():
        return (((net.feedforward(images).T - wanted) ** 2).sum(axis=0)).mean()

    gradient = net.backprop(images, np.zeros(5, int), wanted=wanted)
    for layer, (row, col) in ((0, (2, 300)), (1, (7, 3))):
        original = net.weights[layer][row, col]
        net.weights[layer][row, col] = original + 1e-6
        up = cost()
        net.weights[layer][row, col] = original - 1e-6
        down = cost()
        net.weights[layer][row, col] = original
        assert gradient.weights[layer][row, col] == pytest.approx((up - down) / 2e-6, rel=1e-5, abs=1e-10)


def test_a_teachers_targets_reach_the_cost_of_each_step(tmp_path):
    """One mini-batch with a teacher = one SGD step down the cost towards the teacher's wanted outputs."""
    teacher = small_teacher(tmp_path / "teacher.npz")
    images, labels = synthetic_set(10, seed=3)
    recipe = Recipe(epochs=1, batch_size=10, lr=0.5, teacher=str(tmp_path / "teacher.npz"), teacher_weight=0.7)
    trained, expected = Network(seed=2), Network(seed=2)
    trained.fit(images, labels, recipe, engine="reference")
    wanted = Teacher(teacher, 0.7, 1.0).wanted(images, labels, np.float32)
    gradient = expected.backprop(images, labels, wanted=wanted)  # a full batch: the order does not matter
    expected.gradient_step(gradient, 0.5)
    assert np.allclose(trained.get_parameters(), expected.get_parameters(), atol=1e-6)
    plain = Network(seed=2)
    plain.fit(images, labels, recipe.replace(teacher=None), engine="reference")
    assert not np.allclose(trained.get_parameters(), plain.get_parameters(), atol=1e-4)


def test_training_with_a_teacher_repeats_with_the_seed_and_records_it(tmp_path):
    small_teacher(tmp_path / "teacher.npz")
    images, labels = synthetic_set(200)
    recipe = Recipe(epochs=2, batch_size=10, lr=0.5, augment=True, teacher=str(tmp_path / "teacher.npz"), seed=4)
    runs = []
    for _ in range(2):
        net = Network(seed=3)
        net.fit(images, labels, recipe)  # auto: the reference, the one engine that learns from a teacher
        runs.append(net)
    assert np.array_equal(runs[0].get_parameters(), runs[1].get_parameters())
    assert runs[0].recipe["engine"] == "reference"
    assert runs[0].recipe["teacher"] == str(tmp_path / "teacher.npz")
    assert (runs[0].recipe["teacher_weight"], runs[0].recipe["teacher_temperature"]) == (0.5, 1.0)
    assert not {"teacher", "teacher_weight", "teacher_temperature"} & set(Recipe().as_dict())  # files as before


def test_only_the_reference_engine_learns_from_a_teacher():
    net, recipe = Network(seed=0), Recipe(teacher="big")
    assert suits_reference(net, 60_000, recipe) and not suits_reference(net, 60_000, Recipe())
    assert get_engine("reference").supports(recipe)
    fast = get_engine("fast", net, np.zeros((1, 784), np.uint8))
    assert not fast.supports(recipe) and fast.supports(Recipe())
    images, labels = synthetic_set(30)
    with pytest.raises(DigitnetError, match="the fast engine cannot train with a teacher"):
        Network(seed=0).fit(images, labels, recipe, epochs=1, engine="fast")


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"teacher": ""}, "teacher must name a shipped network or a model file"),
        ({"teacher": 3}, "teacher must name"),
        ({"teacher": "big", "teacher_weight": 0}, "teacher_weight must be in (0, 1]"),
        ({"teacher": "big", "teacher_weight": 1.5}, "teacher_weight must be in (0, 1]"),
        ({"teacher": "big", "teacher_temperature": 0}, "teacher_temperature must be a positive number"),
    ],
)
def test_teacher_settings_are_checked(changes, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace("]", r"\]")):
        Recipe(**changes)


def test_a_teacher_that_is_not_a_model_or_does_not_fit_is_refused(tmp_path):
    images, labels = synthetic_set(20)
    (tmp_path / "junk.npz").write_text("not a model")
    with pytest.raises(DigitnetError, match="cannot read the teacher"):
        Network(seed=0).fit(images, labels, epochs=1, teacher=str(tmp_path / "junk.npz"))
    Network([784, 5, 4], seed=0).save(tmp_path / "four.npz")
    with pytest.raises(DigitnetError, match="reads 784 inputs into 4 outputs"):
        Network(seed=0).fit(images, labels, epochs=1, teacher=str(tmp_path / "four.npz"))


def test_the_command_line_trains_with_a_teacher_as_the_library_does(tmp_path, capsys):
    small_teacher(tmp_path / "teacher.npz")
    data = write_mnist(tmp_path / "mnist", train=(120, 28), test=(20, 28))
    out = tmp_path / "m.npz"
    flags = ["--teacher", str(tmp_path / "teacher.npz"), "--teacher-weight", "0.8", "--teacher-temperature", "2"]
    status = main(["train", "--data", str(data), "--epochs", "2", "--seed", "3", "--out", str(out), "--json", *flags])
    assert status == 0, capsys.readouterr().err
    from digitnet.data import load_mnist

    (images, labels), _ = load_mnist(data)
    library = Network(seed=3)
    library.fit(
        images,
        labels,
        PRESETS["3b1b"].recipe,
        epochs=2,
        seed=3,
        teacher=str(tmp_path / "teacher.npz"),
        teacher_weight=0.8,
        teacher_temperature=2.0,
    )
    cli = Network.load(out)
    assert np.array_equal(cli.get_parameters(), library.get_parameters())
    assert (cli.recipe["teacher_weight"], cli.recipe["teacher_temperature"]) == (0.8, 2.0)


def test_the_command_line_refuses_a_teacher_it_cannot_read_in_one_line(tmp_path, capsys):
    data = write_mnist(tmp_path / "mnist", train=(60, 28), test=(20, 28))
    out = tmp_path / "m.npz"
    status = main(["train", "--data", str(data), "--epochs", "1", "--out", str(out), "--teacher", "no-such.npz"])
    err = capsys.readouterr().err
    assert status != 0 and "cannot read the teacher 'no-such.npz'" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize(
    "flags,message",
    [
        (["--teacher-weight", "0"], "above 0 and at most 1"),
        (["--teacher-weight", "1.5"], "above 0 and at most 1"),
        (["--teacher-temperature", "-1"], "a positive number"),
    ],
)
def test_the_command_line_refuses_out_of_range_teacher_settings(flags, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["train", "--teacher", "big", *flags])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and message in err and len(err.strip().splitlines()) == 1

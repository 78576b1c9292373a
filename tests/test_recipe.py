"""The training recipe: one frozen, self-checking object, built once by each front end, recorded as it ran."""

import dataclasses

import numpy as np
import pytest

from digitnet import Network, StopTraining
from digitnet.augment import Augmentation
from digitnet.presets import PRESETS, Preset
from digitnet.recipe import Recipe


def random_set(count, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((count, 784)).astype(np.float32), rng.integers(0, 10, count)


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"epochs": -1}, "epochs must be at least 0"),
        ({"epochs": 2.5}, "epochs must be a whole number"),
        ({"batch_size": 0}, "batch_size must be at least 1"),
        ({"batch_size": True}, "batch_size must be a whole number"),
        ({"lr": 0}, "lr must be a positive number"),
        ({"lr": float("nan")}, "lr must be a positive number"),
        ({"lr": "1"}, "lr must be a number"),
        ({"schedule": "linear"}, "unknown schedule 'linear'"),
        ({"optimizer": "rmsprop"}, "unknown optimizer 'rmsprop'"),
        ({"momentum": 1.0}, "momentum must be in"),
        ({"nesterov": True}, "nesterov applies to the momentum optimizer"),
        ({"weight_decay": -0.1}, "weight_decay must be 0 or more"),
        ({"dropout": 1.0}, "dropout must be a probability"),
        ({"augment": {"spin": 3}}, "unknown augmentation settings"),
        ({"validation": -5}, "validation must be at least 0"),
        ({"patience": 3}, "early stopping needs"),
        ({"seed": -1}, "seed must be at least 0"),
        ({"epoch": 3}, "unknown training option epoch"),
    ],
)
def test_a_recipe_refuses_each_bad_field_naming_it(changes, message):
    with pytest.raises(ValueError, match=message):
        Recipe().replace(**changes)


def test_a_recipe_is_frozen_and_normalises_what_it_is_given():
    recipe = Recipe(epochs=np.int64(3), lr=1, augment=True, validation=0, patience=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        recipe.lr = 2.0
    assert type(recipe.epochs) is int and type(recipe.lr) is float and recipe.augment == Augmentation()
    assert recipe.validation is None and recipe.patience is None  # 0 means off
    assert recipe.replace(epochs=4).epochs == 4 and recipe.epochs == 3  # a changed copy
    assert Recipe(augment={"shift": 1}).augment == Augmentation(shift=1.0)


def test_presets_are_recipes_with_their_values():
    assert all(isinstance(preset, Preset) and isinstance(preset.recipe, Recipe) for preset in PRESETS.values())
    assert PRESETS["3b1b"].recipe == Recipe(epochs=30, batch_size=10, lr=1.0, schedule="step")
    assert PRESETS["nielsen"].recipe == Recipe(epochs=30, batch_size=10, lr=1.5, schedule="constant")
    assert PRESETS["big"].recipe.as_dict() == {
        "epochs": 15,
        "batch_size": 100,
        "lr": 0.05,
        "schedule": "cosine",
        "optimizer": "momentum",
        "momentum": 0.9,
        "nesterov": True,
        "weight_decay": 0.0,
        "dropout": 0.2,
        "augment": {"shift": 1.5, "rotation": 8.0, "elastic": 0.0, "elastic_sigma": 4.0},
        "validation": 10000,
        "patience": 3,
        "seed": None,
    }


def test_fit_with_a_recipe_and_overrides_trains_exactly_as_with_keywords():
    images, labels = random_set(200)
    by_keywords, by_recipe = Network(seed=1), Network(seed=1)
    by_keywords.fit(images, labels, epochs=2, batch_size=20, lr=0.5, schedule="cosine", seed=3)
    by_recipe.fit(images, labels, Recipe(epochs=9, batch_size=20, lr=0.5, schedule="cosine"), epochs=2, seed=3)
    assert np.array_equal(by_keywords.get_parameters(), by_recipe.get_parameters())
    assert by_keywords.recipe == by_recipe.recipe


def test_the_recorded_recipe_says_what_ran():
    images, labels = random_set(200)
    net = Network(seed=0)
    net.fit(images, labels, epochs=2, lr=0.5, seed=0)
    assert net.recipe == {
        "epochs": 2,
        "batch_size": 10,
        "lr": 0.5,
        "schedule": "constant",
        "optimizer": "sgd",
        "weight_decay": 0.0,
        "dropout": 0.0,
        "augment": None,
        "validation": None,
        "patience": None,
        "seed": 0,
        "init": "lecun",
        "engine": net.recipe["engine"],
        "epochs_trained": 2,
        "stopped_early": None,
    }

    def stop_after_first(record):
        raise StopTraining

    net.fit(images, labels, epochs=5, lr=0.5, seed=0, on_epoch=stop_after_first)
    assert net.recipe["epochs_trained"] == 1 and net.recipe["stopped_early"] == "asked"
    assert [record["epoch"] for record in net.history] == [1, 2, 3]  # the history counts on


def test_early_stopping_is_recorded_with_its_best_epoch():
    images, labels = random_set(300, seed=5)  # random labels: validation accuracy wanders
    net = Network(seed=0)
    history = net.fit(images, labels, epochs=30, lr=2.0, seed=0, validation=100, patience=2)
    assert net.recipe["stopped_early"] == "patience" and net.recipe["epochs_trained"] == len(history) < 30
    assert net.recipe["best_epoch"] == len(history) - 2


def test_ctrl_c_inside_an_epoch_puts_back_the_last_complete_epoch():
    images, labels = random_set(200)
    net, after_epoch = Network(seed=0), []
    calls = 0

    def interrupt_in_the_second_epoch(done, total):
        nonlocal calls
        calls += 1
        if len(after_epoch) == 1 and done >= total // 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        net.fit(
            images,
            labels,
            epochs=3,
            lr=0.5,
            seed=0,
            engine="reference",
            on_progress=interrupt_in_the_second_epoch,
            on_epoch=lambda record: after_epoch.append(net.get_parameters()),
        )
    assert len(net.history) == 1 and np.array_equal(net.get_parameters(), after_epoch[0])
    assert net.recipe["epochs_trained"] == 1 and net.recipe["stopped_early"] == "interrupted"

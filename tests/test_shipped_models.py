"""The networks that ship with digitnet: listed by `digitnet models`, usable by name, retrained bit for bit."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from conftest import run_cli, write_mnist
from PIL import Image

from digitnet import Network
from digitnet.models import SHIPPED, load_shipped

ROOT = Path(__file__).resolve().parent.parent


def test_models_lists_every_shipped_network_as_json_lines(capsys):
    status, out, _ = run_cli(capsys, "models", "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert status == 0 and [line["name"] for line in lines] == list(SHIPPED)
    for line in lines:
        assert set(line) == {"name", "sizes", "parameters", "test_accuracy", "rejector"}
        assert line["rejector"] is True and 0.9 < line["test_accuracy"] <= 1
    assert lines[0]["sizes"] == [784, 16, 16, 10] and lines[0]["parameters"] == 13_002
    assert max(line["parameters"] for line in lines) > 13_002
    status, out, _ = run_cli(capsys, "models")
    assert status == 0 and "3b1b: 784-16-16-10, 13,002 parameters" in out


def test_the_3b1b_network_is_the_videos(capsys):
    config = load_shipped("3b1b").config()
    assert (config["sizes"], config["activation"], config["output"], config["cost"]) == (
        [784, 16, 16, 10],
        "sigmoid",
        "sigmoid",
        "quadratic",
    )


@pytest.mark.parametrize("name", list(SHIPPED))
def test_a_shipped_name_works_wherever_a_model_file_does(name, tmp_path, capsys):
    picture = tmp_path / "one.png"
    canvas = Image.new("L", (100, 100), 255)
    canvas.paste(0, (45, 15, 55, 85))
    canvas.save(picture)
    status, out, err = run_cli(capsys, "predict", name, picture, "--reject", "--json")
    assert status == 0, err
    assert json.loads(out)["state"] in ("sure", "unsure", "rejected")
    data = write_mnist(tmp_path / "mnist", train=(20, 28), test=(30, 28))
    status, out, err = run_cli(capsys, "evaluate", name, "--data", data, "--json")
    assert status == 0, err


def test_a_file_of_that_name_wins_over_the_shipped_network(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("3b1b").write_text("not a model")
    status, _, err = run_cli(capsys, "evaluate", "3b1b")
    assert status != 0 and "not a digitnet model file" in err


def retraining_script():
    spec = importlib.util.spec_from_file_location("train_shipped_models", ROOT / "scripts" / "train_shipped_models.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SHIPPED))
def test_the_retraining_script_repeats_bit_for_bit_on_a_quick_subset(name, tmp_path, real_mnist, capsys):
    script = retraining_script()
    quick = ["--limit=3000", "--epochs=1", "--validation=300"]
    runs = []
    for folder in (tmp_path / "a", tmp_path / "b"):
        folder.mkdir()
        runs.append(Network.load(script.train_shipped(name, folder, quick)))
    assert np.array_equal(runs[0].get_parameters(), runs[1].get_parameters())
    assert np.array_equal(runs[0].rejector.held_out, runs[1].rejector.held_out)
    shipped = load_shipped(name)
    seed = script.RECIPES[name][2]
    assert runs[0].config() == shipped.config() and runs[0].recipe["seed"] == shipped.recipe["seed"] == seed
    stored = np.load(tmp_path / "a" / f"{name}.npz")["W1"].dtype
    assert stored == np.load(ROOT / "digitnet" / "models" / SHIPPED[name])["W1"].dtype


@pytest.mark.parametrize("name", list(SHIPPED))
def test_each_shipped_network_was_trained_by_the_recipe_its_script_names(name):
    """The retraining script's preset for each network is the recipe stored in the shipped file."""
    from digitnet.presets import PRESETS

    preset_name, stored, seed = retraining_script().RECIPES[name]
    shipped = load_shipped(name)
    assert np.load(ROOT / "digitnet" / "models" / SHIPPED[name])["W1"].dtype == stored
    wanted = {**PRESETS[preset_name].recipe.as_dict(), "seed": seed}
    assert {key: shipped.recipe[key] for key in wanted} == wanted
    assert {key: shipped.config()[key] for key in PRESETS[preset_name].network} == PRESETS[preset_name].network


def test_calibrate_reject_on_a_shipped_name_needs_out(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, _, err = run_cli(capsys, "calibrate-reject", "3b1b")
    assert status == 1 and "--out" in err and not Path("3b1b").exists()

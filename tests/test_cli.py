"""The command line end to end on tiny data: train, evaluate, predict, info, errors."""

import json
import os
from pathlib import Path

import numpy as np
import pytest
from conftest import run_cli, write_mnist
from PIL import Image

from digitnet import Network
from digitnet.cli import main


@pytest.fixture
def trained(tmp_path, capsys):
    data = write_mnist(tmp_path / "mnist", train=(300, 28), test=(50, 28))
    model = tmp_path / "model.npz"
    status, out, err = run_cli(capsys, "train", "--data", data, "--epochs", 3, "--out", model, "--json")
    assert status == 0, err
    return data, model, [json.loads(line) for line in out.splitlines()]


def test_train_prints_json_lines_per_epoch_and_a_summary(trained):
    data, model, lines = trained
    epochs, summary = lines[:-1], lines[-1]
    assert [e["epoch"] for e in epochs] == [1, 2, 3]
    for e in epochs:
        assert {"epoch", "seconds", "train_cost", "test_cost", "test_accuracy"} <= e.keys()
        assert 0 <= e["test_accuracy"] <= 1 and e["train_cost"] > 0
    assert summary["type"] == "summary" and summary["parameters"] == 13_002
    assert summary["model"] == str(model) and summary["test_accuracy"] == epochs[-1]["test_accuracy"]
    assert Network.load(model).history == [{k: v for k, v in e.items() if k != "type"} for e in epochs]


@pytest.mark.slow
def test_train_text_output_has_a_line_per_epoch(tmp_path, capsys):
    data = write_mnist(tmp_path / "mnist")
    status, out, _ = run_cli(
        capsys, "train", "--data", data, "--epochs", 2, "--layers", "784,8,10", "--out", tmp_path / "m.npz"
    )
    assert status == 0
    assert "epoch   1/2" in out and "epoch   2/2" in out and "6,370 parameters" in out


def test_evaluate_reports_accuracy_per_digit_and_confusion(trained, capsys):
    data, model, lines = trained
    status, out, _ = run_cli(capsys, "evaluate", model, "--data", data, "--json")
    report = json.loads(out)
    confusion = np.array(report["confusion"])
    assert status == 0 and confusion.shape == (10, 10) and confusion.sum() == report["count"] == 50
    assert report["accuracy"] == pytest.approx(np.trace(confusion) / 50)
    assert report["accuracy"] == pytest.approx(lines[-1]["test_accuracy"])
    status, out, _ = run_cli(capsys, "evaluate", model, "--data", data)
    assert "confusion matrix" in out and "per digit" in out


def test_info_describes_the_model(trained, capsys):
    _, model, lines = trained
    status, out, _ = run_cli(capsys, "info", model, "--json")
    info = json.loads(out)
    assert info["parameters"] == 13_002 and info["sizes"] == [784, 16, 16, 10]
    assert info["epochs_trained"] == 3 and info["recipe"]["seed"] == 0
    assert info["test_accuracy"] == lines[-1]["test_accuracy"]


def test_predict_answers_readable_files_and_reports_bad_ones(trained, tmp_path, capsys):
    _, model, _ = trained
    good = tmp_path / "seven.png"
    ink = np.zeros((120, 100), np.uint8)
    ink[20:30, 15:85] = 255
    ink[30:110, 60:72] = 255
    Image.fromarray(255 - ink).save(good)
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    status, out, err = run_cli(capsys, "predict", model, good, bad, tmp_path / "missing.png", "--json")
    answers = [json.loads(line) for line in out.splitlines()]
    assert status == 1 and err == ""
    assert answers[0]["file"] == str(good) and 0 <= answers[0]["digit"] <= 9 and len(answers[0]["outputs"]) == 10
    assert "not an image file" in answers[1]["error"] and "no such file" in answers[2]["error"]


@pytest.mark.parametrize(
    "argv,message",
    [
        (["info", "missing.npz"], "no such model file"),
        (["info", "/dev/zero"], "not a regular file"),
        (["show", "history", "/dev/zero"], "not a regular file"),
        (["evaluate", "/dev/zero"], "not a regular file"),
        (["train", "--data", "empty", "--epochs", "1", "--limit", "5"], None),
        (["train", "--layers", "784,10,9"], "784 inputs and 10 outputs"),
        (["train", "--lr", "-1"], "positive number"),
        (["train", "--out", "."], "is a folder; give a file name"),
        (["train", "--out", "new-folder/"], "names a folder (it ends with a slash)"),
        (["train", "--out", "notes.txt/m.npz"], "notes.txt is a file, not a folder"),
        (["train", "--out", "/proc/m.npz"], "cannot write /proc/m.npz"),
        (["train", "--bogus"], "unrecognized arguments: --bogus (see digitnet train --help)"),
        (["train", "--momentum", "0.5"], "--momentum applies to --optimizer momentum"),
        (["train", "--seed", "-1"], "--seed: must be 0 or more"),
    ],
)
def test_bad_input_gets_one_line_and_a_non_zero_exit(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("digitnet.data.MIRRORS", ((tmp_path / "offline").as_uri() + "/",))
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("not a folder")
    try:
        status = main(argv)
    except SystemExit as exit_:  # argparse's own usage errors
        status = exit_.code
    _, err = capsys.readouterr()
    assert status != 0
    assert err.count("\n") <= 2 and "Traceback" not in err
    assert message is None or message in err
    if argv[0] == "train" and "--data" in argv:
        assert "could not download" in err and "DIGITNET_DATA" in err


def test_diverging_training_exits_with_the_likely_cause_and_writes_no_model(tmp_path, capsys):
    data = write_mnist(tmp_path / "mnist")
    status, _, err = run_cli(capsys, "train", "--data", data, "--epochs", 2, "--lr", 1000, "--out", tmp_path / "m.npz")
    assert status == 1 and "learning rate 1000 is probably too large" in err
    assert not (tmp_path / "m.npz").exists()


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.startswith("digitnet ")


def test_training_on_the_real_set_briefly_passes_a_sensible_floor(real_mnist):
    (train_images, train_labels), (test_images, test_labels) = real_mnist
    net = Network(seed=0)
    net.fit(train_images[:10_000], train_labels[:10_000], epochs=3, lr=1.0, seed=0)
    assert net.evaluate(test_images, test_labels)["accuracy"] > 0.85


@pytest.mark.slow
def test_the_default_train_command_reaches_95_percent_on_the_real_test_set(real_mnist, tmp_path, capsys):
    status, out, err = run_cli(capsys, "train", "--out", tmp_path / "model.npz", "--json")
    summary = json.loads(out.splitlines()[-1])
    assert status == 0, err
    assert summary["parameters"] == 13_002 and summary["epochs"] == 30
    assert summary["test_accuracy"] >= 0.95, summary


def test_the_librarys_names_for_options_become_the_options_names():
    from digitnet.cli import in_flag_names

    assert in_flag_names("held_out must be between 1 and 4, got 0") == "--held-out must be between 1 and 4, got 0"
    assert in_flag_names("needs a validation set (validation=N)") == "needs a validation set (--validation N)"
    assert in_flag_names("fitted with 20 components") == "fitted with 20 components"  # prose stays prose


def test_output_to_a_closed_pipe_does_not_stop_the_command(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "w.png"
    command = [sys.executable, "-u", "-c", "from digitnet.cli import entry_point; entry_point()"]
    child = subprocess.Popen(
        [*command, "show", "weights", "3b1b", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    child.stdout.close()  # a reader that is gone before the first line (`| head -0`): every print fails
    assert child.wait(timeout=120) == 0
    assert out.stat().st_size > 0 and b"Traceback" not in child.stderr.read()

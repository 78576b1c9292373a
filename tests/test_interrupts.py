"""Ctrl-C: `digitnet train` saves exactly its last complete epoch (or nothing), and an interrupt at any
other moment, start-up included, is one line and exit status 130."""

import os
import signal

import numpy as np
import pytest
from conftest import write_mnist

from digitnet import Network
from digitnet.cli import main
from digitnet.cli.common import ProgressBar


def interrupt_cli_in_epoch(monkeypatch, epoch):
    """Make the next `digitnet train` raise KeyboardInterrupt halfway through ``epoch`` (1-based)."""
    real_update = ProgressBar.update

    def update(self, done, total, note=""):
        if note.startswith(f"{epoch}/") and done >= total // 2:
            raise KeyboardInterrupt
        real_update(self, done, total, note)

    monkeypatch.setattr(ProgressBar, "update", update)


def test_cli_ctrl_c_saves_exactly_the_last_complete_epoch(tmp_path, capsys, monkeypatch):
    data = write_mnist(tmp_path / "mnist", train=(200, 28))
    out, whole = tmp_path / "m.npz", tmp_path / "whole.npz"
    common = ["train", "--data", str(data), "--lr", "0.5", "--schedule", "constant", "--engine", "reference"]
    assert main([*common, "--epochs", "2", "--out", str(whole)]) == 0
    interrupt_cli_in_epoch(monkeypatch, 3)
    assert main([*common, "--epochs", "5", "--out", str(out)]) == 130
    err = capsys.readouterr().err.strip()
    assert err == f"digitnet: interrupted; saved the network after 2 complete epochs to {out}"
    saved, two_epochs = Network.load(out), Network.load(whole)
    assert len(saved.history) == 2 and saved.recipe["stopped_early"] == "interrupted"
    assert np.array_equal(saved.get_parameters(), two_epochs.get_parameters())  # no part of epoch 3


def test_cli_kill_stops_training_as_ctrl_c_does(tmp_path, capsys, monkeypatch):
    data = write_mnist(tmp_path / "mnist", train=(200, 28))
    out = tmp_path / "m.npz"
    real_update = ProgressBar.update

    def update(self, done, total, note=""):
        if note.startswith("2/") and done >= total // 2:
            os.kill(os.getpid(), signal.SIGTERM)  # `kill PID` from another terminal
        real_update(self, done, total, note)

    monkeypatch.setattr(ProgressBar, "update", update)
    before = signal.getsignal(signal.SIGTERM)
    assert main(["train", "--data", str(data), "--epochs", "4", "--out", str(out), "--engine", "reference"]) == 130
    assert "interrupted; saved the network after 1 complete epoch" in capsys.readouterr().err
    assert len(Network.load(out).history) == 1
    assert signal.getsignal(signal.SIGTERM) is before  # the command's handler is gone again


def test_cli_ctrl_c_before_any_complete_epoch_leaves_an_existing_model_alone(tmp_path, capsys, monkeypatch):
    data = write_mnist(tmp_path / "mnist", train=(200, 28))
    out = tmp_path / "m.npz"
    assert main(["train", "--data", str(data), "--epochs", "1", "--out", str(out)]) == 0
    before = out.read_bytes()
    capsys.readouterr()
    interrupt_cli_in_epoch(monkeypatch, 1)
    assert main(["train", "--data", str(data), "--epochs", "3", "--out", str(out)]) == 130
    assert capsys.readouterr().err.strip() == (
        f"digitnet: interrupted; no epoch was complete, so nothing was saved ({out} is unchanged)"
    )
    assert out.read_bytes() == before
    fresh = tmp_path / "fresh.npz"
    assert main(["train", "--data", str(data), "--epochs", "3", "--out", str(fresh)]) == 130
    assert not fresh.exists() and "nothing was saved" in capsys.readouterr().err


def test_ctrl_c_while_starting_up_is_one_line(tmp_path, capsys, monkeypatch):
    import importlib

    from digitnet.cli import entry_point

    def interrupted_import(name, package=None):
        raise KeyboardInterrupt

    monkeypatch.setattr("sys.argv", ["digitnet", "info", "model.npz"])
    monkeypatch.setattr(importlib, "import_module", interrupted_import)  # Ctrl-C while the subcommands load
    with pytest.raises(SystemExit) as exit_:
        entry_point()
    assert exit_.value.code == 130 and capsys.readouterr().err == "digitnet: interrupted\n"
    monkeypatch.undo()

    def interrupted_load(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("digitnet.cli.train.load_data", interrupted_load)  # … and while MNIST loads
    out = tmp_path / "m.npz"
    assert main(["train", "--out", str(out)]) == 130
    assert capsys.readouterr().err == "digitnet: interrupted\n" and not out.exists()

"""`digitnet calibrate-reject` and the --reject flags of predict, evaluate and noise, end to end."""

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import run_cli, write_mnist
from PIL import Image, ImageDraw

from digitnet import Network
from digitnet.models import load_shipped
from digitnet.rejection import confidence


@pytest.fixture
def calibrated(tmp_path, capsys):
    """A model trained on tiny synthetic MNIST, with a rejector fitted by the command line."""
    data = write_mnist(tmp_path / "mnist", train=(600, 28), test=(100, 28))
    model = tmp_path / "model.npz"
    status, out, err = run_cli(capsys, "train", "--data", data, "--epochs", 1, "--out", model, "--json")
    assert status == 0, err
    status, out, err = run_cli(
        capsys,
        "calibrate-reject",
        model,
        "--data",
        data,
        "--components",
        5,
        "--held-out",
        200,
        "--reject-share",
        0.02,
        "--json",
    )
    assert status == 0, err
    return data, model, json.loads(out)


@pytest.fixture
def pictures(tmp_path):
    rng = np.random.default_rng(0)
    paths = {"noise": tmp_path / "noise.png", "white": tmp_path / "white.png", "black": tmp_path / "black.png"}
    Image.fromarray(rng.integers(0, 256, (60, 60)).astype(np.uint8)).save(paths["noise"])
    Image.new("L", (50, 40), 255).save(paths["white"])
    Image.new("RGB", (30, 30), (0, 0, 0)).save(paths["black"])
    return paths


def test_calibrate_reject_stores_the_rejector_in_the_model(calibrated, capsys):
    data, model, report = calibrated
    net = Network.load(model)
    assert net.rejector is not None and net.rejector.components == 5 and net.rejector.reject_share == 0.02
    assert report["fitted_on"] == 400 and report["held_out"] == 200
    assert 0.02 - 1 / 200 - 1e-12 <= report["held_out_rejected_share"] < 0.02
    status, out, _ = run_cli(capsys, "info", model, "--json")
    assert json.loads(out)["rejector"] == {"components": 5, "reject_share": 0.02}


def test_predict_reject_json_says_not_a_digit_for_noise_and_blank_pictures(calibrated, pictures, capsys):
    _, model, _ = calibrated
    status, out, _ = run_cli(capsys, "predict", model, "--reject", "--json", *pictures.values())
    answers = [json.loads(line) for line in out.splitlines()]
    assert status == 0 and len(answers) == 3
    for answer in answers:
        assert answer["digit"] is None and answer["rejected"] is True and 0 <= answer["typicality"] < 0.02
    assert "outputs" in answers[0] and answers[1]["blank"] is True and answers[2]["blank"] is True


def test_predict_reject_text_output(calibrated, pictures, capsys):
    _, model, _ = calibrated
    status, out, _ = run_cli(capsys, "predict", model, "--reject", pictures["noise"], pictures["white"])
    assert status == 0
    assert "noise.png: not a digit (not a drawing: it looks like a photograph or a texture" in out
    assert "white.png: not a digit (blank image)" in out


def test_without_reject_a_blank_picture_stays_an_error(calibrated, pictures, capsys):
    _, model, _ = calibrated
    status, out, err = run_cli(capsys, "predict", model, pictures["white"])
    assert status == 1 and err.strip() == f"digitnet: error: {pictures['white']}: no digit found: the image is blank"
    status, out, _ = run_cli(capsys, "predict", model, "--json", pictures["white"], pictures["noise"])
    lines = [json.loads(line) for line in out.splitlines()]
    assert status == 1 and "error" in lines[0] and isinstance(lines[1]["digit"], int) and "rejected" not in lines[1]


def test_reject_on_a_model_without_a_rejector_is_a_one_line_error(tmp_path, pictures, capsys):
    Network(seed=0).save(tmp_path / "plain.npz")
    for argv in (
        ("predict", tmp_path / "plain.npz", "--reject", pictures["noise"]),
        ("evaluate", tmp_path / "plain.npz", "--reject"),
        ("noise", tmp_path / "plain.npz", "--reject"),
    ):
        status, out, err = run_cli(capsys, *argv)
        assert status == 1 and out == ""
        assert err.count("\n") == 1 and "run `digitnet calibrate-reject" in err


def test_evaluate_reject_adds_the_share_rejected_and_the_accuracy_kept(calibrated, capsys):
    data, model, _ = calibrated
    status, out, _ = run_cli(capsys, "evaluate", model, "--data", data, "--reject", "--json")
    report = json.loads(out)
    net = Network.load(model)
    from digitnet import load_mnist

    _, (images, labels) = load_mnist(data)
    rejected = net.predict_or_reject(images).rejected  # the density model or the digit check
    kept_right = (net.predict(images) == labels)[~rejected]
    assert status == 0 and report["rejected_share"] == rejected.mean()
    assert report["kept_count"] == (~rejected).sum()
    # the synthetic digits are squares, which the digit check may refuse all of: then no accuracy
    assert report["kept_accuracy"] == (pytest.approx(kept_right.mean()) if kept_right.size else None)
    status, out, _ = run_cli(capsys, "evaluate", model, "--data", data, "--reject")
    assert 'called "not a digit"' in out


@pytest.mark.parametrize("kind", ["uniform", "gaussian", "blank-white", "blank-black"])
def test_noise_reject_counts_the_rejected_noise_images(calibrated, capsys, kind):
    data, model, _ = calibrated
    status, out, _ = run_cli(
        capsys, "noise", model, "--data", data, "--kind", kind, "--count", 300, "--reject", "--json"
    )
    report = json.loads(out)
    assert status == 0 and report["count"] == 300 and report["rejected"] == 300
    status, out, _ = run_cli(capsys, "noise", model, "--data", data, "--kind", kind, "--count", 300, "--json")
    assert "rejected" not in json.loads(out)


def test_predict_json_says_sure_or_unsure_and_reject_adds_the_drawing_check(calibrated, tmp_path, capsys):
    _, model, _ = calibrated
    picture = tmp_path / "bar.png"
    canvas = Image.new("L", (100, 100), 255)
    canvas.paste(0, (45, 15, 55, 85))
    canvas.save(picture)
    status, out, _ = run_cli(capsys, "predict", model, picture, "--json")
    answer = json.loads(out)
    assert status == 0 and answer["state"] in ("sure", "unsure") and answer["unsure"] == (answer["state"] == "unsure")
    status, out, _ = run_cli(capsys, "predict", model, picture, "--json", "--reject")
    answer = json.loads(out)
    assert answer["drawing"] is True and answer["state"] in ("sure", "unsure", "rejected")
    assert (answer["digit"] is None) == answer["rejected"] == (answer["state"] == "rejected")


def test_predict_says_which_check_refused_a_picture_and_how_confident_an_answer_is(tmp_path, capsys):
    def picture(name, draw):
        canvas = Image.new("L", (200, 200), 255)
        draw(ImageDraw.Draw(canvas))
        canvas.save(tmp_path / name)
        return tmp_path / name

    seven = picture("seven.png", lambda d: d.line([(60, 40), (140, 40), (90, 170)], fill=0, width=10))
    dot = picture("dot.png", lambda d: d.ellipse((90, 90, 110, 110), fill=0))
    rng = np.random.default_rng(0)
    texture = tmp_path / "texture.png"
    Image.fromarray(rng.integers(0, 256, (200, 200), dtype=np.uint8)).save(texture)
    status, out, _ = run_cli(capsys, "predict", "3b1b", seven, dot, texture, "--reject", "--json")
    answers = {Path(a["file"]).name: a for a in map(json.loads, out.splitlines())}
    net = load_shipped("3b1b")
    assert status == 0 and answers["seven.png"]["reason"] is None and answers["seven.png"]["digit"] == 7
    assert answers["seven.png"]["confidence"] == pytest.approx(float(confidence(answers["seven.png"]["outputs"])))
    assert answers["seven.png"]["unsure"] == (answers["seven.png"]["confidence"] < net.rejector.unsure_below)
    assert answers["dot.png"]["reason"] == "digit check"  # a blob: strokes wider than any MNIST digit's
    for answer in answers.values():  # the first check that refuses, in the order of docs/not-a-digit.md
        if answer["rejected"]:
            unusual = answer["typicality"] < net.rejector.reject_share
            expected = "not a drawing" if not answer["drawing"] else "unusual" if unusual else "digit check"
            assert answer["reason"] == expected
    assert answers["texture.png"]["rejected"]
    status, out, _ = run_cli(capsys, "predict", "3b1b", dot, "--reject")
    assert "dot.png: not a digit (the digit check does not see one digit in it; typicality" in out


def test_train_fits_the_rejector_at_the_end_so_reject_works_at_once(tmp_path, capsys):
    data = write_mnist(tmp_path / "mnist", train=(3000, 28), test=(50, 28))
    model = tmp_path / "m.npz"
    status, out, err = run_cli(capsys, "train", "--data", data, "--epochs", 1, "--out", model, "--json")
    assert status == 0, err
    assert json.loads(out.splitlines()[-1])["rejector"] is True
    net = Network.load(model)
    assert net.rejector is not None and 0 < net.rejector.unsure_below <= 1
    status, out, err = run_cli(capsys, "train", "--data", data, "--epochs", 1, "--limit", 100, "--out", model)
    assert status == 0 and 'no "not a digit" model fitted' in out

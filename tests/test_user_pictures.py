"""People's own pictures through `digitnet predict`: odd files answered, bad ones refused in one line."""

import base64
import io
import json
import urllib.request

import numpy as np
import pytest
from conftest import run_cli, start_explorer
from PIL import Image, ImageDraw, ImageFont

from digitnet.errors import BlankImageError, TooSmallImageError
from digitnet.images import read_picture
from digitnet.models import load_shipped
from digitnet.pixels import pixel_values


def seven_png():
    """A 7 drawn dark on white, as PNG bytes."""
    image = Image.new("L", (120, 120), 255)
    ImageDraw.Draw(image).line([(30, 25), (90, 25), (50, 100)], fill=0, width=10)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class Piped:
    """Stands in for sys.stdin: ``buffer`` holds the bytes piped in; ``isatty`` says whether it is a terminal."""

    def __init__(self, data, tty=False):
        self.buffer = io.BytesIO(data)
        self.tty = tty

    def isatty(self):
        return self.tty


def test_float_picture_spanning_the_whole_float32_range_is_read():
    # a scientific TIFF whose values run from -3e38 to 3e38: high - low overflows float32
    values = np.full((60, 60), -3e38, dtype=np.float32)
    values[10:50, 27:33] = 3e38
    buffer = io.BytesIO()
    Image.fromarray(values).save(buffer, format="TIFF")
    pixels = read_picture(buffer.getvalue()).pixels
    assert np.isfinite(pixels).all() and pixels.max() == pytest.approx(1.0, abs=0.01)


def test_dash_reads_the_picture_piped_into_standard_input(capsys, monkeypatch, tmp_path):
    path = tmp_path / "seven.png"
    path.write_bytes(seven_png())
    _, from_file, _ = run_cli(capsys, "predict", "big", path, "--reject", "--json")
    monkeypatch.setattr("sys.stdin", Piped(seven_png()))
    status, out, err = run_cli(capsys, "predict", "big", "-", "--reject", "--json")
    assert status == 0 and err == ""
    answer, expected = json.loads(out), json.loads(from_file)
    assert answer["file"] == "-"
    # the same answer; the last bits of the outputs may differ where the first read ran on the
    # reference engine while the fast engine was still compiling
    numbers = ("file", "confidence", "outputs")
    assert {k: v for k, v in answer.items() if k not in numbers} == {
        k: v for k, v in expected.items() if k not in numbers
    }
    assert answer["outputs"] == pytest.approx(expected["outputs"], rel=1e-6, abs=1e-12)
    assert answer["confidence"] == pytest.approx(expected["confidence"], rel=1e-9)


def test_dash_with_something_else_piped_in_is_one_line_naming_stdin(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", Piped(b"hello, this is text\n"))
    status, out, err = run_cli(capsys, "predict", "3b1b", "-")
    assert status == 1 and out == ""
    assert err.startswith("digitnet: error: stdin: not an image file") and err.count("\n") == 1


def test_dash_at_a_terminal_says_how_to_pipe_instead_of_waiting(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", Piped(b"", tty=True))
    status, out, err = run_cli(capsys, "predict", "3b1b", "-", "--json")
    assert status == 1 and err == ""
    answer = json.loads(out)
    assert answer["file"] == "-" and "standard input" in answer["error"]


def png_bytes(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def tiny_seven_png():
    """A 7 typed at 5 points in a 5×5 picture: its ink is a few pixels across."""
    image = Image.new("L", (5, 5), 255)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 5)
    ImageDraw.Draw(image).text((2.5, 2.5), "7", fill=0, font=font, anchor="mm")
    return png_bytes(image)


def test_a_picture_whose_ink_is_a_few_pixels_across_is_too_small_to_read():
    with pytest.raises(TooSmallImageError, match="too small to read"):
        read_picture(tiny_seven_png())
    with pytest.raises(TooSmallImageError):
        read_picture(png_bytes(Image.fromarray(np.pad(np.full((4, 3), 255, np.uint8), 20))))  # a blob 3×4
    assert issubclass(TooSmallImageError, BlankImageError)


def test_predict_says_too_small_to_read_with_reject_and_is_a_one_line_error_without(tmp_path, capsys):
    picture = tmp_path / "tiny.png"
    picture.write_bytes(tiny_seven_png())
    status, out, _ = run_cli(capsys, "predict", "big", "--reject", "--json", picture)
    answer = json.loads(out)
    assert status == 0 and answer["state"] == "rejected" and answer["digit"] is None
    assert answer["reason"] == "too small" and answer["blank"] is False
    status, out, _ = run_cli(capsys, "predict", "big", "--reject", picture)
    assert status == 0 and out.strip() == f"{picture}: not a digit (too small to read)"
    status, out, err = run_cli(capsys, "predict", "big", picture)
    assert status == 1 and err.startswith(f"digitnet: error: {picture}: no digit found: the ink is ")
    assert "too small to read" in err and len(err.strip().splitlines()) == 1


def test_the_explorer_answers_too_small_for_a_tiny_png(tmp_path):
    server = start_explorer(data_dir=tmp_path / "no-data")
    try:
        body = json.dumps({"png": base64.b64encode(tiny_seven_png()).decode()}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{server.server_port}/api/predict", body, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
    finally:
        server.close()
    assert (answer["state"], answer["digit"], answer["reason"]) == ("rejected", None, "too small")


def test_mnist_digits_and_small_drawn_digits_are_read_not_refused(real_mnist):
    _, (test_images, test_labels) = real_mnist
    net = load_shipped("big")
    # MNIST's own 28×28 pictures (digits about 20 pixels tall), as PNG files
    bytes_ = np.round(pixel_values(test_images[:100]) * 255).astype(np.uint8).reshape(-1, 28, 28)
    pixels = [read_picture(png_bytes(Image.fromarray(image))).pixels for image in bytes_]
    assert np.mean(net.outputs(np.array(pixels)).argmax(axis=1) == test_labels[:100]) >= 0.95
    # a 7 drawn 12 pixels tall and one 5 pixels tall, the smallest read
    for height in (12, 5):
        image = Image.new("L", (height + 8, height + 8), 255)
        ImageDraw.Draw(image).line([(4, 4), (4 + height * 0.7, 4), (6, 4 + height - 1)], fill=0, width=1)
        assert read_picture(png_bytes(image)).pixels.max() > 0

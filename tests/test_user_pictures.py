"""People's own pictures through `digitnet predict`: odd files answered, bad ones refused in one line."""

import io
import json

import numpy as np
import pytest
from conftest import run_cli
from PIL import Image, ImageDraw

from digitnet.images import read_picture


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
    assert {k: v for k, v in answer.items() if k != "file"} == {k: v for k, v in expected.items() if k != "file"}


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

"""The validation pictures the shipped networks' recipes are chosen on: readable digits, made reproducibly."""

import importlib.util
import io
from pathlib import Path

import numpy as np

from digitnet.images import read_picture, stroke_width

ROOT = Path(__file__).resolve().parent.parent


def validation_script():
    spec = importlib.util.spec_from_file_location("drawing_validation", ROOT / "scripts" / "drawing_validation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_font_digits_read_as_digits_of_varied_pens_in_both_polarities():
    script = validation_script()
    rng = np.random.default_rng(0)
    widths, polarities = [], set()
    for k in range(40):
        picture = script.font_digit(k % 10, rng)
        buffer = io.BytesIO()
        picture.save(buffer, "PNG")
        pixels = read_picture(buffer.getvalue()).pixels
        assert 20 <= pixels.sum() <= 250  # a digit's worth of ink, not a blank or a filled square
        widths.append(stroke_width(pixels))
        polarities.add(np.median(np.asarray(picture)) > 127)
    assert polarities == {True, False}
    assert np.ptp(widths) > 1.0


def test_font_digits_repeat_with_the_seed():
    script = validation_script()
    first = np.asarray(script.font_digit(7, np.random.default_rng(3)))
    assert np.array_equal(first, np.asarray(script.font_digit(7, np.random.default_rng(3))))


def test_sheets_on_a_desk_repeat_with_the_seed_and_hold_a_readable_digit():
    script = validation_script()
    picture = script.font_digit(4, np.random.default_rng(1))
    photo = script.sheet_on_desk(picture, np.random.default_rng(2))
    assert photo == script.sheet_on_desk(picture, np.random.default_rng(2))
    for k in range(10):
        rng = np.random.default_rng(k)
        pixels = read_picture(script.sheet_on_desk(script.font_digit(k, rng), rng)).pixels
        assert 20 <= pixels.sum() <= 250  # a digit's worth of ink, not a blank or the desk

"""Colour statistics of the raw picture (digitnet.colours) and the drawing check that uses them:
constructed pictures (a colourful photograph, a grey one, coloured ink on white and coloured
paper, transparent drawings) whose colours are known by construction."""

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from digitnet.colours import COLOUR_FEATURES, SIDE, colour_statistics
from digitnet.drawing_check import FEATURES, design, drawing_features, is_drawing, shipped_check
from digitnet.images import read_picture

INDEX = {name: k for k, name in enumerate(COLOUR_FEATURES)}
SEVEN = [(60, 40), (140, 40), (90, 170)]


def rgba_of(rgb, alpha=None):
    """(h, w, 3) floats and optional (h, w) alpha → (h, w, 4) float32 RGBA."""
    alpha = np.ones(rgb.shape[:2]) if alpha is None else alpha
    return np.dstack([rgb, alpha]).astype(np.float32)


def png(picture):
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def drawing(strokes, ink=(0, 0, 0), paper=(255, 255, 255), width=10, side=200):
    """Strokes in ``ink`` on ``paper`` (RGB 0–255), anti-aliased by a slight blur: PIL RGB."""
    picture = Image.new("RGB", (side, side), paper)
    draw = ImageDraw.Draw(picture)
    for stroke in strokes:
        draw.line(stroke, fill=ink, width=width, joint="curve")
    return picture.filter(ImageFilter.GaussianBlur(1))


def colourful_photo(seed, side=160):
    """Smooth fields of many hues with fine grain: (h, w, 3) floats in [0, 1]."""
    rng = np.random.default_rng(seed)
    coarse = Image.fromarray((rng.random((6, 6, 3)) * 255).astype(np.uint8)).resize((side, side), Image.BICUBIC)
    return np.clip(np.asarray(coarse, float) / 255 + rng.normal(0, 0.05, (side, side, 3)), 0, 1)


def test_a_grey_picture_has_no_colour_and_its_statistics_see_only_grey_levels():
    grey = colourful_photo(0) @ np.array([0.299, 0.587, 0.114])
    stats = colour_statistics(rgba_of(np.repeat(grey[..., None], 3, -1)))
    assert stats.shape == (len(COLOUR_FEATURES),)
    for name in ("spread", "mean_chroma", "hue_entropy"):
        assert stats[INDEX[name]] == pytest.approx(0, abs=1e-9), name
    assert stats[INDEX["off_axis"]] == pytest.approx(0, abs=1e-6)  # every colour on the grey line
    assert stats[INDEX["tone_entropy"]] > 0.5  # a photo's smooth shades fill many grey levels


def test_coloured_ink_on_coloured_paper_stays_on_one_line_through_colour_space():
    stats = colour_statistics(rgba_of(np.asarray(drawing([SEVEN], (20, 40, 160), (255, 247, 150)), float) / 255))
    assert stats[INDEX["off_axis"]] < 1e-3  # paper, ink and their blends: one line
    assert stats[INDEX["mean_chroma"]] > 0.3  # a yellow sticky note is colourful …
    assert stats[INDEX["hue_entropy"]] < np.log(3)  # … in two hues at most
    photo = colour_statistics(rgba_of(colourful_photo(1)))
    assert photo[INDEX["off_axis"]] > 0.05 and photo[INDEX["hue_entropy"]] > 1.0
    assert photo[INDEX["spread"]] > 3 * stats[INDEX["spread"]] / 2 > 0


def test_transparent_pixels_count_as_white_paper():
    strokes = np.zeros((50, 50))
    strokes[20:30, 10:40] = 1
    red_on_nothing = rgba_of(np.broadcast_to([0.8, 0.1, 0.1], (50, 50, 3)), alpha=strokes)
    red_on_white = rgba_of(np.where(strokes[..., None] > 0, [0.8, 0.1, 0.1], 1.0))
    np.testing.assert_allclose(colour_statistics(red_on_nothing), colour_statistics(red_on_white))
    assert colour_statistics(rgba_of(np.zeros((50, 50, 3)), alpha=np.zeros((50, 50)))) == pytest.approx(0)


def test_large_pictures_are_measured_on_a_grid_of_their_pixels():
    photo = colourful_photo(2, side=SIDE)
    big = np.repeat(np.repeat(photo, 5, axis=0), 5, axis=1)  # every pixel a 5 × 5 block: measured once each
    np.testing.assert_allclose(colour_statistics(rgba_of(big)), colour_statistics(rgba_of(photo)), rtol=1e-6)


def test_read_picture_keeps_the_colours_of_the_picture_as_decoded():
    picture = drawing([SEVEN], (200, 30, 30))
    read = read_picture(png(picture))
    np.testing.assert_allclose(read.colours, colour_statistics(rgba_of(np.asarray(picture, float) / 255)), rtol=1e-5)
    assert drawing_features(read).shape == (len(FEATURES),)


def test_drawings_in_coloured_ink_pass_and_colourful_photographs_do_not():
    inks = [((20, 40, 160), (255, 255, 255)), ((200, 30, 30), (255, 247, 150)), ((20, 120, 40), (200, 235, 255))]
    assert all(is_drawing(read_picture(png(drawing([SEVEN], ink, paper)))) for ink, paper in inks)
    transparent = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    ImageDraw.Draw(transparent).line(SEVEN, fill=(240, 120, 20, 255), width=10)
    assert is_drawing(read_picture(png(transparent)))
    photos = [png(Image.fromarray((colourful_photo(seed) * 255).astype(np.uint8))) for seed in range(10)]
    refused = [not is_drawing(read_picture(photo)) for photo in photos]
    assert np.mean(refused) >= 0.9, refused


def test_the_shipped_drawing_check_was_fitted_on_these_features():
    check = shipped_check()
    assert check.mean.shape == check.scale.shape == (len(FEATURES),)
    d = len(FEATURES)
    assert check.weights.shape == (d + d * (d + 1) // 2,)


def test_the_design_holds_the_standardised_features_their_squares_and_products():
    row = design(np.array([3.0, 5.0]), mean=np.array([1.0, 1.0]), scale=np.array([2.0, 4.0]))
    np.testing.assert_allclose(row, [1.0, 1.0, 1.0, 1.0, 1.0])
    row = design(np.array([[5.0, -3.0]]), mean=np.zeros(2), scale=np.ones(2))
    np.testing.assert_allclose(row, [[5.0, -3.0, 25.0, -15.0, 9.0]])


def test_the_coloured_and_transparent_looks_of_a_drawing_read_as_the_drawing(monkeypatch):
    """The looks the checks are fitted on (scripts/tuning_pictures.py) change the colours, not the
    digit: each reads to nearly the same 28×28 input as the black-on-white drawing."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "scripts"))
    from tuning_pictures import coloured_ink, on_transparency

    picture = drawing([SEVEN]).convert("L")
    plain = read_picture(png(picture)).pixels
    rng = np.random.default_rng(0)
    for k in range(6):
        look = coloured_ink(picture, rng) if k % 2 else on_transparency(picture, rng)
        assert np.abs(read_picture(png(look)).pixels - plain).mean() < 0.02, k


def circuit_board(seed, side=200):
    """A photo-like green board with light tracks, pads and a label, grain and uneven light (its
    colours near one line, as paper and ink are): PNG bytes."""
    rng = np.random.default_rng(seed)
    grain = (
        rng.normal(0, 0.03, (side, side, 1))
        + 0.06
        * np.asarray(
            Image.fromarray(rng.integers(0, 256, (8, 8), dtype=np.uint8)).resize((side, side), Image.BICUBIC), float
        )[..., None]
        / 255
    )
    board = Image.fromarray((np.clip(np.array([0.1, 0.45, 0.2]) + grain, 0, 1) * 255).astype(np.uint8))
    draw = ImageDraw.Draw(board)
    for _ in range(12):
        x, y = rng.integers(0, side, 2)
        bend = rng.integers(20, 80)
        draw.line([(x, y), (x + bend, y), (x + 2 * bend, y + bend)], fill=(235, 235, 225), width=3)
        draw.ellipse((x - 6, y - 6, x + 6, y + 6), fill=(235, 235, 225))
    draw.text((20, 20), "R12 C7 U3", fill=(240, 240, 240))
    rows = np.linspace(-0.5, 0.5, side)
    light = 1 - 0.3 * (rows[:, None] ** 2 + rows[None, :] ** 2)
    photo = np.asarray(board.filter(ImageFilter.GaussianBlur(0.7)), float) * light[..., None]
    return png(Image.fromarray(photo.astype(np.uint8)))


def test_photographs_of_a_printed_board_in_two_colours_are_often_not_drawings():
    """A weak spot, measured: the check fitted without one-colour surfaces refused none of these
    ten boards; this one refuses about half (P(not a drawing) 0.11–0.77 against a threshold of 0.66)."""
    refused = [not is_drawing(read_picture(circuit_board(seed))) for seed in range(10)]
    assert np.mean(refused) >= 0.4, refused

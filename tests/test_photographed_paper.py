"""Photographs of digits written on paper: shadows, a sheet's edge and the desk, coloured ink on
tinted paper.  The digit comes out with its own polarity, centred like MNIST's, its strokes as
wide as MNIST's and as strong in a shadow as in full light, and nothing of the sheet's edge."""

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from digitnet.images import (
    BACKGROUND_SIDE,
    MNIST_CENTER_OF_MASS,
    ink_above_background,
    local_background,
    read_image,
    read_picture,
    separate_ink,
    share_of_paper_light,
    stroke_width,
)

SIDE = 300


def digit_strokes(digit, width=7):
    """(SIDE, SIDE) floats: 1 where a pen wrote ``digit`` (0, 4 or 7, thin strokes), 0 elsewhere."""
    image = Image.new("L", (SIDE, SIDE), 0)
    draw = ImageDraw.Draw(image)
    if digit == 0:
        draw.ellipse((105, 70, 195, 230), outline=255, width=width)
    elif digit == 4:
        draw.line([(170, 70), (100, 175), (205, 175)], fill=255, width=width, joint="curve")
        draw.line([(170, 70), (170, 235)], fill=255, width=width)
    else:
        draw.line([(100, 75), (200, 75), (135, 230)], fill=255, width=width, joint="curve")
    return np.asarray(image.filter(ImageFilter.GaussianBlur(1)), np.float32) / 255


def photo_of_paper(
    strokes, ink=(0.1, 0.2, 0.7), paper=(0.85, 0.8, 0.7), light=None, desk=None, desk_colour=(0.25, 0.2, 0.15), seed=0
):
    """JPEG bytes of ``strokes`` written in ``ink`` (RGB shares of light given back) on ``paper``
    (RGB), under ``light`` ((SIDE, SIDE) factors, default even), with the desk (``desk_colour``,
    RGB) where ``desk`` is a (SIDE, SIDE) bool mask, and camera noise."""
    rng = np.random.default_rng(seed)
    sheet = np.array(paper) * (1 - strokes[..., None] * (1 - np.array(ink)))
    if desk is not None:
        sheet = np.where(desk[..., None], np.array(desk_colour), sheet)
    photo = sheet * (np.ones((SIDE, SIDE)) if light is None else light)[..., None]
    photo = photo + rng.normal(0, 0.015, photo.shape)
    buffer = io.BytesIO()
    Image.fromarray((np.clip(photo, 0, 1) * 255).astype(np.uint8)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def clean_drawing(strokes):
    buffer = io.BytesIO()
    Image.fromarray(((1 - strokes) * 255).astype(np.uint8)).save(buffer, "PNG")
    return read_picture(buffer.getvalue()).pixels


def blurred(pixels):
    """A [1, 2, 1] blur in both directions, so a one-pixel shift of a thin stroke barely matters."""
    square = np.pad(pixels.reshape(28, 28), 1)
    square = square[:-2] + 2 * square[1:-1] + square[2:]
    return (square[:, :-2] + 2 * square[:, 1:-1] + square[:, 2:]).ravel()


def alike(pixels, clean):
    """The correlation of two 28×28 inputs, blurred a little."""
    return np.corrcoef(blurred(pixels), blurred(clean))[0, 1]


def center_of_mass(pixels):
    square = pixels.reshape(28, 28)
    return (np.arange(28) @ square.sum(axis=1) / square.sum(), np.arange(28) @ square.sum(axis=0) / square.sum())


ROWS, COLS = np.mgrid[0:SIDE, 0:SIDE]
HARD_SHADOW = np.where(COLS < 150, 0.45, 1.0)  # the left half in a shadow that takes away 55% of the light
CORNER_DESK = ROWS + COLS < 110  # the sheet's corner turned away: the desk in the top-left corner
EDGE_DESK = ROWS * 0.15 + (SIDE - COLS) < 40  # the sheet's right edge, a little slanted


def test_strokes_in_a_shadow_come_out_as_strong_as_strokes_in_full_light():
    strokes = digit_strokes(0)
    ink = separate_ink(read_image(photo_of_paper(strokes, light=HARD_SHADOW)))
    written = strokes > 0.9
    in_shadow = ink[written & (COLS < 140)].mean()
    in_light = ink[written & (COLS > 160)].mean()
    assert in_shadow / in_light == pytest.approx(1.0, abs=0.2)


@pytest.mark.parametrize(
    "light, desk",
    [
        (HARD_SHADOW, None),
        (None, CORNER_DESK),
        (HARD_SHADOW, CORNER_DESK),
        (np.where(ROWS > 120 + 0.3 * COLS, 0.5, 1.0), EDGE_DESK),  # a slanted shadow across the lower part
        (1 - 0.5 * COLS / SIDE, CORNER_DESK | EDGE_DESK),  # light falling off to the right
    ],
)
@pytest.mark.parametrize("digit", [0, 4, 7])
def test_a_digit_on_a_shaded_sheet_on_a_desk_reads_like_the_clean_drawing(digit, light, desk):
    strokes = digit_strokes(digit)
    clean = clean_drawing(strokes)
    pixels = read_picture(photo_of_paper(strokes, light=light, desk=desk)).pixels
    assert alike(pixels, clean) > 0.85  # right polarity, no sheet edge, no shadow's rim
    assert np.allclose(center_of_mass(pixels), MNIST_CENTER_OF_MASS, atol=0.6)
    assert 2.0 <= stroke_width(pixels) <= 4.0  # MNIST's strokes: 2.9 pixels by this measure
    far = blurred(blurred(clean)) == 0  # more than two pixels from the clean drawing's ink
    assert pixels[far].sum() < 0.02 * pixels.sum()


@pytest.mark.parametrize(
    "ink, paper",
    [
        ((0.7, 0.1, 0.12), (0.8, 0.85, 0.95)),
        ((0.1, 0.45, 0.2), (0.9, 0.75, 0.8)),
        ((0.08, 0.08, 0.1), (0.6, 0.6, 0.55)),
    ],
)
def test_coloured_ink_on_tinted_paper_under_a_shadow_reads_like_the_clean_drawing(ink, paper):
    strokes = digit_strokes(4)
    pixels = read_picture(photo_of_paper(strokes, ink=ink, paper=paper, light=HARD_SHADOW, desk=CORNER_DESK)).pixels
    assert alike(pixels, clean_drawing(strokes)) > 0.85


FALLING_LIGHT = 1 - 0.3 * ((ROWS - 150) ** 2 + (COLS - 150) ** 2) / SIDE**2  # darker towards the corners


@pytest.mark.parametrize(
    "digit, light",
    [(7, FALLING_LIGHT), (0, FALLING_LIGHT), (4, np.where(COLS + ROWS < 150, 0.6, 1.0))],
)
def test_a_felt_pen_digit_keeps_the_middle_of_its_strokes(digit, light):
    # strokes 60 pixels wide: as wide as the local background's squares (a fifth of 300 pixels),
    # which fit inside them and would take their middles for paper (a shadow's rim through the
    # stroke's middle is not mended: the middle and the shadow are one piece reaching the edge)
    strokes = digit_strokes(digit, width=60)
    pixels = read_picture(photo_of_paper(strokes, light=light)).pixels
    assert alike(pixels, clean_drawing(strokes)) > 0.95


def eight(width=5):
    """(SIDE, SIDE) floats: 1 where a pen wrote an 8 with thin strokes, 0 elsewhere."""
    image = Image.new("L", (SIDE, SIDE), 0)
    draw = ImageDraw.Draw(image)
    draw.ellipse((115, 60, 185, 145), outline=255, width=width)
    draw.ellipse((105, 140, 195, 240), outline=255, width=width)
    return np.asarray(image.filter(ImageFilter.GaussianBlur(1)), np.float32) / 255


@pytest.mark.parametrize(
    "light", [np.where(COLS < 150, 0.7, 1.0), np.where(ROWS < 100, 0.8, 1.0), 1 - 0.4 * COLS / SIDE]
)
def test_a_thin_digit_on_a_strip_of_sheet_between_desk_is_dark_ink(light):
    # the paper inside the 8's loops and the strip of sheet are light patches that outweigh the
    # pen's strokes in area, but they are wide; the strokes are long and thin
    strokes = eight()
    desk = np.abs(COLS - 150 + (ROWS - 150) * 0.2) > 100
    pixels = read_picture(photo_of_paper(strokes, light=light, desk=desk)).pixels
    assert alike(pixels, clean_drawing(strokes)) > 0.85


@pytest.mark.parametrize("digit", [0, 4, 7])
def test_dark_ink_on_a_sheet_whose_desk_and_shadow_cover_most_of_the_photo(digit):
    # the desk frames the sheet (the whole border is dark) and a shadow darkens the left part of
    # the sheet: most of the photo is dark, as a drawing's background would be, yet the ink is
    # the dark pen on the sheet
    strokes = digit_strokes(digit)
    desk = (ROWS < 40) | (ROWS > 265) | (COLS < 60) | (COLS > 245)
    shadow = np.where(COLS < 95, 0.35, 1.0)
    pixels = read_picture(photo_of_paper(strokes, light=shadow, desk=desk)).pixels
    assert alike(pixels, clean_drawing(strokes)) > 0.85


@pytest.mark.parametrize("desk_tone", [0.3, 0.45])
def test_a_large_digit_filling_a_sheet_on_a_grey_desk_is_dark_ink(desk_tone):
    # the 8 fills the sheet, so the paper is left only in gaps narrower than the squares: they
    # stand out as light strokes over much of the photo, as a texture's would, and the desk's
    # mid-grey border tells nothing; the pen's strokes are still the long thin ones
    image = Image.new("L", (SIDE, SIDE), 0)
    draw = ImageDraw.Draw(image)
    draw.ellipse((55, 18, 245, 150), outline=255, width=6)
    draw.ellipse((30, 140, 270, 284), outline=255, width=6)
    strokes = np.asarray(image.filter(ImageFilter.GaussianBlur(1)), np.float32) / 255
    desk = (np.abs(COLS - 150 + (ROWS - 150) * 0.05) > 140) | (np.abs(ROWS - 150 - (COLS - 150) * 0.05) > 145)
    photo = photo_of_paper(strokes, (0.05, 0.05, 0.08), (0.92, 0.92, 0.9), FALLING_LIGHT, desk, (desk_tone,) * 3)
    pixels = read_picture(photo).pixels
    assert alike(pixels, clean_drawing(strokes)) > 0.85


def ruled(step=30, squared=False, tilt=0.05):
    """(SIDE, SIDE) bool: a school sheet's lines, ``step`` pixels apart, 2 pixels thick, tilted."""
    lines = (ROWS - tilt * COLS) % step < 2
    return lines | ((COLS + tilt * ROWS) % step < 2) if squared else lines


@pytest.mark.parametrize("squared", [False, True], ids=["ruled", "squared"])
@pytest.mark.parametrize("digit", [0, 4, 7])
def test_a_digit_on_ruled_or_squared_paper_reads_without_the_lines(digit, squared):
    # the lines are ink too (a share of the paper's light), and the digit touches them
    strokes = digit_strokes(digit)
    lines = ruled(squared=squared) * 0.6
    pixels = read_picture(photo_of_paper(np.maximum(strokes, lines), light=FALLING_LIGHT)).pixels
    # 0.5–0.6 with the lines left in; a stub may stay where a line meets a stroke
    assert alike(pixels, clean_drawing(strokes)) > 0.8


@pytest.mark.parametrize("pen", [1.0, 0.6], ids=["darker-than-the-lines", "as-dark-as-the-lines"])
def test_a_7_whose_bar_lies_on_a_ruled_line_keeps_its_bar(pen):
    # a thin pen's bar (4 pixels) right on a line 3 pixels thick: the line's own ink goes, the bar stays
    strokes = digit_strokes(7, width=4) * pen
    lines = ((ROWS - 74) % 32 < 3) * 0.6
    pixels = read_picture(photo_of_paper(np.maximum(strokes, lines), light=FALLING_LIGHT)).pixels
    # 0.31 when the ink along the line was wiped with it (the 7 became a 1)
    assert alike(pixels, clean_drawing(digit_strokes(7, width=4))) > 0.7


def test_a_photographed_digit_keeps_one_long_bar_across_the_picture():
    # one long straight stroke is a digit's bar, not a sheet's lines (they come several at a time)
    image = Image.new("L", (SIDE, SIDE), 0)
    ImageDraw.Draw(image).line([(20, 40), (280, 40), (150, 280)], fill=255, width=7, joint="curve")
    strokes = np.asarray(image.filter(ImageFilter.GaussianBlur(1)), np.float32) / 255
    pixels = read_picture(photo_of_paper(strokes, light=FALLING_LIGHT)).pixels
    assert alike(pixels, clean_drawing(strokes)) > 0.9


def four_into_the_edge():
    """(SIDE, SIDE) floats: a 4 whose bar runs on into the right edge of the picture."""
    image = Image.new("L", (SIDE, SIDE), 0)
    draw = ImageDraw.Draw(image)
    draw.line([(170, 70), (100, 175), (SIDE, 175)], fill=255, width=7, joint="curve")
    draw.line([(170, 70), (170, 235)], fill=255, width=7)
    return np.asarray(image.filter(ImageFilter.GaussianBlur(1)), np.float32) / 255


@pytest.mark.parametrize(
    "desk",
    [COLS > SIDE - 6, (COLS > SIDE - 6) | (ROWS > SIDE - 5), COLS > SIDE - 3 - ROWS * 0.03],
    ids=["strip", "two strips", "wedge"],
)
def test_a_digit_that_runs_into_a_strip_of_desk_along_the_edge_comes_apart_from_it(desk):
    # a photo straightened or cropped leaves a strip of desk along an edge; the digit joins it
    strokes = four_into_the_edge()
    pixels = read_picture(photo_of_paper(strokes, desk=desk)).pixels
    assert alike(pixels, clean_drawing(strokes * ~desk)) > 0.9


def cropped_tight(digit):
    """(SIDE, SIDE) floats: ``digit`` (2 or 3) written to fill the picture, its strokes running
    along the edges, as in a photo a person cropped to the digit."""
    image = Image.new("L", (SIDE, SIDE), 0)
    draw = ImageDraw.Draw(image)
    if digit == 2:
        draw.arc((3, 3, SIDE - 4, 170), 180, 30, fill=255, width=12)
        draw.line([(255, 130), (8, 290), (SIDE - 4, 290)], fill=255, width=12, joint="curve")
    else:
        draw.arc((3, 3, SIDE - 4, 155), 200, 90, fill=255, width=12)
        draw.arc((3, 145, SIDE - 4, SIDE - 4), 270, 160, fill=255, width=12)
    return np.asarray(image.filter(ImageFilter.GaussianBlur(1)), np.float32) / 255


@pytest.mark.parametrize(
    "digit",
    [
        pytest.param(
            2,
            marks=pytest.mark.xfail(
                strict=True,
                reason="known defect: the 2's arc and foot line three edges and still go as bands "
                "(0.28 alike; the clean drawing cropped as tight loses them too, 0.31)",
            ),
        ),
        3,
    ],
)
def test_a_photo_cropped_tight_to_the_digit_keeps_the_strokes_along_its_edges(digit):
    # the strokes line the edges as a strip of desk would, but they are only a stroke deep
    # (the 3 read 0.29 alike when they were cut off as bands); the reference is the same strokes
    # drawn clean with a margin, so that nothing of them touches an edge
    strokes = cropped_tight(digit)
    pixels = read_picture(photo_of_paper(strokes, light=FALLING_LIGHT)).pixels
    assert alike(pixels, clean_drawing(np.pad(strokes, 40))) > 0.9


def test_a_clean_drawing_keeps_a_stroke_that_runs_along_its_edge():
    image = Image.new("L", (200, 200), 255)
    ImageDraw.Draw(image).line([(30, 4), (170, 4), (80, 196)], fill=0, width=9)  # a 7's bar along the top
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    strokes = 1 - np.asarray(image, np.float32) / 255
    assert alike(read_picture(buffer.getvalue()).pixels, clean_drawing(strokes)) > 0.99


def test_chalk_on_a_dark_board_with_a_light_wall_above_it_stays_light_ink():
    # the border is half wall (light, above and left) and half board (dark): the border's tone
    # does not tell, and the light strokes outweigh the dark ones (the board's corner) by far
    strokes = digit_strokes(4, width=9)
    board = 0.2 + 0.65 * strokes
    board = np.where((ROWS < 20) | (COLS < 20), 0.9, board) * (1 - 0.3 * COLS / SIDE)
    photo = np.clip(board + np.random.default_rng(1).normal(0, 0.015, board.shape), 0, 1)
    buffer = io.BytesIO()
    Image.fromarray((photo * 255).astype(np.uint8)).save(buffer, "JPEG", quality=85)
    pixels = read_picture(buffer.getvalue()).pixels
    assert alike(pixels, clean_drawing(strokes)) > 0.85


def test_ink_is_measured_as_a_share_of_the_paper_light():
    background = np.where(COLS < 150, 0.5, 0.1).astype(np.float32)  # half the sheet in shadow (light 0.5 and 0.9)
    strokes = (digit_strokes(0) > 0.5) * np.float32(0.3)
    pen = share_of_paper_light(background + strokes, background)
    assert pen[(strokes > 0) & (COLS < 140)] == pytest.approx(0.3 / 0.5, abs=1e-5)
    assert pen[(strokes > 0) & (COLS > 160)] == pytest.approx(0.3 / 0.9, abs=1e-5)


def test_only_pen_on_paper_is_measured_against_the_paper_light():
    light = np.where(COLS < 150, 0.5, 1.0).astype(np.float32)
    sheet = (1 - light * (1 - 0.7 * digit_strokes(0))).astype(np.float32)  # an ink map: paper 0, ink up
    assert np.array_equal(ink_above_background(sheet), share_of_paper_light(sheet, local_background(sheet)))
    texture = np.random.default_rng(0).uniform(0, 0.6, (SIDE, SIDE)).astype(np.float32) * light
    assert np.array_equal(ink_above_background(texture), texture - local_background(texture, BACKGROUND_SIDE))

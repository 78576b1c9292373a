"""Turning people's pictures into MNIST-style input: formats, polarity, transparency, bad files."""

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from digitnet import Network, images
from digitnet.errors import BlankImageError, ImageError
from digitnet.images import (
    MNIST_CENTER_OF_MASS,
    MNIST_STROKE,
    image_to_input,
    local_background,
    read_picture,
    stroke_width,
    to_mnist,
)
from digitnet.pixels import pixel_values


def draw_seven(size=280, width=24, offset=(0, 0), ink=0, paper=255, mode="L"):
    """A hand-drawn-looking 7 as a PIL image: ``ink`` strokes on ``paper``."""
    image = Image.new(mode, (size, size), paper)
    draw = ImageDraw.Draw(image)
    s, (dx, dy) = size / 280, offset
    points = [(70 * s + dx, 60 * s + dy), (200 * s + dx, 60 * s + dy), (120 * s + dx, 230 * s + dy)]
    draw.line(points, fill=ink, width=max(1, int(width * s)), joint="curve")
    return image


def png_bytes(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def center_of_mass(pixels):
    square = pixels.reshape(28, 28)
    rows, cols = np.arange(28) @ square.sum(axis=1), np.arange(28) @ square.sum(axis=0)
    return rows / square.sum(), cols / square.sum()


def test_output_is_784_values_in_0_1_with_a_20_pixel_box_centred_like_mnist():
    pixels = image_to_input(png_bytes(draw_seven()))
    assert pixels.shape == (784,) and pixels.dtype == np.float32
    assert pixels.min() == 0 and pixels.max() <= 1 and pixels.max() > 0.9
    rows, cols = np.nonzero(pixels.reshape(28, 28) > 0)
    assert max(np.ptp(rows), np.ptp(cols)) + 1 in (20, 21)
    assert np.allclose(center_of_mass(pixels), MNIST_CENTER_OF_MASS, atol=0.5)


def rgba_on_transparent(ink_rgb):
    mask = draw_seven(ink=255, paper=0)
    image = Image.new("RGBA", mask.size, (*ink_rgb, 0))
    image.putalpha(mask)
    return image


@pytest.mark.parametrize(
    "variant",
    [
        "white on black",
        "colour",
        "palette",
        "transparent black ink",
        "transparent white ink",
        "off centre",
        "small canvas",
        "huge canvas thin pen",
        "jpeg",
    ],
)
def test_every_way_of_saving_the_same_digit_gives_about_the_same_input(variant):
    reference = image_to_input(png_bytes(draw_seven()))
    image = {
        "white on black": lambda: draw_seven(ink=255, paper=0),
        "colour": lambda: draw_seven(ink=(20, 30, 160), paper=(250, 245, 230), mode="RGB"),
        "palette": lambda: draw_seven().convert("P"),
        "transparent black ink": lambda: rgba_on_transparent((0, 0, 0)),
        "transparent white ink": lambda: rgba_on_transparent((255, 255, 255)),
        "off centre": lambda: draw_seven(offset=(60, -40), size=280),
        "small canvas": lambda: draw_seven(size=40),
        "huge canvas thin pen": lambda: draw_seven(size=2000, width=3),
        "jpeg": lambda: draw_seven(),
    }[variant]()
    data = png_bytes(image)
    if variant == "jpeg":
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=80)
        data = buffer.getvalue()
    pixels = image_to_input(data)
    correlation = np.corrcoef(blurred(pixels), blurred(reference))[0, 1]
    assert correlation > 0.85, correlation


def blurred(pixels):
    """A [1, 2, 1] blur in both directions, so a one-pixel shift of a thin stroke barely matters."""
    square = np.pad(pixels.reshape(28, 28), 1)
    square = square[:-2] + 2 * square[1:-1] + square[2:]
    return (square[:, :-2] + 2 * square[:, 1:-1] + square[:, 2:]).ravel()


@pytest.mark.parametrize(
    "image,message",
    [
        (Image.new("L", (200, 200), 255), "blank"),
        (Image.new("RGBA", (200, 200), (0, 0, 0, 0)), "blank"),
        (Image.new("L", (50, 50), 0), "blank"),
    ],
)
def test_an_empty_canvas_is_a_clear_error(image, message):
    with pytest.raises(ImageError, match=message):
        image_to_input(png_bytes(image))


def test_files_that_are_not_images_or_too_large_are_refused(tmp_path):
    (tmp_path / "text.png").write_text("hello")
    with pytest.raises(ImageError, match="text.png: not an image file"):
        image_to_input(tmp_path / "text.png")
    with pytest.raises(ImageError, match="no such file"):
        image_to_input(tmp_path / "absent.png")
    bomb = tmp_path / "bomb.png"
    Image.new("1", (12_000, 12_000), 1).save(bomb)  # 144 M pixels in a few kB
    assert bomb.stat().st_size < 100_000
    with pytest.raises(ImageError, match="too large"):
        image_to_input(bomb)
    truncated = tmp_path / "cut.png"
    truncated.write_bytes(png_bytes(draw_seven())[:300])
    with pytest.raises(ImageError, match="cut.png"):
        image_to_input(truncated)


def test_to_mnist_refuses_non_2d_input():
    with pytest.raises(ImageError, match="2-D"):
        to_mnist(np.zeros((3, 4, 5)))


@pytest.mark.slow
def test_mnist_digits_round_tripped_through_the_pipeline_keep_their_accuracy(real_mnist):
    (train_images, train_labels), (test_images, test_labels) = real_mnist
    net = Network(seed=0)
    net.fit(train_images[:20_000], train_labels[:20_000], epochs=5, lr=1.0, seed=0)
    sample = slice(0, 1000)
    direct = (net.predict(test_images[sample]) == test_labels[sample]).mean()
    rendered = []
    for pixels in test_images[sample]:
        picture = Image.fromarray(255 - (pixels.reshape(28, 28) * 255).astype(np.uint8)).resize((112, 112))
        rendered.append(image_to_input(png_bytes(picture)))
    round_trip = (net.predict(np.array(rendered)) == test_labels[sample]).mean()
    assert round_trip >= direct - 0.02, (direct, round_trip)


def test_the_centre_of_mass_constant_is_where_mnist_digits_have_theirs(real_mnist):
    (train_images, _), (test_images, _) = real_mnist
    centres = np.array([center_of_mass(p) for p in test_images[:2000]])
    assert np.allclose(centres.mean(axis=0), MNIST_CENTER_OF_MASS, atol=0.05)


def test_faint_strokes_are_called_too_faint_not_blank():
    faint = np.zeros((28, 28), np.float32)
    faint[5:20, 12:15] = 0.015
    with pytest.raises(BlankImageError, match="too faint .ink 0.01 above the background; at least 0.02"):
        to_mnist(faint)
    with pytest.raises(BlankImageError, match="the image is blank"):
        to_mnist(np.zeros((28, 28)))


def test_a_seven_twelve_grey_levels_from_its_paper_is_read_but_the_grain_of_a_blank_sheet_is_not_ink():
    seven = np.asarray(draw_seven(), np.float32) / 255  # paper 1, ink 0
    faint = Image.fromarray((200 - 12 * (1 - seven)).astype(np.uint8))  # ink 12 grey levels below the paper
    clean = image_to_input(png_bytes(draw_seven()))
    assert np.corrcoef(blurred(image_to_input(png_bytes(faint))), blurred(clean))[0, 1] > 0.9
    grain = np.random.default_rng(0).normal(0, 0.012, seven.shape).astype(np.float32)  # 3 grey levels
    with pytest.raises(BlankImageError, match="too faint"):  # its brightest speck: 4–5 times the grain
        to_mnist(0.2 + grain)


# ---------------------------------------------------------------- how people's pictures differ from MNIST
@pytest.mark.parametrize("pen", [6, 24, 60])
def test_strokes_of_any_pen_come_out_about_as_wide_as_mnist(pen):
    """MNIST's strokes are 2.9 pixels wide; a thin pen is thickened and a felt pen thinned (to
    3.8 pixels from 60: the thinning smooths first, and a smoothed edge narrows less)."""
    width = stroke_width(image_to_input(png_bytes(draw_seven(width=pen))))
    assert abs(width - MNIST_STROKE) < 1.0, width


def test_strokes_wider_than_a_fifth_of_the_picture_are_kept_whole_in_a_clean_drawing():
    """A felt pen on a small canvas, a bold bar cropped tight and a filled disc: the local background
    (squares a fifth of the picture wide) would take them for background and hollow them out."""
    seven = image_to_input(png_bytes(draw_seven(width=60)))
    assert np.corrcoef(blurred(seven), blurred(image_to_input(png_bytes(draw_seven()))))[0, 1] > 0.85  # 0.24 hollowed
    bar = Image.new("L", (120, 240), 255)
    ImageDraw.Draw(bar).rectangle((40, 10, 80, 230), fill=0)
    pixels = image_to_input(png_bytes(bar)).reshape(28, 28)
    assert pixels[6:22, 14].min() > 0.9  # solid down its middle, not a hollow outline
    disc = Image.new("L", (200, 200), 255)
    ImageDraw.Draw(disc).ellipse((60, 60, 140, 140), fill=0)
    assert image_to_input(png_bytes(disc)).reshape(28, 28)[14, 14] > 0.9  # a disc, not a ring


def draw_eight(size):
    """An 8 of two rectangles filling a ``size``-pixel canvas, white on black, in strokes 4/28 of
    it wide: drawn 8 times larger and shrunk by area averaging (a paint program's anti-aliasing)."""
    image = Image.new("L", (size * 8, size * 8), 0)
    draw, s = ImageDraw.Draw(image), size * 8 / 28
    for box in ((5, 1, 21, 13), (5, 13, 21, 26)):
        draw.rectangle(tuple(v * s for v in box), outline=255, width=round(4 * s))
    return image.resize((size, size), Image.Resampling.BOX)


def test_a_digit_drawn_on_a_canvas_mnists_size_reads_like_the_same_digit_drawn_large():
    """People draw their own digits in a 28×28 paint program.  Its strokes' anti-aliased edges
    are a large share of so small a picture, and are no photograph's grain: taken for one, the 8's
    straight sides were wiped out as a sheet's ruled lines."""
    small = image_to_input(png_bytes(draw_eight(28)))
    assert np.corrcoef(blurred(small), blurred(image_to_input(png_bytes(draw_eight(280)))))[0, 1] > 0.9  # 0.89


def test_lines_one_pixel_wide_on_a_canvas_mnists_size_come_out_as_wide_as_mnists():
    """A 4 drawn with a 1-pixel pencil on a 28×28 canvas: it is not shrunk, so nothing widened it
    (its strokes came out 2.0 wide by ``stroke_width``, whose estimate cannot go lower)."""
    image = Image.new("L", (28, 28), 255)
    draw = ImageDraw.Draw(image)
    draw.line([(15, 4), (7, 18), (21, 18)], fill=0, width=1)
    draw.line([(16, 9), (16, 25)], fill=0, width=1)
    assert abs(stroke_width(image_to_input(png_bytes(image))) - MNIST_STROKE) < 0.8


def test_grey_strokes_with_one_strong_pixel_come_out_at_full_strength_like_mnist(real_mnist):
    ink = np.asarray(draw_seven(ink=255, paper=0), np.float32) / 255 * 0.5  # strokes at half strength …
    ink[60, 140] = 1.0  # … but one pixel (a grain, a glint) at full strength sets the stretch
    pixels = to_mnist(ink)
    (_, _), (mnist, _) = real_mnist
    mnist = pixel_values(mnist[:1000])
    mnist_strong = np.median([np.quantile(digit[digit > 0.2], 0.75) for digit in mnist])
    assert np.quantile(pixels[pixels > 0.2], 0.75) == pytest.approx(mnist_strong, abs=0.02)


def test_stroke_width_of_a_hand_built_bar():
    square = np.zeros((28, 28), np.float32)
    square[4:24, 12:15] = 1  # 3 wide, 20 long
    assert stroke_width(square) == pytest.approx(3.0, abs=0.35)
    disc = np.hypot(*np.mgrid[-14:14, -14:14]) < 10  # a filled disc 20 across: its "strokes" are wide
    batch = np.stack([square, disc]).reshape(2, 784)
    assert np.array_equal(stroke_width(batch), [stroke_width(square), stroke_width(disc)])
    assert stroke_width(disc) > 8


def photographed(image, rng, shadow=0.6):
    """``image`` (L, dark ink on white) as a photo of paper: light falling off across the sheet, a
    soft shadow over its left part, grain; RGB."""
    ink = np.asarray(image, np.float32) / 255
    rows, cols = np.mgrid[0 : ink.shape[0], 0 : ink.shape[1]] / ink.shape[0]
    light = (0.95 - 0.3 * rows) * (shadow + (1 - shadow) / (1 + np.exp(-(cols - 0.3) / 0.05)))
    photo = (0.2 + 0.8 * ink) * light + rng.normal(0, 0.02, ink.shape)
    return Image.fromarray((np.clip(photo, 0, 1) * 255).astype(np.uint8)).convert("RGB")


def test_a_photographed_sheet_with_a_shadow_reads_like_the_clean_drawing():
    clean = image_to_input(png_bytes(draw_seven()))
    photo = image_to_input(png_bytes(photographed(draw_seven(), np.random.default_rng(0))))
    assert np.corrcoef(blurred(photo), blurred(clean))[0, 1] > 0.9
    assert np.allclose(center_of_mass(photo), MNIST_CENTER_OF_MASS, atol=0.5)


def on_a_desk(image, turn=6.0, desk=90, margin=40):
    """``image`` (L, dark ink on white) as a sheet photographed on a darker desk: turned a little,
    the desk showing all round it (so the picture's border is the desk, neither paper nor ink); RGB."""
    sheet = image.convert("RGB")
    framed = Image.new("RGB", (sheet.width + 2 * margin, sheet.height + 2 * margin), (desk,) * 3)
    framed.paste(sheet, (margin, margin))
    return framed.rotate(turn, Image.Resampling.BILINEAR, fillcolor=(desk,) * 3)


@pytest.mark.parametrize("desk", [40, 90, 150])
def test_a_sheet_photographed_on_a_desk_is_read_as_dark_ink_on_paper(desk):
    clean = image_to_input(png_bytes(draw_seven()))
    photo = image_to_input(png_bytes(on_a_desk(draw_seven(), desk=desk)))
    assert np.corrcoef(blurred(photo), blurred(clean))[0, 1] > 0.9


def test_a_faint_pencil_digit_on_a_sheet_with_a_dark_desk_along_its_edge_is_read():
    # pencil 50 grey levels below the paper, a desk far darker than the pencil along two edges
    # (more than half of the border), light falling off across the sheet, a little grain
    pencil = Image.fromarray((230 - 50 * (1 - np.asarray(draw_seven(), np.float32) / 255)).astype(np.uint8))
    photo = np.asarray(on_a_desk(pencil, turn=3, desk=25, margin=30).convert("L"), np.float32) / 255
    photo[:, : photo.shape[1] // 2] *= np.linspace(0.8, 1.0, photo.shape[1] // 2)
    photo += np.random.default_rng(1).normal(0, 0.01, photo.shape)
    photo = photo[:-60, :-60]  # the desk at the top and left only
    picture = Image.fromarray((np.clip(photo, 0, 1) * 255).astype(np.uint8))
    clean = image_to_input(png_bytes(draw_seven()))
    assert np.corrcoef(blurred(image_to_input(png_bytes(picture))), blurred(clean))[0, 1] > 0.9


def test_a_dim_photo_of_paper_with_a_grey_corner_and_a_bright_patch_is_read_as_dark_ink():
    # most of the sheet in shadow (0.45), a bright patch of light (0.9), the grey fill (0.35) a
    # straightened photo leaves along its border, dark ink (0.05): border and most of the picture
    # are darker than halfway between ink and light, yet the ink is dark
    seven = np.asarray(draw_seven(), np.float32) / 255
    photo = np.full(seven.shape, 0.45, np.float32)
    photo[150:250, 180:260] = 0.9
    photo = photo * seven + 0.05 * (1 - seven)
    photo[:, :30], photo[:25, :] = 0.35, 0.35
    picture = Image.fromarray((photo * 255).astype(np.uint8))
    clean = image_to_input(png_bytes(draw_seven()))
    assert np.corrcoef(blurred(image_to_input(png_bytes(picture))), blurred(clean))[0, 1] > 0.9


def test_light_ink_on_black_and_dark_hatching_over_most_of_a_white_sheet_keep_their_polarity():
    light_on_dark = image_to_input(png_bytes(draw_seven(ink=255, paper=0)))
    assert np.corrcoef(blurred(light_on_dark), blurred(image_to_input(png_bytes(draw_seven()))))[0, 1] > 0.9
    hatching = Image.new("L", (200, 200), 255)  # dark bars over 55% of the picture, a white margin round it
    for left in range(12, 180, 18):
        ImageDraw.Draw(hatching).rectangle((left, 12, left + 9, 188), fill=0)
    pixels = image_to_input(png_bytes(hatching)).reshape(28, 28)
    assert pixels[:, 14].max() > 0.9 and (pixels > 0.5).mean() < 0.6  # the bars are the ink, not the gaps


def test_the_local_background_follows_light_but_not_strokes():
    rows = np.linspace(0, 0.5, 200, dtype=np.float32)[:, None] * np.ones((1, 200), np.float32)  # a gradient
    ink = rows.copy()
    ink[50:150, 98:104] += 0.5  # a stroke
    background = local_background(ink)
    assert np.abs(background - rows).max() < 0.08
    assert (ink - background)[100, 98:104].min() > 0.4


def test_specks_and_pieces_at_the_edge_are_dropped_when_a_drawing_remains():
    clean = image_to_input(png_bytes(draw_seven(size=200)))
    picture = draw_seven(size=200)
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, 200, 6), fill=0)  # the edge of the sheet
    draw.point((180, 180), fill=0)  # a speck
    assert np.array_equal(image_to_input(png_bytes(picture)), clean)
    edge_only = Image.new("L", (200, 200), 255)
    ImageDraw.Draw(edge_only).rectangle((0, 0, 200, 30), fill=0)  # nothing else: the edge is kept
    assert image_to_input(png_bytes(edge_only)).sum() > 10


def test_a_small_blot_far_from_the_digit_is_dropped_and_a_5s_flag_beside_it_stays():
    # a blot of 6% of the 7's ink, 150 pixels beyond the 7's box (its side: about 200 pixels), clear of the edge
    alone = Image.new("L", (400, 400), 255)
    alone.paste(draw_seven(size=300, offset=(-60, -40)))
    picture = alone.copy()
    ImageDraw.Draw(picture).ellipse((345, 345, 370, 370), fill=0)
    assert np.array_equal(image_to_input(png_bytes(picture)), image_to_input(png_bytes(alone)))
    # a 5 written in two strokes: its short flag (an eighth of its ink) apart from the rest, within its box
    five = Image.new("L", (300, 300), 255)
    draw = ImageDraw.Draw(five)
    draw.line([(100, 60), (95, 140)], fill=0, width=14)
    draw.arc((80, 120, 220, 250), 230, 160, fill=0, width=14)
    without_flag = image_to_input(png_bytes(five))
    draw.line([(122, 56), (175, 52)], fill=0, width=14)  # the flag, 15 pixels right of the stem's top
    assert np.abs(image_to_input(png_bytes(five)) - without_flag).sum() > 20  # the flag's ink is there


def test_a_drawing_keeps_its_strokes_and_a_photo_keeps_its_texture_in_the_separated_ink():
    drawing = read_picture(png_bytes(draw_seven()))
    assert drawing.ink.shape == (280, 280) and drawing.pixels.shape == (784,)
    assert ((drawing.ink > 0.2) & (drawing.ink < 0.9)).mean() < 0.02  # strokes on a plain background


@pytest.mark.parametrize("photo", [False, True], ids=["drawing", "photo"])
def test_a_ruler_line_under_a_digit_is_dropped(photo):
    image = draw_seven(size=200, width=14)
    ImageDraw.Draw(image).line([(10, 185), (190, 187)], fill=0, width=3)  # not touching the 7 nor the edges
    alone = draw_seven(size=200, width=14)
    if photo:
        rng = np.random.default_rng(3)
        image, alone = photographed(image, np.random.default_rng(3)), photographed(alone, rng)
    with_line, without = read_picture(png_bytes(image)).pixels, read_picture(png_bytes(alone)).pixels
    assert np.abs(with_line - without).max() < 0.05  # the line dropped, nothing else changed


def test_a_digits_own_flat_strokes_are_not_taken_for_a_ruler_line(monkeypatch):
    bar = np.zeros((28, 28), np.float32)
    bar[4:6, 4:24] = 1  # a 5's or 7's bar on its own, above the rest
    bar[8:24, 12:15] = 1
    two = np.zeros((28, 28), np.float32)
    two[4:18, 8:20] = np.pad(np.ones((12, 10), np.float32), 1) - np.pad(np.ones((10, 8), np.float32), 2)  # a loop
    two[21:23, 6:22] = 1  # a foot apart from it, under it, wider, but not half as wide again
    one = np.zeros((28, 28), np.float32)
    one[4:20, 13:16] = 1
    one[22:24, 4:24] = 1  # a printed 1's foot, apart, more than half as wide again as its stroke: dropped
    seen = [to_mnist(pieces) for pieces in (bar, two, one)]
    monkeypatch.setattr(images, "_underlines", lambda labels, keep, boxes: np.zeros(len(keep), bool))
    alone = [to_mnist(pieces) for pieces in (bar, two, one)]
    assert np.array_equal(seen[0], alone[0]) and np.array_equal(seen[1], alone[1])
    assert not np.array_equal(seen[2], alone[2])

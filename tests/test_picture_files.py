"""Opening people's picture files: only regular files, bounded sizes, 16-bit and float pictures by their range."""

import io
import os

import numpy as np
import pytest
from PIL import Image, ImageDraw

from digitnet.errors import ImageError
from digitnet.images import MAX_DECODED_SIDE, image_to_input, read_image


def seven(size=280, ink=0, paper=255, mode="L"):
    image = Image.new(mode, (size, size), paper)
    s = size / 280
    ImageDraw.Draw(image).line(
        [(70 * s, 60 * s), (200 * s, 60 * s), (120 * s, 230 * s)], fill=ink, width=max(1, int(24 * s))
    )
    return image


def encoded(image, kind="PNG"):
    buffer = io.BytesIO()
    image.save(buffer, format=kind)
    return buffer.getvalue()


def test_sixteen_bit_grey_ink_on_light_paper_reads_like_its_eight_bit_copy():
    eight = seven(ink=90, paper=200)
    sixteen = Image.fromarray(np.asarray(eight, dtype=np.uint16) * 257)
    assert max(sixteen.getextrema()) > 255  # would clip to white on conversion to 8 bits
    pixels = image_to_input(encoded(sixteen))
    assert np.abs(pixels - image_to_input(encoded(eight))).max() < 0.02


def test_a_float_picture_is_scaled_by_its_real_range():
    grey = np.asarray(seven(ink=40, paper=160), dtype=np.float32)
    for values in (grey / 255, grey * 10.0 - 700):  # within [0, 1]; far outside it
        picture = encoded(Image.fromarray(values.astype(np.float32)), "TIFF")
        assert np.abs(image_to_input(picture) - image_to_input(encoded(seven(ink=40, paper=160)))).max() < 0.02
    nan = grey / 255
    nan[0, 0] = np.nan
    with pytest.raises(ImageError, match="not finite"):
        read_image(encoded(Image.fromarray(nan), "TIFF"))


@pytest.mark.parametrize("kind", ["PNG", "JPEG"])
def test_a_very_large_picture_is_decoded_at_reduced_size(kind):
    big = seven(size=6000)
    ink = read_image(encoded(big, kind))
    assert max(ink.shape) <= MAX_DECODED_SIDE
    small = image_to_input(encoded(seven(size=600), kind))
    assert np.abs(image_to_input(encoded(big, kind)) - small).max() < 0.25


def test_special_files_are_refused_without_reading(tmp_path):
    fifo = tmp_path / "picture.png"
    os.mkfifo(fifo)
    with pytest.raises(ImageError, match="not a regular file"):
        image_to_input(fifo)  # opening it for reading would wait forever for a writer
    with pytest.raises(ImageError, match="not a regular file"):
        image_to_input("/dev/zero")  # would never end
    with pytest.raises(ImageError, match="is a folder"):
        image_to_input(tmp_path)
    with pytest.raises(ImageError, match="no such file"):
        image_to_input(tmp_path / "absent.png")


def test_a_photo_stored_sideways_with_an_exif_orientation_reads_upright():
    upright = seven()
    sideways = upright.transpose(Image.Transpose.ROTATE_90)  # what a phone stores; the tag says turn it back
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    buffer = io.BytesIO()
    sideways.save(buffer, format="JPEG", quality=95, exif=exif)
    tagged = image_to_input(buffer.getvalue())
    plain = image_to_input(encoded(upright, "JPEG"))
    assert np.abs(tagged - plain).max() < 0.25 and np.abs(tagged - plain).mean() < 0.02
    untagged = image_to_input(encoded(sideways, "JPEG"))  # the control: sideways really differs
    assert np.abs(untagged - plain).mean() > 0.05

"""Augmentation for how people draw, and the same training from the command line and the library."""

import numpy as np
import pytest
from conftest import run_cli, write_mnist

from digitnet import Network, load_mnist
from digitnet.augment import Augmentation, add_flags, bilinear_sample, change_thickness
from digitnet.presets import PRESETS


def bar_image(width=2):
    """(1, 784) float32: a vertical bar ``width`` pixels wide, rows 6–21."""
    image = np.zeros((28, 28), np.float32)
    image[6:22, 14 - width // 2 : 14 - width // 2 + width] = 1
    return image.reshape(1, 784)


def test_uint8_images_move_by_fractions_of_a_pixel_exactly_like_floats():
    pixels = (np.random.default_rng(0).random((50, 784)) * 255).astype(np.uint8)
    augmentation = Augmentation(shift=1.5, rotation=8)
    from_uint8 = augmentation.apply(pixels, np.random.default_rng(3))
    from_floats = augmentation.apply(pixels.astype(np.float32) / np.float32(255), np.random.default_rng(3))
    assert from_uint8.dtype == np.float32
    assert np.array_equal(from_uint8, from_floats)
    assert len(np.unique(np.round(from_uint8 * 255, 3))) > 1000  # blends, not whole pixel values only


def test_bilinear_sampling_of_uint8_blends_between_pixels():
    image = np.zeros((1, 784), np.uint8)
    image[0, 10 * 28 + 10] = 255
    sampled = bilinear_sample(image, np.full((1, 28, 28), 10.25), np.full((1, 28, 28), 9.5))
    np.testing.assert_allclose(sampled, 0.75 * 0.5, rtol=1e-6)


def test_thickness_widens_and_narrows_strokes_by_the_width_asked():
    bar = bar_image(width=3)
    for width in (-1.0, 1.0, 2.0):
        changed = change_thickness(bar, np.array([width], np.float32))
        assert changed.reshape(28, 28)[14].sum() == pytest.approx(3 + width, abs=1e-5)


def centre_of_mass(square):
    rows, cols = np.mgrid[0:28, 0:28]
    return np.array([(square * rows).sum(), (square * cols).sum()]) / square.sum()


def test_a_flag_is_drawn_on_ones_only_down_to_the_left_of_the_stems_top():
    bars = np.repeat(bar_image(width=3), 4, axis=0)
    labels = np.array([1, 7, 1, 1])
    flagged = add_flags(bars, labels, 1.0, np.random.default_rng(0))
    assert np.array_equal(flagged[1], bars[1]) and not np.shares_memory(flagged, bars)
    for k in (0, 2, 3):
        square, before = flagged[k].reshape(28, 28), bars[k].reshape(28, 28)
        assert np.abs(centre_of_mass(square) - centre_of_mass(before)).max() <= 0.5 + 1e-6  # kept in place
        stem = np.flatnonzero((square > 0.5).sum(axis=0) >= 12)  # the stem: columns inked down 12 rows or more
        top = np.flatnonzero(square[:, stem].max(axis=1) > 0.5)[0]
        assert square[top + 1 : top + 8, : stem.min() - 1].sum() > 2  # ink down and to the left of the top
        assert square[top + 1 : top + 8, stem.max() + 2 :].sum() == 0  # none to the right
        inked = np.flatnonzero(square.max(axis=1) > 0.2)
        assert inked[-1] - inked[0] + 1 == 16  # the flag and the foot stay within the stem's rows
        assert (square >= 0).all() and (square <= 1).all()


def test_flags_draw_the_same_numbers_whatever_the_labels_and_need_them():
    bars = np.repeat(bar_image(), 6, axis=0)
    first, second = np.random.default_rng(5), np.random.default_rng(5)
    add_flags(bars, np.ones(6, int), 0.5, first)
    add_flags(bars, np.zeros(6, int), 0.5, second)
    assert first.random() == second.random()
    unflagged = add_flags(bars, np.zeros(6, int), 1.0, np.random.default_rng(0))
    assert np.array_equal(unflagged, bars)
    with pytest.raises(ValueError, match="labels"):
        Augmentation(flag=0.5).apply(bars, np.random.default_rng(0))
    with pytest.raises(ValueError, match="one label per image"):
        add_flags(bars, np.ones((6, 10)), 0.5, np.random.default_rng(0))
    with pytest.raises(ValueError, match="flag at most 1"):
        Augmentation(flag=1.5)
    moved = Augmentation(flag=0.5).apply(bars, np.random.default_rng(1), np.ones(6, int))
    again = Augmentation(flag=0.5).apply(bars, np.random.default_rng(1), np.ones(6, int))
    assert np.array_equal(moved, again)
    assert Augmentation().as_dict() == {"shift": 2.0, "rotation": 10.0, "elastic": 0.0, "elastic_sigma": 4.0}
    assert Augmentation(flag=0.5).as_dict()["flag"] == 0.5


def test_scale_aspect_and_shear_change_the_shape_as_asked():
    bar = bar_image(width=2)

    def height_and_slant(moves):
        moved = Augmentation(shift=0, rotation=0, **moves).apply(bar, Extremes()).reshape(28, 28)
        rows = np.nonzero(moved.sum(axis=1) > 0.5)[0]
        top, bottom = (moved[r] @ np.arange(28) / moved[r].sum() for r in (rows[0], rows[-1]))
        return len(rows), bottom - top

    plain_height, plain_slant = height_and_slant({})
    assert plain_slant == pytest.approx(0, abs=1e-6)
    assert height_and_slant({"scale": 0.25})[0] == pytest.approx(plain_height * 1.25, abs=1.5)
    assert height_and_slant({"aspect": 0.2})[0] == pytest.approx(plain_height / np.exp(0.1), abs=1.5)
    assert height_and_slant({"shear": 0.3})[1] == pytest.approx(0.3 * (plain_height - 1), abs=1.0)


class Extremes:
    """A stand-in random generator whose uniform(low, high, size) always returns ``high``."""

    def uniform(self, low, high, size):
        return np.full(size, float(high))


def test_drawing_moves_are_reproducible_and_off_by_default():
    images = np.random.default_rng(1).random((30, 784)).astype(np.float32)
    moves = Augmentation(scale=0.2, aspect=0.2, shear=0.3, thickness=1.0, elastic=2.0)
    assert np.array_equal(moves.apply(images, np.random.default_rng(5)), moves.apply(images, np.random.default_rng(5)))
    assert Augmentation().as_dict() == {"shift": 2.0, "rotation": 10.0, "elastic": 0.0, "elastic_sigma": 4.0}
    assert Augmentation.from_setting(moves.as_dict()) == moves
    with pytest.raises(ValueError, match="scale below 1"):
        Augmentation(scale=1.0)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PRESETS))
def test_the_command_line_and_the_library_train_the_same_network(tmp_path, capsys, name):
    """`digitnet train --preset NAME` (uint8 MNIST) and Network.fit (float MNIST): bit for bit."""
    data = write_mnist(tmp_path / "mnist", train=(90, 28), test=(10, 28))
    extra = ["--validation", "20"] if PRESETS[name].recipe.validation else []
    status, _, err = run_cli(
        capsys,
        "train",
        "--preset",
        name,
        "--epochs",
        "2",
        "--seed",
        "4",
        "--limit",
        "80",
        "--data",
        data,
        "--out",
        tmp_path / "cli.npz",
        "--json",
        *extra,
    )
    assert status == 0, err
    (images, labels), _ = load_mnist(data)
    net = Network(**PRESETS[name].network, seed=4)
    net.fit(images[:80], labels[:80], PRESETS[name].recipe, epochs=2, seed=4, **({"validation": 20} if extra else {}))
    assert np.array_equal(Network.load(tmp_path / "cli.npz").get_parameters(), net.get_parameters())


def box_and_centre(images):
    """(n, 784) → (n,) longer side of the ink above 0.2 in pixels, (n,) centre-of-mass rows, (n,) columns."""
    squares = images.reshape(-1, 28, 28)
    ink = squares > 0.2
    heights = np.array([np.ptp(np.nonzero(s.any(axis=1))[0]) + 1 for s in ink])
    widths = np.array([np.ptp(np.nonzero(s.any(axis=0))[0]) + 1 for s in ink])
    mass = squares.sum(axis=(1, 2))
    return (
        np.maximum(heights, widths),
        squares.sum(axis=2) @ np.arange(28) / mass,
        squares.sum(axis=1) @ np.arange(28) / mass,
    )


def test_renormalise_puts_every_moved_digit_in_mnists_box_and_centre():
    """A 16-pixel bar off centre, and bars slanted, turned, stretched: each comes out with its ink's
    longer side 20 pixels and its centre of mass within half a pixel of (14, 14) before zooming by
    20/16 (placed by whole pixels, as digitnet.images places a person's digit); without renormalise
    the same moves leave sizes and places spread."""
    bars = np.repeat(np.roll(bar_image(width=3), 3, axis=1), 40, axis=0)
    moves = {"shift": 0.0, "rotation": 15.0, "aspect": 0.3, "shear": 0.4, "thickness": 1.0, "elastic": 1.0}
    placed = Augmentation(**moves, renormalise=True).apply(bars, np.random.default_rng(2))
    box, centre_row, centre_col = box_and_centre(placed)
    assert np.all(np.abs(box - 20) <= 1)
    within = 0.5 * 20 / 16 + 0.05
    assert np.all(np.abs(centre_row - 14) <= within) and np.all(np.abs(centre_col - 14) <= within)
    loose_box, _, loose_col = box_and_centre(Augmentation(**moves).apply(bars, np.random.default_rng(2)))
    assert np.ptp(loose_box) > 3 and np.all(np.abs(loose_col - 14) > 0.5)


def test_renormalise_leaves_a_digit_already_in_place_as_it_is():
    digit = np.zeros((28, 28), np.float32)
    digit[4:24, 12:16] = 1  # 20 rows tall, centre of mass (13.5, 13.5)
    placed = Augmentation(shift=0, rotation=0, renormalise=True).apply(digit.reshape(1, 784), np.random.default_rng(0))
    assert np.array_equal(placed.reshape(28, 28), np.roll(digit, (1, 1), axis=(0, 1))) or np.array_equal(
        placed.reshape(28, 28), digit
    )


def test_renormalise_then_scale_and_shift_move_from_mnists_place():
    bars = np.repeat(bar_image(width=3), 30, axis=0)
    placed = Augmentation(shift=1.0, rotation=0, scale=0.2, renormalise=True).apply(bars, np.random.default_rng(4))
    box, centre_row, _ = box_and_centre(placed)
    assert 15 <= box.min() < 19 and 21 < box.max() <= 25  # sizes 20 · (1 ± 0.2)
    assert np.abs(centre_row - 14).max() > 0.6 and np.abs(centre_row - 14).max() <= 1.5 + 0.5


def test_renormalise_is_recorded_only_when_on_and_read_back():
    moves = Augmentation(shear=0.3, renormalise=True)
    assert moves.as_dict()["renormalise"] is True and "renormalise" not in Augmentation(shear=0.3).as_dict()
    assert Augmentation.from_setting(moves.as_dict()) == moves

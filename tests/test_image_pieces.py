"""The fast pieces of a picture's ink and its grey opening give exactly what the plain algorithms give.

``images.ink_pieces`` (runs of ink joined by a union-find) and ``images._sliding`` (minimum or
maximum over a square by doubling) are checked against the simplest correct algorithms, written
here as the independent truth: spreading the largest label to the 8 neighbours until nothing
changes, and reducing each window's values directly.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from digitnet.images import BACKGROUND_SIDE, _sliding, block_reduce, edge_bands, edge_pieces, ink_pieces


def pieces_by_spreading(mask):
    """Label every ink pixel with the largest flat index + 1 in its piece (8 neighbours), then number the
    labels in order, 0 for no ink: spread the largest label to the neighbours until nothing changes."""
    block = max(1, -(-max(mask.shape) // BACKGROUND_SIDE))
    small = block_reduce(mask, block, np.max)
    labels = np.where(small, np.arange(1, small.size + 1).reshape(small.shape), 0)
    while True:
        padded = np.pad(labels, 1)
        spread = np.max([padded[r : r + small.shape[0], c : c + small.shape[1]] for r in range(3) for c in range(3)], 0)
        spread = np.where(small, spread, 0)
        if np.array_equal(spread, labels):
            break
        labels = spread
    return np.unique(labels, return_inverse=True)[1].reshape(small.shape), block


def window_by_window(image, window, reduce):
    """``reduce`` of each window × window square centred on a pixel, edges repeated, one square at a time."""
    padded = np.pad(image, window // 2, mode="edge")
    rows, columns = image.shape
    return np.array(
        [[reduce(padded[r : r + window, c : c + window]) for c in range(columns)] for r in range(rows)], image.dtype
    )


masks = arrays(bool, st.tuples(st.integers(1, 60), st.integers(1, 60)), elements=st.booleans())


@settings(max_examples=300, deadline=None)
@given(masks)
def test_ink_pieces_are_the_pieces_found_by_spreading_labels(mask):
    (labels, block), (expected, expected_block) = ink_pieces(mask), pieces_by_spreading(mask)
    assert block == expected_block
    np.testing.assert_array_equal(labels, expected)


@pytest.mark.parametrize("shape, density", [((140, 140), 0.1), ((200, 97), 0.5), ((300, 300), 0.03), ((96, 96), 0.9)])
def test_ink_pieces_on_large_and_block_reduced_masks(shape, density):
    mask = np.random.default_rng(sum(shape)).random(shape) < density
    (labels, block), (expected, expected_block) = ink_pieces(mask), pieces_by_spreading(mask)
    assert block == expected_block
    np.testing.assert_array_equal(labels, expected)


def test_ink_pieces_of_a_long_winding_stroke_is_one_piece():
    mask = np.zeros((90, 90), bool)
    mask[::4, 1:-1] = True  # rows joined at alternate ends: one snake
    mask[np.arange(90) % 8 < 4, -2] = True
    mask[(np.arange(90) + 4) % 8 < 4, 1] = True
    labels, _ = ink_pieces(mask)
    assert labels.max() == 1  # a path of about 2,000 pixels: one piece however far its ends are apart
    np.testing.assert_array_equal(labels, pieces_by_spreading(mask)[0])


@settings(max_examples=100, deadline=None)
@given(
    arrays(np.float32, st.tuples(st.integers(1, 30), st.integers(1, 30)), elements=st.floats(0, 1, width=32)),
    st.integers(0, 12).map(lambda k: 2 * k + 1),
)
def test_sliding_minimum_and_maximum_are_each_windows_own(image, window):
    np.testing.assert_array_equal(_sliding(image, window, np.minimum), window_by_window(image, window, np.min))
    np.testing.assert_array_equal(_sliding(image, window, np.maximum), window_by_window(image, window, np.max))


def test_edge_bands_are_strips_along_an_edge_not_strokes_that_meet_it():
    mask = np.zeros((80, 60), bool)
    mask[:, 56:] = True  # a strip 4 pixels wide along the whole right edge
    mask[30:34, 20:] = True  # a stroke that runs into it
    mask[0:10, 10:13] = True  # a stroke that meets the top edge over 3 columns
    bands = edge_bands(mask)
    assert bands[:, 56:].all()
    assert not bands[:, :56].any()


def test_a_piece_joined_to_an_edge_band_comes_apart_and_its_leftovers_go_with_the_edge():
    mask = np.zeros((80, 60), bool)
    mask[:, 56:] = True  # a strip along the right edge …
    mask[30:34, 20:] = True  # … joined by the bar of a digit
    mask[20:60, 20:24] = True
    mask[40:42, 45:] = True  # a ruled line ending at the strip
    labels, block, at_edge, bands = edge_pieces(mask)
    assert block == 1 and bands[:, 56:].all()
    digit, line = labels[45, 21], labels[40, 50]
    assert digit != line and not at_edge[digit] and at_edge[line]

"""The digit check's shape features (digit_check.orientation_histograms) on images built by hand."""

import numpy as np

from digitnet.digit_check import BINS, orientation_histograms


def stroke(rows, columns):
    """A 28×28 image, ink 1 on ``rows`` × ``columns`` (slices): (784,) float32."""
    image = np.zeros((28, 28), np.float32)
    image[rows, columns] = 1
    return image.ravel()


def votes_per_bin(features):
    """(1296,) features summed over blocks and cells: (BINS,), shares of the total."""
    per_bin = features.reshape(36, BINS, 4).sum(axis=(0, 2))
    return per_bin / per_bin.sum()


def cosine(a, b):
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def test_the_edges_of_a_vertical_stroke_vote_for_level_gradients_and_of_a_level_stroke_for_upright_ones():
    vertical, level = orientation_histograms(
        np.array([stroke(slice(4, 24), slice(12, 15)), stroke(slice(12, 15), slice(4, 24))])
    )
    assert vertical.shape == (1296,) and vertical.dtype == np.float32
    assert votes_per_bin(vertical)[0] > 0.7  # gradients along x: 0° (and 180°, the same bin)
    assert votes_per_bin(level)[4] + votes_per_bin(level)[5] > 0.7  # 90° lies between bins 4 and 5
    assert cosine(vertical, level) < 0.2


def test_a_wider_stroke_votes_alike_a_fainter_one_has_the_same_features_and_a_blank_has_none():
    thin = orientation_histograms(stroke(slice(4, 24), slice(13, 15)))[0]
    wide = orientation_histograms(stroke(slice(4, 24), slice(12, 16)))[0]
    faint = orientation_histograms(0.4 * stroke(slice(4, 24), slice(13, 15)))[0]
    level = orientation_histograms(stroke(slice(13, 15), slice(4, 24)))[0]
    assert np.abs(votes_per_bin(thin) - votes_per_bin(wide)).max() < 0.1  # edges one cell apart, same ways
    assert cosine(thin, wide) > cosine(thin, level) + 0.3
    assert cosine(thin, faint) > 0.99
    assert not orientation_histograms(np.zeros(784)).any()


def test_moving_the_image_by_one_cell_moves_the_blocks_by_one():
    image = stroke(slice(8, 16), slice(8, 11)) + stroke(slice(14, 17), slice(8, 18))
    moved = np.roll(image.reshape(28, 28), 4, axis=0).ravel()  # 4 pixels = one cell down
    blocks, moved_blocks = (orientation_histograms(x).reshape(6, 6, -1) for x in (image, moved))
    assert np.allclose(moved_blocks[1:], blocks[:-1], atol=1e-6)


def test_many_images_at_once_give_what_each_gives_alone():
    images = np.random.default_rng(0).random((2100, 784)).astype(np.float32)  # more than one chunk
    together = orientation_histograms(images)
    assert together.shape == (2100, 1296)
    assert np.array_equal(together[[0, 2099]], orientation_histograms(images[[0, 2099]]))

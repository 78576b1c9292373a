"""The fast engine's vector kernels (digitnet.engines.simd) against plain NumPy, on random shapes."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digitnet.engines import fast

pytestmark = pytest.mark.skipif(
    fast.UNAVAILABLE is not None, reason=f"the fast engine is unavailable: {fast.UNAVAILABLE}"
)

if fast.UNAVAILABLE is None:
    import numba

    from digitnet.engines import simd

    @numba.njit
    def sum_rows(total, matrix, rows, scales, count, start):
        simd.sum_rows(total, matrix, rows, scales, count, start)

    @numba.njit
    def block_sums(matrix, inputs, first, totals, to, start, used):
        simd.block_sums(matrix, inputs, first, totals, to, start, used)

    @numba.njit
    def pixel_floats(images, first, values):
        simd.pixel_floats(images, first, values)

    @numba.njit
    def add_to_rows(matrix, rows, scales, vector, count):
        simd.add_to_rows(matrix, rows, scales, vector, count)

    @numba.njit
    def prefetch(array):
        simd.prefetch(array)

    @numba.njit
    def sigmoid(z):
        simd.sigmoid(z)

    @numba.njit
    def doubled_through_unowned_views(pair):
        """Double every number of a (matrix, vector) pair through unowned views of its rows."""
        matrix, vector = simd.unowned(pair)
        for i in range(matrix.shape[0]):
            row = matrix[i]
            row *= 2
        vector[:] = 2 * vector
        return simd.unowned(matrix)[-1, -1] + simd.unowned(vector)[0]

    @numba.njit
    def products_flushed(a, b, out):
        """out[i] = a[i] · b[i] with subnormals flushed; the mode it found, and the mode after."""
        saved = simd.flush_subnormals()
        for i in range(a.shape[0]):
            out[i] = a[i] * b[i]
        simd.restore_float_mode(saved)
        after = simd.flush_subnormals()
        simd.restore_float_mode(after)
        return saved, after


FLOATS = (np.float32, np.float64)


def row_problem(data, dtype):
    """A random (n, m) matrix with m a multiple of the vector width, distinct rows, scales."""
    lanes = simd.lanes(np.dtype(dtype))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    n, blocks = data.draw(st.integers(1, 40)), data.draw(st.integers(1, 4))
    count = data.draw(st.integers(0, n))
    matrix = rng.standard_normal((n, blocks * lanes)).astype(dtype)
    rows = rng.permutation(n).astype(data.draw(st.sampled_from([np.int32, np.int64])))
    scales = rng.standard_normal(n).astype(dtype)
    return matrix, rows, scales, count


@settings(max_examples=60, deadline=None)
@given(st.data(), st.sampled_from(FLOATS))
def test_sum_rows_is_the_start_plus_the_weighted_sum_of_the_chosen_rows(data, dtype):
    matrix, rows, scales, count = row_problem(data, dtype)
    total, start = np.full(matrix.shape[1], np.nan, dtype), np.linspace(-1, 1, matrix.shape[1]).astype(dtype)
    sum_rows(total, matrix, rows, scales, count, start)
    expected = start + scales[:count].astype(np.float64) @ matrix[rows[:count]].astype(np.float64)
    np.testing.assert_allclose(total, expected, rtol=0, atol=50 * np.finfo(dtype).eps * (1 + count))


@settings(max_examples=60, deadline=None)
@given(st.data(), st.sampled_from(FLOATS), st.integers(1, 70), st.integers(1, 3), st.integers(1, 12))
def test_block_sums_are_the_start_plus_the_inputs_times_the_matrix(data, dtype, count_in, vectors, examples):
    """Every input counts, 0 in all the examples (left out) or not, NaN included; rows past the
    last example repeat it; the totals' other rows (before ``to`` and after) and columns stay."""
    lanes, together = simd.lanes(np.dtype(dtype)), simd.IMAGES_TOGETHER
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    matrix = rng.standard_normal((count_in, vectors * lanes)).astype(dtype)
    width = count_in + data.draw(st.integers(0, 20))  # inputs may be wider than the matrix has rows
    inputs = rng.standard_normal((examples, width)).astype(dtype)
    inputs[rng.random(inputs.shape) < data.draw(st.sampled_from([0.0, 0.8, 1.0]))] = 0
    inputs[:, : min(simd.BLOCK, count_in)] = 0  # a block of zeros in every example
    inputs[:, -min(simd.BLOCK, width) :] = data.draw(st.sampled_from([0.0, -0.0]))
    if data.draw(st.booleans()):
        inputs[rng.integers(examples), rng.integers(count_in)] = np.nan
    first = data.draw(st.integers(0, examples - 1))
    start = rng.standard_normal(vectors * lanes).astype(dtype)
    to = data.draw(st.integers(0, 3))
    totals = np.full((to + together + 1, (vectors + 1) * lanes), -7.0, dtype)
    block_sums(matrix, inputs, first, totals, to, start, np.full(count_in, -1, np.int32))
    rows = np.minimum(np.arange(first, first + together), examples - 1)
    expected = start + inputs[rows, :count_in].astype(np.float64) @ matrix.astype(np.float64)
    np.testing.assert_allclose(
        totals[to : to + together, : matrix.shape[1]], expected, rtol=0, atol=50 * np.finfo(dtype).eps * (1 + count_in)
    )
    written = np.zeros(totals.shape, bool)
    written[to : to + together, : matrix.shape[1]] = True
    assert (totals[~written] == -7.0).all()


@pytest.mark.parametrize("dtype", FLOATS)
def test_pixel_floats_reads_every_uint8_value_exactly_as_numpy_divides_it(dtype):
    """Whole blocks of pixels only, the last image repeated past the end; nothing else written."""
    images = np.arange(3 * (256 + 16 + 5)).reshape(3, -1).astype(np.uint8)  # 17 blocks and 5 more pixels each
    blocks = images.shape[1] // simd.BLOCK * simd.BLOCK
    for first in range(3):
        values = np.full((simd.IMAGES_TOGETHER + 1, images.shape[1] + 3), -7.0, dtype)
        pixel_floats(images, first, values)
        rows = np.minimum(np.arange(first, first + simd.IMAGES_TOGETHER), 2)
        np.testing.assert_array_equal(values[: simd.IMAGES_TOGETHER, :blocks], images[rows, :blocks] / dtype(255))
        assert (values[simd.IMAGES_TOGETHER] == -7.0).all() and (values[:, blocks:] == -7.0).all()


@settings(max_examples=60, deadline=None)
@given(st.data(), st.sampled_from(FLOATS))
def test_add_to_rows_changes_the_chosen_rows_only(data, dtype):
    matrix, rows, scales, count = row_problem(data, dtype)
    vector = np.random.default_rng(count).standard_normal(matrix.shape[1]).astype(dtype)
    expected = matrix.astype(np.float64)
    expected[rows[:count]] += scales[:count, None].astype(np.float64) * vector
    add_to_rows(matrix, rows, scales, vector, count)
    np.testing.assert_allclose(matrix, expected, rtol=0, atol=10 * np.finfo(dtype).eps * (1 + np.abs(expected).max()))


@settings(max_examples=80, deadline=None)
@given(
    st.integers(0, 100),
    st.sampled_from([np.uint8, np.float32, np.float64]),
    st.sampled_from(FLOATS),
    st.floats(0, 1),
    st.integers(0, 2**32 - 1),
)
def test_nonzero_pixels_finds_every_nonzero_pixel_and_its_value_in_order(size, image_dtype, dtype, zero_share, seed):
    rng = np.random.default_rng(seed)
    image = (rng.integers(1, 256, size) * (rng.random(size) >= zero_share)).astype(image_dtype)
    if image_dtype != np.uint8:
        image = (image / 255).astype(dtype)
        image[rng.random(size) < 0.05] = -0.0  # negative zero is zero too
    pixels = np.full(size + simd.BLOCK, -1, np.int32)  # as long as the image, then guards that must stay
    values = np.full(size + simd.BLOCK, -1, dtype)
    count = fast._nonzero_pixels(image, fast._PIXEL_VALUES[np.dtype(dtype)], pixels[:size], values[:size])
    assert (pixels[size:] == -1).all() and (values[size:] == -1).all()
    np.testing.assert_array_equal(pixels[:count], np.flatnonzero(image))
    expected = image[image != 0] / dtype(255) if image_dtype == np.uint8 else image[image != 0]
    np.testing.assert_array_equal(values[:count], expected.astype(dtype))


@pytest.mark.parametrize("dtype", FLOATS)
def test_nonzero_pixels_reads_every_uint8_value_exactly_as_numpy_divides_it(dtype):
    image = np.arange(256 + 16).astype(np.uint8)  # 0 … 255, then 0 … 15 again (a partial block)
    pixels, values = np.empty(len(image), np.int32), np.empty(len(image), dtype)
    count = fast._nonzero_pixels(image, fast._PIXEL_VALUES[np.dtype(dtype)], pixels, values)
    np.testing.assert_array_equal(values[:count], image[image != 0] / dtype(255))


def test_nonzero_pixels_counts_nan_as_nonzero():
    """A NaN pixel is kept, so that it reaches the outputs (and the divergence guard)."""
    image = np.zeros(40, np.float32)
    image[[3, 17, 39]] = np.nan
    pixels, values = np.empty(40, np.int32), np.empty(40, np.float32)
    assert list(pixels[: fast._nonzero_pixels(image, fast._PIXEL_VALUES[image.dtype], pixels, values)]) == [3, 17, 39]


def test_prefetch_leaves_the_array_as_it_was():
    array = np.arange(1000, dtype=np.float32)
    prefetch(array)
    np.testing.assert_array_equal(array, np.arange(1000, dtype=np.float32))


def test_unowned_views_read_and_write_the_arrays_themselves():
    matrix, vector = np.arange(12.0).reshape(3, 4), np.arange(1.0, 4.0)
    assert doubled_through_unowned_views((matrix, vector)) == 22.0 + 2.0
    np.testing.assert_array_equal(matrix, 2 * np.arange(12.0).reshape(3, 4))
    np.testing.assert_array_equal(vector, [2.0, 4.0, 6.0])


def test_the_kernels_refuse_arrays_they_cannot_read():
    """Wrong dtypes, layouts or unsigned row indices fail when compiling, not with wrong numbers."""
    matrix = np.zeros((4, simd.lanes(np.dtype(np.float32))), np.float32)
    with pytest.raises(numba.TypingError):
        sum_rows(
            np.zeros(matrix.shape[1], np.float64),
            matrix,
            np.arange(4),
            np.ones(4, np.float32),
            4,
            np.zeros(matrix.shape[1], np.float32),
        )
    with pytest.raises(numba.TypingError):
        add_to_rows(
            np.asfortranarray(matrix), np.arange(4), np.ones(4, np.float32), np.zeros(matrix.shape[1], np.float32), 4
        )
    with pytest.raises(numba.TypingError):  # float64 inputs for a float32 matrix
        block_sums(
            matrix, np.zeros((8, 4)), 0, np.zeros((8, matrix.shape[1]), np.float32), 0, matrix[0], np.zeros(4, np.int32)
        )
    with pytest.raises(numba.TypingError):
        pixel_floats(np.zeros((2, 16), np.float32), 0, np.zeros((8, 16), np.float32))
    with pytest.raises(numba.TypingError):
        add_to_rows(
            matrix, np.arange(4, dtype=np.uint8), np.ones(4, np.float32), np.zeros(matrix.shape[1], np.float32), 4
        )


def exp_or_inf(x):
    """The C library's e^x (math.exp), inf where it overflows."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


EDGES = [
    0.0,
    1.0,
    -1.0,
    5.0,
    -5.0,
    17.0,
    -17.0,
    30.0,
    -30.0,
    80.0,
    -80.0,
    87.0,
    -87.0,
    88.0,
    -88.0,
    89.0,
    -89.0,
    1e30,
    -1e30,
    1e-30,
    -1e-30,
]


@pytest.mark.parametrize("size", [1, 10, 16, 17, 100])
def test_sigmoid_in_float32_is_within_3_units_in_the_last_place_and_touches_only_its_array(size):
    """Every float32 z from −20 to 20 in steps of 1e−4 (where the polynomial is least exact),
    random ones over the whole range, and the edges."""
    rng = np.random.default_rng(size)
    z = np.concatenate([np.arange(-20, 20, 1e-4), rng.uniform(-90, 90, 20_000), EDGES]).astype(np.float32)
    z = z[: len(z) - len(z) % size] if size > 1 else z[:5000]
    with np.errstate(over="ignore"):
        exact = 1 / (1 + np.exp(-z.astype(np.float64)))
    padded = np.full((len(z) // size, size + 1), 7.0, np.float32)  # one guard number after each piece
    padded[:, :size] = z.reshape(-1, size)
    for row in padded:
        sigmoid(row[:size])
    assert (padded[:, size] == 7.0).all()
    result = padded[:, :size].ravel()
    tiny = exact[: len(result)] < 1e-37  # below float32's normal range σ is 0 or a few 1e−39
    expected = exact[: len(result)][~tiny]
    assert np.all(np.abs(result[~tiny] - expected) <= 3 * np.spacing(expected.astype(np.float32)))
    assert np.all(result[tiny] < 1e-37)


def test_sigmoid_in_float64_is_what_the_c_library_gives_and_keeps_nan_and_infinities():
    z = np.array(EDGES + [np.inf, -np.inf, np.nan, 700.0, -700.0, 746.0, -746.0])
    expected = [1 / (1 + exp_or_inf(-value)) for value in z]
    result = z.copy()
    sigmoid(result)
    np.testing.assert_array_equal(result, expected)
    single = z.astype(np.float32)[-7:-4]  # inf, −inf, NaN
    sigmoid(single)
    np.testing.assert_array_equal(single, [1.0, 0.0, np.nan])


@pytest.mark.parametrize("dtype, x, y, tiny", [(np.float32, 1e-30, 1e-10, 1e-40), (np.float64, 1e-200, 1e-120, 1e-310)])
def test_flush_subnormals_makes_subnormal_results_zero_until_the_mode_is_restored(dtype, x, y, tiny):
    a = np.array([x, 2.0, tiny, 3.0], dtype)  # x · y is subnormal, and so is tiny (read as 0)
    b = np.array([y, 3.0, 1.0, 0.5], dtype)
    out = np.full(4, np.nan, dtype)
    saved, after = products_flushed(a, b, out)
    assert after == saved  # the thread's mode is back as it was
    if not simd.FLUSHES_SUBNORMALS:
        np.testing.assert_array_equal(out, a * b)
        return
    np.testing.assert_array_equal(out, [0.0, 6.0, 0.0, 1.5])
    assert saved & (simd.FLUSH_TO_ZERO | simd.DENORMALS_ARE_ZERO) == 0  # Python threads run without it
    assert (a * b)[0] > 0 and (a * b)[2] == tiny  # NumPy here, outside the kernel, still keeps them

"""Vector kernels for the fast engine, written as LLVM vector code.

The fast engine holds each layer's weights as rows: Wᵀ (n_{l−1}, n_l) has one row per unit of
the layer below (for W1ᵀ, one per pixel), a contiguous run of n_l numbers (64 bytes for 16
float32 units).  Then, for a layer's input a:

    nonzero_pixels:   p_1 … p_count, the pixels with x_p ≠ 0 (about a fifth of them), and x_p
    block_sums:       z = b + Σ_k a_k · Wᵀ[k] for 4 examples at once, over the inputs not 0 in all
                                                       (every layer when feeding many forward)
    pixel_floats:     4 images' uint8 pixels as numbers in [0, 1], for block_sums
    sum_rows:         z = b + Σ_q a_{k_q} · Wᵀ[k_q]       W a + b; for the first layer over the
                                                       nonzero pixels only; also δ below = Σ_j δ_j W[j]
    add_to_rows:      M[k_q] += s_q · v  for each q      a step −lr δ xᵀ on the rows that change,
                                                       or a term of the gradient Σ_x δ aᵀ
    sigmoid:          σ(z) a vector at a time
    prefetch:         an array brought into the cache ahead of use
    flush_subnormals: numbers below float's normal range read and computed as 0 in this thread,
                      until ``restore_float_mode``
    unowned:          arrays as views that keep no count of their users (no atomic operations)

Each row is one SIMD vector (or a few), and in ``sum_rows`` the running sum stays in
registers for the whole sum.  Numba's compiler does not find this on its own: it cannot
prove that the sum does not overlap the rows, so it keeps the sum in memory, and each row
then waits for the previous row's store.  ``nonzero_pixels`` compares 16 pixels at once and
packs the indices of the nonzero ones together (``llvm.experimental.vector.compress``), with
no branch per pixel.  The loops are written with LLVM's portable vector types
(``<16 x float>``), which the compiler maps to whatever the CPU has (one AVX-512 register, two
AVX2 ones, four NEON ones); no instruction is specific to one CPU family.

``sum_rows``, ``add_to_rows`` and ``block_sums`` need matrices with a number of columns that is a multiple of
``lanes(dtype)`` (the fast engine pads them with zero columns), vectors at least that long, and
C-contiguous arrays; the compiled code does not check the lengths.

Changing this file safely:

* Each function here is an ``@intrinsic``: ``codegen`` writes LLVM IR with llvmlite's builder
  into the calling kernel.  Nothing checks bounds or types at run time; the typing function at
  the top of each refuses (returns None for) argument types it was not written for, so a wrong
  call fails to compile instead of reading past an array.
* Run ``tests/test_simd.py`` (each function against NumPy, on random shapes, both float types)
  and ``tests/test_engines.py`` (the engine against the reference) after any change, on a
  machine with AVX-512 and, if you can, one without (``NUMBA_CPU_NAME=haswell`` makes the
  compiler target AVX2 only).
* Numba's compile cache does not notice a change here: it checks only the file of the
  compiled function (``fast.py``).  Clear it (``find . -name '*.nbi' -delete`` and ``*.nbc``,
  or point NUMBA_CACHE_DIR at an empty folder) before timing or testing a change.
* The LLVM intrinsics used (``llvm.experimental.vector.compress``, ``llvm.fma``,
  ``llvm.masked.load``/``store``, ``llvm.prefetch``, and on x86-64
  ``llvm.x86.sse.stmxcsr``/``ldmxcsr``) are named for the
  LLVM that Numba's llvmlite bundles; pyproject pins the Numba range the tests passed on.
* Time a change with ``benchmarks/train_speed.py`` against the previous version in the same
  run (the machine's load moves absolute times by more than most changes gain).
"""

import platform

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

VECTOR_BYTES = 64  # one AVX-512 register; the compiler splits it where registers are narrower
BLOCK = 16  # pixels compared at once by ``nonzero_pixels``
CACHE_LINE = 64  # bytes the CPU loads from memory at a time
FLUSHES_SUBNORMALS = platform.machine().lower() in ("x86_64", "amd64")  # where ``flush_subnormals`` works
FLUSH_TO_ZERO, DENORMALS_ARE_ZERO = 1 << 15, 1 << 6  # the two bits of x86's MXCSR it sets


def lanes(dtype):
    """How many numbers of ``dtype`` (NumPy's or Numba's) fill one vector: 16 float32, 8 float64."""
    return VECTOR_BYTES // (dtype.itemsize if isinstance(dtype, np.dtype) else dtype.bitwidth // 8)


def _float_matrix(matrix):
    return (
        isinstance(matrix, types.Array)
        and matrix.ndim == 2
        and matrix.layout == "C"
        and matrix.dtype in (types.float32, types.float64)
    )


def _same_floats(array, matrix):
    return isinstance(array, types.Array) and array.ndim == 1 and array.layout == "C" and array.dtype == matrix.dtype


def _row_indices(rows):  # signed: an index is sign-extended to 64 bits
    return (
        isinstance(rows, types.Array)
        and rows.ndim == 1
        and rows.layout == "C"
        and isinstance(rows.dtype, types.Integer)
        and rows.dtype.signed
    )


def _splat(builder, vector, number):
    """A value of type ``vector`` with ``number`` in every lane."""
    one = builder.insert_element(ir.Constant(vector, ir.Undefined), number, ir.Constant(ir.IntType(32), 0))
    return builder.shuffle_vector(
        one, ir.Constant(vector, ir.Undefined), ir.Constant(ir.VectorType(ir.IntType(32), vector.count), None)
    )


def _divided_by_255(builder, raw, values_type):
    """k / 255 for a vector of uint8 k, rounded once to ``values_type``'s floats, like NumPy's division.

    Not a division: the compiled code may turn x / 255 into x · (1/255), which is off by one
    unit in the last place for some k.  Instead q = k · (1/255), then one step of correction
    with the exact remainder k − 255 q (fused multiply-adds), in the values' own float type;
    the tests check all 256 values in both float types.
    """
    fma = cgutils.get_or_insert_function(
        builder.module, ir.FunctionType(values_type, [values_type] * 3), f"llvm.fma.v{BLOCK}{_type_name(values_type)}"
    )
    k = builder.uitofp(raw, values_type)
    reciprocal = ir.Constant(values_type, [1 / 255] * BLOCK)
    quotient = builder.fmul(k, reciprocal)
    remainder = builder.call(fma, [builder.fneg(quotient), ir.Constant(values_type, [255.0] * BLOCK), k])
    return builder.call(fma, [remainder, reciprocal, quotient])


def _type_name(vector):
    """LLVM's name for a vector's element type in intrinsic names: i32, f32, f64."""
    element = vector.element
    return f"i{element.width}" if isinstance(element, ir.IntType) else "f64" if element == ir.DoubleType() else "f32"


def _store_kept(builder, vector, keep, pointer):
    """Store the lanes of ``vector`` where ``keep`` (a vector of i1) is true, packed together, at
    ``pointer`` (to the first element); store a whole vector there, of which only the first few
    are kept; return how many (i64).

    In pieces of at most ``VECTOR_BYTES`` (LLVM 22 crashes packing 16 float64 in one go).
    """
    int32, int64 = ir.IntType(32), ir.IntType(64)
    bits = 64 if vector.type.element == ir.DoubleType() else 32
    piece = min(vector.type.count, VECTOR_BYTES * 8 // bits)
    kept = ir.Constant(int64, 0)
    for first in range(0, vector.type.count, piece):
        lanes_of_piece = ir.Constant(ir.VectorType(int32, piece), list(range(first, first + piece)))
        part = builder.shuffle_vector(vector, ir.Constant(vector.type, ir.Undefined), lanes_of_piece)
        part_keep = builder.shuffle_vector(keep, ir.Constant(keep.type, ir.Undefined), lanes_of_piece)
        pack = cgutils.get_or_insert_function(
            builder.module,
            ir.FunctionType(part.type, [part.type, part_keep.type, part.type]),
            f"llvm.experimental.vector.compress.v{piece}{_type_name(part.type)}",
        )
        count_bits = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.IntType(piece), [ir.IntType(piece)]), f"llvm.ctpop.i{piece}"
        )
        packed = builder.call(pack, [part, part_keep, ir.Constant(part.type, ir.Undefined)])
        builder.store(packed, builder.bitcast(builder.gep(pointer, [kept]), part.type.as_pointer()), align=1)
        kept_here = builder.call(count_bits, [builder.bitcast(part_keep, ir.IntType(piece))])
        kept = builder.add(kept, builder.zext(kept_here, int64))
    return kept


class _Arrays:
    """Element pointers into Numba arrays, and vector loads and stores at them."""

    def __init__(self, context, builder, signature, args):
        self.builder = builder
        self.arrays = [
            context.make_array(kind)(context, builder, value) if isinstance(kind, types.Array) else value
            for kind, value in zip(signature.args, args)
        ]
        matrix_type = next(kind for kind in signature.args if isinstance(kind, types.Array) and kind.ndim == 2)
        self.element = context.get_value_type(matrix_type.dtype)
        self.vector = ir.VectorType(self.element, lanes(matrix_type.dtype))
        self.fma = cgutils.get_or_insert_function(
            builder.module,
            ir.FunctionType(self.vector, [self.vector] * 3),
            f"llvm.fma.v{self.vector.count}{_type_name(self.vector)}",
        )

    def pointer(self, array, index):
        return self.builder.gep(self.arrays[array].data, [index])

    def load(self, array, index):
        return self.builder.load(self.pointer(array, index))

    def load_vector(self, array, index):
        return self.builder.load(self.builder.bitcast(self.pointer(array, index), self.vector.as_pointer()), align=1)

    def store_vector(self, value, array, index):
        self.builder.store(value, self.builder.bitcast(self.pointer(array, index), self.vector.as_pointer()), align=1)

    def splat(self, number):
        return _splat(self.builder, self.vector, number)

    def multiply_add(self, a, b, c):
        return self.builder.call(self.fma, [a, b, c])

    def columns(self, matrix):
        """The column blocks of a matrix argument: a loop over 0, lanes, 2·lanes, … < columns."""
        width = self.builder.extract_value(self.arrays[matrix].shape, 1)
        step = ir.Constant(width.type, self.vector.count)
        return cgutils.for_range_slice(self.builder, ir.Constant(width.type, 0), width, step)

    def row_start(self, matrix, row, column):
        """Flat index of matrix[row, column] (C order) for the vector loads."""
        width = self.builder.extract_value(self.arrays[matrix].shape, 1)
        return self.builder.add(self.builder.mul(self.builder.sext(row, width.type), width), column)


@intrinsic
def sum_rows(typingctx, total, matrix, rows, scales, count, start):
    """total[:] = start + Σ_{q < count} scales[q] · matrix[rows[q], :].

    matrix (n, m) float, C-contiguous, m a multiple of ``lanes``; total and start (m,) of the
    same dtype; rows (≥ count,) integer row indices in range; scales (≥ count,) of matrix's
    dtype.  Two running sums (even and odd q) so that one row does not wait for the one before.
    """
    if not (
        _float_matrix(matrix)
        and _same_floats(total, matrix)
        and _same_floats(scales, matrix)
        and _same_floats(start, matrix)
        and _row_indices(rows)
        and isinstance(count, types.Integer)
    ):
        return None

    def codegen(context, builder, signature, args):
        arrays = _Arrays(context, builder, signature, args)
        count = builder.sext(args[4], ir.IntType(64))
        pairs = builder.ashr(count, ir.Constant(count.type, 1))
        with arrays.columns(1) as (column, _):
            sums = [
                cgutils.alloca_once_value(builder, arrays.load_vector(5, column)),
                cgutils.alloca_once_value(builder, ir.Constant(arrays.vector, None)),
            ]

            def add_row(q, running):
                row = arrays.load_vector(1, arrays.row_start(1, arrays.load(2, q), column))
                builder.store(arrays.multiply_add(arrays.splat(arrays.load(3, q)), row, builder.load(running)), running)

            with cgutils.for_range(builder, pairs) as loop:
                even = builder.shl(loop.index, ir.Constant(count.type, 1))
                add_row(even, sums[0])
                add_row(builder.add(even, ir.Constant(count.type, 1)), sums[1])
            with builder.if_then(builder.trunc(count, ir.IntType(1))):  # an odd count: the last row
                add_row(builder.sub(count, ir.Constant(count.type, 1)), sums[0])
            arrays.store_vector(builder.fadd(builder.load(sums[0]), builder.load(sums[1])), 0, column)
        return context.get_dummy_value()

    return types.void(total, matrix, rows, scales, count, start), codegen


@intrinsic
def add_to_rows(typingctx, matrix, rows, scales, vector, count):
    """matrix[rows[q], :] += scales[q] · vector for each q < count (rows distinct).

    matrix (n, m) float, C-contiguous, m a multiple of ``lanes``; vector (m,) of the same
    dtype; rows (≥ count,) integer row indices in range; scales (≥ count,) of matrix's dtype.
    """
    if not (
        _float_matrix(matrix)
        and _same_floats(vector, matrix)
        and _same_floats(scales, matrix)
        and _row_indices(rows)
        and isinstance(count, types.Integer)
    ):
        return None

    def codegen(context, builder, signature, args):
        arrays = _Arrays(context, builder, signature, args)
        count = builder.sext(args[4], ir.IntType(64))
        with arrays.columns(0) as (column, _):
            step = arrays.load_vector(3, column)
            with cgutils.for_range(builder, count) as loop:
                start = arrays.row_start(0, arrays.load(1, loop.index), column)
                row = arrays.load_vector(0, start)
                arrays.store_vector(arrays.multiply_add(arrays.splat(arrays.load(2, loop.index)), step, row), 0, start)
        return context.get_dummy_value()

    return types.void(matrix, rows, scales, vector, count), codegen


IMAGES_TOGETHER = 4  # images whose layer sums ``block_sums`` works out together, in registers


@intrinsic
def block_sums(typingctx, matrix, inputs, first, totals, to, start, used):
    """totals[to + i, j] = start[j] + Σ_k inputs[r_i, k] · matrix[k, j] for each i <
    ``IMAGES_TOGETHER`` and j < m, with r_i = min(first + i, n − 1).

    A layer of ``IMAGES_TOGETHER`` examples at once (rows past the last one repeat it).  First the
    inputs k that are not 0 in every one of them are listed in ``used`` (``BLOCK`` at a time,
    packed as ``nonzero_pixels`` packs them: for MNIST images, 4 together leave out three fifths
    of the pixels); then, for each vector of columns, their sums stay in registers while the row
    of the matrix for each listed k (the weights out of one unit below, or one pixel) is loaded
    once for all of them, and each example's input is one multiply-add, its number broadcast from
    memory.  matrix (K, m) float, C-contiguous, m a multiple of ``lanes``; inputs (n, ≥ K) and
    totals (≥ to + IMAGES_TOGETHER, ≥ m) C-contiguous, of matrix's dtype; start (m,) too; used
    (≥ K,) int32 scratch.
    """
    if not (
        _float_matrix(matrix)
        and _float_matrix(inputs)
        and inputs.dtype == matrix.dtype
        and _float_matrix(totals)
        and totals.dtype == matrix.dtype
        and _same_floats(start, matrix)
        and isinstance(first, types.Integer)
        and isinstance(to, types.Integer)
        and isinstance(used, types.Array)
        and used.ndim == 1
        and used.layout == "C"
        and used.dtype == types.int32
    ):
        return None

    def codegen(context, builder, signature, args):
        arrays = _Arrays(context, builder, signature, args)
        int32, int64 = ir.IntType(32), ir.IntType(64)

        def constant(number):
            return ir.Constant(int64, number)

        count_in = builder.extract_value(arrays.arrays[0].shape, 0)
        examples, in_width = (builder.extract_value(arrays.arrays[1].shape, axis) for axis in (0, 1))
        out_width = builder.extract_value(arrays.arrays[3].shape, 1)
        first, to = builder.sext(args[2], int64), builder.sext(args[4], int64)
        last_row = builder.sub(examples, constant(1))
        starts, out_starts = [], []
        for i in range(IMAGES_TOGETHER):
            row = builder.add(first, constant(i))
            row = builder.select(builder.icmp_signed("<", row, last_row), row, last_row)
            starts.append(builder.mul(row, in_width))
            out_starts.append(builder.mul(builder.add(to, constant(i)), out_width))

        # 1. the inputs used: not 0 in at least one example
        block_type = ir.VectorType(arrays.element, BLOCK)
        bits_type = ir.VectorType(ir.IntType(context.get_abi_sizeof(arrays.element) * 8), BLOCK)
        indices_type = ir.VectorType(int32, BLOCK)
        blocks = builder.udiv(count_in, constant(BLOCK))
        count = cgutils.alloca_once_value(builder, constant(0))
        with cgutils.for_range(builder, blocks) as loop:
            block_start = builder.mul(loop.index, constant(BLOCK))
            either = None
            for start_i in starts:
                pointer = builder.bitcast(arrays.pointer(1, builder.add(start_i, block_start)), block_type.as_pointer())
                bits = builder.bitcast(builder.load(pointer, align=1), bits_type)
                either = bits if either is None else builder.or_(either, bits)
            nonzero = builder.icmp_unsigned("!=", either, ir.Constant(bits_type, None))
            indices = builder.add(
                _splat(builder, indices_type, builder.trunc(block_start, int32)),
                ir.Constant(indices_type, list(range(BLOCK))),
            )
            stored = builder.load(count)
            kept = _store_kept(builder, indices, nonzero, arrays.pointer(6, stored))
            builder.store(builder.add(stored, kept), count)
        with cgutils.for_range_slice(builder, builder.mul(blocks, constant(BLOCK)), count_in, constant(1)) as (k, _):
            stored = builder.load(count)  # the last few, used or not
            builder.store(builder.trunc(k, int32), arrays.pointer(6, stored))
            builder.store(builder.add(stored, constant(1)), count)
        used_count = builder.load(count)
        pairs = builder.ashr(used_count, constant(1))

        # 2. the sums, two running sums per example (even and odd listed inputs) so that the
        # multiply-adds of one example do not wait for each other
        with arrays.columns(0) as (column, _):
            sums = [
                [
                    cgutils.alloca_once_value(builder, arrays.load_vector(5, column)),
                    cgutils.alloca_once_value(builder, ir.Constant(arrays.vector, None)),
                ]
                for _ in range(IMAGES_TOGETHER)
            ]

            def add_row(q, half):
                k = builder.sext(arrays.load(6, q), int64)
                row = arrays.load_vector(0, arrays.row_start(0, k, column))
                for start_i, running in zip(starts, sums):
                    x = arrays.splat(arrays.load(1, builder.add(start_i, k)))
                    builder.store(arrays.multiply_add(x, row, builder.load(running[half])), running[half])

            with cgutils.for_range(builder, pairs) as loop:
                even = builder.shl(loop.index, constant(1))
                add_row(even, 0)
                add_row(builder.add(even, constant(1)), 1)
            with builder.if_then(builder.trunc(used_count, ir.IntType(1))):  # an odd count: the last one
                add_row(builder.sub(used_count, constant(1)), 0)
            for out_start, running in zip(out_starts, sums):
                total = builder.fadd(builder.load(running[0]), builder.load(running[1]))
                arrays.store_vector(total, 3, builder.add(out_start, column))
        return context.get_dummy_value()

    return types.void(matrix, inputs, first, totals, to, start, used), codegen


@intrinsic
def pixel_floats(typingctx, images, first, values):
    """values[i, p] = images[r_i, p] / 255 for each i < ``IMAGES_TOGETHER`` and every whole block
    of ``BLOCK`` pixels p, r_i = min(first + i, n − 1): uint8 pixel values as numbers in [0, 1],
    rounded once to the values' float type, as ``k / dtype(255)`` in NumPy (the caller converts
    the last few pixels).  images (n, n_in) uint8 and values (≥ IMAGES_TOGETHER, ≥ n_in) float,
    both C-contiguous."""
    if not (
        isinstance(images, types.Array)
        and images.ndim == 2
        and images.layout == "C"
        and images.dtype == types.uint8
        and _float_matrix(values)
        and isinstance(first, types.Integer)
    ):
        return None

    def codegen(context, builder, signature, args):
        image_array, values_array = (
            context.make_array(signature.args[position])(context, builder, args[position]) for position in (0, 2)
        )
        int64 = ir.IntType(64)
        raw_type = ir.VectorType(ir.IntType(8), BLOCK)
        values_type = ir.VectorType(context.get_value_type(signature.args[2].dtype), BLOCK)
        examples, n_in = (builder.extract_value(image_array.shape, axis) for axis in (0, 1))
        width = builder.extract_value(values_array.shape, 1)
        last_row = builder.sub(examples, ir.Constant(int64, 1))
        first = builder.sext(args[1], int64)
        blocks = builder.udiv(n_in, ir.Constant(int64, BLOCK))
        for i in range(IMAGES_TOGETHER):
            row = builder.add(first, ir.Constant(int64, i))
            row = builder.select(builder.icmp_signed("<", row, last_row), row, last_row)
            source, target = builder.mul(row, n_in), builder.mul(ir.Constant(int64, i), width)
            with cgutils.for_range(builder, blocks) as loop:
                pixel = builder.mul(loop.index, ir.Constant(int64, BLOCK))
                raw_pointer = builder.gep(image_array.data, [builder.add(source, pixel)])
                raw = builder.load(builder.bitcast(raw_pointer, raw_type.as_pointer()), align=1)
                value_pointer = builder.gep(values_array.data, [builder.add(target, pixel)])
                value = _divided_by_255(builder, raw, values_type)
                builder.store(value, builder.bitcast(value_pointer, values_type.as_pointer()), align=1)
        return context.get_dummy_value()

    return types.void(images, first, values), codegen


@intrinsic
def nonzero_pixels(typingctx, image, pixels, values):
    """Write the indices p of ``image[p] != 0`` to ``pixels`` and the pixels' values to ``values``,
    in order; return how many there are.

    Only the whole blocks of ``BLOCK`` pixels are looked at (the caller checks the rest).
    image (n,) contiguous, uint8 (a value k is read as k / 255, rounded once to the values'
    float type, as ``k / dtype(255)`` in NumPy) or of the values' float type; pixels (≥ n,)
    int32 and values (≥ n,) float32 or float64.  Each block stores whole vectors of ``BLOCK``,
    of which only the first few are kept, at the count so far, which is at most the block's
    first pixel: so no store reaches past the last whole block.
    """
    if not (
        isinstance(values, types.Array)
        and values.ndim == 1
        and values.layout == "C"
        and values.dtype in (types.float32, types.float64)
        and isinstance(image, types.Array)
        and image.ndim == 1
        and image.layout == "C"
        and image.dtype in (types.uint8, values.dtype)
        and isinstance(pixels, types.Array)
        and pixels.ndim == 1
        and pixels.layout == "C"
        and pixels.dtype == types.int32
    ):
        return None

    def codegen(context, builder, signature, args):
        image_array, pixels_array, values_array = (
            context.make_array(kind)(context, builder, value) for kind, value in zip(signature.args, args)
        )
        int32, int64 = ir.IntType(32), ir.IntType(64)
        raw_type = ir.VectorType(context.get_value_type(signature.args[0].dtype), BLOCK)
        values_type = ir.VectorType(context.get_value_type(signature.args[2].dtype), BLOCK)
        indices_type = ir.VectorType(int32, BLOCK)

        blocks = builder.udiv(builder.extract_value(image_array.shape, 0), ir.Constant(int64, BLOCK))
        count = cgutils.alloca_once_value(builder, ir.Constant(int64, 0))
        with cgutils.for_range(builder, blocks) as loop:
            first = builder.mul(loop.index, ir.Constant(int64, BLOCK))
            raw = builder.load(builder.bitcast(builder.gep(image_array.data, [first]), raw_type.as_pointer()), align=1)
            pixel_bytes = isinstance(raw_type.element, ir.IntType)
            nonzero = (
                builder.icmp_unsigned("!=", raw, ir.Constant(raw_type, None))
                if pixel_bytes
                else builder.fcmp_unordered("!=", raw, ir.Constant(raw_type, None))
            )
            any_nonzero = builder.icmp_unsigned(
                "!=", builder.bitcast(nonzero, ir.IntType(BLOCK)), ir.Constant(ir.IntType(BLOCK), 0)
            )
            with builder.if_then(any_nonzero):  # about 40% of an MNIST image's blocks are all zeros
                indices = builder.add(
                    _splat(builder, indices_type, builder.trunc(first, int32)),
                    ir.Constant(indices_type, list(range(BLOCK))),
                )
                block_values = _divided_by_255(builder, raw, values_type) if pixel_bytes else raw
                stored = builder.load(count)
                kept = _store_kept(builder, indices, nonzero, builder.gep(pixels_array.data, [stored]))
                _store_kept(builder, block_values, nonzero, builder.gep(values_array.data, [stored]))
                builder.store(builder.add(stored, kept), count)
        return builder.load(count)

    return types.int64(image, pixels, values), codegen


@intrinsic
def prefetch(typingctx, array):
    """Ask the CPU to start loading a contiguous 1-D ``array`` into its caches (no effect on results).

    For the next images while the current ones are worked on.
    """
    if not (isinstance(array, types.Array) and array.ndim == 1 and array.layout == "C"):
        return None

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0])
        int8_pointer, int32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        hint = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [int8_pointer, int32, int32, int32]), "llvm.prefetch.p0"
        )
        start = builder.bitcast(data.data, int8_pointer)
        size = builder.mul(
            builder.extract_value(data.shape, 0),
            ir.Constant(ir.IntType(64), context.get_abi_sizeof(context.get_value_type(signature.args[0].dtype))),
        )
        lines = cgutils.for_range_slice(builder, ir.Constant(size.type, 0), size, ir.Constant(size.type, CACHE_LINE))
        with lines as (offset, _):
            # read (0); locality 2, into the second-level cache: the first is too small for the next
            # images and the weights together; data (1)
            builder.call(
                hint,
                [builder.gep(start, [offset]), ir.Constant(int32, 0), ir.Constant(int32, 2), ir.Constant(int32, 1)],
            )
        return context.get_dummy_value()

    return types.void(array), codegen


# e^x for float32 as in Cephes' expf: x = k ln 2 + r with |r| ≤ ½ ln 2, e^r by a polynomial,
# 2^k put straight into the exponent bits.
_LOG2_E = 1.4426950408889634
_LN2_HIGH, _LN2_LOW = 0.693359375, -2.12194440e-4  # ln 2 in two parts, so that k · _LN2_HIGH is exact
_EXP_POLYNOMIAL = (1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1)
_EXP_RANGE = (-87.0, 89.0)  # e^−87 is still a normal float32; from x = 88.4 on, 2^k is inf and σ = 0


@intrinsic
def sigmoid(typingctx, z):
    """z[:] = σ(z) = 1 / (1 + e^−z) in place, a vector of lanes at a time; z (n,) contiguous float.

    float64 takes e^−z from the C library, like ``math.exp``; float32 computes it with a short
    polynomial (Cephes' expf), which the compiler can do for a whole vector at once where the
    library call would go one number at a time: σ within 3 units in the last place (the test
    checks every z from −20 to 20 in steps of 1e−4, where the polynomial is at its worst).  NaN
    stays NaN; σ(z) is 0 from z = −88.4 down (the true value is below 1e−38).
    """
    if not (
        isinstance(z, types.Array) and z.ndim == 1 and z.layout == "C" and z.dtype in (types.float32, types.float64)
    ):
        return None

    def codegen(context, builder, signature, args):
        array = context.make_array(signature.args[0])(context, builder, args[0])
        element = context.get_value_type(signature.args[0].dtype)
        count = lanes(signature.args[0].dtype)
        vector, int32 = ir.VectorType(element, count), ir.IntType(32)
        flags_vector, int64 = ir.VectorType(ir.IntType(1), count), ir.IntType(64)
        pointer_type = vector.as_pointer()

        def intrinsic_function(name, result, *arguments):
            return cgutils.get_or_insert_function(builder.module, ir.FunctionType(result, list(arguments)), name)

        def constant(number):
            return ir.Constant(vector, [number] * count)

        def exp(x):
            if element == ir.DoubleType():
                return builder.call(intrinsic_function(f"llvm.exp.v{count}f64", vector, vector), [x])
            fma = intrinsic_function(f"llvm.fma.v{count}f32", vector, vector, vector, vector)
            low, high = _EXP_RANGE  # a select keeps NaN, which fails both comparisons
            x = builder.select(builder.fcmp_ordered(">", x, constant(high)), constant(high), x)
            x = builder.select(builder.fcmp_ordered("<", x, constant(low)), constant(low), x)
            floor = intrinsic_function(f"llvm.floor.v{count}f32", vector, vector)
            k = builder.call(floor, [builder.call(fma, [x, constant(_LOG2_E), constant(0.5)])])
            r = builder.call(fma, [k, constant(-_LN2_HIGH), x])
            r = builder.call(fma, [k, constant(-_LN2_LOW), r])
            polynomial = constant(_EXP_POLYNOMIAL[0])
            for coefficient in _EXP_POLYNOMIAL[1:]:
                polynomial = builder.call(fma, [polynomial, r, constant(coefficient)])
            e_r = builder.fadd(builder.call(fma, [polynomial, builder.fmul(r, r), r]), constant(1.0))
            # 2^k: k + 127 in the exponent bits.  k is in [−126, 129] (x is clamped above), but NaN for
            # a NaN z: made 0 first, since converting NaN is undefined (e_r carries the NaN on).  Not
            # ``llvm.fptosi.sat``, which x86's compiler does one number at a time.
            k = builder.select(builder.fcmp_ordered("ord", k, k), k, constant(0.0))
            integers = ir.VectorType(int32, count)
            exponent = builder.add(builder.fptosi(k, integers), ir.Constant(integers, [127] * count))
            two_to_k = builder.bitcast(builder.shl(exponent, ir.Constant(integers, [23] * count)), vector)
            return builder.fmul(e_r, two_to_k)

        length = builder.extract_value(array.shape, 0)
        load = intrinsic_function(
            f"llvm.masked.load.v{count}{_type_name(vector)}.p0", vector, pointer_type, int32, flags_vector, vector
        )
        store = intrinsic_function(
            f"llvm.masked.store.v{count}{_type_name(vector)}.p0",
            ir.VoidType(),
            vector,
            pointer_type,
            int32,
            flags_vector,
        )
        alignment = ir.Constant(int32, context.get_abi_sizeof(element))

        def sigma(z_values):
            return builder.fdiv(constant(1.0), builder.fadd(constant(1.0), exp(builder.fneg(z_values))))

        # whole vectors by plain loads and stores (a masked load of what was just stored, or a load
        # of what a masked store just wrote, waits for the store to reach the cache), then the rest
        whole = builder.mul(builder.udiv(length, ir.Constant(int64, count)), ir.Constant(int64, count))
        with cgutils.for_range_slice(builder, ir.Constant(int64, 0), whole, ir.Constant(int64, count)) as (first, _):
            pointer = builder.bitcast(builder.gep(array.data, [first]), pointer_type)
            builder.store(sigma(builder.load(pointer, align=1)), pointer, align=1)
        with builder.if_then(builder.icmp_signed("<", whole, length)):
            position = builder.add(
                _splat(builder, ir.VectorType(int64, count), whole),
                ir.Constant(ir.VectorType(int64, count), list(range(count))),
            )
            inside = builder.icmp_signed("<", position, _splat(builder, ir.VectorType(int64, count), length))
            pointer = builder.bitcast(builder.gep(array.data, [whole]), pointer_type)
            z_values = builder.call(load, [pointer, alignment, inside, constant(0.0)])
            builder.call(store, [sigma(z_values), pointer, alignment, inside])
        return context.get_dummy_value()

    return types.void(z), codegen


def _float_control(builder, new=None):
    """The thread's x86 float control word (MXCSR, i32); with ``new``, set it to that afterwards."""
    int8_pointer = ir.IntType(8).as_pointer()
    word = cgutils.alloca_once(builder, ir.IntType(32))
    read, write = (
        cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), [int8_pointer]), name)
        for name in ("llvm.x86.sse.stmxcsr", "llvm.x86.sse.ldmxcsr")
    )
    builder.call(read, [builder.bitcast(word, int8_pointer)])
    old = builder.load(word)
    if new is not None:
        builder.store(new(old), word)
        builder.call(write, [builder.bitcast(word, int8_pointer)])
    return old


@intrinsic
def flush_subnormals(typingctx):
    """From now on in this thread, numbers below the normal range of floats (|x| < 1.2e−38 in
    float32) read as 0 and results that small become 0; return the previous mode for
    ``restore_float_mode``.  Intel CPUs handle each operation on such
    "subnormal" numbers in slow microcode, and training makes many (a saturated sigmoid's 1e−38 times a small δ);
    flushing them changes results by less than 1e−38.  x86-64 only (elsewhere nothing changes
    and it returns 0)."""

    def codegen(context, builder, signature, args):
        if not FLUSHES_SUBNORMALS:
            return ir.Constant(ir.IntType(64), 0)
        bits = ir.Constant(ir.IntType(32), FLUSH_TO_ZERO | DENORMALS_ARE_ZERO)
        return builder.zext(_float_control(builder, lambda old: builder.or_(old, bits)), ir.IntType(64))

    return types.int64(), codegen


@intrinsic
def restore_float_mode(typingctx, saved):
    """Put back the mode ``flush_subnormals`` returned (``saved``, int64)."""
    if not isinstance(saved, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        if FLUSHES_SUBNORMALS:
            _float_control(builder, lambda old: builder.trunc(args[0], ir.IntType(32)))
        return context.get_dummy_value()

    return types.void(saved), codegen


def _holds_arrays(kind):
    """Whether ``kind`` (a Numba type) is an array or a tuple (named or not) of such, nested."""
    if isinstance(kind, types.Array):
        return True
    return isinstance(kind, types.BaseTuple) and all(_holds_arrays(element) for element in kind.types)


def _without_owner(context, builder, kind, value):
    if isinstance(kind, types.Array):
        array = context.make_array(kind)(context, builder, value)
        array.meminfo = ir.Constant(array.meminfo.type, None)
        array.parent = ir.Constant(array.parent.type, None)
        return array._getvalue()
    for position, element in enumerate(kind.types):
        part = _without_owner(context, builder, element, builder.extract_value(value, position))
        value = builder.insert_value(value, part, position)
    return value


@intrinsic
def unowned(typingctx, arrays):
    """The same array (or tuple of arrays, named or not, nested), as views that keep no count of
    their users.

    Numba counts the users of each array it was given (an atomic add and subtract on a shared
    counter for every slice, every row taken, every array passed to a function).  An atomic
    operation waits for every store before it to reach the cache, so in a loop over images it
    stops each image's work overlapping the next one's (on a Sapphire Rapids Xeon, half the time
    of feeding an image forward went to these counts).  Views made from an unowned array are
    unowned too, and their counts cost a call that does nothing.  Only for the arrays a kernel
    was called with: its caller holds them while it runs; an unowned array must not be returned
    or stored where it would outlive the call.
    """
    if not _holds_arrays(arrays):
        return None

    def codegen(context, builder, signature, args):
        return _without_owner(context, builder, signature.args[0], args[0])

    return arrays(arrays), codegen

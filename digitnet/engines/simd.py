"""Vector kernels for the fast engine's first layer, written as LLVM vector code.

The first layer of an MNIST network works on rows of W1ᵀ (n_in, n1): one row per pixel,
one contiguous run of n1 numbers (64 bytes for 16 float32 units).  For an image x:

    nonzero_indices:  p_1 … p_count, the pixels with x_p ≠ 0 (about a fifth of them)
    sum_rows:         z = Σ_q x_{p_q} · W1ᵀ[p_q]          the weighted sums W1 x (feed forward)
    add_to_rows:      W1ᵀ[p_q] += x_{p_q} · v  for each q   a step −lr δ xᵀ on the rows that change

Each row is one SIMD vector (or a few), and in ``sum_rows`` the running sum stays in
registers for the whole image.  Numba's compiler does not find this on its own: it cannot
prove that the sum does not overlap W1ᵀ, so it keeps the sum in memory, and each row then
waits for the previous row's store.  ``nonzero_indices`` compares 16 pixels at once and packs
the indices of the nonzero ones together (``llvm.experimental.vector.compress``), with no
branch per pixel.  The loops are written with LLVM's portable vector types (``<16 x float>``),
which the compiler maps to whatever the CPU has (one AVX-512 register, two AVX2 ones, four
NEON ones); no instruction is specific to one CPU family.

``sum_rows`` and ``add_to_rows`` need W1ᵀ with a number of columns that is a multiple of
``lanes(dtype)`` (the fast engine pads it with zero columns) and C-contiguous arrays.
"""

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

VECTOR_BYTES = 64  # one AVX-512 register; the compiler splits it where registers are narrower
BLOCK = 16         # pixels compared at once by ``nonzero_indices``
CACHE_LINE = 64    # bytes the CPU loads from memory at a time


def lanes(dtype):
    """How many numbers of ``dtype`` (NumPy's or Numba's) fill one vector: 16 float32, 8 float64."""
    return VECTOR_BYTES // np.dtype(str(dtype)).itemsize


def _float_matrix(matrix):
    return (isinstance(matrix, types.Array) and matrix.ndim == 2 and matrix.layout == "C"
            and matrix.dtype in (types.float32, types.float64))


def _same_floats(array, matrix, ndim=1):
    return isinstance(array, types.Array) and array.ndim == ndim and array.dtype == matrix.dtype


def _splat(builder, vector, number):
    """A value of type ``vector`` with ``number`` in every lane."""
    one = builder.insert_element(ir.Constant(vector, ir.Undefined), number, ir.Constant(ir.IntType(32), 0))
    return builder.shuffle_vector(one, ir.Constant(vector, ir.Undefined),
                                  ir.Constant(ir.VectorType(ir.IntType(32), vector.count), None))


class _Arrays:
    """Element pointers into Numba arrays, and vector loads and stores at them."""

    def __init__(self, context, builder, signature, args):
        self.builder = builder
        self.arrays = [context.make_array(kind)(context, builder, value) if isinstance(kind, types.Array) else value
                       for kind, value in zip(signature.args, args)]
        matrix_type = next(kind for kind in signature.args if isinstance(kind, types.Array) and kind.ndim == 2)
        self.element = context.get_value_type(matrix_type.dtype)
        self.vector = ir.VectorType(self.element, lanes(matrix_type.dtype))
        self.fma = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(self.vector, [self.vector] * 3),
            f"llvm.fma.v{self.vector.count}{'f32' if matrix_type.dtype == types.float32 else 'f64'}")

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
def sum_rows(typingctx, total, matrix, rows, scales, count):
    """total[:] = Σ_{q < count} scales[q] · matrix[rows[q], :].

    matrix (n, m) float, C-contiguous, m a multiple of ``lanes``; total (m,) of the same
    dtype; rows (≥ count,) integer row indices in range; scales (≥ count,) of matrix's dtype.
    Two running sums (even and odd q) so that one row does not wait for the one before.
    """
    if not (_float_matrix(matrix) and _same_floats(total, matrix) and _same_floats(scales, matrix)
            and isinstance(rows, types.Array) and isinstance(rows.dtype, types.Integer)
            and isinstance(count, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        arrays = _Arrays(context, builder, signature, args)
        count = builder.sext(args[4], ir.IntType(64))
        pairs = builder.ashr(count, ir.Constant(count.type, 1))
        with arrays.columns(1) as (column, _):
            sums = [cgutils.alloca_once_value(builder, ir.Constant(arrays.vector, None)) for _ in range(2)]

            def add_row(q, running):
                start = arrays.row_start(1, arrays.load(2, q), column)
                row = arrays.load_vector(1, start)
                builder.store(arrays.multiply_add(arrays.splat(arrays.load(3, q)), row, builder.load(running)), running)

            with cgutils.for_range(builder, pairs) as loop:
                even = builder.shl(loop.index, ir.Constant(count.type, 1))
                add_row(even, sums[0])
                add_row(builder.add(even, ir.Constant(count.type, 1)), sums[1])
            with builder.if_then(builder.trunc(count, ir.IntType(1))):  # an odd count: the last row
                add_row(builder.sub(count, ir.Constant(count.type, 1)), sums[0])
            arrays.store_vector(builder.fadd(builder.load(sums[0]), builder.load(sums[1])), 0, column)
        return context.get_dummy_value()

    return types.void(total, matrix, rows, scales, count), codegen


@intrinsic
def add_to_rows(typingctx, matrix, rows, scales, vector, count):
    """matrix[rows[q], :] += scales[q] · vector for each q < count (rows distinct).

    matrix (n, m) float, C-contiguous, m a multiple of ``lanes``; vector (m,) of the same
    dtype; rows (≥ count,) integer row indices in range; scales (≥ count,) of matrix's dtype.
    """
    if not (_float_matrix(matrix) and _same_floats(vector, matrix) and _same_floats(scales, matrix)
            and isinstance(rows, types.Array) and isinstance(rows.dtype, types.Integer)
            and isinstance(count, types.Integer)):
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


@intrinsic
def nonzero_indices(typingctx, image, pixels):
    """Write the indices p of ``image[p] != 0`` to ``pixels``, in order; return how many.

    Only the whole blocks of ``BLOCK`` pixels are looked at (the caller checks the rest).
    image (n,) uint8 or float, contiguous; pixels (≥ n + BLOCK,) int32, since each block
    stores a whole vector of ``BLOCK`` indices of which only the first few are kept.
    """
    if not (isinstance(image, types.Array) and image.ndim == 1 and image.layout == "C"
            and image.dtype in (types.uint8, types.float32, types.float64)
            and isinstance(pixels, types.Array) and pixels.ndim == 1 and pixels.dtype == types.int32):
        return None

    def codegen(context, builder, signature, args):
        image_array = context.make_array(signature.args[0])(context, builder, args[0])
        pixels_array = context.make_array(signature.args[1])(context, builder, args[1])
        int32, int64, flag = ir.IntType(32), ir.IntType(64), ir.IntType(1)
        values_type = ir.VectorType(context.get_value_type(signature.args[0].dtype), BLOCK)
        indices_type, mask_type = ir.VectorType(int32, BLOCK), ir.VectorType(flag, BLOCK)
        compress = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(indices_type, [indices_type, mask_type, indices_type]),
            f"llvm.experimental.vector.compress.v{BLOCK}i32")
        count_bits = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.IntType(BLOCK), [ir.IntType(BLOCK)]), f"llvm.ctpop.i{BLOCK}")
        blocks = builder.udiv(builder.extract_value(image_array.shape, 0), ir.Constant(int64, BLOCK))
        count = cgutils.alloca_once_value(builder, ir.Constant(int64, 0))
        with cgutils.for_range(builder, blocks) as loop:
            first = builder.mul(loop.index, ir.Constant(int64, BLOCK))
            values = builder.load(builder.bitcast(builder.gep(image_array.data, [first]), values_type.as_pointer()),
                                  align=1)
            if isinstance(values_type.element, ir.IntType):
                nonzero = builder.icmp_unsigned("!=", values, ir.Constant(values_type, None))
            else:
                nonzero = builder.fcmp_unordered("!=", values, ir.Constant(values_type, None))
            indices = builder.add(_splat(builder, indices_type, builder.trunc(first, int32)),
                                  ir.Constant(indices_type, list(range(BLOCK))))
            packed = builder.call(compress, [indices, nonzero, ir.Constant(indices_type, ir.Undefined)])
            stored = builder.load(count)
            builder.store(packed, builder.bitcast(builder.gep(pixels_array.data, [stored]), indices_type.as_pointer()),
                          align=1)
            kept = builder.call(count_bits, [builder.bitcast(nonzero, ir.IntType(BLOCK))])
            builder.store(builder.add(stored, builder.zext(kept, int64)), count)
        return builder.load(count)

    return types.int64(image, pixels), codegen


@intrinsic
def prefetch(typingctx, array):
    """Ask the CPU to start loading a contiguous 1-D ``array`` into its caches (no effect on results).

    For the next image while the current one is worked on: taken in a shuffled order, the
    images are far apart in memory and the CPU cannot guess which one comes next.
    """
    if not (isinstance(array, types.Array) and array.ndim == 1 and array.layout == "C"):
        return None

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0])
        int8_pointer, int32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        hint = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [int8_pointer, int32, int32, int32]), "llvm.prefetch.p0")
        start = builder.bitcast(data.data, int8_pointer)
        size = builder.mul(builder.extract_value(data.shape, 0),
                           ir.Constant(ir.IntType(64), context.get_abi_sizeof(context.get_value_type(signature.args[0].dtype))))
        with cgutils.for_range_slice(builder, ir.Constant(size.type, 0), size, ir.Constant(size.type, CACHE_LINE)) as (offset, _):
            # read, keep in all cache levels (locality 3), data cache (1)
            builder.call(hint, [builder.gep(start, [offset]), ir.Constant(int32, 0), ir.Constant(int32, 3),
                                ir.Constant(int32, 1)])
        return context.get_dummy_value()

    return types.void(array), codegen

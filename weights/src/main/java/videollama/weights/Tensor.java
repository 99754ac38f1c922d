package videollama.weights;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor: a name, a dtype, a shape and the little-endian bytes of its elements in row-major order.
 *
 * <p>The bytes are a {@link MemorySegment}: a slice of a mapped file for weights (never copied), or memory of
 * its own for tensors built in code. A tensor is an immutable view; it is valid as long as the memory
 * behind it is (for a mapped tensor: until its file is closed).
 */
public final class Tensor {
    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final long size;
    private final MemorySegment data;
    /** A Q8_0 tensor's F16 scales [rows, cols / 32]; null for every other dtype. */
    private final Tensor scales;

    private Tensor(String name, DType dtype, long[] shape, long size, MemorySegment data) {
        this(name, dtype, shape, size, data, null);
    }

    private Tensor(String name, DType dtype, long[] shape, long size, MemorySegment data, Tensor scales) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape;
        this.size = size;
        this.data = data;
        this.scales = scales;
    }

    /**
     * A tensor over existing bytes, which must hold exactly {@code size() * dtype.byteSize()} little-endian
     * bytes.
     *
     * @throws IllegalArgumentException on a negative dimension, a shape too large to count, or a data
     *         segment of the wrong size
     */
    public static Tensor of(String name, DType dtype, long[] shape, MemorySegment data) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(data, "data");
        if (dtype == DType.Q8_0) {
            throw new IllegalArgumentException("tensor '" + name + "': a Q8_0 tensor needs its scales (Tensor.q8_0)");
        }
        long[] dims = shape.clone();
        for (long dim : dims) {
            if (dim < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension: "
                        + Shapes.format(dims));
            }
        }
        long bytes;
        try {
            bytes = Shapes.byteCount(dims, dtype);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + Shapes.format(dims)
                    + " is too large", e);
        }
        if (data.byteSize() != bytes) {
            throw new IllegalArgumentException("tensor '" + name + "': " + dtype + " " + Shapes.format(dims)
                    + " needs " + bytes + " bytes, the data has " + data.byteSize());
        }
        return new Tensor(name, dtype, dims, bytes / dtype.byteSize(), data);
    }

    /**
     * A Q8_0 matrix [rows, cols]: {@code quants} holds its rows × cols int8 values row-major, {@code scales} is F16
     * [rows, cols / 32], and element [r, c] is {@code quants[r, c] · scales[r, c / 32]} (docs/design.md section 2).
     *
     * @throws IllegalArgumentException naming the tensor when the shapes do not fit together: not a matrix, a width
     *         not a multiple of 32, scales of another shape or dtype, or quants of another size
     */
    public static Tensor q8_0(String name, long[] shape, MemorySegment quants, Tensor scales) {
        Objects.requireNonNull(scales, "scales");
        if (shape.length != 2 || shape[0] < 0 || shape[1] < 0 || shape[1] % DType.Q8_0_BLOCK != 0) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + Shapes.format(shape)
                    + " cannot be Q8_0: a matrix whose rows are whole blocks of " + DType.Q8_0_BLOCK + " is needed");
        }
        long[] expected = {shape[0], shape[1] / DType.Q8_0_BLOCK};
        if (scales.dtype() != DType.F16 || !Arrays.equals(scales.shape, expected)) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + Shapes.format(shape) + " has scales "
                    + scales.dtype() + " " + scales.shapeString() + ", expected F16 " + Shapes.format(expected));
        }
        Tensor q = of(name, DType.I8, shape, quants);
        return new Tensor(name, DType.Q8_0, q.shape, q.size, quants, scales);
    }

    /** An F32 tensor holding a copy of {@code values}; the shape's element count must match their number. */
    public static Tensor ofFloats(String name, float[] values, long... shape) {
        MemorySegment data = allocate(name, DType.F32, values.length, shape);
        MemorySegment.copy(values, 0, data, LittleEndian.F32, 0, values.length);
        return of(name, DType.F32, shape, data);
    }

    /** An I64 tensor holding a copy of {@code values}; the shape's element count must match their number. */
    public static Tensor ofLongs(String name, long[] values, long... shape) {
        MemorySegment data = allocate(name, DType.I64, values.length, shape);
        MemorySegment.copy(values, 0, data, LittleEndian.I64, 0, values.length);
        return of(name, DType.I64, shape, data);
    }

    /** An I32 tensor holding a copy of {@code values}; the shape's element count must match their number. */
    public static Tensor ofInts(String name, int[] values, long... shape) {
        MemorySegment data = allocate(name, DType.I32, values.length, shape);
        MemorySegment.copy(values, 0, data, LittleEndian.I32, 0, values.length);
        return of(name, DType.I32, shape, data);
    }

    /**
     * Off-heap memory freed by the garbage collector. Off-heap rather than a Java array so that a tensor
     * built in code can be handed to native device code exactly like a mapped one.
     */
    private static MemorySegment allocate(String name, DType dtype, long count, long[] shape) {
        long expected;
        try {
            expected = Shapes.elementCount(shape);
        } catch (ArithmeticException e) {
            expected = -1; // cannot match any array length
        }
        if (expected != count) {
            throw new IllegalArgumentException("tensor '" + name + "': " + count + " values do not fill shape "
                    + Shapes.format(shape));
        }
        return Arena.ofAuto().allocate(count * dtype.byteSize(), Long.BYTES);
    }

    public String name() {
        return name;
    }

    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    /** The element bytes, little-endian, row-major; read-only when the tensor comes from a file. */
    public MemorySegment data() {
        return data;
    }

    /**
     * A Q8_0 tensor's F16 scales [rows, cols / 32], one per block of 32 elements of a row.
     *
     * @throws IllegalStateException for any other dtype
     */
    public Tensor scales() {
        if (scales == null) {
            throw new IllegalStateException("tensor '" + name + "' is " + dtype + ", not Q8_0: it has no scales");
        }
        return scales;
    }

    /** The same tensor under another name (a Q8_0 tensor keeps its scales). */
    public Tensor renamed(String newName) {
        return new Tensor(Objects.requireNonNull(newName, "name"), dtype, shape, size, data, scales);
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    /** The number of elements. */
    public long size() {
        return size;
    }

    /** {@code "[3, 4]"}. */
    public String shapeString() {
        return Shapes.format(shape);
    }

    /** Element {@code index} (row-major) as a float: exact for the float dtypes, rounded for large integers. */
    public float getFloat(long index) {
        return switch (dtype) {
            case F32 -> data.getAtIndex(LittleEndian.F32, index);
            case F16 -> Float16.f16ToFloat(data.getAtIndex(LittleEndian.I16, index));
            case BF16 -> Float16.bf16ToFloat(data.getAtIndex(LittleEndian.I16, index));
            case I64 -> data.getAtIndex(LittleEndian.I64, index);
            case I32 -> data.getAtIndex(LittleEndian.I32, index);
            case U8 -> Byte.toUnsignedInt(data.get(LittleEndian.U8, index));
            case I8 -> data.get(LittleEndian.U8, index);
            case Q8_0 -> data.get(LittleEndian.U8, index) * scales.getFloat(index / DType.Q8_0_BLOCK);
        };
    }

    /**
     * Element {@code index} (row-major) of an integer tensor (I64, I32, U8, which is unsigned, or I8).
     *
     * @throws IllegalStateException for a float tensor
     */
    public long getLong(long index) {
        return switch (dtype) {
            case I64 -> data.getAtIndex(LittleEndian.I64, index);
            case I32 -> data.getAtIndex(LittleEndian.I32, index);
            case U8 -> Byte.toUnsignedInt(data.get(LittleEndian.U8, index));
            case I8 -> data.get(LittleEndian.U8, index);
            case F32, F16, BF16, Q8_0 -> throw new IllegalStateException(
                    "tensor '" + name + "' is " + dtype + ", getLong needs I64, I32, U8 or I8");
        };
    }

    /** The whole tensor widened to float32; meant for tests and small tensors. */
    public float[] toFloatArray() {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor '" + name + "' has " + size + " elements, too many for a float[]");
        }
        float[] values = new float[(int) size];
        if (dtype == DType.F32) {
            MemorySegment.copy(data, LittleEndian.F32, 0, values, 0, values.length);
        } else {
            for (int i = 0; i < values.length; i++) {
                values[i] = getFloat(i);
            }
        }
        return values;
    }

    /**
     * This tensor, after checking its shape.
     *
     * @param file where the tensor came from, for the message
     * @throws WeightsException "FILE: tensor 'NAME' has shape [3, 4], expected [4, 4]"
     */
    public Tensor requireShape(String file, long... expected) {
        if (!Arrays.equals(shape, expected)) {
            throw new WeightsException(file + ": tensor '" + name + "' has shape " + shapeString()
                    + ", expected " + Shapes.format(expected));
        }
        return this;
    }

    /**
     * This tensor in another float dtype, as a new tensor in memory of its own (or this tensor when the
     * dtype is already {@code target}). Narrowing rounds to nearest even; NaN stays NaN, overflow becomes
     * infinity. A Q8_0 tensor converts too (its values dequantised).
     *
     * @throws IllegalArgumentException unless the source is a weight dtype and the target a float dtype
     */
    public Tensor convertTo(DType target) {
        if (!dtype.isWeight() || !target.isFloat()) {
            throw new IllegalArgumentException("tensor '" + name + "': cannot convert " + dtype + " to " + target
                    + ", only from F32, F16, BF16 or Q8_0 to F32, F16 or BF16");
        }
        if (target == dtype) {
            return this;
        }
        MemorySegment converted = Arena.ofAuto().allocate(size * target.byteSize(), Long.BYTES);
        for (long i = 0; i < size; i++) {
            float value = getFloat(i);
            switch (target) {
                case F32 -> converted.setAtIndex(LittleEndian.F32, i, value);
                case F16 -> converted.setAtIndex(LittleEndian.I16, i, Float16.floatToF16(value));
                case BF16 -> converted.setAtIndex(LittleEndian.I16, i, Float16.floatToBf16(value));
                default -> throw new AssertionError(target);
            }
        }
        return new Tensor(name, target, shape, size, converted);
    }

    /** {@code "name F32 [3, 4]"}. */
    @Override
    public String toString() {
        return name + " " + dtype + " " + shapeString();
    }
}

package videollama.kernels.reference;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * A weight matrix [rows, cols] read in place, in its stored dtype (F32, F16, BF16 or Q8_0), widened to float
 * one element at a time. Nothing is copied: the tensor stays a slice of the memory-mapped file.
 */
public final class WeightMatrix {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String name;
    private final DType dtype;
    private final MemorySegment data;
    /** Q8_0: the F16 scale of each block of 32 along a row; empty for the other dtypes. */
    private final MemorySegment scales;
    private final int rows;
    private final int cols;

    /** A rank-2 tensor as a matrix. */
    public WeightMatrix(Tensor tensor) {
        if (tensor.rank() != 2) {
            throw new IllegalArgumentException("tensor '" + tensor.name() + "' has shape " + tensor.shapeString() + ", expected a matrix");
        }
        if (!tensor.dtype().isWeight()) {
            throw new IllegalArgumentException("tensor '" + tensor.name() + "' has dtype " + tensor.dtype() + ", expected F32, F16, BF16 or Q8_0");
        }
        this.name = tensor.name();
        this.dtype = tensor.dtype();
        this.data = tensor.data();
        this.scales = dtype == DType.Q8_0 ? tensor.scales().data() : MemorySegment.NULL;
        this.rows = Math.toIntExact(tensor.dim(0));
        this.cols = Math.toIntExact(tensor.dim(1));
    }

    public String name() {
        return name;
    }

    public DType dtype() {
        return dtype;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Element [row, col], widened to float. */
    public float get(int row, int col) {
        long index = (long) row * cols + col;
        return switch (dtype) {
            case F32 -> data.getAtIndex(F32, index);
            case F16 -> Float.float16ToFloat(data.getAtIndex(U16, index));
            case BF16 -> Float.intBitsToFloat(data.getAtIndex(U16, index) << 16);
            case Q8_0 -> data.get(ValueLayout.JAVA_BYTE, index) * Float.float16ToFloat(scales.getAtIndex(U16, index / Q8_0.BLOCK));
            default -> throw new IllegalStateException(dtype.toString());
        };
    }

    /** Copies row {@code row}, widened to float, into {@code out} at {@code offset} (an embedding lookup). */
    public void copyRow(int row, float[] out, int offset) {
        for (int c = 0; c < cols; c++) {
            out[offset + c] = get(row, c);
        }
    }

    /**
     * The dot product of row {@code row} with {@code x[offset .. offset+cols)}, accumulated in float32 in
     * column order. One loop per dtype so the JIT sees a plain load-widen-multiply-add. Q8_0 sums each block's
     * int8 × x products in float32 and adds them times the block's scale (one multiply per block, as the kernels).
     */
    public float dot(int row, float[] x, int offset) {
        long base = (long) row * cols;
        float sum = 0f;
        switch (dtype) {
            case F32 -> {
                for (int c = 0; c < cols; c++) {
                    sum += data.getAtIndex(F32, base + c) * x[offset + c];
                }
            }
            case F16 -> {
                for (int c = 0; c < cols; c++) {
                    sum += Float.float16ToFloat(data.getAtIndex(U16, base + c)) * x[offset + c];
                }
            }
            case BF16 -> {
                for (int c = 0; c < cols; c++) {
                    sum += Float.intBitsToFloat(data.getAtIndex(U16, base + c) << 16) * x[offset + c];
                }
            }
            case Q8_0 -> sum = Q8_0.dot(data, scales, row, cols, x, offset);
            default -> throw new IllegalStateException(dtype.toString());
        }
        return sum;
    }

    /** Row {@code row} of a Q8_0 matrix dotted with an activation quantised by {@link Q8_0#quantizeActivations}. */
    public float dotQuantized(int row, byte[] xq, float[] xd) {
        if (dtype != DType.Q8_0) {
            throw new IllegalStateException("the integer block dot needs Q8_0 weights, not " + dtype);
        }
        return Q8_0.dotQuantized(data, scales, row, cols, xq, xd);
    }
}

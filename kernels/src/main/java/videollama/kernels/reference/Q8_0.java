package videollama.kernels.reference;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.stream.IntStream;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * 8-bit weights as GGML's Q8_0: each row is cut into blocks of 32; a block keeps one fp16 scale {@code d = max|x| /
 * 127} and 32 int8 values {@code q = round(x / d)} (half away from zero), so {@code x ≈ q · d} with an error of at
 * most {@code d / 2} per element (GGML's {@code quantize_row_q8_0_ref}: the quotient taken as {@code x · (1 / d)}
 * with d in float32, the scale then stored as fp16). The quantiser {@code videollama convert --quantize q8_0} uses,
 * and the matrix-vector product every kernel of Q8_0 weights is tested against (docs/design.md section 2).
 */
public final class Q8_0 {
    /** Elements per block. */
    public static final int BLOCK = DType.Q8_0_BLOCK;
    /** The largest quant: 2^7 − 1. */
    private static final float QMAX = 127f;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;

    /**
     * The system property that makes the decode GEMVs over Q8_0 weights quantise their input too ({@code q8_0}; the
     * default {@code f32} keeps it float): {@link MatMul} of one row on the reference path, and the Q8_0 GEMV variant
     * the OpenCL and CUDA ops choose. Products of several rows (prefill, the encoders' GEMMs) keep float inputs on
     * every backend.
     */
    public static final String ACTIVATIONS_PROPERTY = "videollama.q8_0.activations";

    private Q8_0() {}

    /** Whether {@link #ACTIVATIONS_PROPERTY} asks for quantised activations; refuses a value it does not know. */
    public static boolean quantizesActivations() {
        String value = System.getProperty(ACTIVATIONS_PROPERTY, "f32");
        return switch (value) {
            case "f32" -> false;
            case "q8_0" -> true;
            default -> throw new IllegalArgumentException("-D" + ACTIVATIONS_PROPERTY + "=" + value + ": expected f32 or q8_0");
        };
    }

    /**
     * A float matrix (F32, F16 or BF16) [rows, cols] quantised, as a Q8_0 tensor of the same name in memory of its own.
     *
     * @throws IllegalArgumentException naming the tensor when it is not a float matrix of whole blocks
     */
    public static Tensor quantize(Tensor t) {
        if (!t.dtype().isFloat() || t.rank() != 2 || t.dim(1) % BLOCK != 0) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' " + t.dtype() + " " + t.shapeString()
                    + " cannot be quantised to Q8_0: a float matrix whose rows are whole blocks of " + BLOCK + " is needed");
        }
        int rows = Math.toIntExact(t.dim(0));
        int cols = Math.toIntExact(t.dim(1));
        int blocks = cols / BLOCK;
        Arena arena = Arena.ofAuto();
        MemorySegment quants = arena.allocate(Math.max(1, (long) rows * cols)).asSlice(0, (long) rows * cols);
        MemorySegment scales = arena.allocate(Math.max(2, 2L * rows * blocks), 2).asSlice(0, 2L * rows * blocks);
        IntStream.range(0, rows).parallel().forEach(r -> {
            float[] row = new float[cols];
            for (int c = 0; c < cols; c++) {
                row[c] = t.getFloat((long) r * cols + c);
            }
            byte[] q = new byte[cols];
            for (int b = 0; b < blocks; b++) {
                scales.setAtIndex(U16, (long) r * blocks + b, quantizeBlock(row, b * BLOCK, q));
            }
            MemorySegment.copy(q, 0, quants, I8, (long) r * cols, cols);
        });
        Tensor scaleTensor = Tensor.of(t.name() + " scales", DType.F16, new long[] {rows, blocks}, scales);
        return Tensor.q8_0(t.name(), t.shape(), quants, scaleTensor);
    }

    /** Quantises {@code x[at .. at+32)} into {@code q[at .. at+32)}; returns the block's fp16 scale (its bits). */
    static short quantizeBlock(float[] x, int at, byte[] q) {
        return Float.floatToFloat16(quantizeBlock(x, at, q, at));
    }

    /** Quantises {@code x[from .. from+32)} into {@code q[to .. to+32)}; returns the block's float32 scale {@code d}. */
    private static float quantizeBlock(float[] x, int from, byte[] q, int to) {
        float amax = 0f;
        for (int j = 0; j < BLOCK; j++) {
            amax = Math.max(amax, Math.abs(x[from + j]));
        }
        float d = amax / QMAX;
        float id = d != 0f ? 1f / d : 0f;
        for (int j = 0; j < BLOCK; j++) {
            float v = x[from + j] * id;
            // C's roundf: halves away from zero (Math.round would take -0.5 to 0)
            q[to + j] = (byte) (v < 0 ? -Math.round(-v) : Math.round(v));
        }
        return d;
    }

    /**
     * An activation vector {@code x[offset .. offset+cols)} quantised to Q8_0 blocks for the integer block dot ({@link
     * #dotQuantized}), as llama.cpp quantises the activation once per product for its q8_0 × q8_0 {@code vec_dot}: per
     * block of 32, {@code d = max|x| / 127} and {@code q = round(x · (1 / d))} (halves away from zero), as {@link
     * #quantize} does for weights, except that d stays float32 (the kernels keep it so: nothing is gained by rounding a
     * scale that is never stored). Writes {@code q[0 .. cols)} and {@code d[0 .. cols / 32)}.
     */
    public static void quantizeActivations(float[] x, int offset, int cols, byte[] q, float[] d) {
        for (int b = 0; b < cols / BLOCK; b++) {
            d[b] = quantizeBlock(x, offset + b * BLOCK, q, b * BLOCK);
        }
    }

    /**
     * The integer block dot of row {@code row} of a Q8_0 matrix with an activation quantised by {@link
     * #quantizeActivations} ({@code xq}, {@code xd}): each block's {@code Σ q·xq} in int32 (exact: at most 32 · 127²),
     * times the weight's scale times the activation's, added in block order in float32. The kernels of this product
     * differ from it only in the order of the blocks' additions.
     */
    public static float dotQuantized(MemorySegment quants, MemorySegment scales, int row, int cols, byte[] xq, float[] xd) {
        int blocks = cols / BLOCK;
        float sum = 0f;
        for (int b = 0; b < blocks; b++) {
            int block = 0;
            for (int c = b * BLOCK; c < (b + 1) * BLOCK; c++) {
                block += quant(quants, row, cols, c) * xq[c];
            }
            sum += scale(scales, row, blocks, b) * xd[b] * block;
        }
        return sum;
    }

    /** A Q8_0 tensor widened back to float32, {@code q · d} element by element: the matrix the quants stand for. */
    public static float[] dequantize(Tensor q8) {
        if (q8.dtype() != DType.Q8_0) {
            throw new IllegalArgumentException("tensor '" + q8.name() + "' is " + q8.dtype() + ", not Q8_0");
        }
        return q8.toFloatArray();
    }

    /**
     * The dot product of row {@code row} of a Q8_0 matrix (its int8 {@code quants}, fp16 {@code scales}) with {@code
     * x[offset .. offset+cols)}: each block's {@code Σ q·x} in float32 in column order, times the block's scale, added
     * in block order. The kernels sum the same way, so they differ from this only in the order of a block's additions.
     */
    static float dot(MemorySegment quants, MemorySegment scales, int row, int cols, float[] x, int offset) {
        int blocks = cols / BLOCK;
        float sum = 0f;
        for (int b = 0; b < blocks; b++) {
            float block = 0f;
            for (int c = b * BLOCK; c < (b + 1) * BLOCK; c++) {
                block += quant(quants, row, cols, c) * x[offset + c];
            }
            sum += scale(scales, row, blocks, b) * block;
        }
        return sum;
    }

    /** The int8 quant at column {@code c} of row {@code row} of a matrix {@code cols} wide. */
    private static int quant(MemorySegment quants, int row, int cols, int c) {
        return quants.get(I8, (long) row * cols + c);
    }

    /** The scale of block {@code b} of row {@code row} ({@code blocks} a row), widened from fp16. */
    private static float scale(MemorySegment scales, int row, int blocks, int b) {
        return Float.float16ToFloat(scales.getAtIndex(U16, (long) row * blocks + b));
    }
}

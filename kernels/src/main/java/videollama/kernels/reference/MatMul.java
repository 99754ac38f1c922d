package videollama.kernels.reference;

import java.util.stream.IntStream;
import videollama.weights.DType;

/** {@code out[t, r] = Σ_c w[r, c] · x[t, c]}: a linear layer without bias (PyTorch {@code x @ w.T}). */
public final class MatMul {
    /** Below this many multiply-adds one thread is faster than the fork-join pool. */
    private static final long PARALLEL_THRESHOLD = 1L << 16;

    private MatMul() {}

    /**
     * Multiplies {@code n} input rows {@code x} [n, w.cols] by the weight matrix, writing {@code out} [n, w.rows].
     * Each output element is one dot product; output rows are spread over the CPU cores. A single row times Q8_0
     * weights under {@link Q8_0#quantizesActivations} is the integer block dot of {@link Q8_0#dotQuantized}.
     */
    public static void matmul(float[] out, WeightMatrix w, float[] x, int n) {
        int rows = w.rows();
        int cols = w.cols();
        checkLength("x", x, (long) n * cols);
        checkLength("out", out, (long) n * rows);
        IntStream r = IntStream.range(0, rows);
        if ((long) n * rows * cols >= PARALLEL_THRESHOLD) {
            r = r.parallel();
        }
        if (n == 1 && w.dtype() == DType.Q8_0 && Q8_0.quantizesActivations()) {
            // the decode GEMV as the devices run it under this setting: x quantised once, an integer dot per block
            byte[] xq = new byte[cols];
            float[] xd = new float[cols / Q8_0.BLOCK];
            Q8_0.quantizeActivations(x, 0, cols, xq, xd);
            r.forEach(row -> out[row] = w.dotQuantized(row, xq, xd));
            return;
        }
        r.forEach(row -> {
            for (int t = 0; t < n; t++) {
                out[t * rows + row] = w.dot(row, x, t * cols);
            }
        });
    }

    static void checkLength(String what, float[] a, long needed) {
        if (a.length < needed) {
            throw new IllegalArgumentException(what + " holds " + a.length + " floats, needs " + needed);
        }
    }
}

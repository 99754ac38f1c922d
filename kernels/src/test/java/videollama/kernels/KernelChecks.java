package videollama.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.function.IntToDoubleFunction;
import videollama.kernels.reference.Linear;
import videollama.kernels.reference.Q8_0;
import videollama.kernels.reference.WeightMatrix;
import videollama.testing.MeasuredErrors;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * What the kernel tests of every backend (reference, OpenCL, CUDA) share: random inputs, poisoned output buffers,
 * running a graph once, reading results back, and the comparison against a reference twin.
 *
 * <p>The pattern these serve: fill the output with {@link #POISON} ({@link #poisoned}), run the kernel
 * ({@link #runOnce}), read the output back and {@link #assertClose} it to the reference result. An element the
 * kernel forgot to write still holds the poison, a NaN, and fails the check by name.
 *
 * <p>The random inputs come from a {@link Random} each test class owns, so that each class keeps its own seeding:
 * a {@code videollama.testing.SeededRandom} (a fresh seed, printed, replayable) where a class wants different inputs
 * on every run, a fixed seed where it wants the same ones.
 */
public final class KernelChecks {
    /** The bit pattern written into outputs before a kernel runs: a NaN no kernel computes. */
    public static final int POISON = 0x7fc0dead;

    private KernelChecks() {}

    /** {@code n} floats drawn from the standard normal distribution by {@code random}, in order. */
    public static float[] randomFloats(Random random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }

    /**
     * The relative error of {@code actual} against {@code expected}: max |a − e| / max |e| over the elements of
     * {@code expected}, each difference taken in float as {@code actual[i] - expected[i]}. An all-zero reference
     * gives 0 when matched exactly and +∞ otherwise; a NaN anywhere gives NaN and an infinity in {@code actual}
     * gives +∞ or NaN, so neither ever passes a {@code <= tolerance} test.
     */
    public static double relativeError(float[] expected, float[] actual) {
        return relativeError(expected.length, i -> Math.abs(actual[i] - expected[i]), i -> Math.abs(expected[i]));
    }

    /** {@link #relativeError(float[], float[])} against a reference computed in double, the differences in double. */
    public static double relativeError(double[] expected, float[] actual) {
        return relativeError(expected.length, i -> Math.abs(actual[i] - expected[i]), i -> Math.abs(expected[i]));
    }

    /**
     * max over i &lt; n of diff(i), over the max of ref(i); 0 / 0 (an all-zero reference matched exactly) is 0
     * rather than NaN. A NaN among the terms stays NaN ({@link Math#max} propagates it).
     */
    private static double relativeError(int n, IntToDoubleFunction diff, IntToDoubleFunction ref) {
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < n; i++) {
            maxDiff = Math.max(maxDiff, diff.applyAsDouble(i));
            maxRef = Math.max(maxRef, ref.applyAsDouble(i));
        }
        return maxDiff == 0 ? 0 : maxDiff / maxRef;
    }

    /**
     * Fails unless {@code actual} has the length of {@code expected}, every element of it is finite (a NaN is
     * most likely a poisoned element the kernel left unwritten, and is named as such), and the
     * {@linkplain #relativeError(float[], float[]) relative error} is at most {@code tolerance}. {@code what}
     * names the case in the failure message.
     */
    public static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        assertAllFinite(actual, what);
        assertWithin(relativeError(expected, actual), tolerance, what);
    }

    /** {@link #assertClose(float[], float[], double, String)} against a reference computed in double. */
    public static void assertClose(double[] expected, float[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        assertAllFinite(actual, what);
        assertWithin(relativeError(expected, actual), tolerance, what);
    }

    /**
     * {@code W·x} (plus {@code start} where it is not null) in double, row by row, with each row's scale: the sum
     * of the magnitudes of its terms, {@code |start| + Σ|W[r,c]·x[c]|}, the size that float32 rounding errors grow
     * with. {@code w} is [rows, cols] in any stored dtype.
     */
    public record Sums(double[] values, double[] scales) {}

    public static Sums matVecReference(Tensor w, float[] x, float[] start) {
        int rows = Math.toIntExact(w.shape()[0]);
        int cols = Math.toIntExact(w.shape()[1]);
        float[] weights = w.toFloatArray();
        double[] values = new double[rows];
        double[] scales = new double[rows];
        for (int r = 0; r < rows; r++) {
            double sum = start == null ? 0 : start[r];
            double scale = start == null ? 0 : Math.abs(start[r]);
            for (int c = 0; c < cols; c++) {
                double term = (double) weights[r * cols + c] * x[c];
                sum += term;
                scale += Math.abs(term);
            }
            values[r] = sum;
            scales[r] = scale;
        }
        return new Sums(values, scales);
    }

    /**
     * {@code out[b, oy·outW + ox, co] = bias[co] + Σ_{ci,ky,kx} w[co, ci, ky, kx] · x[b, ci, oy·s + ky, ox·s + kx]}
     * in double, straight from the definition.
     */
    public static Sums patchEmbeddingReference(float[] x, float[] w, float[] bias, int batch, int cin, int height, int width,
                                               int cout, int k, int stride) {
        int outH = (height - k) / stride + 1;
        int outW = (width - k) / stride + 1;
        double[] out = new double[batch * outH * outW * cout];
        double[] scales = new double[out.length]; // Σ|w·x| (and |bias|): what float rounding grows with
        for (int b = 0; b < batch; b++) {
            for (int co = 0; co < cout; co++) {
                for (int oy = 0; oy < outH; oy++) {
                    for (int ox = 0; ox < outW; ox++) {
                        double sum = bias == null ? 0 : bias[co];
                        double scale = Math.abs(sum);
                        for (int ci = 0; ci < cin; ci++) {
                            for (int ky = 0; ky < k; ky++) {
                                for (int kx = 0; kx < k; kx++) {
                                    double term = (double) w[((co * cin + ci) * k + ky) * k + kx]
                                            * x[((b * cin + ci) * height + oy * stride + ky) * width + ox * stride + kx];
                                    sum += term;
                                    scale += Math.abs(term);
                                }
                            }
                        }
                        out[((b * outH + oy) * outW + ox) * cout + co] = sum;
                        scales[((b * outH + oy) * outW + ox) * cout + co] = scale;
                    }
                }
            }
        }
        return new Sums(out, scales);
    }

    /** silu(g)·u from the gate's and up's sums, with the error scale their rounding carries into it. */
    public static Sums swiGluReference(Sums gx, Sums ux) {
        int rows = gx.values().length;
        double[] expected = new double[rows];
        double[] scales = new double[rows];
        for (int r = 0; r < rows; r++) {
            double gs = gx.values()[r];
            double u = ux.values()[r];
            double sigmoid = 1 / (1 + Math.exp(-gs));
            expected[r] = gs * sigmoid * u;
            // the two sums' rounding (each in proportion to its Σ|w·x|) carried through silu(g)·u to first order,
            // plus a few roundings of silu and the product in proportion to the output itself: a row whose sums
            // cancel has a small output but not a small error, so the largest output is the wrong yardstick
            double dSilu = sigmoid * (1 + gs * (1 - sigmoid));
            scales[r] = Math.abs(dSilu * u) * gx.scales()[r] + Math.abs(gs * sigmoid) * ux.scales()[r] + Math.abs(expected[r]);
        }
        return new Sums(expected, scales);
    }

    /**
     * For sums of products: fails unless every element is finite and {@code max|actual − expected|} is at most
     * {@code tolerance} times the largest row scale. Relative to the largest result instead, a case with one or
     * three rows whose sums happen to cancel to near zero would fail on rounding alone (it did, once in a few
     * hundred runs, for 1 × 53).
     */
    public static void assertSumsClose(Sums expected, float[] actual, double tolerance, String what) {
        assertEquals(expected.values().length, actual.length, what + ": length");
        assertAllFinite(actual, what);
        double maxDiff = 0;
        double maxScale = 0;
        for (int i = 0; i < actual.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected.values()[i]));
            maxScale = Math.max(maxScale, expected.scales()[i]);
        }
        assertWithin(maxDiff == 0 ? 0 : maxDiff / maxScale, tolerance, what);
    }

    private static void assertAllFinite(float[] actual, String what) {
        for (int i = 0; i < actual.length; i++) {
            assertTrue(Float.isFinite(actual[i]), what + ": element " + i + " is " + actual[i] + " (not written?)");
        }
    }

    /**
     * The smallest unit {@link #assertGeluUlps} counts in. gelu(x) = 0.5·x·erfc(−x/√2), and where the erfc factor is
     * subnormal (x from about −13.0 down to −14.35, below which the output rounds to 0) one ulp of it,
     * Float.MIN_VALUE, becomes 0.5·|x| = 6.5 to 7.2 Float.MIN_VALUEs of the output, while the output's own ulp there
     * is 1 to 4 of them. Outputs above 2^−123 have ulps of 8 Float.MIN_VALUEs or more, where this changes nothing.
     */
    public static final float GELU_TAIL_ULP = 7 * Float.MIN_VALUE;

    /**
     * Fails unless every element of {@code actual}, an exact GELU's output, is within {@code ulps} units in the last
     * place of the same element of {@code expected} (counted along the floats in order, so across zero too), and
     * finite. The unit is the output's ulp, but never less than {@link #GELU_TAIL_ULP}: an ulp of a subnormal erfc in
     * GELU's far tail counts as one, not as the 6-7 ulps of the output it turns into.
     */
    public static void assertGeluUlps(float[] expected, float[] actual, int ulps, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        assertAllFinite(actual, what);
        long worst = 0;
        int at = 0;
        for (int i = 0; i < expected.length; i++) {
            long d = Math.ulp(expected[i]) >= GELU_TAIL_ULP
                    ? Math.abs((long) ordered(expected[i]) - ordered(actual[i]))
                    : (long) Math.ceil(Math.abs((double) expected[i] - actual[i]) / GELU_TAIL_ULP);
            if (d > worst) {
                worst = d;
                at = i;
            }
        }
        MeasuredErrors.record(what + " (ulps)", worst, ulps);
        long found = worst;
        int i = at;
        assertTrue(found <= ulps, () -> what + ": " + actual[i] + " at " + i + " is " + found + " ulps from " + expected[i]
                + " (at most " + ulps + ")");
    }

    /** The float's bits as an int that orders like the floats (−0 and +0 one apart). */
    private static int ordered(float v) {
        int bits = Float.floatToRawIntBits(v);
        return bits < 0 ? Integer.MIN_VALUE - bits - 1 : bits;
    }

    private static void assertWithin(double error, double tolerance, String what) {
        MeasuredErrors.record(what, error, tolerance);
        assertTrue(error <= tolerance, what + ": relative error " + error + " > " + tolerance);
    }

    /** Builds the graph's plan, executes it once and closes it. */
    public static void runOnce(TaskGraph g) {
        try (GraphPlan plan = g.build()) {
            plan.execute();
        }
    }

    /** A new buffer holding {@code values} (at least 4 bytes, so that an empty array still gets a buffer). */
    public static DeviceBuffer upload(DeviceBackend b, String name, float[] values) {
        DeviceBuffer buffer = b.allocate(name, Math.max(4, values.length * 4L));
        b.write(buffer, MemorySegment.ofArray(values));
        return buffer;
    }

    /** A new buffer holding {@code values} (at least 4 bytes, so that an empty array still gets a buffer). */
    public static DeviceBuffer upload(DeviceBackend b, String name, int[] values) {
        DeviceBuffer buffer = b.allocate(name, Math.max(4, values.length * 4L));
        b.write(buffer, MemorySegment.ofArray(values));
        return buffer;
    }

    /** A new buffer of {@code floats} elements, each filled with the {@link #POISON} pattern. */
    public static DeviceBuffer poisoned(DeviceBackend b, String name, long floats) {
        DeviceBuffer buffer = b.allocate(name, floats * 4);
        b.fill(buffer, POISON);
        return buffer;
    }

    /** The first {@code n} floats of a buffer. */
    public static float[] readFloats(DeviceBackend b, DeviceBuffer buffer, int n) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(n * 4L);
            b.read(buffer, host);
            return host.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    /** The first {@code n} ints of a buffer. */
    public static int[] readInts(DeviceBackend b, DeviceBuffer buffer, int n) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(n * 4L);
            b.read(buffer, host);
            return host.toArray(ValueLayout.JAVA_INT);
        }
    }

    /**
     * {@link GemmOps#linearGelu}'s two-task form on {@code backend}: {@code gemm}'s linear without bias into a fresh
     * poisoned buffer, then the backend's {@link NormOps#biasGelu} in place; the result read back.
     */
    public static float[] linearThenBiasGelu(DeviceBackend backend, GemmOps gemm, DeviceBuffer x, DeviceTensor w,
                                             DeviceBuffer bias, int m, int n, int k) {
        DeviceBuffer out = poisoned(backend, "two tasks", (long) m * n);
        TaskGraph g = backend.graph("linear, bias + gelu");
        gemm.linear(g, "linear", out, x, w, null, null, m, n, k);
        backend.ops().biasGelu(g, "bias + gelu", out, out, bias, m, n);
        runOnce(g);
        return readFloats(backend, out, m * n);
    }

    /**
     * {@link GemmOps#linearGelu} through {@code backend}'s op catalogue at 37 × 70 × 96 with {@code w} of {@code dtype}
     * (Q8_0 too, which the catalogue sends to its Q8_0 family), against {@link Linear#linearGelu} over
     * the same weights within {@code tolerance}.
     */
    public static void assertLinearGeluThroughTheOps(DeviceBackend backend, DType dtype, Random random, double tolerance) {
        int m = 37;
        int n = 70;
        int k = 96;
        Tensor f32 = Tensor.ofFloats("w", randomFloats(random, n * k), n, k);
        Tensor w = dtype == DType.Q8_0 ? Q8_0.quantize(f32) : f32.convertTo(dtype);
        float[] x = randomFloats(random, m * k);
        float[] bias = randomFloats(random, n);
        float[] expected = new float[m * n];
        Linear.linearGelu(expected, new WeightMatrix(w), x, bias, m);
        DeviceBuffer out = poisoned(backend, "out", (long) m * n);
        TaskGraph g = backend.graph("linear + gelu");
        backend.ops().linearGelu(g, "fc1 + bias + gelu", out, upload(backend, "x", x), backend.upload(w),
                upload(backend, "bias", bias), m, n, k);
        runOnce(g);
        assertClose(expected, readFloats(backend, out, m * n), tolerance, dtype + " through the ops");
    }

    /**
     * {@link GemmOps#linear}'s refusals, the same on every backend ({@link OpChecks#requireLinear}): a K that is not
     * W's, an out too small for its rows, out the same buffer as x, no rows, a bias shorter than N.
     */
    public static void assertLinearRefusesMismatches(DeviceBackend backend, GemmOps ops, Random random) {
        DeviceTensor w = backend.upload(Tensor.ofFloats("w", randomFloats(random, 6), 2, 3));
        DeviceBuffer x = upload(backend, "x", randomFloats(random, 12));
        DeviceBuffer out = backend.allocate("out", 4 * 8);
        TaskGraph g = backend.graph("bad");
        assertThrows(IllegalArgumentException.class, () -> ops.linear(g, "k", out, x, w, null, null, 4, 2, 4));
        assertThrows(IllegalArgumentException.class, () -> ops.linear(g, "out too small", out, x, w, null, null, 5, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> ops.linear(g, "x is out", x, x, w, null, null, 2, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> ops.linear(g, "zero rows", out, x, w, null, null, 0, 2, 3));
        DeviceBuffer shortBias = backend.allocate("bias", 4);
        assertThrows(IllegalArgumentException.class, () -> ops.linear(g, "short bias", out, x, w, shortBias, null, 4, 2, 3));
    }

    /** {@link GemmOps#linearGelu}'s refusals: {@link #assertLinearRefusesMismatches}' checks, and a bias. */
    public static void assertLinearGeluRefusesMismatches(DeviceBackend backend, GemmOps ops, Random random) {
        DeviceTensor w = backend.upload(Tensor.ofFloats("w", randomFloats(random, 6), 2, 3));
        DeviceBuffer x = upload(backend, "x", randomFloats(random, 12));
        DeviceBuffer out = backend.allocate("out", 4 * 8);
        TaskGraph g = backend.graph("bad");
        DeviceBuffer shortBias = backend.allocate("bias", 4);
        DeviceBuffer bias = upload(backend, "bias", randomFloats(random, 2));
        assertThrows(IllegalArgumentException.class, () -> ops.linearGelu(g, "no bias", out, x, w, null, 4, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> ops.linearGelu(g, "k", out, x, w, bias, 4, 2, 4));
        assertThrows(IllegalArgumentException.class, () -> ops.linearGelu(g, "x is out", x, x, w, bias, 2, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> ops.linearGelu(g, "short bias", out, x, w, shortBias, 4, 2, 3));
    }
}

package videollama.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static videollama.kernels.KernelChecks.assertClose;
import static videollama.kernels.KernelChecks.poisoned;
import static videollama.kernels.KernelChecks.randomFloats;
import static videollama.kernels.KernelChecks.readFloats;
import static videollama.kernels.KernelChecks.runOnce;
import static videollama.kernels.KernelChecks.upload;

import java.util.function.Supplier;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import videollama.kernels.reference.Elementwise;
import videollama.kernels.reference.Gelu;
import videollama.kernels.reference.L2Norm;
import videollama.kernels.reference.LayerNorm;
import videollama.kernels.reference.Softmax;

/**
 * The encoders' row-wise and element-wise ops against their reference twins on fresh random inputs, at widths 1,
 * 7, 64 and the real ones (768 Q-Former and ImageBind, 1024 ImageBind's head, 1408 EVA) and row counts 1, 3 and
 * 257 (EVA's tokens per frame), each out of place into a poisoned buffer and in place. Tolerance, relative
 * (max |a − e| / max |e|) in float32: 2e-6 (measured at most 5.4e-7 on PoCL and the CUDA emulator), 1e-5 for
 * softmax over rows of up to 1408 (measured 1.3e-6). Run by each backend's test class.
 *
 * <p>A case's work ({@link #largestCase}) is its number of rows: each row is a reduction of its own on every backend
 * (a work-group, a warp), and rows are what the CPU emulation of CUDA pays for.
 */
public abstract class NormOpsContract extends DeviceOpsContract {
    protected NormOpsContract(Supplier<? extends DeviceBackend> backend) {
        super(backend);
    }

    private static final double TOLERANCE = 2e-6;
    private static final double SOFTMAX_TOLERANCE = 1e-5;

    /** rows × width × {out of place, in place}. */
    static Stream<Arguments> shapes() {
        return Stream.of(1, 3, 257).flatMap(rows -> Stream.of(1, 7, 64, 768, 1024, 1408)
                .flatMap(width -> Stream.of(false, true).map(inPlace -> Arguments.of(rows, width, inPlace))));
    }

    /** The row-wise and element-wise ops, each run by {@link #rowOp} on every shape. */
    enum RowOp { LAYER_NORM, ADD_LAYER_NORM, GELU, BIAS_GELU, SOFTMAX, L2_NORMALIZE, ADD, ADD_BIAS }

    static Stream<Arguments> rowOpCases() {
        return Stream.of(RowOp.values()).flatMap(op -> shapes().map(shape -> {
            Object[] s = shape.get();
            return Arguments.of(op, s[0], s[1], s[2]);
        }));
    }

    /** An op appended to a graph under its kernel's name: x (and y, the second input of add and addLayerNorm) into out. */
    private interface DeviceOp {
        void append(TaskGraph g, DeviceBuffer out, DeviceBuffer x, DeviceBuffer y);
    }

    /** A case of {@link #rowOp}: the device op, and what its output is held to. */
    private record Check(String label, DeviceOp op, double tolerance) {}

    /**
     * One op on random inputs, rows × width, out of place into a poisoned buffer and in place: into x, or for the ops
     * of two inputs into the second one (the Q-Former's residual, add's b) on odd widths. The reference twin fills
     * {@code expected} from the same inputs; x is drawn once and scaled where an op wants its tails (GELU, softmax).
     */
    @ParameterizedTest(name = "{0}: {1} rows x {2}, in place {3}")
    @MethodSource("rowOpCases")
    void rowOp(RowOp op, int rows, int width, boolean inPlace) {
        assumeAtMost(rows, op.name());
        int n = rows * width;
        float[] x = randomFloats(random, n);
        float[] y = randomFloats(random, n);
        float[] w = randomFloats(random, width); // a norm's weight, or the bias
        float[] b = randomFloats(random, width); // a norm's bias
        DeviceBuffer dw = upload(backend(), "w", w);
        DeviceBuffer db = upload(backend(), "b", b);
        float[] expected = new float[n];
        DeviceOps ops = backend().ops();
        Check check = switch (op) {
            case LAYER_NORM -> {
                float eps = new float[] {1e-6f, 1e-5f, 1e-12f}[(rows + width) % 3]; // each eps on some shapes
                LayerNorm.layerNorm(expected, x, w, b, rows, eps);
                yield new Check("layernorm eps " + eps, (g, out, dx, dy) -> ops.layerNorm(g, "layernorm", out, dx, dw, db, rows, width, eps), TOLERANCE);
            }
            case ADD_LAYER_NORM -> {
                LayerNorm.addLayerNorm(expected, x, y, w, b, rows, 1e-12f);
                yield new Check("add-layernorm", (g, out, dx, dy) -> ops.addLayerNorm(g, "add-layernorm", out, dx, dy, dw, db, rows, width, 1e-12f), TOLERANCE);
            }
            case GELU -> {
                affine(x, 3, 0); // reach well into both tails
                Gelu.gelu(expected, x, n);
                yield new Check("gelu", (g, out, dx, dy) -> ops.gelu(g, "gelu", out, dx, n), TOLERANCE);
            }
            case BIAS_GELU -> {
                Gelu.biasGelu(expected, x, w, rows);
                yield new Check("bias-gelu", (g, out, dx, dy) -> ops.biasGelu(g, "bias-gelu", out, dx, dw, rows, width), TOLERANCE);
            }
            case SOFTMAX -> {
                // The Q-Former's 1/8, EVA's 88^-0.5, none, and a negative one (the maximum is taken after scaling).
                float scale = new float[] {0.125f, (float) (1 / Math.sqrt(88)), 1f, -0.5f}[(rows + width) % 4];
                affine(x, 4, 0);
                // The twin: PyTorch's softmax(x · scale), the product rounded to float first.
                for (int i = 0; i < n; i++) {
                    expected[i] = x[i] * scale;
                }
                for (int r = 0; r < rows; r++) {
                    Softmax.softmax(expected, r * width, width);
                }
                yield new Check("softmax scale " + scale, (g, out, dx, dy) -> ops.softmax(g, "softmax", out, dx, rows, width, scale), SOFTMAX_TOLERANCE);
            }
            case L2_NORMALIZE -> {
                if (rows > 1) {
                    Arrays.fill(x, width, 2 * width, 0f); // a zero row: the eps clamp keeps it zero, never NaN
                }
                float scale = (float) Math.exp((float) Math.log(20)); // ImageBind's exp(log_logit_scale), in float32
                L2Norm.normalize(expected, x, rows, width, 1e-12f, scale);
                yield new Check("l2norm", (g, out, dx, dy) -> ops.l2Normalize(g, "l2norm", out, dx, rows, width, 1e-12f, scale), TOLERANCE);
            }
            case ADD -> {
                Elementwise.add(expected, x, y, n);
                yield new Check("add", (g, out, dx, dy) -> ops.add(g, "add", out, dx, dy, n), 0);
            }
            case ADD_BIAS -> {
                Elementwise.addBias(expected, x, w, rows);
                yield new Check("add-bias", (g, out, dx, dy) -> ops.addBias(g, "add-bias", out, dx, dw, rows, width), 0);
            }
        };
        boolean twoInputs = op == RowOp.ADD || op == RowOp.ADD_LAYER_NORM;
        Into into = !inPlace ? Into.NEW : twoInputs && width % 2 == 1 ? Into.Y : Into.X;
        run(check, check.label() + " " + rows + " x " + width + (inPlace ? " in place" : ""), expected, x, y, into);
    }

    /** Where an op writes: a fresh poisoned buffer, or over one of its inputs. */
    private enum Into { NEW, X, Y }

    /** Runs the op on x and y (null: none) uploaded, into {@code into}, and holds its output to {@code expected}. */
    private void run(Check check, String what, float[] expected, float[] x, float[] y, Into into) {
        DeviceBuffer dx = upload(backend(), "x", x);
        DeviceBuffer dy = y == null ? null : upload(backend(), "y", y);
        DeviceBuffer out = switch (into) {
            case NEW -> poisoned(backend(), "out", x.length);
            case X -> dx;
            case Y -> dy;
        };
        TaskGraph g = backend().graph(check.label());
        check.op().append(g, out, dx, dy);
        runOnce(g);
        assertClose(expected, readFloats(backend(), out, x.length), check.tolerance(), what);
    }

    /** x · factor + offset in place, each element rounded to float once per operation; returns x. */
    private static float[] affine(float[] x, float factor, float offset) {
        for (int i = 0; i < x.length; i++) {
            x[i] = x[i] * factor + offset;
        }
        return x;
    }

    /**
     * Variance 0 under the Q-Former's eps 1e-12: constant rows (and a zero row) must give exactly the bias, as the
     * reference does, with nothing infinite or NaN, so eps is honoured and the mean is exact. The constants are
     * dyadic, so their float sums are exact and both sides see a deviation of exactly 0. At width 7 the mean
     * comes out exact only from a correctly rounded sum / 7 (sum · (1/7) is an ulp off for 0.75).
     */
    @ParameterizedTest(name = "width {0}")
    @ValueSource(ints = {7, 768, 1408})
    void layerNormOfConstantRowsWithEps1e12IsTheBias(int dim) {
        int rows = 5;
        assumeAtMost(rows, "constant rows");
        float[] x = randomFloats(random, rows * dim);
        Arrays.fill(x, 0, dim, 0.75f);
        Arrays.fill(x, 2 * dim, 3 * dim, 0f);
        Arrays.fill(x, 4 * dim, 5 * dim, -1234.5f);
        float[] w = randomFloats(random, dim);
        float[] b = randomFloats(random, dim);
        float[] expected = new float[rows * dim];
        LayerNorm.layerNorm(expected, x, w, b, rows, 1e-12f);
        // x + residual constant too: 0.5 + 0.25 in every element of row 0.
        float[] half = new float[rows * dim];
        float[] quarter = new float[rows * dim];
        Arrays.fill(half, 0.5f);
        Arrays.fill(quarter, 0.25f);
        DeviceBuffer out = poisoned(backend(), "out", rows * dim);
        DeviceBuffer sumOut = poisoned(backend(), "sum-out", rows * dim);
        DeviceBuffer dw = upload(backend(), "w", w);
        DeviceBuffer db = upload(backend(), "b", b);
        TaskGraph g = backend().graph("layernorm-constant");
        backend().ops().layerNorm(g, "layernorm", out, upload(backend(), "x", x), dw, db, rows, dim, 1e-12f);
        backend().ops().addLayerNorm(g, "add-layernorm", sumOut, upload(backend(), "half", half), upload(backend(), "quarter", quarter), dw, db, rows, dim, 1e-12f);
        runOnce(g);
        float[] actual = readFloats(backend(), out, rows * dim);
        float[] actualSum = readFloats(backend(), sumOut, rows * dim);
        for (int r : new int[] {0, 2, 4}) {
            for (int i = 0; i < dim; i++) {
                assertEquals(b[i], expected[r * dim + i], "reference, row " + r);
                assertEquals(b[i], actual[r * dim + i], "row " + r + " element " + i);
            }
        }
        for (int i = 0; i < rows * dim; i++) {
            assertEquals(b[i % dim], actualSum[i], "x + residual constant, element " + i);
        }
        assertClose(expected, actual, TOLERANCE, "layernorm with constant rows");
    }

    /**
     * Rows with a large common offset (300 ± 1): a one-pass E[x²] − E[x]² would cancel to an error of about
     * ulp(9·10⁴) = 0.008 in a variance of 1; the two-pass statistics keep it up to the float32 rounding of the sums
     * (ulp(300) = 3e-5 relative to a spread of 1, hence the looser tolerance).
     */
    @ParameterizedTest(name = "{0} rows x {1}")
    @CsvSource({"7, 1408", "3, 768"})
    void layerNormKeepsTheVarianceOfOffsetRows(int rows, int dim) {
        assumeAtMost(rows, "offset rows");
        float[] x = affine(randomFloats(random, rows * dim), 1, 300);
        float[] w = randomFloats(random, dim);
        float[] b = randomFloats(random, dim);
        float[] expected = new float[rows * dim];
        LayerNorm.layerNorm(expected, x, w, b, rows, 1e-6f);
        DeviceBuffer dw = upload(backend(), "w", w);
        DeviceBuffer db = upload(backend(), "b", b);
        run(new Check("layernorm-offset", (g, out, dx, dy) -> backend().ops().layerNorm(g, "layernorm", out, dx, dw, db, rows, dim, 1e-6f), 1e-4),
                "layernorm of offset rows", expected, x, null, Into.NEW);
    }

    /**
     * The device's erfc element by element, not only against the largest output: GELU over [−12, 12] in steps of
     * 1/1024, each element within 2e-6 of the twin relative to itself (about 32 float ulps; OpenCL allows erfc
     * 16 ulps, CUDA documents erfcf within 4; PoCL's measures 1.3e-7) wherever the twin is a normal float32. Where
     * the erf form would cancel (x &lt; −3, outputs below 1e-3 of x) this is what the erfc form buys.
     */
    @Test
    void geluIsAccurateElementByElementIncludingTheNegativeTail() {
        int n = 24 * 1024 + 1;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -12f + i / 1024f;
        }
        float[] expected = new float[n];
        Gelu.gelu(expected, x, n);
        DeviceBuffer out = poisoned(backend(), "out", n);
        TaskGraph g = backend().graph("gelu-sweep");
        backend().ops().gelu(g, "gelu", out, upload(backend(), "x", x), n);
        runOnce(g);
        float[] actual = readFloats(backend(), out, n);
        double worst = 0;
        float worstX = 0;
        for (int i = 0; i < n; i++) {
            if (Math.abs(expected[i]) < Float.MIN_NORMAL) {
                assertTrue(Math.abs(actual[i]) < 2 * Float.MIN_NORMAL, "gelu(" + x[i] + ") = " + actual[i] + ", expected " + expected[i]);
                continue;
            }
            double error = Math.abs(actual[i] - expected[i]) / Math.abs(expected[i]);
            if (error > worst) {
                worst = error;
                worstX = x[i];
            }
        }
        assertTrue(worst <= 2e-6, "gelu: element-wise relative error " + worst + " at x = " + worstX);
    }

    /** Logits near 1e4 overflow exp unless the row maximum is subtracted first. */
    @ParameterizedTest(name = "{0} rows x {1}")
    @CsvSource({"3, 257", "5, 7"})
    void softmaxSubtractsTheRowMaximum(int rows, int cols) {
        assumeAtMost(rows, "large logits");
        float[] x = affine(randomFloats(random, rows * cols), 8, 10000);
        float[] expected = x.clone();
        for (int r = 0; r < rows; r++) {
            Softmax.softmax(expected, r * cols, cols);
        }
        run(new Check("softmax-large", (g, out, dx, dy) -> backend().ops().softmax(g, "softmax", out, dx, rows, cols, 1f), TOLERANCE),
                "softmax of large logits", expected, x, null, Into.NEW);
    }

    /**
     * The row ops over more rows than one work-group or block takes at once (CUDA: 8 rows a block), an odd count
     * of an odd width: every row is written, and the row past the last keeps its poison.
     */
    @Test
    void rowOpsWriteEveryRowAndNoMore() {
        int rows = 11;
        int dim = 37;
        assumeAtMost(rows, "row ops");
        float[] x = randomFloats(random, rows * dim);
        float[] residual = randomFloats(random, rows * dim);
        float[] w = randomFloats(random, dim);
        float[] b = randomFloats(random, dim);
        float[] layerNorm = new float[rows * dim];
        float[] addLayerNorm = new float[rows * dim];
        float[] softmax = x.clone();
        float[] l2 = new float[rows * dim];
        LayerNorm.layerNorm(layerNorm, x, w, b, rows, 1e-6f);
        LayerNorm.addLayerNorm(addLayerNorm, x, residual, w, b, rows, 1e-6f);
        for (int r = 0; r < rows; r++) {
            Softmax.softmax(softmax, r * dim, dim);
        }
        L2Norm.normalize(l2, x, rows, dim, 1e-12f, 1f);
        DeviceBuffer dx = upload(backend(), "x", x);
        DeviceBuffer dr = upload(backend(), "residual", residual);
        DeviceBuffer dw = upload(backend(), "w", w);
        DeviceBuffer db = upload(backend(), "b", b);
        int padded = (rows + 1) * dim;
        DeviceBuffer[] outs = {poisoned(backend(), "ln", padded), poisoned(backend(), "add-ln", padded),
                poisoned(backend(), "softmax", padded), poisoned(backend(), "l2", padded)};
        TaskGraph g = backend().graph("row ops");
        backend().ops().layerNorm(g, "layernorm", outs[0], dx, dw, db, rows, dim, 1e-6f);
        backend().ops().addLayerNorm(g, "add-layernorm", outs[1], dx, dr, dw, db, rows, dim, 1e-6f);
        backend().ops().softmax(g, "softmax", outs[2], dx, rows, dim, 1f);
        backend().ops().l2Normalize(g, "l2norm", outs[3], dx, rows, dim, 1e-12f, 1f);
        runOnce(g);
        float[][] expected = {layerNorm, addLayerNorm, softmax, l2};
        for (int o = 0; o < outs.length; o++) {
            float[] all = readFloats(backend(), outs[o], padded);
            assertClose(expected[o], Arrays.copyOf(all, rows * dim), TOLERANCE, outs[o].name());
            for (int i = rows * dim; i < padded; i++) {
                assertEquals(KernelChecks.POISON, Float.floatToRawIntBits(all[i]), outs[o].name() + ": element " + i + " past the last row was written");
            }
        }
    }

    @Test
    void shapesTheKernelsCannotTakeAreRefused() {
        DeviceBuffer small = backend().allocate("small", 4 * 10);
        TaskGraph g = backend().graph("refused");
        assertThrows(IllegalArgumentException.class, () -> backend().ops().layerNorm(g, "ln", small, small, small, small, 2, 10, 1e-6f));
        assertThrows(IllegalArgumentException.class, () -> backend().ops().softmax(g, "softmax", small, small, 0, 10, 1f));
        assertThrows(IllegalArgumentException.class, () -> backend().ops().add(g, "add", small, small, small, 11));
    }
}
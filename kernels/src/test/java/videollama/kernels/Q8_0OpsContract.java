package videollama.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;
import static videollama.kernels.KernelChecks.assertClose;
import static videollama.kernels.KernelChecks.assertGeluUlps;
import static videollama.kernels.KernelChecks.assertSumsClose;
import static videollama.kernels.KernelChecks.linearThenBiasGelu;
import static videollama.kernels.KernelChecks.matVecReference;
import static videollama.kernels.KernelChecks.poisoned;
import static videollama.kernels.KernelChecks.randomFloats;
import static videollama.kernels.KernelChecks.readFloats;
import static videollama.kernels.KernelChecks.runOnce;
import static videollama.kernels.KernelChecks.upload;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.kernels.KernelChecks.Sums;
import videollama.kernels.reference.Linear;
import videollama.kernels.reference.Q8_0;
import videollama.kernels.reference.WeightMatrix;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * The Q8_0 ops ({@link Q8_0Ops}: {@code gemv_q8_0}, the gate/up GEMV, q/k/v, {@code linear_q8_0}, linearGelu) against the exact
 * product of the dequantised weights on fresh random inputs: every GEMV variant of the backend's Q8_0 family forced in
 * turn (the variant is each GEMV case's first parameter), every GEMM variant the backend names ({@link #gemmVariants}),
 * and the op catalogue's own choice through the op names the models call ({@code matVec}, {@code linear}, ...) with
 * Q8_0 weights. Shapes: the LLaMA's widths (64 to 4096, 11008 for the GEMV), the ViT-g's 1408 and the Q-Former's 768,
 * one row to 257 (EVA's tokens per frame), and GEMMs ragged against the kernels' blocks.
 *
 * <p>A variant that quantises x to Q8_0 blocks once per product (then {@code Σ qw·qx} per block in integers times the
 * two scales: llama.cpp's q8_0 × q8_0) is held to that product in double, x quantised by the reference op
 * {@link Q8_0#quantizeActivations} ({@link #int8Reference}), so device and reference round x alike and only the float
 * additions of the blocks' scaled sums differ. Tolerance, either product: the difference over the row's Σ|w·x| (the
 * size float32 rounding grows with, {@link KernelChecks#assertSumsClose}; x̂ for x where x is quantised) at most
 * {@value #TOLERANCE} (measured at most 8.2e-8 on PoCL and the CUDA emulator; the reference dot's worst-case bound at
 * 4096 columns is (33 + 128)·2⁻²⁴ = 9.6e-6); the gate/up GEMV the same, its scale the two sums' Σ|w·x| carried through
 * {@code silu(g)·u}.
 *
 * <p>A case's work ({@link #largestCase}) is its multiply-adds, what the CPU emulation of CUDA pays for. One instance
 * runs a class's tests ({@link TestInstance.Lifecycle#PER_CLASS}), so that the cases can list the subclass's variants;
 * its {@code SeededRandom} takes one seed for the class, prints it once, and restarts from it before each test.
 *
 * @param <V> the backend's enum of Q8_0 GEMV variants
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class Q8_0OpsContract<V extends Enum<V> & KernelVariant> extends DeviceOpsContract {
    private static final double TOLERANCE = 5e-7;
    /** linearGelu's, relative to the largest output: OpenCLGemmOpsTest's and CudaGemmContract's for F32 weights. */
    private static final double GELU_TOLERANCE = 1e-5;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final EnumSet<V> variants;
    private final BiFunction<DeviceBackend, V, Q8_0Ops> family;
    private final Predicate<V> quantisesInput;

    /**
     * @param variants       the backend's enum of GEMV variants, every one of which the GEMV cases run
     * @param family         the backend's Q8_0 family with a GEMV variant forced (its {@code of(backend, variant)})
     * @param quantisesInput whether a variant quantises x to Q8_0 blocks before an integer dot per block
     */
    protected Q8_0OpsContract(Supplier<? extends DeviceBackend> backend, Class<V> variants,
                              BiFunction<DeviceBackend, V, Q8_0Ops> family, Predicate<V> quantisesInput) {
        super(backend);
        this.variants = EnumSet.allOf(variants);
        this.family = family;
        this.quantisesInput = quantisesInput;
    }

    /** The backend's Q8_0 family with the GEMV {@code variant} forced, past the op catalogue's choice by dtype. */
    private Q8_0Ops q8Family(V variant) {
        return family.apply(backend(), variant);
    }

    private boolean quantisesInput(V variant) {
        return quantisesInput.test(variant);
    }

    /** W·x̂ in double with each row's Σ|w·x̂|, x̂ = x quantised as the reference op does; start added when given. */
    static Sums int8Reference(Tensor w, float[] x, float[] start) {
        int rows = Math.toIntExact(w.dim(0));
        int cols = Math.toIntExact(w.dim(1));
        byte[] xq = new byte[cols];
        float[] xd = new float[cols / Q8_0.BLOCK];
        Q8_0.quantizeActivations(x, 0, cols, xq, xd);
        MemorySegment quants = w.data();
        MemorySegment scales = w.scales().data();
        double[] values = new double[rows];
        double[] sums = new double[rows];
        for (int r = 0; r < rows; r++) {
            values[r] = start == null ? 0 : start[r];
            sums[r] = start == null ? 0 : Math.abs(start[r]);
            for (int c = 0; c < cols; c++) {
                int b = c / Q8_0.BLOCK;
                double term = (double) Float.float16ToFloat(scales.getAtIndex(U16, (long) r * (cols / Q8_0.BLOCK) + b))
                        * xd[b] * quants.get(ValueLayout.JAVA_BYTE, (long) r * cols + c) * xq[c];
                values[r] += term;
                sums[r] += Math.abs(term);
            }
        }
        return new Sums(values, sums);
    }

    /** The product a GEMV computes: with x quantised when {@code quantised}, else the float x. */
    private static Sums reference(boolean quantised, Weight w, float[] x, float[] start) {
        return quantised ? int8Reference(w.q8(), x, start) : matVecReference(w.q8(), x, start);
    }

    /** A random [rows, cols] matrix quantised, and uploaded. */
    private record Weight(Tensor q8, DeviceTensor device) {}

    private Weight weight(String name, int rows, int cols) {
        Tensor q8 = Q8_0.quantize(Tensor.ofFloats(name, randomFloats(random, rows * cols), rows, cols));
        return new Weight(q8, backend().upload(q8));
    }

    /** The variants, in their order: the GEMV cases' first parameter. */
    Stream<V> variants() {
        return variants.stream();
    }

    /** Every case once for each variant, the variant first. */
    private Stream<Arguments> eachVariant(Arguments... cases) {
        return variants().flatMap(v -> Stream.of(cases).map(c -> arguments(Stream.concat(Stream.of(v), Stream.of(c.get())).toArray())));
    }

    Stream<Arguments> matVecCases() {
        return eachVariant(arguments(1, 32, false), arguments(3, 64, true), arguments(13, 96, false), arguments(64, 1408, true),
                arguments(172, 64, false), arguments(172, 256, false), arguments(96, 4096, false), arguments(64, 11008, true),
                arguments(4096, 128, false));
    }

    Stream<Arguments> swiGluCases() {
        return eachVariant(arguments(5, 64), arguments(172, 64), arguments(688, 256));
    }

    Stream<Arguments> twoProductCases() {
        return eachVariant(arguments(256, 64), arguments(64, 256), arguments(128, 128));
    }

    /** One GEMV: {@code rows x cols} into a poisoned output, or added to a random one ({@code accumulate}). */
    private void checkMatVec(GemvOps ops, boolean quantised, int rows, int cols, boolean accumulate, String what) {
        Weight w = weight("w", rows, cols);
        float[] x = randomFloats(random, cols);
        float[] start = accumulate ? randomFloats(random, rows) : null;
        DeviceBuffer out = accumulate ? upload(backend(), "out", start) : poisoned(backend(), "out", rows);
        TaskGraph g = backend().graph(what);
        ops.matVec(g, what, out, w.device(), upload(backend(), "x", x), accumulate);
        runOnce(g);
        assertSumsClose(reference(quantised, w, x, start), readFloats(backend(), out, rows), TOLERANCE,
                what + " " + rows + " x " + cols + (accumulate ? " accumulate" : ""));
    }

    private void checkQkv(GemvOps ops, boolean quantised) {
        int d = 256;
        Weight wq = weight("wq", d, d);
        Weight wk = weight("wk", 64, d);
        Weight wv = weight("wv", 64, d);
        float[] x = randomFloats(random, d);
        DeviceBuffer xb = upload(backend(), "x", x);
        DeviceBuffer q = poisoned(backend(), "q", d);
        DeviceBuffer k = poisoned(backend(), "k", 64);
        DeviceBuffer v = poisoned(backend(), "v", 64);
        TaskGraph g = backend().graph("qkv");
        ops.qkvMatVec(g, "qkv", q, k, v, wq.device(), wk.device(), wv.device(), xb);
        runOnce(g);
        assertSumsClose(reference(quantised, wq, x, null), readFloats(backend(), q, d), TOLERANCE, "q");
        assertSumsClose(reference(quantised, wk, x, null), readFloats(backend(), k, 64), TOLERANCE, "k");
        assertSumsClose(reference(quantised, wv, x, null), readFloats(backend(), v, 64), TOLERANCE, "v");
    }

    private void checkSwiGlu(GemvOps ops, boolean quantised, int rows, int cols) {
        Weight gate = weight("gate", rows, cols);
        Weight up = weight("up", rows, cols);
        float[] x = randomFloats(random, cols);
        DeviceBuffer out = poisoned(backend(), "out", rows);
        TaskGraph g = backend().graph("swiglu_gemv_q8_0");
        ops.swiGluMatVec(g, "swiglu_gemv_q8_0", out, gate.device(), up.device(), upload(backend(), "x", x));
        runOnce(g);
        assertSumsClose(KernelChecks.swiGluReference(reference(quantised, gate, x, null), reference(quantised, up, x, null)),
                readFloats(backend(), out, rows), TOLERANCE, "swiglu_gemv_q8_0 " + rows + " x " + cols);
    }

    @ParameterizedTest(name = "{0}: {1} x {2}, accumulate {3}")
    @MethodSource("matVecCases")
    void matVec(V variant, int rows, int cols, boolean accumulate) {
        assumeAtMost((long) rows * cols, "matVec");
        checkMatVec(q8Family(variant), quantisesInput(variant), rows, cols, accumulate, "gemv_q8_0 " + variant);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void qkvMatVecIsThreeProductsOfOneInput(V variant) {
        checkQkv(q8Family(variant), quantisesInput(variant));
    }

    @ParameterizedTest(name = "{0}: {1} x {2}")
    @MethodSource("swiGluCases")
    void swiGluMatVec(V variant, int rows, int cols) {
        assumeAtMost(2L * rows * cols, "swiGluMatVec");
        checkSwiGlu(q8Family(variant), quantisesInput(variant), rows, cols);
    }

    /** Two products of different widths in one graph: each (quantises and) reads its own x. */
    @ParameterizedTest(name = "{0}: {1} then {2} columns")
    @MethodSource("twoProductCases")
    void productsInOneGraphEachReadTheirOwnInput(V variant, int first, int second) {
        Q8_0Ops ops = q8Family(variant);
        Weight w1 = weight("w1", 8, first);
        Weight w2 = weight("w2", 8, second);
        float[] x1 = randomFloats(random, first);
        float[] x2 = randomFloats(random, second);
        DeviceBuffer out1 = poisoned(backend(), "out1", 8);
        DeviceBuffer out2 = poisoned(backend(), "out2", 8);
        TaskGraph g = backend().graph("two products");
        ops.matVec(g, "first", out1, w1.device(), upload(backend(), "x1", x1), false);
        ops.matVec(g, "second", out2, w2.device(), upload(backend(), "x2", x2), false);
        runOnce(g);
        assertSumsClose(reference(quantisesInput(variant), w1, x1, null), readFloats(backend(), out1, 8), TOLERANCE, "first");
        assertSumsClose(reference(quantisesInput(variant), w2, x2, null), readFloats(backend(), out2, 8), TOLERANCE, "second");
    }

    /**
     * The op catalogue sends Q8_0 weights to its Q8_0 family, with the variant the device and
     * {@link Q8_0#ACTIVATIONS_PROPERTY} choose: the three GEMVs the models call.
     */
    @Test
    void theOpCatalogueSendsQ8_0WeightsToTheQ8_0Family() {
        boolean quantised = Q8_0.quantizesActivations();
        checkMatVec(backend().ops(), quantised, 13, 96, true, "matVec");
        checkQkv(backend().ops(), quantised);
        checkSwiGlu(backend().ops(), quantised, 5, 64);
    }

    /** The op catalogue's own GEMM in {@link #linearCases}. */
    private static final String CATALOGUE = "catalogue";

    /**
     * The backend's GEMM variants, each forced (a family whose {@code linear} runs it), by a name for the case; the
     * linear cases run each and the op catalogue's choice. None here: a backend of one GEMM kernel overrides nothing.
     */
    protected Map<String, Function<DeviceBackend, Q8_0Ops>> gemmVariants() {
        return Map.of();
    }

    /**
     * Each GEMM (the catalogue's, then the forced ones) on every shape: the ViT's and Q-Former's widths, and M, N and
     * the blocks of K ragged against the kernels' register blocks (3 × 4, 4 × 6, 8 rows) and their 8 scales a load.
     * bias: 0 none, 1 given; residual: 0 none, 1 its own buffer, 2 out itself (in place).
     */
    Stream<Arguments> linearCases() {
        int[][] shapes = {{1, 64, 64, 0, 0}, {5, 48, 96, 1, 0}, {9, 96, 64, 1, 1}, {257, 96, 1408, 1, 2}, {257, 1408, 768, 0, 1},
                {32, 768, 1408, 1, 0}, {2, 5, 32, 1, 2}, {7, 50, 288, 1, 1}, {13, 97, 800, 0, 2}, {131, 250, 1408, 1, 2}};
        return gemms().flatMap(gemm -> Stream.of(shapes).map(s -> arguments(gemm, s[0], s[1], s[2], s[3], s[4])));
    }

    /** The GEMMs' names: the op catalogue's, then the forced variants'. */
    private Stream<String> gemms() {
        return Stream.concat(Stream.of(CATALOGUE), gemmVariants().keySet().stream());
    }

    /** The ops that run the GEMM named {@code gemm} ({@link #gemms}). */
    private GemmOps gemm(String gemm) {
        return gemm.equals(CATALOGUE) ? backend().ops() : gemmVariants().get(gemm).apply(backend());
    }

    /**
     * How many ulps the GEMM named {@code gemm} may store from its own linear followed by the backend's biasGelu:
     * none here (the same sums, bias add and GELU expressions). A backend whose GEMM takes the GELU at another vector
     * width than its biasGelu says how many.
     */
    protected int geluUlps(String gemm) {
        return 0;
    }

    @ParameterizedTest(name = "{0}: {1} x {2} x {3}, bias {4}, residual {5}")
    @MethodSource("linearCases")
    void linear(String gemm, int m, int n, int k, int bias, int residual) {
        assumeAtMost((long) m * n * k, "linear");
        GemmOps ops = gemm(gemm);
        Weight w = weight("w", n, k);
        float[] x = randomFloats(random, m * k);
        float[] b = bias == 1 ? randomFloats(random, n) : null;
        float[] r = residual > 0 ? randomFloats(random, m * n) : null;
        DeviceBuffer rb = r != null ? upload(backend(), "residual", r) : null;
        DeviceBuffer out = residual == 2 ? rb : poisoned(backend(), "out", (long) m * n);
        TaskGraph g = backend().graph("linear_q8_0");
        ops.linear(g, "linear_q8_0 " + gemm, out, upload(backend(), "x", x), w.device(), b != null ? upload(backend(), "b", b) : null,
                rb, m, n, k);
        runOnce(g);
        float[] actual = readFloats(backend(), out, m * n);
        double[] values = new double[m * n];
        double[] scales = new double[m * n];
        float[] row = new float[k];
        for (int i = 0; i < m; i++) {
            System.arraycopy(x, i * k, row, 0, k);
            float[] start = new float[n];
            for (int j = 0; j < n; j++) {
                start[j] = (b != null ? b[j] : 0) + (r != null ? r[i * n + j] : 0);
            }
            Sums s = matVecReference(w.q8(), row, start);
            System.arraycopy(s.values(), 0, values, i * n, n);
            System.arraycopy(s.scales(), 0, scales, i * n, n);
        }
        assertSumsClose(new Sums(values, scales), actual, TOLERANCE, "linear_q8_0 " + gemm + " " + m + " x " + n + " x " + k);
    }

    /**
     * linearGelu's cases: each GEMM on shapes ragged against the kernels' blocks (M against 8 rows and 3 × 4 to
     * 5 × 4 blocks, N, and K's blocks against 8 scales a load), the ViT's 1408.
     */
    Stream<Arguments> linearGeluCases() {
        int[][] shapes = {{1, 64, 64}, {5, 48, 96}, {2, 5, 32}, {7, 50, 288}, {13, 97, 800}, {131, 250, 1408}, {257, 96, 1408}};
        return gemms().flatMap(gemm -> Stream.of(shapes).map(s -> arguments(gemm, s[0], s[1], s[2])));
    }

    /**
     * {@code gelu(x·Wᵀ + b)} in one task named as the call (the catalogue's too: Q8_0's GEMM takes the GELU into its
     * store), against {@link Linear#linearGelu} over the dequantised matrix at the float GEMMs' linearGelu bound
     * ({@value #GELU_TOLERANCE} relative: float32 sums on both sides, GELU's slope at most 1.13, gelu_erf's own error
     * about 3e-7 of its value), and against the same GEMM's linear (held to the reference at {@value #TOLERANCE}
     * above) followed by biasGelu within {@link #geluUlps}.
     */
    @ParameterizedTest(name = "{0}: {1} x {2} x {3}")
    @MethodSource("linearGeluCases")
    void linearGelu(String gemm, int m, int n, int k) {
        assumeAtMost((long) m * n * k, "linearGelu");
        GemmOps ops = gemm(gemm);
        Weight w = weight("w", n, k);
        float[] x = randomFloats(random, m * k);
        float[] b = randomFloats(random, n);
        float[] expected = new float[m * n];
        Linear.linearGelu(expected, new WeightMatrix(w.q8()), x, b, m);
        DeviceBuffer dx = upload(backend(), "x", x);
        DeviceBuffer db = upload(backend(), "b", b);
        DeviceBuffer out = poisoned(backend(), "out", (long) m * n);
        String what = "linearGelu " + gemm + " " + m + " x " + n + " x " + k;
        TaskGraph g = backend().graph("linearGelu");
        ops.linearGelu(g, "fc1", out, dx, w.device(), db, m, n, k);
        try (GraphPlan plan = g.build()) {
            assertEquals(List.of("fc1"), plan.executeProfiled().stream().map(TaskTiming::task).toList(), what + ": tasks");
        }
        float[] actual = readFloats(backend(), out, m * n);
        assertClose(expected, actual, GELU_TOLERANCE, what);
        assertGeluUlps(linearThenBiasGelu(backend(), ops, dx, w.device(), db, m, n, k), actual, geluUlps(gemm),
                what + ": against linear, biasGelu");
    }

    @Test
    void aQ8_0WeightUploadsItsQuantsAndScales() {
        Weight w = weight("w", 4, 64);
        assertEquals(DType.Q8_0, w.device().dtype());
        assertNotNull(w.device().scales());
        assertEquals(4 * 64, w.device().buffer().bytes());
        assertEquals(4 * 2 * 2, w.device().scales().bytes());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void theQ8_0FamilyRefusesAFloatWeight(V variant) {
        DeviceTensor floats = backend().upload(Tensor.ofFloats("w", new float[64], 2, 32));
        DeviceBuffer x = upload(backend(), "x", new float[32]);
        DeviceBuffer out = poisoned(backend(), "out", 2);
        Q8_0Ops q8 = q8Family(variant);
        var e = assertThrows(IllegalArgumentException.class, () -> q8.matVec(backend().graph("g"), "gemv", out, floats, x, false));
        assertEquals("gemv: weight w F32 [2, 32] is not Q8_0", e.getMessage());
    }
}

package videollama.kernels.opencl;

import static videollama.kernels.KernelChecks.assertClose;
import static videollama.kernels.KernelChecks.assertGeluUlps;
import static videollama.kernels.KernelChecks.assertLinearGeluRefusesMismatches;
import static videollama.kernels.KernelChecks.assertLinearGeluThroughTheOps;
import static videollama.kernels.KernelChecks.assertLinearRefusesMismatches;
import static videollama.kernels.KernelChecks.linearThenBiasGelu;
import static videollama.kernels.KernelChecks.poisoned;
import static videollama.kernels.KernelChecks.randomFloats;
import static videollama.kernels.KernelChecks.readFloats;
import static videollama.kernels.KernelChecks.runOnce;
import static videollama.kernels.KernelChecks.upload;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.kernels.Epilogue;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceTensor;
import videollama.kernels.TaskGraph;
import videollama.kernels.TestBackend;
import videollama.kernels.opencl.OpenCLGemmOps.Block;
import videollama.kernels.opencl.OpenCLGemmOps.Variant;
import videollama.kernels.opencl.OpenCLGemmOps.Tile;
import videollama.kernels.reference.Linear;
import videollama.kernels.reference.WeightMatrix;
import videollama.testing.SeededRandom;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * Each GEMM kernel, forced whatever the device, against {@link Linear} on fresh random inputs: odd shapes
 * (M, N, K not multiples of any tile or block), every weight dtype, with and without bias and residual, the
 * residual in out itself, the GELU epilogue ({@code linearGelu}), and outputs poisoned first. 1e-5 relative: the
 * weights are widened to float and everything is float32 on both sides, only the order of the additions differs
 * (GELU's slope is at most 1.13, and gelu_erf's own error is about 3e-7 of its value). The GELU epilogue is also
 * held to the same kernel's linear followed by biasGelu: the same sums and bias add, and common.cl's GELU expressions
 * (see check for the ulps the CPU kernels' float8 form may differ by).
 */
class OpenCLGemmOpsTest {
    /**
     * How far a CPU kernel's GELU epilogue may store from its linear followed by biasGelu, in
     * {@link videollama.kernels.KernelChecks#assertGeluUlps}'s ulps: its gelu_erf8 (common.cl's store_block) is
     * bias_gelu's expressions on float8, but PoCL's float8 exp differs from the exp of its vectorised bias_gelu by an
     * ulp for some arguments: two exps, then five roundings that may go either way, 8 ulps (measured at most 3 on
     * GELU's negative side over seeds 1-7; OpenCLQ8_0OpsTest's sums over K = 1408 reach GELU's far tail, where the
     * erfc is subnormal and one ulp of it became 6-7 ulps of the output before assertGeluUlps counted it as one).
     */
    static final int GELU8_ULPS = 8;

    @RegisterExtension
    final SeededRandom random = new SeededRandom();

    /** A tile and a block besides the defaults, so that the kernels' shape macros are tested, not one shape. */
    private static final Tile NARROW_TILE = new Tile(32, 64, 8, 2, 4);
    private static final Block SMALL_BLOCK = new Block(2, 3, 5, 4096);

    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    private static OpenCLBackend backend() {
        return openCL.get();
    }

    private static OpenCLGemmOps forced(Variant kernel, Tile tile, Block block) {
        return new OpenCLGemmOps(backend().info(), kernel, tile, block);
    }

    /**
     * Every kernel × shape × dtype; the epilogue rotates through all five so that each kernel meets each one
     * at several shapes, and the small shape gets all of them with every dtype.
     */
    static Stream<Arguments> cases() {
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {17, 33, 65}, {33, 130, 300}, {2, 9, 1001}, {257, 96, 1408}, {9, 37, 6144}};
        DType[] dtypes = {DType.F32, DType.F16, DType.BF16};
        Epilogue[] epilogues = Epilogue.values();
        List<Arguments> cases = new ArrayList<>();
        int turn = 0;
        for (Variant kernel : Variant.values()) {
            for (int[] s : shapes) {
                for (DType dtype : dtypes) {
                    if (s[0] == 17) {
                        for (Epilogue e : epilogues) {
                            cases.add(Arguments.of(kernel, s[0], s[1], s[2], dtype, e));
                        }
                    } else {
                        cases.add(Arguments.of(kernel, s[0], s[1], s[2], dtype, epilogues[turn++ % epilogues.length]));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3} {4} {5}")
    @MethodSource("cases")
    void linearMatchesTheReference(Variant kernel, int m, int n, int k, DType dtype, Epilogue epilogue) {
        check(forced(kernel, OpenCLGemmOps.GPU_TILE, OpenCLGemmOps.CPU_BLOCK), m, n, k, dtype, epilogue);
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3} {4} {5}")
    @MethodSource("cases")
    void otherTileAndBlockShapesMatchTheReference(Variant kernel, int m, int n, int k, DType dtype, Epilogue epilogue) {
        if (kernel != Variant.ROWS && k < 2000) {
            check(forced(kernel, NARROW_TILE, SMALL_BLOCK), m, n, k, dtype, epilogue);
        }
        if (kernel == Variant.TILED && k < 2000) {
            check(forced(kernel, OpenCLGemmOps.SMALL_GPU_TILE, SMALL_BLOCK), m, n, k, dtype, epilogue);
        }
    }

    /** What this device gets without forcing, at one row (the decode-shaped call) and many. */
    @ParameterizedTest(name = "{0}x{1}x{2} {3}")
    @MethodSource("defaults")
    void theDevicesOwnChoiceMatchesTheReference(int m, int n, int k, DType dtype, Epilogue epilogue) {
        check(new OpenCLGemmOps(backend()), m, n, k, dtype, epilogue);
    }

    static Stream<Arguments> defaults() {
        return Stream.of(Arguments.of(1, 300, 257, DType.F32, Epilogue.IN_PLACE), Arguments.of(1, 77, 64, DType.BF16, Epilogue.NONE),
                Arguments.of(2, 77, 64, DType.F16, Epilogue.BIAS), Arguments.of(100, 130, 129, DType.F16, Epilogue.BOTH),
                // many rows get their own block on AVX-512 CPUs (OpenCLGemmOps.CPU_BLOCK_AVX512)
                Arguments.of(100, 130, 129, DType.F32, Epilogue.BOTH), Arguments.of(257, 97, 1408, DType.F32, Epilogue.BIAS),
                Arguments.of(257, 97, 1408, DType.F16, Epilogue.BIAS), Arguments.of(130, 50, 300, DType.BF16, Epilogue.IN_PLACE));
    }

    private void check(OpenCLGemmOps ops, int m, int n, int k, DType dtype, Epilogue epilogue) {
        Tensor w = Tensor.ofFloats("w", randomFloats(random, n * k), n, k).convertTo(dtype);
        float[] x = randomFloats(random, m * k);
        float[] bias = epilogue.bias ? randomFloats(random, n) : null;
        float[] residual = epilogue.residual ? randomFloats(random, m * n) : null;
        float[] expected = new float[m * n];
        if (epilogue.gelu) {
            Linear.linearGelu(expected, new WeightMatrix(w), x, bias, m);
        } else {
            Linear.linear(expected, new WeightMatrix(w), x, bias, residual, m);
        }

        DeviceBuffer out = epilogue.inPlace ? upload(backend(), "out", residual) : poisoned(backend(), "out", (long) m * n);
        DeviceBuffer dResidual = !epilogue.residual ? null : epilogue.inPlace ? out : upload(backend(), "residual", residual);
        DeviceBuffer dBias = bias == null ? null : upload(backend(), "bias", bias);
        DeviceBuffer dx = upload(backend(), "x", x);
        DeviceTensor dw = backend().upload(w);
        TaskGraph g = backend().graph("linear");
        if (epilogue.gelu) {
            ops.linearGelu(g, "linear", out, dx, dw, dBias, m, n, k);
        } else {
            ops.linear(g, "linear", out, dx, dw, dBias, dResidual, m, n, k);
        }
        runOnce(g);
        Variant kernel = ops.kernelFor(m);
        String what = kernel + " " + m + "x" + n + "x" + k + " " + dtype + " " + epilogue;
        float[] actual = readFloats(backend(), out, m * n);
        assertClose(expected, actual, 1e-5, what);
        if (epilogue.gelu) {
            // the GPU kernels' stores apply gelu_erf, bias_gelu's function, to the same sums: bit for bit
            int ulps = kernel == Variant.BLOCKED || kernel == Variant.WIDENED ? GELU8_ULPS : 0;
            assertGeluUlps(linearThenBiasGelu(backend(), ops, dx, dw, dBias, m, n, k), actual, ulps,
                    what + ": linearGelu against linear, biasGelu");
        }
    }

    /** linearGelu through the op catalogue, Q8_0 weights included, at the bound of the rows above. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16", "Q8_0"})
    void linearGeluThroughTheOps(DType dtype) {
        assertLinearGeluThroughTheOps(backend(), dtype, random, 1e-5);
    }

    @Test
    void mismatchedShapesAreRefused() {
        assertLinearRefusesMismatches(backend(), new OpenCLGemmOps(backend()), random);
        assertLinearGeluRefusesMismatches(backend(), new OpenCLGemmOps(backend()), random);
    }
}

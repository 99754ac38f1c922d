package videollama.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static videollama.kernels.KernelChecks.poisoned;
import static videollama.kernels.KernelChecks.randomFloats;
import static videollama.kernels.KernelChecks.readFloats;
import static videollama.kernels.KernelChecks.runOnce;
import static videollama.kernels.KernelChecks.upload;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceTensor;
import videollama.kernels.GemmOps;
import videollama.kernels.Q8_0Ops;
import videollama.kernels.Q8_0OpsContract;
import videollama.kernels.TaskGraph;
import videollama.kernels.TestBackend;
import videollama.kernels.opencl.OpenCLQ8_0Ops.GemmVariant;
import videollama.kernels.opencl.OpenCLQ8_0Ops.Variant;
import videollama.kernels.reference.Q8_0;
import videollama.weights.Tensor;

/**
 * {@link Q8_0OpsContract} on OpenCL (PoCL in CI): each GEMV and GEMM variant forced whatever the device's kind (BLOCKED
 * at 3 × 4 and 4 × 6, besides the catalogue's 5 × 4 on AVX-512), and the op catalogue's own (WIDE8 and BLOCKED on a
 * CPU); INT8_4's results against INT8's, and BLOCKED's against {@code linear_blocked}'s over the dequantised matrix,
 * which they must equal bit for bit.
 */
class OpenCLQ8_0OpsTest extends Q8_0OpsContract<Variant> {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    OpenCLQ8_0OpsTest() {
        super(openCL, Variant.class, OpenCLQ8_0Ops::of, Variant::quantisesInput);
    }

    @Override
    protected Map<String, Function<DeviceBackend, Q8_0Ops>> gemmVariants() {
        Map<String, Function<DeviceBackend, Q8_0Ops>> gemms = new LinkedHashMap<>();
        gemms.put("COLUMN", b -> OpenCLQ8_0Ops.of(b, GemmVariant.COLUMN, null));
        gemms.put("BLOCKED 3x4", b -> OpenCLQ8_0Ops.of(b, GemmVariant.BLOCKED, OpenCLGemmOps.CPU_BLOCK));
        gemms.put("BLOCKED 4x6", b -> OpenCLQ8_0Ops.of(b, GemmVariant.BLOCKED, OpenCLGemmOps.CPU_BLOCK_AVX512));
        return gemms;
    }

    /**
     * BLOCKED stores through common.cl's store_block, whose GELU is eight-wide: within {@link OpenCLGemmOpsTest#GELU8_ULPS}
     * of its linear then biasGelu, as linear_blocked; COLUMN's store_out applies bias_gelu's scalar GELU, bit for bit.
     */
    @Override
    protected int geluUlps(String gemm) {
        GemmVariant variant = gemm.equals("COLUMN") ? GemmVariant.COLUMN
                : gemm.startsWith("BLOCKED") ? GemmVariant.BLOCKED : new OpenCLQ8_0Ops(openCL.get()).gemm();   // the catalogue's
        return variant == GemmVariant.BLOCKED ? OpenCLGemmOpsTest.GELU8_ULPS : 0;
    }

    /** On a CPU the catalogue's Q8_0 GEMM is BLOCKED, on a GPU COLUMN. */
    @Test
    void theDeviceKindPicksTheGemm() {
        assertEquals(openCL.get().cpuShaped() ? GemmVariant.BLOCKED : GemmVariant.COLUMN, new OpenCLQ8_0Ops(openCL.get()).gemm());
    }

    /**
     * BLOCKED widens and scales each weight in registers, q·d exactly the dequantised weight, then sums as
     * linear_blocked does: its results are linear_blocked's over the dequantised F32 matrix at the same block, to the
     * bit (bias and in-place residual included).
     */
    @ParameterizedTest(name = "{0} x {1} x {2}, block {3}x{4}")
    @CsvSource({"131, 250, 1408, 4, 6", "13, 97, 800, 3, 4", "257, 96, 1408, 5, 4"})
    void blockedIsLinearBlockedOverTheDequantisedMatrixExactly(int m, int n, int k, int blockM, int blockN) {
        Tensor q8 = Q8_0.quantize(Tensor.ofFloats("w", randomFloats(random, n * k), n, k));
        DeviceTensor[] weights = {openCL.get().upload(q8), openCL.get().upload(Tensor.ofFloats("w", Q8_0.dequantize(q8), n, k))};
        DeviceBuffer x = upload(openCL.get(), "x", randomFloats(random, m * k));
        DeviceBuffer bias = upload(openCL.get(), "bias", randomFloats(random, n));
        float[] residual = randomFloats(random, m * n);
        OpenCLGemmOps.Block block = new OpenCLGemmOps.Block(blockM, blockN, 8, 4 << 20);
        GemmOps[] ops = {OpenCLQ8_0Ops.of(openCL.get(), GemmVariant.BLOCKED, block),
                OpenCLGemmOps.of(openCL.get(), OpenCLGemmOps.Variant.BLOCKED, OpenCLGemmOps.GPU_TILE, block)};
        float[][] results = new float[2][];
        for (int i = 0; i < 2; i++) {
            DeviceBuffer out = upload(openCL.get(), "out", residual);
            TaskGraph g = openCL.get().graph("linear");
            ops[i].linear(g, "linear", out, x, weights[i], bias, out, m, n, k);
            runOnce(g);
            results[i] = readFloats(openCL.get(), out, m * n);
        }
        assertArrayEquals(results[1], results[0]);
    }

    /** INT8_4 (a work-item per 4 rows) keeps each row's sums and their order: INT8's results, to the bit. */
    @ParameterizedTest(name = "{0} x {1}")
    @CsvSource({"7, 11008", "12, 4128", "5, 96"})
    void int8x4IsInt8Exactly(int rows, int cols) {
        DeviceTensor w = openCL.get().upload(Q8_0.quantize(Tensor.ofFloats("w", randomFloats(random, rows * cols), rows, cols)));
        DeviceBuffer x = upload(openCL.get(), "x", randomFloats(random, cols));
        float[][] results = new float[2][];
        Variant[] variants = {Variant.INT8, Variant.INT8_4};
        for (int i = 0; i < 2; i++) {
            DeviceBuffer out = poisoned(openCL.get(), "out", rows);
            TaskGraph g = openCL.get().graph("gemv");
            OpenCLQ8_0Ops.of(openCL.get(), variants[i]).matVec(g, "gemv", out, w, x, false);
            runOnce(g);
            results[i] = readFloats(openCL.get(), out, rows);
        }
        assertArrayEquals(results[0], results[1]);
    }
}

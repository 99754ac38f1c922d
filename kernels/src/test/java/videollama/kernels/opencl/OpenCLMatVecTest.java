package videollama.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static videollama.kernels.KernelChecks.assertClose;
import static videollama.kernels.KernelChecks.poisoned;
import static videollama.kernels.KernelChecks.randomFloats;
import static videollama.kernels.KernelChecks.readFloats;
import static videollama.kernels.KernelChecks.upload;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceOpsContract;
import videollama.kernels.DeviceTensor;
import videollama.kernels.GraphPlan;
import videollama.kernels.KernelChecks;
import videollama.kernels.TaskGraph;
import videollama.kernels.TestBackend;
import videollama.kernels.opencl.OpenCLGemvOps.Variant;
import videollama.kernels.reference.MatMul;
import videollama.kernels.reference.WeightMatrix;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * Each matVec kernel, forced whatever the device, against {@link MatMul} on fresh random inputs at odd shapes, with
 * and without the residual add; split-K with ranges of a few columns up to many ranges per row, ranges that do not
 * divide the row, and one range narrower than the rest. Outputs are poisoned first (accumulate starts from random
 * values instead). Tolerance 1e-5 relative, float32 with a different summation order.
 */
class OpenCLMatVecTest extends DeviceOpsContract {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    OpenCLMatVecTest() {
        super(openCL);
    }

    private void check(OpenCLGemvOps ops, int rows, int cols, DType dtype, boolean accumulate, String what) {
        Tensor w = Tensor.ofFloats("w", randomFloats(random, rows * cols), rows, cols).convertTo(dtype);
        float[] x = randomFloats(random, cols);
        float[] start = randomFloats(random, rows);
        KernelChecks.Sums expected = KernelChecks.matVecReference(w, x, accumulate ? start : null);
        DeviceBuffer out = accumulate ? upload(backend(), "out", start) : poisoned(backend(), "out", rows);
        TaskGraph g = backend().graph("matvec");
        ops.matVec(g, "matvec", out, backend().upload(w), upload(backend(), "x", x), accumulate);
        KernelChecks.runOnce(g);
        KernelChecks.assertSumsClose(expected, readFloats(backend(), out, rows), 3e-7,
                what + " " + rows + "x" + cols + " " + dtype + (accumulate ? " +=" : ""));
    }

    @ParameterizedTest(name = "{0}: {1} x {2}, {3}, accumulate {4}")
    @CsvSource({"ROWS, 1, 1, F32, false", "ROWS, 37, 53, F16, true", "ROWS, 65, 1001, BF16, false",
            "WIDE, 1, 3, F32, true", "WIDE, 37, 53, F32, false", "WIDE, 130, 300, F16, true", "WIDE, 9, 1001, BF16, false",
            "WIDE4, 1, 3, F32, true", "WIDE4, 37, 53, F32, false", "WIDE4, 130, 300, F16, true", "WIDE4, 8, 1001, BF16, false",
            "WIDE4, 64, 11008, BF16, true"})
    void rowKernelsMatchTheReference(Variant variant, int rows, int cols, DType dtype, boolean accumulate) {
        check(OpenCLGemvOps.of(backend(), variant, 0), rows, cols, dtype, accumulate, variant.name());
    }

    /** WIDE4 keeps each row's accumulators and order: bit for bit WIDE's results, including a last item of fewer rows. */
    @ParameterizedTest(name = "{0} x {1}, {2}")
    @CsvSource({"7, 11008, BF16", "12, 4101, F16", "5, 40, F32"})
    void wide4IsWideExactly(int rows, int cols, DType dtype) {
        Tensor w = Tensor.ofFloats("w", randomFloats(random, rows * cols), rows, cols).convertTo(dtype);
        DeviceTensor dw = backend().upload(w);
        DeviceBuffer x = upload(backend(), "x", randomFloats(random, cols));
        float[][] results = new float[2][];
        Variant[] variants = {Variant.WIDE, Variant.WIDE4};
        for (int i = 0; i < 2; i++) {
            DeviceBuffer out = poisoned(backend(), "out", rows);
            TaskGraph g = backend().graph("matvec");
            OpenCLGemvOps.of(backend(), variants[i], 0).matVec(g, "matvec", out, dw, x, false);
            KernelChecks.runOnce(g);
            results[i] = readFloats(backend(), out, rows);
        }
        assertArrayEquals(results[0], results[1]);
    }

    @ParameterizedTest(name = "{0} x {1} in {2} ranges, {3}, accumulate {4}")
    @CsvSource({"1, 53, 3, F32, false", "1, 53, 3, F32, true", "37, 300, 4, F16, true", "5, 264, 2, BF16, false",
            "9, 1031, 5, F32, true", "13, 520, 7, F16, false", "3, 40, 9, BF16, true", "2, 4099, 32, F32, false",
            "768, 130, 2, F16, true", "7, 9, 2, F32, false"})
    void splitKMatchesTheReference(int rows, int cols, int slices, DType dtype, boolean accumulate) {
        check(OpenCLGemvOps.of(backend(), Variant.SPLIT_K, slices), rows, cols, dtype, accumulate, "split-K/" + slices);
    }

    /** The residual add happens once per replay: the combine adds the whole product, never a range of it twice. */
    @Test
    void splitKAccumulatesOncePerReplay() {
        int rows = 11;
        int cols = 97;
        Tensor w = Tensor.ofFloats("w", randomFloats(random, rows * cols), rows, cols);
        float[] x = randomFloats(random, cols);
        float[] expected = randomFloats(random, rows);
        DeviceBuffer out = upload(backend(), "out", expected);
        float[] product = new float[rows];
        MatMul.matmul(product, new WeightMatrix(w), x, 1);
        TaskGraph g = backend().graph("matvec");
        OpenCLGemvOps.of(backend(), Variant.SPLIT_K, 3).matVec(g, "matvec", out, backend().upload(w), upload(backend(), "x", x), true);
        try (GraphPlan plan = g.build()) {
            for (int replay = 1; replay <= 3; replay++) {
                plan.execute();
                for (int r = 0; r < rows; r++) {
                    expected[r] += product[r];
                }
                assertClose(expected, readFloats(backend(), out, rows), 2e-6, "after replay " + replay);
            }
        }
    }

    /** 132 compute units (an H100 under OpenCL): 32 groups each fill it; half of that is the threshold. */
    @ParameterizedTest(name = "{0} x {1} on {2} units: {3} ranges")
    @CsvSource({"4096, 11008, 132, 1", "32000, 4096, 132, 1", "768, 3072, 132, 6", "768, 2048, 132, 4",
            "768, 768, 132, 1", // too narrow to cut: one range
            "8, 65536, 132, 32"})
    void gpusSplitOnlyMatricesWithFewRows(int rows, int cols, int units, int slices) {
        assertEquals(slices, OpenCLGemvOps.slicesFor(rows, cols, units));
    }
}

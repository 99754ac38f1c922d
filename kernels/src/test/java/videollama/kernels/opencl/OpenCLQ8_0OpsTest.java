package videollama.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static videollama.kernels.KernelChecks.poisoned;
import static videollama.kernels.KernelChecks.randomFloats;
import static videollama.kernels.KernelChecks.readFloats;
import static videollama.kernels.KernelChecks.runOnce;
import static videollama.kernels.KernelChecks.upload;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceTensor;
import videollama.kernels.Q8_0OpsContract;
import videollama.kernels.TaskGraph;
import videollama.kernels.TestBackend;
import videollama.kernels.opencl.OpenCLQ8_0Ops.Variant;
import videollama.kernels.reference.Q8_0;
import videollama.weights.Tensor;

/**
 * {@link Q8_0OpsContract} on OpenCL (PoCL in CI): each GEMV variant forced whatever the device's kind, and the op
 * catalogue's own (WIDE8 on a CPU); and INT8_4's results against INT8's, which they must equal bit for bit.
 */
class OpenCLQ8_0OpsTest extends Q8_0OpsContract<Variant> {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    OpenCLQ8_0OpsTest() {
        super(openCL, Variant.class, OpenCLQ8_0Ops::of, Variant::quantisesInput);
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

package videollama.kernels.opencl;

import static videollama.kernels.KernelChecks.assertClose;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.DecodeOpsContract;
import videollama.kernels.TestBackend;
import videollama.kernels.reference.MatMul;
import videollama.kernels.reference.WeightMatrix;
import videollama.weights.Tensor;

/**
 * {@link DecodeOpsContract} on OpenCL (PoCL in CI), with OpenCL's bounds: its matVec is held to 1e-5 of the
 * float32 reference, its fused q/k/v to 2e-6, its decode attention over a float32 cache to 1e-5.
 */
class OpenCLOpsTest extends DecodeOpsContract {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    OpenCLOpsTest() {
        super(openCL, 2e-6, 1e-5);
    }

    @Override
    protected void assertMatVecClose(Tensor w, float[] x, float[] start, float[] actual, String what) {
        int rows = actual.length;
        float[] expected = new float[rows];
        MatMul.matmul(expected, new WeightMatrix(w), x, 1);
        if (start != null) {
            for (int r = 0; r < rows; r++) {
                expected[r] += start[r];
            }
        }
        assertClose(expected, actual, 1e-5, what);
    }
}

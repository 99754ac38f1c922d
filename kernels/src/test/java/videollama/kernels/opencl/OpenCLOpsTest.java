package videollama.kernels.opencl;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.DecodeOpsContract;
import videollama.kernels.KernelChecks;
import videollama.kernels.TestBackend;
import videollama.weights.Tensor;

/**
 * {@link DecodeOpsContract} on OpenCL (PoCL in CI), with OpenCL's bounds: its GEMVs held to the contract's
 * {@link #SUMS_TOLERANCE} of each output's Σ|w·x| (relative to the largest output instead, a matVec of few rows
 * measured 4.0e-6 against 1e-5), its decode attention over a float32 cache to 1e-5.
 */
class OpenCLOpsTest extends DecodeOpsContract {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    OpenCLOpsTest() {
        super(openCL, 1e-5);
    }

    @Override
    protected void assertMatVecClose(Tensor w, float[] x, float[] start, float[] actual, String what) {
        KernelChecks.assertSumsClose(KernelChecks.matVecReference(w, x, start), actual, SUMS_TOLERANCE, what);
    }
}

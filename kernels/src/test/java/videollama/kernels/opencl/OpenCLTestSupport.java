package videollama.kernels.opencl;

import org.junit.jupiter.api.Assumptions;
import videollama.kernels.BackendUnavailableException;
import videollama.kernels.DeviceBackend;

/**
 * Opens the OpenCL backend for a test, or skips the test saying why when this machine has none. CI sets
 * {@code VIDEOLLAMA_REQUIRE_OPENCL=1} (it installs PoCL), so there a missing backend fails instead of skipping.
 * The buffer helpers and checks the OpenCL tests share with the other backends' are in
 * {@link videollama.kernels.KernelChecks}.
 */
final class OpenCLTestSupport {
    private OpenCLTestSupport() {}

    static DeviceBackend open() {
        try {
            return OpenCLBackend.open();
        } catch (BackendUnavailableException e) {
            if ("1".equals(System.getenv("VIDEOLLAMA_REQUIRE_OPENCL"))) {
                throw e;
            }
            Assumptions.abort("no OpenCL on this machine: " + e.getMessage());
            throw e;
        }
    }
}

package videollama.kernels.cuda;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import videollama.kernels.DeviceBackend;
import videollama.kernels.NormOpsContract;

/**
 * {@link NormOpsContract} on the CPU emulation of the CUDA driver ({@link CudaEmulator}): the cases of up to 16 rows
 * (every width, two blocks with a partial one); the 257-row cases, seconds each here, are left to
 * {@link CudaNormOpsTest} on a GPU.
 */
class EmulatedCudaNormOpsTest extends NormOpsContract {
    private static CudaBackend backend;

    @BeforeEach
    void needsEmulator() {
        synchronized (EmulatedCudaNormOpsTest.class) {
            if (backend == null) {
                backend = CudaEmulator.open();
            }
        }
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
            backend = null;
        }
    }

    @Override
    protected DeviceBackend backend() {
        return backend;
    }

    /** Rows: each costs the emulator some 20 warp barriers (the shuffles of its sums). */
    @Override
    protected long largestCase() {
        return 16;
    }
}

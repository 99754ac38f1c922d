package videollama.kernels.cuda;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import videollama.kernels.DeviceBackend;
import videollama.kernels.ConvOpsContract;

/**
 * {@link ConvOpsContract} on the CPU emulation of the CUDA driver ({@link CudaEmulator}): the cases of up to 60,000
 * output values (every dtype, several tiles each way, EVA's geometry with its channels trimmed, ImageBind's on a
 * small spectrogram); the full EVA and ImageBind stems are left to {@link CudaConvOpsTest} on a GPU.
 */
class EmulatedCudaConvOpsTest extends ConvOpsContract {
    private static CudaBackend backend;

    @BeforeEach
    void needsEmulator() {
        synchronized (EmulatedCudaConvOpsTest.class) {
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

    /** Output values: a block of 256 threads writes 4,096 of them (the convolution) or 256 (the class token). */
    @Override
    protected long largestCase() {
        return 60_000;
    }
}

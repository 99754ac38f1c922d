package videollama.kernels.cuda;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import videollama.kernels.DeviceBackend;
import videollama.kernels.AttentionOpsContract;

/**
 * {@link AttentionOpsContract} on the CPU emulation of the CUDA driver ({@link CudaEmulator}): the cases of up to
 * 60,000 scores (every head-width capacity, causal chunks, sets, f16 caches, strided views); the models' full
 * sizes (EVA's 257 tokens, ImageBind's 229, three frames of Q-Former cross-attention) are left to
 * {@link CudaAttentionOpsTest} on a GPU.
 */
class EmulatedCudaAttentionOpsTest extends AttentionOpsContract {
    private static CudaBackend backend;

    @BeforeEach
    void needsEmulator() {
        synchronized (EmulatedCudaAttentionOpsTest.class) {
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

    /** Scores: each block of 32 queries costs the emulator 3 barriers of 128 threads per tile of 16 keys. */
    @Override
    protected long largestCase() {
        return 60_000;
    }
}

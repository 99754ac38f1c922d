package videollama.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static videollama.kernels.KernelChecks.poisoned;
import static videollama.kernels.KernelChecks.randomFloats;
import static videollama.kernels.KernelChecks.upload;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.GraphPlan;
import videollama.kernels.TaskGraph;

/**
 * {@link CudaGraphContract} on the CPU emulation of the CUDA driver ({@link CudaEmulator}): the task graphs' Java code and the
 * kernels' logic, end to end, where there is no GPU. Skipped where g++ with C++20 is missing; every
 * case runs, the model-sized ones included.
 */
class EmulatedCudaGraphTest extends CudaGraphContract {
    @RegisterExtension
    static final EmulatedBackend emulator = new EmulatedBackend();

    EmulatedCudaGraphTest() {
        super(emulator);
    }

    /**
     * The emulator's own check, which a GPU does not make: a graph replayed after one of its buffers was freed is
     * refused, where its kernel would read unmapped pages (a crash of the whole test JVM) or whatever was mapped there
     * since.
     */
    @Test
    void aReplayAfterOneOfItsBuffersWasFreedIsRefused() {
        int dim = 96;
        DeviceBuffer x = upload(backend(), "x", randomFloats(random, dim));
        DeviceBuffer out = poisoned(backend(), "out", dim);
        TaskGraph g = backend().graph("freed input");
        backend().ops().rmsNorm(g, "norm", out, x, upload(backend(), "w", randomFloats(random, dim)), 1, dim, 1e-5f);
        try (GraphPlan plan = g.build()) {
            plan.execute();
            backend().release(x);
            CudaException refused = assertThrows(CudaException.class, plan::execute);
            assertTrue(refused.getMessage().contains("cuGraphLaunch"), refused.getMessage());
        }
    }
}

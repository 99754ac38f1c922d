package videollama.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import videollama.kernels.DeviceBackend;
import videollama.kernels.PrefillOpsContract;

/**
 * {@link PrefillOpsContract} on the emulated driver with the kernels loaded as NVRTC cubins instead of the committed
 * PTX: the backend picks NVRTC ({@link TestNvrtc}) for the emulated sm_90 device, loads its cubins (the
 * emulator reads their ELF symbol tables) and launches the kernels they name. What runs is the emulator's build of
 * the same sources, so this checks the path, not NVRTC's code generation.
 */
class EmulatedCudaNvrtcPrefillOpsTest extends PrefillOpsContract {
    private static CudaBackend backend;

    @BeforeEach
    void needsEmulator() throws IOException {
        synchronized (EmulatedCudaNvrtcPrefillOpsTest.class) {
            if (backend == null) {
                Path cache = Files.createDirectories(Path.of("target", "nvrtc-cache"));
                backend = CudaBackend.open(CudaDriver.load(CudaEmulator.library()), TestNvrtc.environment(cache));
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

    @Override
    protected long largestCase() {
        return 100_000;
    }

    @Test
    void theKernelsAreNvrtcCubins() {
        assertTrue(backend.kernels().startsWith("cubins for sm_90 compiled by NVRTC"), backend.kernels());
    }
}

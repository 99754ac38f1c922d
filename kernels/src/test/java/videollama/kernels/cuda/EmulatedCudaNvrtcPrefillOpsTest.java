package videollama.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.PrefillOpsContract;

/**
 * {@link PrefillOpsContract} on the emulated driver with the kernels loaded as NVRTC cubins instead of the committed
 * PTX: the backend picks NVRTC ({@link TestNvrtc}) for the emulated sm_90 device, loads its cubins (the
 * emulator reads their ELF symbol tables) and launches the kernels they name. What runs is the emulator's build of
 * the same sources, so this checks the path, not NVRTC's code generation.
 */
class EmulatedCudaNvrtcPrefillOpsTest extends PrefillOpsContract {
    @RegisterExtension
    static final EmulatedBackend emulator = new EmulatedBackend(() -> {
        try {
            Path cache = Files.createDirectories(Path.of("target", "nvrtc-cache"));
            return CudaBackend.open(CudaDriver.load(CudaEmulator.library()), TestNvrtc.environment(cache));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    });

    EmulatedCudaNvrtcPrefillOpsTest() {
        super(emulator);
    }

    @Test
    void theKernelsAreNvrtcCubins() {
        assertTrue(emulator.get().kernels().startsWith("cubins for sm_90 compiled by NVRTC"), emulator.get().kernels());
    }
}

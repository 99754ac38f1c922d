package videollama.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import videollama.kernels.BackendUnavailableException;

/** Without an NVIDIA driver, opening the CUDA backend is a clean, one-line {@link BackendUnavailableException}, never a crash. */
class CudaBackendUnavailableTest {

    private static boolean driverLibraryLoads() {
        try (Arena a = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(CudaDriver.LIBRARY, a);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Test
    void withoutLibcudaOpenSaysWhy() {
        Assumptions.assumeFalse(driverLibraryLoads(), "this machine has " + CudaDriver.LIBRARY + ": the unavailable path is not reachable here");
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, CudaBackend::open);
        assertTrue(e.getMessage().startsWith("backend unavailable: cuda: "), e.getMessage());
        assertTrue(e.getMessage().contains("libcuda.so.1"), e.getMessage());
        assertTrue(e.getMessage().contains("no NVIDIA driver"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        // and again: the reason is remembered, not retried into a different error
        BackendUnavailableException again = assertThrows(BackendUnavailableException.class, CudaBackend::open);
        assertTrue(again.getMessage().equals(e.getMessage()), again.getMessage());
    }
}

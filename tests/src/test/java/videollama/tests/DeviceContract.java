package videollama.tests;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import videollama.kernels.Backend;

/**
 * A test class whose tests run on one device backend, opened once before its first test and closed after its last.
 * The contracts that extend it ({@link LlamaDeviceContract}, {@link PrefillDeviceContract}, {@link VisionDeviceContract},
 * {@link AudioDeviceContract}) hold the tests; each backend's subclass says how to open it: OpenCL (PoCL in CI) or
 * the CUDA driver emulated on the CPU. One instance per class, so the contracts' case lists may be instance methods
 * that a subclass narrows where its backend is slow.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DeviceContract {
    /** The backend under test, open from before the first test to after the last. */
    Backend backend;

    /** Opens the backend under test, or aborts the class (a JUnit assumption) saying why this machine has none. */
    abstract Backend open();

    @BeforeAll
    void openDevice() {
        backend = open();
    }

    @AfterAll
    void closeDevice() {
        if (backend != null) {
            backend.close();
            backend = null;
        }
    }
}

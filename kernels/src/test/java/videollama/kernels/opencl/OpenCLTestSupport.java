package videollama.kernels.opencl;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Assumptions;
import videollama.kernels.BackendUnavailableException;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;

/**
 * Opens the OpenCL backend for a test, or skips the test saying why when this machine has none. CI sets
 * {@code VIDEOLLAMA_REQUIRE_OPENCL=1} (it installs PoCL), so there a missing backend fails instead of skipping.
 */
final class OpenCLTestSupport {
    /** The bit pattern written into outputs before a kernel runs: a NaN no kernel computes. */
    static final int POISON = 0x7fc0dead;

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

    static DeviceBuffer upload(DeviceBackend b, String name, float[] values) {
        DeviceBuffer buffer = b.allocate(name, Math.max(4, values.length * 4L));
        b.write(buffer, MemorySegment.ofArray(values));
        return buffer;
    }

    static DeviceBuffer upload(DeviceBackend b, String name, int[] values) {
        DeviceBuffer buffer = b.allocate(name, Math.max(4, values.length * 4L));
        b.write(buffer, MemorySegment.ofArray(values));
        return buffer;
    }

    /** A buffer of {@code floats} elements filled with the poison pattern. */
    static DeviceBuffer poisoned(DeviceBackend b, String name, long floats) {
        DeviceBuffer buffer = b.allocate(name, floats * 4);
        b.fill(buffer, POISON);
        return buffer;
    }

    static float[] readFloats(DeviceBackend b, DeviceBuffer buffer, int n) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(n * 4L);
            b.read(buffer, host);
            return host.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    static int[] readInts(DeviceBackend b, DeviceBuffer buffer, int n) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(n * 4L);
            b.read(buffer, host);
            return host.toArray(ValueLayout.JAVA_INT);
        }
    }
}

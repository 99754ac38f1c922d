package videollama.kernels.opencl;

import java.lang.foreign.MemorySegment;
import videollama.kernels.DeviceBuffer;

/**
 * A {@code cl_mem} buffer. {@code wrapped} is the host memory a weight buffer was created on
 * ({@code CL_MEM_USE_HOST_PTR}: a slice of a read-only file mapping, which nothing may write), or
 * {@link MemorySegment#NULL} for a buffer of the device's own memory.
 */
record OpenCLBuffer(String name, long bytes, MemorySegment handle, MemorySegment wrapped) implements DeviceBuffer {
    OpenCLBuffer(String name, long bytes, MemorySegment handle) {
        this(name, bytes, handle, MemorySegment.NULL);
    }

    boolean wrapsHostMemory() {
        return wrapped.address() != 0;
    }
}

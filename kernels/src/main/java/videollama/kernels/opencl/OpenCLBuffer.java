package videollama.kernels.opencl;

import java.lang.foreign.MemorySegment;
import videollama.kernels.DeviceBuffer;

/** A {@code cl_mem} buffer. */
record OpenCLBuffer(String name, long bytes, MemorySegment handle) implements DeviceBuffer {}

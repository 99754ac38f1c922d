package videollama.kernels.cuda;

import videollama.kernels.DeviceBuffer;

/** Device memory from {@code cuMemAlloc_v2}: its {@code CUdeviceptr}, 256-byte aligned. */
record CudaBuffer(String name, long bytes, long address) implements DeviceBuffer {}

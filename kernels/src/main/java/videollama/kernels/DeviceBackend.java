package videollama.kernels;

import java.lang.foreign.MemorySegment;
import videollama.weights.DType;
import videollama.weights.Tensor;

/** A backend with device memory and task graphs: {@code opencl} and {@code cuda}. */
public interface DeviceBackend extends Backend {

    DeviceInfo info();

    /** Uninitialised device memory. */
    DeviceBuffer allocate(String name, long bytes);

    /** Frees a buffer now rather than when the backend closes. */
    void release(DeviceBuffer buffer);

    /**
     * A weight copied to the device once, in its stored dtype (a Q8_0 matrix as two buffers: its quants, then its
     * scales). A zero-size tensor still gets a 4-byte buffer: a kernel argument must point somewhere, and OpenCL has
     * no empty buffers.
     */
    default DeviceTensor upload(Tensor tensor) {
        DeviceBuffer b = allocate(tensor.name(), Math.max(4, tensor.data().byteSize()));
        if (tensor.data().byteSize() > 0) {
            write(b, tensor.data());
        }
        DeviceBuffer scales = tensor.dtype() == DType.Q8_0 ? upload(tensor.scales()).buffer() : null;
        return new DeviceTensor(tensor.name(), b, tensor.dtype(), tensor.shape(), scales);
    }

    /** Copies host memory to a buffer now (waits). */
    void write(DeviceBuffer buffer, MemorySegment host);

    /** Copies a buffer to host memory, after all work queued so far (waits). */
    void read(DeviceBuffer buffer, MemorySegment host);

    /**
     * Queues a device-to-device copy of {@code bytes} from {@code src} at {@code srcOffset} to {@code dst} at
     * {@code dstOffset}, in order with the graphs replayed before and after it (how beam search gives a beam its
     * parent's key/value cache rows). The two ranges must not overlap.
     */
    void copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes);

    /** Sets every 32-bit word of a buffer to {@code pattern}: tests poison outputs so unwritten elements show. */
    void fill(DeviceBuffer buffer, int pattern);

    /** A new empty graph. */
    TaskGraph graph(String name);

    /** The op catalogue of this device, with its variants chosen for it. */
    DeviceOps ops();

    /** Waits for all queued work. */
    void finish();
}

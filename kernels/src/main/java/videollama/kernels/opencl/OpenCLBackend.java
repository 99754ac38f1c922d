package videollama.kernels.opencl;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceInfo;
import videollama.kernels.DeviceOps;
import videollama.kernels.DeviceTensor;
import videollama.kernels.KernelSource;
import videollama.kernels.Notices;
import videollama.kernels.TaskGraph;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * OpenCL through {@code java.lang.foreign}: one device, one context, one in-order queue (so tasks run in the
 * order they were enqueued and a replay needs no waits inside it). Programs are the {@code .cl} resources
 * beside this class, compiled once per set of options.
 *
 * <p>On a device that shares host memory ({@code CL_DEVICE_HOST_UNIFIED_MEMORY}: PoCL, integrated GPUs) a weight
 * that lies in a file mapping becomes a buffer over that mapping ({@code CL_MEM_USE_HOST_PTR}) instead of a copy,
 * so a 7B model sits in memory once, not twice (docs/design.md section 3). The mapping must then outlive the
 * buffer: a model closes its files after the sessions that use its weights.
 */
public final class OpenCLBackend implements DeviceBackend {
    private final OpenCL cl = OpenCL.get();
    private final MemorySegment device;
    private final DeviceInfo info;
    private final MemorySegment context;
    private final MemorySegment queue;
    private final Map<String, MemorySegment> programs = new HashMap<>();
    private final List<OpenCLBuffer> buffers = new ArrayList<>();
    private final OpenCLOps ops;
    /** Host-unified memory, and the byte alignment a {@code CL_MEM_USE_HOST_PTR} address needs; 0 for a device of its own memory. */
    private final long wrapAlignment;
    private long wrappedBytes;
    private long copiedBytes;
    private boolean copyReported;
    private boolean closed;

    private OpenCLBackend(OpenCLDevices.Found found) {
        this.device = found.handle();
        this.info = found.info();
        this.context = cl.createContext(device);
        this.queue = cl.createCommandQueue(context, device, CL.QUEUE_PROFILING_ENABLE);
        this.ops = new OpenCLOps(this);
        boolean unified = cl.deviceNumber(device, CL.DEVICE_HOST_UNIFIED_MEMORY, 4) != 0
                && !"0".equals(System.getenv("VIDEOLLAMA_OPENCL_ONE_COPY"));
        // CL_DEVICE_MEM_BASE_ADDR_ALIGN is in bits (OpenCL 1.2 section 4.2, table 4.3)
        this.wrapAlignment = unified ? Math.max(1, cl.deviceNumber(device, CL.DEVICE_MEM_BASE_ADDR_ALIGN, 4) / 8) : 0;
    }

    /** {@code backend} as an OpenCL backend, for a forced kernel variant ({@code what}); an error if it is another kind. */
    static OpenCLBackend of(DeviceBackend backend, String what) {
        if (backend instanceof OpenCLBackend openCL) {
            return openCL;
        }
        throw new IllegalArgumentException(what + " is an OpenCL kernel; " + backend.name() + " is not an OpenCL device");
    }

    /** The best device of this machine (a GPU if there is one). */
    public static OpenCLBackend open() {
        return new OpenCLBackend(OpenCLDevices.best());
    }

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public String device() {
        return info.name() + " (" + info.platform() + ")";
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    /**
     * Whether the ops take their CPU-shaped kernels (a work-item per row or slice, wide vectors): on a CPU device,
     * unless {@code VIDEOLLAMA_OPENCL_WIDE=0} gives it the GPU shapes.
     */
    boolean cpuShaped() {
        return info.isCpu() && !"0".equals(System.getenv("VIDEOLLAMA_OPENCL_WIDE"));
    }

    @Override
    public DeviceOps ops() {
        return ops;
    }

    @Override
    public synchronized DeviceBuffer allocate(String name, long bytes) {
        DeviceBuffer.checkAllocation(name, bytes);
        if (bytes > info.maxAllocationBytes()) {
            throw new OpenCLException("buffer " + name + " needs " + bytes + " bytes; " + info.name()
                    + " allows at most " + info.maxAllocationBytes() + " in one buffer");
        }
        OpenCLBuffer b = new OpenCLBuffer(name, bytes, cl.createBuffer(context, bytes));
        buffers.add(b);
        return b;
    }

    /**
     * A weight as a buffer over its file mapping where the device shares host memory and the tensor's address has
     * the device's base alignment; otherwise copied as on any device. A mapped weight that must be copied on such a
     * device is said once on stderr (the first one), as it then sits in memory twice.
     */
    @Override
    public DeviceTensor upload(Tensor tensor) {
        MemorySegment data = tensor.data();
        if (wrapAlignment == 0 || !data.isMapped() || data.byteSize() == 0) {
            return copied(tensor);
        }
        if (data.address() % wrapAlignment != 0) {
            synchronized (this) {
                if (!copyReported) {
                    copyReported = true;
                    Notices.tell("opencl: weight " + tensor.name() + " lies at an address that is not a multiple of "
                            + wrapAlignment + " bytes, which " + info.name() + " needs to use it in place: copied, so it"
                            + " sits in memory twice (so do later such weights; a folder written by videollama convert is aligned)");
                }
            }
            return copied(tensor);
        }
        synchronized (this) {
            if (data.byteSize() > info.maxAllocationBytes()) {
                return copied(tensor); // allocate names the limit
            }
            MemorySegment handle = cl.createBuffer(context, CL.MEM_READ_ONLY | CL.MEM_USE_HOST_PTR, data.byteSize(), data);
            OpenCLBuffer b = new OpenCLBuffer(tensor.name(), data.byteSize(), handle, data);
            buffers.add(b);
            wrappedBytes += data.byteSize();
            // a Q8_0 matrix's scales are a tensor of their own, used in place or copied as any other
            DeviceBuffer scales = tensor.dtype() == DType.Q8_0 ? upload(tensor.scales()).buffer() : null;
            return new DeviceTensor(tensor.name(), b, tensor.dtype(), tensor.shape(), scales);
        }
    }

    private DeviceTensor copied(Tensor tensor) {
        DeviceTensor t = DeviceBackend.super.upload(tensor);
        synchronized (this) {
            copiedBytes += tensor.data().byteSize();
        }
        return t;
    }

    /** Whether weights of a file mapping are used in place ({@link #upload}); false with VIDEOLLAMA_OPENCL_ONE_COPY=0. */
    public boolean sharesHostMemory() {
        return wrapAlignment > 0;
    }

    /** The weight bytes uploaded so far: used in place (their file mapping wrapped) and copied. */
    public record WeightMemory(long wrappedBytes, long copiedBytes) {}

    public synchronized WeightMemory weightMemory() {
        return new WeightMemory(wrappedBytes, copiedBytes);
    }

    /** The host address a buffer was created on ({@code CL_MEM_HOST_PTR}), 0 for one of the device's own memory. */
    public long hostPointer(DeviceBuffer buffer) {
        return cl.hostPointer(handle(buffer));
    }

    @Override
    public synchronized void release(DeviceBuffer buffer) {
        if (buffers.remove(buffer)) {
            cl.releaseMemObject(handle(buffer));
        }
    }

    @Override
    public void write(DeviceBuffer buffer, MemorySegment host) {
        buffer.checkHostSize(host);
        checkWritable(buffer);
        if (host.isNative()) {
            cl.write(queue, handle(buffer), 0, host, true);
            return;
        }
        // Native calls cannot take Java arrays: stage through native memory.
        try (Arena staging = Arena.ofConfined()) {
            cl.write(queue, handle(buffer), 0, staging.allocate(host.byteSize(), 8).copyFrom(host), true);
        }
    }

    @Override
    public void read(DeviceBuffer buffer, MemorySegment host) {
        buffer.checkHostSize(host);
        if (host.isNative()) {
            cl.read(queue, handle(buffer), 0, host);
            return;
        }
        try (Arena staging = Arena.ofConfined()) {
            MemorySegment nativeCopy = staging.allocate(host.byteSize(), 8);
            cl.read(queue, handle(buffer), 0, nativeCopy);
            host.copyFrom(nativeCopy);
        }
    }

    @Override
    public void copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
        src.checkRange(srcOffset, bytes);
        dst.checkRange(dstOffset, bytes);
        checkWritable(dst);
        if (bytes > 0) {
            cl.copy(queue, handle(src), handle(dst), srcOffset, dstOffset, bytes);
        }
    }

    @Override
    public void fill(DeviceBuffer buffer, int pattern) {
        checkWritable(buffer);
        cl.fill(queue, handle(buffer), pattern, buffer.bytes() / 4 * 4);
    }

    @Override
    public TaskGraph graph(String name) {
        return new OpenCLGraph(this, name);
    }

    @Override
    public void finish() {
        cl.finish(queue);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        cl.finish(queue);
        for (OpenCLBuffer b : buffers) {
            cl.releaseMemObject(b.handle());
        }
        for (MemorySegment p : programs.values()) {
            cl.releaseProgram(p);
        }
        cl.releaseCommandQueue(queue);
        cl.releaseContext(context);
    }

    // ---- for the graph and the ops of this package ------------------------------------------------------------

    OpenCL cl() {
        return cl;
    }

    MemorySegment queue() {
        return queue;
    }

    MemorySegment deviceHandle() {
        return device;
    }

    static MemorySegment handle(DeviceBuffer b) {
        if (!(b instanceof OpenCLBuffer ob)) {
            throw new IllegalArgumentException("buffer " + b.name() + " does not belong to the OpenCL backend");
        }
        return ob.handle();
    }

    /** A new kernel object of a compiled program (each task gets its own, as arguments are kernel state). */
    synchronized MemorySegment createKernel(KernelSource k) {
        String key = k.program() + " " + k.options();
        MemorySegment program = programs.get(key);
        if (program == null) {
            program = cl.createProgram(context, source("common") + "\n" + source(k.program()));
            cl.build(program, device, "-cl-std=CL1.2 " + k.options(), k.program() + ".cl " + k.options());
            programs.put(key, program);
        }
        return cl.createKernel(program, k.entry());
    }

    private static String source(String program) {
        return KernelSource.text(OpenCLBackend.class, program + ".cl");
    }

    /** A weight used in place is a read-only file mapping: a write would fault in the driver, so it is refused here. */
    private static void checkWritable(DeviceBuffer buffer) {
        if (buffer instanceof OpenCLBuffer b && b.wrapsHostMemory()) {
            throw new IllegalArgumentException("buffer " + b.name() + " is a weight used in place in its read-only file mapping");
        }
    }
}

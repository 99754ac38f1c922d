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
import videollama.kernels.KernelSource;
import videollama.kernels.TaskGraph;

/**
 * OpenCL through {@code java.lang.foreign}: one device, one context, one in-order queue (so tasks run in the
 * order they were enqueued and a replay needs no waits inside it). Programs are the {@code .cl} resources
 * beside this class, compiled once per set of options.
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
    private boolean closed;

    private OpenCLBackend(OpenCLDevices.Found found) {
        this.device = found.handle();
        this.info = found.info();
        this.context = cl.createContext(device);
        this.queue = cl.createCommandQueue(context, device, CL.QUEUE_PROFILING_ENABLE);
        this.ops = new OpenCLOps(this);
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

    @Override
    public DeviceOps ops() {
        return ops;
    }

    @Override
    public synchronized DeviceBuffer allocate(String name, long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("buffer " + name + ": " + bytes + " bytes");
        }
        if (bytes > info.maxAllocationBytes()) {
            throw new OpenCLException("buffer " + name + " needs " + bytes + " bytes; " + info.name()
                    + " allows at most " + info.maxAllocationBytes() + " in one buffer");
        }
        OpenCLBuffer b = new OpenCLBuffer(name, bytes, cl.createBuffer(context, bytes));
        buffers.add(b);
        return b;
    }

    @Override
    public synchronized void release(DeviceBuffer buffer) {
        if (buffers.remove(buffer)) {
            cl.releaseMemObject(handle(buffer));
        }
    }

    @Override
    public void write(DeviceBuffer buffer, MemorySegment host) {
        checkSize(buffer, host);
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
        checkSize(buffer, host);
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
        checkRange(src, srcOffset, bytes);
        checkRange(dst, dstOffset, bytes);
        if (bytes > 0) {
            cl.copy(queue, handle(src), handle(dst), srcOffset, dstOffset, bytes);
        }
    }

    private static void checkRange(DeviceBuffer buffer, long offset, long bytes) {
        if (offset < 0 || bytes < 0 || offset + bytes > buffer.bytes()) {
            throw new IllegalArgumentException("buffer " + buffer.name() + " of " + buffer.bytes() + " bytes has no range ["
                    + offset + ", " + (offset + bytes) + ")");
        }
    }

    @Override
    public void fill(DeviceBuffer buffer, int pattern) {
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

    private static void checkSize(DeviceBuffer buffer, MemorySegment host) {
        if (host.byteSize() > buffer.bytes()) {
            throw new IllegalArgumentException("buffer " + buffer.name() + " holds " + buffer.bytes() + " bytes, the host side "
                    + host.byteSize());
        }
    }
}

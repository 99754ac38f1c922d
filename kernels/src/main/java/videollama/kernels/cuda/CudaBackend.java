package videollama.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import videollama.kernels.BackendUnavailableException;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceInfo;
import videollama.kernels.DeviceOps;
import videollama.kernels.KernelSource;
import videollama.kernels.TaskGraph;

/**
 * CUDA through the driver API ({@code java.lang.foreign} bindings to {@code libcuda.so.1}): one device, its
 * primary context, and one stream that every copy, fill, launch and graph replay goes to, so work runs in the
 * order it was issued and a replay needs no host waits inside it. Kernels are compiled from the {@code .cu}
 * sources beside this class by NVRTC for the device where the machine has NVRTC, else they are the committed PTX
 * files made from the same sources by {@code scripts/build-ptx.sh}, which the driver compiles for the device
 * ({@link KernelImages#choose}); each program is loaded once, at its first use.
 *
 * <p>Threads: any thread may call in; the context is made current on it first. Stream work is serialised by
 * one lock, so a graph capture on this stream never takes in another thread's copy.
 */
public final class CudaBackend implements DeviceBackend {
    /** The PTX is compute_80 (Ampere): it runs on sm_80 and later. */
    static final int MIN_COMPUTE_CAPABILITY = 80;
    /** PTX ISA 7.8 (the committed files' {@code .version}) needs a CUDA 11.8 driver or later. */
    static final int MIN_DRIVER_VERSION = 11080;

    /** The context each thread last made current through any CudaBackend (the driver's current context is per thread). */
    private static final ThreadLocal<MemorySegment> CURRENT = new ThreadLocal<>();

    private final CudaDriver cu;
    private final int device;
    private final MemorySegment context;
    private final MemorySegment stream;
    private final DeviceInfo info;
    private final int computeCapability;
    private final int maxSharedMemoryOptIn;
    private final double memoryBandwidthGBs;
    private final KernelImages images;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, MemorySegment> modules = new HashMap<>();
    private final Map<String, MemorySegment> functions = new HashMap<>();
    private final List<CudaBuffer> buffers = new ArrayList<>();
    private final List<AutoCloseable> plans = new ArrayList<>();
    private final CudaOps ops;
    private boolean closed;

    private CudaBackend(CudaDriver cu, int device, MemorySegment context, Map<String, String> env) {
        this.cu = cu;
        this.device = device;
        this.context = context;
        makeCurrent();
        this.stream = cu.streamCreate(CudaDriver.STREAM_NON_BLOCKING);
        int major = cu.deviceAttribute(device, CudaDriver.DeviceAttribute.COMPUTE_CAPABILITY_MAJOR);
        int minor = cu.deviceAttribute(device, CudaDriver.DeviceAttribute.COMPUTE_CAPABILITY_MINOR);
        this.computeCapability = major * 10 + minor;
        this.images = KernelImages.choose(computeCapability, cu.driverVersion(), env);
        this.maxSharedMemoryOptIn = cu.deviceAttribute(device, CudaDriver.DeviceAttribute.MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
        long total = cu.deviceTotalMemory(device);
        int driver = cu.driverVersion();
        // DDR: two transfers per memory clock (kHz) over the bus width (bits).
        this.memoryBandwidthGBs = 2.0 * cu.deviceAttribute(device, CudaDriver.DeviceAttribute.MEMORY_CLOCK_RATE) * 1e3
                * (cu.deviceAttribute(device, CudaDriver.DeviceAttribute.GLOBAL_MEMORY_BUS_WIDTH) / 8.0) / 1e9;
        this.info = new DeviceInfo(
                String.format(Locale.ROOT, "CUDA %d.%d driver", driver / 1000, driver % 1000 / 10),
                cu.deviceName(device),
                "NVIDIA",
                "compute capability " + major + "." + minor,
                false,
                cu.deviceAttribute(device, CudaDriver.DeviceAttribute.MULTIPROCESSOR_COUNT),
                total,
                total,
                cu.deviceAttribute(device, CudaDriver.DeviceAttribute.MAX_SHARED_MEMORY_PER_BLOCK),
                cu.deviceAttribute(device, CudaDriver.DeviceAttribute.MAX_THREADS_PER_BLOCK),
                cu.deviceAttribute(device, CudaDriver.DeviceAttribute.CLOCK_RATE) / 1000,
                true,
                true);
        this.ops = new CudaOps(this);
    }

    /**
     * The device {@code VIDEOLLAMA_CUDA_DEVICE} (default 0) in its primary context. Throws
     * {@link BackendUnavailableException}, with the reason in one line, where there is no driver library, no
     * device, a device older than compute capability 8.0, or a driver older than CUDA 11.8.
     */
    public static CudaBackend open() {
        return open(CudaDriver.get());
    }

    /** The device through the given bindings (the tests use this with a CPU emulation of the driver). */
    static CudaBackend open(CudaDriver cu) {
        return open(cu, System.getenv());
    }

    /** As {@link #open(CudaDriver)}, with the environment the NVRTC settings are read from (the tests pass their own). */
    static CudaBackend open(CudaDriver cu, Map<String, String> env) {
        int rc = cu.init();
        if (rc == CudaDriver.ERROR_NO_DEVICE) {
            throw new BackendUnavailableException("cuda", "the NVIDIA driver sees no CUDA device (cuInit: " + cu.errorName(rc) + ")");
        }
        if (rc != CudaDriver.SUCCESS) {
            throw new BackendUnavailableException("cuda", "cuInit failed: " + cu.errorName(rc));
        }
        int ordinal = Integer.parseInt(System.getenv().getOrDefault("VIDEOLLAMA_CUDA_DEVICE", "0"));
        MemorySegment context = null;
        int device = -1;
        try {
            int driver = cu.driverVersion();
            if (driver < MIN_DRIVER_VERSION) {
                throw new BackendUnavailableException("cuda", "the driver supports CUDA " + driver / 1000 + "." + driver % 1000 / 10
                        + "; the kernels need 11.8 or later");
            }
            int count = cu.deviceCount();
            if (count == 0) {
                throw new BackendUnavailableException("cuda", "the NVIDIA driver sees no CUDA device");
            }
            if (ordinal < 0 || ordinal >= count) {
                throw new BackendUnavailableException("cuda", "VIDEOLLAMA_CUDA_DEVICE=" + ordinal + " but there are " + count + " devices");
            }
            device = cu.device(ordinal);
            int cc = cu.deviceAttribute(device, CudaDriver.DeviceAttribute.COMPUTE_CAPABILITY_MAJOR) * 10
                    + cu.deviceAttribute(device, CudaDriver.DeviceAttribute.COMPUTE_CAPABILITY_MINOR);
            if (cc < MIN_COMPUTE_CAPABILITY) {
                throw new BackendUnavailableException("cuda", cu.deviceName(device) + " has compute capability " + cc / 10 + "." + cc % 10
                        + "; the kernels need 8.0 (Ampere) or later");
            }
            context = cu.primaryContextRetain(device);
            return new CudaBackend(cu, device, context, env);
        } catch (CudaException e) {
            if (context != null) {
                cu.primaryContextRelease(device);
            }
            throw new BackendUnavailableException("cuda", e.getMessage());
        }
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String device() {
        return info.name() + " (" + info.platform() + ", " + info.version() + ")";
    }

    /** Where the kernels come from: NVRTC's cubins for this device, or the committed PTX and why (see {@link KernelImages}). */
    public String kernels() {
        return images.description();
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    /** Peak DRAM bandwidth from the memory clock and bus width, for the profiler's "of bandwidth" column. */
    public double memoryBandwidthGBs() {
        return memoryBandwidthGBs;
    }

    @Override
    public DeviceOps ops() {
        return ops;
    }

    @Override
    public DeviceBuffer allocate(String name, long bytes) {
        DeviceBuffer.checkAllocation(name, bytes);
        return inContext(() -> {
            CudaBuffer b = new CudaBuffer(name, bytes, cu.memAlloc(bytes, name));
            buffers.add(b);
            return b;
        });
    }

    @Override
    public void release(DeviceBuffer buffer) {
        lock.lock();
        try {
            if (!closed && buffers.remove(buffer)) {
                makeCurrent();
                // work queued earlier may still use it
                cu.streamSynchronize(stream);
                cu.memFree(((CudaBuffer) buffer).address());
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(DeviceBuffer buffer, MemorySegment host) {
        buffer.checkHostSize(host);
        inContext(() -> {
            try (Arena staging = Arena.ofConfined()) {
                // Native calls cannot take Java arrays: stage heap memory through native memory.
                MemorySegment source = host.isNative() ? host : staging.allocate(host.byteSize(), 8).copyFrom(host);
                cu.copyToDeviceAsync(address(buffer), source, host.byteSize(), stream);
                cu.streamSynchronize(stream);
            }
        });
    }

    @Override
    public void read(DeviceBuffer buffer, MemorySegment host) {
        buffer.checkHostSize(host);
        inContext(() -> {
            try (Arena staging = Arena.ofConfined()) {
                MemorySegment target = host.isNative() ? host : staging.allocate(host.byteSize(), 8);
                cu.copyToHostAsync(target, address(buffer), host.byteSize(), stream);
                cu.streamSynchronize(stream);
                if (!host.isNative()) {
                    host.copyFrom(target);
                }
            }
        });
    }

    @Override
    public void copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
        src.checkRange(srcOffset, bytes);
        dst.checkRange(dstOffset, bytes);
        if (bytes == 0) {
            return;
        }
        // queued on the stream the graphs are launched on, so it runs after them and before the next one
        inContext(() -> cu.copyOnDeviceAsync(address(dst) + dstOffset, address(src) + srcOffset, bytes, stream));
    }

    @Override
    public void fill(DeviceBuffer buffer, int pattern) {
        inContext(() -> {
            cu.memsetD32Async(address(buffer), pattern, buffer.bytes() / 4, stream);
            cu.streamSynchronize(stream);
        });
    }

    @Override
    public TaskGraph graph(String name) {
        return new CudaGraph(this, name);
    }

    @Override
    public void finish() {
        inContext(() -> cu.streamSynchronize(stream));
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            makeCurrent();
            try {
                cu.streamSynchronize(stream);
            } catch (CudaException e) {
                // a kernel failed earlier (the error is sticky); free what we can all the same
            }
            for (AutoCloseable plan : new ArrayList<>(plans)) {
                try {
                    plan.close();
                } catch (Exception e) {
                    // keep closing the rest
                }
            }
            closed = true;
            for (CudaBuffer b : buffers) {
                cu.memFree(b.address());
            }
            buffers.clear();
            for (MemorySegment m : modules.values()) {
                cu.moduleUnload(m);
            }
            modules.clear();
            functions.clear();
            cu.streamDestroy(stream);
            cu.primaryContextRelease(device);
            CURRENT.remove();
        } finally {
            lock.unlock();
        }
    }

    // ---- for the graph and the ops of this package ------------------------------------------------------------

    CudaDriver driver() {
        return cu;
    }

    MemorySegment stream() {
        return stream;
    }

    ReentrantLock lock() {
        return lock;
    }

    int computeCapability() {
        return computeCapability;
    }

    int maxSharedMemoryOptIn() {
        return maxSharedMemoryOptIn;
    }

    void register(AutoCloseable plan) {
        lock.lock();
        try {
            checkOpen();
            plans.add(plan);
        } finally {
            lock.unlock();
        }
    }

    void unregister(AutoCloseable plan) {
        lock.lock();
        try {
            plans.remove(plan);
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code work} holding the lock, the backend open and its context current on this thread. */
    private <T> T inContext(Supplier<T> work) {
        lock.lock();
        try {
            checkOpen();
            makeCurrent();
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    private void inContext(Runnable work) {
        inContext(() -> {
            work.run();
            return null;
        });
    }

    boolean isClosed() {
        return closed;
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the CUDA backend is closed");
        }
    }

    /** Makes this backend's context current on the calling thread unless it already is. */
    void makeCurrent() {
        if (CURRENT.get() != context) {
            cu.setCurrent(context);
            CURRENT.set(context);
        }
    }

    static long address(DeviceBuffer b) {
        if (!(b instanceof CudaBuffer cb)) {
            throw new IllegalArgumentException("buffer " + b.name() + " does not belong to the CUDA backend");
        }
        return cb.address();
    }

    /**
     * The kernel {@code k.entry()} of the program {@code k.program()}, loading the module at first use. The
     * committed PTX has no preprocessor left: variants (weight dtype, cache type) are separate entry points, so
     * options must be empty on both paths.
     * Call with the lock held.
     */
    MemorySegment function(KernelSource k) {
        if (!k.options().isBlank()) {
            throw new IllegalArgumentException("kernel " + k.entry() + ": CUDA kernels take no build options (got '" + k.options()
                    + "'); variants are separate entry points");
        }
        String key = k.program() + "/" + k.entry();
        MemorySegment f = functions.get(key);
        if (f == null) {
            MemorySegment module = modules.get(k.program());
            if (module == null) {
                try (Arena a = Arena.ofConfined()) {
                    module = cu.moduleLoad(a.allocateFrom(ValueLayout.JAVA_BYTE, images.image(k.program())), k.program());
                }
                modules.put(k.program(), module);
            }
            f = cu.moduleFunction(module, k.entry());
            functions.put(key, f);
        }
        return f;
    }

    @Override
    public String toString() {
        return "cuda: " + device();
    }
}

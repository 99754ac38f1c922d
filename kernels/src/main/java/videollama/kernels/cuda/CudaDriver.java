package videollama.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static videollama.kernels.Downcalls.call;
import static videollama.kernels.Downcalls.downcall;
import static videollama.kernels.Downcalls.exact;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import videollama.kernels.BackendUnavailableException;
import videollama.kernels.NativeBindings;

/**
 * The CUDA driver API ({@code libcuda.so.1}) through {@code java.lang.foreign}: no JNI, no native jar, and on a
 * machine without an NVIDIA driver a clean {@link BackendUnavailableException} instead of a crash. Each method
 * wraps one C function and turns its {@code CUresult} into a {@link CudaException} that names the call and the
 * error ({@code cuGetErrorName}). Handles ({@code CUcontext}, {@code CUstream}, {@code CUfunction}, ...) are
 * plain {@link MemorySegment} addresses; device pointers ({@code CUdeviceptr}) are {@code long}s.
 *
 * <p>The symbols are the versioned names the driver exports ({@code cuMemAlloc_v2}, {@code cuStreamBeginCapture_v2},
 * ...), which {@code cuda.h} otherwise supplies through macros. The hot paths (launches, graph launches, copies,
 * event records) use {@code invokeExact} ({@link videollama.kernels.Downcalls#exact}) and, once compiled, allocate
 * nothing.
 */
final class CudaDriver {
    static final String LIBRARY = "libcuda.so.1";

    // CUresult
    static final int SUCCESS = 0;
    static final int ERROR_NO_DEVICE = 100;

    /** The device properties the backend reads: {@code CUdevice_attribute} of cuda.h, its values. */
    enum DeviceAttribute {
        MAX_THREADS_PER_BLOCK(1),
        MAX_SHARED_MEMORY_PER_BLOCK(8),
        CLOCK_RATE(13),
        MULTIPROCESSOR_COUNT(16),
        MEMORY_CLOCK_RATE(36),
        GLOBAL_MEMORY_BUS_WIDTH(37),
        COMPUTE_CAPABILITY_MAJOR(75),
        COMPUTE_CAPABILITY_MINOR(76),
        MAX_SHARED_MEMORY_PER_BLOCK_OPTIN(97);

        final int code;

        DeviceAttribute(int code) {
            this.code = code;
        }
    }

    /** The kernel properties the graphs read and set: {@code CUfunction_attribute} of cuda.h, its values. */
    enum FunctionAttribute {
        SHARED_SIZE_BYTES(1),
        MAX_DYNAMIC_SHARED_SIZE_BYTES(8);

        final int code;

        FunctionAttribute(int code) {
            this.code = code;
        }
    }

    static final int STREAM_NON_BLOCKING = 1;
    static final int STREAM_CAPTURE_MODE_THREAD_LOCAL = 1;
    static final int EVENT_DEFAULT = 0;
    // CUjit_option
    private static final int JIT_ERROR_LOG_BUFFER = 5;
    private static final int JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;

    private static final NativeBindings<CudaDriver> BINDINGS = new NativeBindings<>("cuda",
            "cannot open " + LIBRARY + ": no NVIDIA driver on this machine",
            () -> new CudaDriver(SymbolLookup.libraryLookup(LIBRARY, Arena.global())));

    private final MethodHandle getErrorName;
    private final MethodHandle init;
    private final MethodHandle driverGetVersion;
    private final MethodHandle deviceGetCount;
    private final MethodHandle deviceGet;
    private final MethodHandle deviceGetName;
    private final MethodHandle deviceGetAttribute;
    private final MethodHandle deviceTotalMem;
    private final MethodHandle primaryCtxRetain;
    private final MethodHandle primaryCtxRelease;
    private final MethodHandle ctxSetCurrent;
    private final MethodHandle moduleLoadDataEx;
    private final MethodHandle moduleGetFunction;
    private final MethodHandle moduleUnload;
    private final MethodHandle funcGetAttribute;
    private final MethodHandle funcSetAttribute;
    private final MethodHandle memAlloc;
    private final MethodHandle memFree;
    private final MethodHandle memcpyHtoDAsync;
    private final MethodHandle memcpyDtoHAsync;
    private final MethodHandle memcpyDtoDAsync;
    private final MethodHandle memsetD32Async;
    private final MethodHandle launchKernel;
    private final MethodHandle streamCreate;
    private final MethodHandle streamSynchronize;
    private final MethodHandle streamDestroy;
    private final MethodHandle streamBeginCapture;
    private final MethodHandle streamEndCapture;
    private final MethodHandle graphInstantiate;
    private final MethodHandle graphLaunch;
    private final MethodHandle graphExecDestroy;
    private final MethodHandle graphDestroy;
    private final MethodHandle eventCreate;
    private final MethodHandle eventRecord;
    private final MethodHandle eventSynchronize;
    private final MethodHandle eventElapsedTime;
    private final MethodHandle eventDestroy;

    /**
     * A driver function: the symbols it may be exported as (the first one found is bound) and its parameters'
     * layouts; every function returns a CUresult (int). Checked against cuda.h by CudaDriverSignaturesTest.
     */
    record Signature(List<String> symbols, MemoryLayout... params) {}

    static final Signature GET_ERROR_NAME = new Signature(List.of("cuGetErrorName"), JAVA_INT, ADDRESS);
    static final Signature INIT = new Signature(List.of("cuInit"), JAVA_INT);
    static final Signature DRIVER_GET_VERSION = new Signature(List.of("cuDriverGetVersion"), ADDRESS);
    static final Signature DEVICE_GET_COUNT = new Signature(List.of("cuDeviceGetCount"), ADDRESS);
    static final Signature DEVICE_GET = new Signature(List.of("cuDeviceGet"), ADDRESS, JAVA_INT);
    static final Signature DEVICE_GET_NAME = new Signature(List.of("cuDeviceGetName"), ADDRESS, JAVA_INT, JAVA_INT);
    static final Signature DEVICE_GET_ATTRIBUTE = new Signature(List.of("cuDeviceGetAttribute"), ADDRESS, JAVA_INT, JAVA_INT);
    static final Signature DEVICE_TOTAL_MEM = new Signature(List.of("cuDeviceTotalMem_v2"), ADDRESS, JAVA_INT);
    static final Signature PRIMARY_CTX_RETAIN = new Signature(List.of("cuDevicePrimaryCtxRetain"), ADDRESS, JAVA_INT);
    static final Signature PRIMARY_CTX_RELEASE = new Signature(List.of("cuDevicePrimaryCtxRelease_v2"), JAVA_INT);
    static final Signature CTX_SET_CURRENT = new Signature(List.of("cuCtxSetCurrent"), ADDRESS);
    static final Signature MODULE_LOAD_DATA_EX = new Signature(List.of("cuModuleLoadDataEx"), ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    static final Signature MODULE_GET_FUNCTION = new Signature(List.of("cuModuleGetFunction"), ADDRESS, ADDRESS, ADDRESS);
    static final Signature MODULE_UNLOAD = new Signature(List.of("cuModuleUnload"), ADDRESS);
    static final Signature FUNC_GET_ATTRIBUTE = new Signature(List.of("cuFuncGetAttribute"), ADDRESS, JAVA_INT, ADDRESS);
    static final Signature FUNC_SET_ATTRIBUTE = new Signature(List.of("cuFuncSetAttribute"), ADDRESS, JAVA_INT, JAVA_INT);
    static final Signature MEM_ALLOC = new Signature(List.of("cuMemAlloc_v2"), ADDRESS, JAVA_LONG);
    static final Signature MEM_FREE = new Signature(List.of("cuMemFree_v2"), JAVA_LONG);
    static final Signature MEMCPY_HTOD_ASYNC = new Signature(List.of("cuMemcpyHtoDAsync_v2"), JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS);
    static final Signature MEMCPY_DTOH_ASYNC = new Signature(List.of("cuMemcpyDtoHAsync_v2"), ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS);
    static final Signature MEMCPY_DTOD_ASYNC = new Signature(List.of("cuMemcpyDtoDAsync_v2"), JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS);
    static final Signature MEMSET_D32_ASYNC = new Signature(List.of("cuMemsetD32Async"), JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS);
    static final Signature LAUNCH_KERNEL = new Signature(List.of("cuLaunchKernel"), ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final Signature STREAM_CREATE = new Signature(List.of("cuStreamCreate"), ADDRESS, JAVA_INT);
    static final Signature STREAM_SYNCHRONIZE = new Signature(List.of("cuStreamSynchronize"), ADDRESS);
    static final Signature STREAM_DESTROY = new Signature(List.of("cuStreamDestroy_v2"), ADDRESS);
    static final Signature STREAM_BEGIN_CAPTURE = new Signature(List.of("cuStreamBeginCapture_v2"), ADDRESS, JAVA_INT);
    static final Signature STREAM_END_CAPTURE = new Signature(List.of("cuStreamEndCapture"), ADDRESS, ADDRESS);
    static final Signature GRAPH_INSTANTIATE = new Signature(List.of("cuGraphInstantiateWithFlags"), ADDRESS, ADDRESS, JAVA_LONG);
    static final Signature GRAPH_LAUNCH = new Signature(List.of("cuGraphLaunch"), ADDRESS, ADDRESS);
    static final Signature GRAPH_EXEC_DESTROY = new Signature(List.of("cuGraphExecDestroy"), ADDRESS);
    static final Signature GRAPH_DESTROY = new Signature(List.of("cuGraphDestroy"), ADDRESS);
    static final Signature EVENT_CREATE = new Signature(List.of("cuEventCreate"), ADDRESS, JAVA_INT);
    static final Signature EVENT_RECORD = new Signature(List.of("cuEventRecord"), ADDRESS, ADDRESS);
    static final Signature EVENT_SYNCHRONIZE = new Signature(List.of("cuEventSynchronize"), ADDRESS);
    static final Signature EVENT_DESTROY = new Signature(List.of("cuEventDestroy_v2"), ADDRESS);
    /** CUDA 12.8 added cuEventElapsedTime_v2; older drivers (R535, R550) export only the first version. */
    static final Signature EVENT_ELAPSED_TIME = new Signature(List.of("cuEventElapsedTime_v2", "cuEventElapsedTime"), ADDRESS, ADDRESS, ADDRESS);

    /** Every function bound, for the signature test. */
    static final List<Signature> ALL = List.of(
            GET_ERROR_NAME, INIT, DRIVER_GET_VERSION, DEVICE_GET_COUNT, DEVICE_GET, DEVICE_GET_NAME, DEVICE_GET_ATTRIBUTE,
            DEVICE_TOTAL_MEM, PRIMARY_CTX_RETAIN, PRIMARY_CTX_RELEASE, CTX_SET_CURRENT, MODULE_LOAD_DATA_EX,
            MODULE_GET_FUNCTION, MODULE_UNLOAD, FUNC_SET_ATTRIBUTE, MEM_ALLOC, MEM_FREE, MEMCPY_HTOD_ASYNC,
            MEMCPY_DTOH_ASYNC, MEMCPY_DTOD_ASYNC, MEMSET_D32_ASYNC, LAUNCH_KERNEL, STREAM_CREATE, STREAM_SYNCHRONIZE, STREAM_DESTROY,
            STREAM_BEGIN_CAPTURE, STREAM_END_CAPTURE, GRAPH_INSTANTIATE, GRAPH_LAUNCH, GRAPH_EXEC_DESTROY, GRAPH_DESTROY,
            EVENT_CREATE, EVENT_RECORD, EVENT_SYNCHRONIZE, EVENT_ELAPSED_TIME, EVENT_DESTROY);

    private CudaDriver(SymbolLookup lib) {
        getErrorName = bind(lib, GET_ERROR_NAME);
        init = bind(lib, INIT);
        driverGetVersion = bind(lib, DRIVER_GET_VERSION);
        deviceGetCount = bind(lib, DEVICE_GET_COUNT);
        deviceGet = bind(lib, DEVICE_GET);
        deviceGetName = bind(lib, DEVICE_GET_NAME);
        deviceGetAttribute = bind(lib, DEVICE_GET_ATTRIBUTE);
        deviceTotalMem = bind(lib, DEVICE_TOTAL_MEM);
        primaryCtxRetain = bind(lib, PRIMARY_CTX_RETAIN);
        primaryCtxRelease = bind(lib, PRIMARY_CTX_RELEASE);
        ctxSetCurrent = bind(lib, CTX_SET_CURRENT);
        moduleLoadDataEx = bind(lib, MODULE_LOAD_DATA_EX);
        moduleGetFunction = bind(lib, MODULE_GET_FUNCTION);
        moduleUnload = bind(lib, MODULE_UNLOAD);
        funcGetAttribute = bind(lib, FUNC_GET_ATTRIBUTE);
        funcSetAttribute = bind(lib, FUNC_SET_ATTRIBUTE);
        memAlloc = bind(lib, MEM_ALLOC);
        memFree = bind(lib, MEM_FREE);
        memcpyHtoDAsync = bind(lib, MEMCPY_HTOD_ASYNC);
        memcpyDtoHAsync = bind(lib, MEMCPY_DTOH_ASYNC);
        memcpyDtoDAsync = bind(lib, MEMCPY_DTOD_ASYNC);
        memsetD32Async = bind(lib, MEMSET_D32_ASYNC);
        launchKernel = bind(lib, LAUNCH_KERNEL);
        streamCreate = bind(lib, STREAM_CREATE);
        streamSynchronize = bind(lib, STREAM_SYNCHRONIZE);
        streamDestroy = bind(lib, STREAM_DESTROY);
        streamBeginCapture = bind(lib, STREAM_BEGIN_CAPTURE);
        streamEndCapture = bind(lib, STREAM_END_CAPTURE);
        graphInstantiate = bind(lib, GRAPH_INSTANTIATE);
        graphLaunch = bind(lib, GRAPH_LAUNCH);
        graphExecDestroy = bind(lib, GRAPH_EXEC_DESTROY);
        graphDestroy = bind(lib, GRAPH_DESTROY);
        eventCreate = bind(lib, EVENT_CREATE);
        eventRecord = bind(lib, EVENT_RECORD);
        eventSynchronize = bind(lib, EVENT_SYNCHRONIZE);
        eventElapsedTime = bind(lib, EVENT_ELAPSED_TIME);
        eventDestroy = bind(lib, EVENT_DESTROY);
    }

    /** The bindings, or {@link BackendUnavailableException} saying why there are none (no driver library). */
    static CudaDriver get() {
        return BINDINGS.get();
    }

    /**
     * Bindings to another library with the driver's functions (the tests' CPU emulation of the driver), not the
     * process-wide {@link #get} ones.
     */
    static CudaDriver load(java.nio.file.Path library) {
        try {
            return new CudaDriver(SymbolLookup.libraryLookup(library, Arena.global()));
        } catch (IllegalArgumentException e) {
            throw new BackendUnavailableException("cuda", "cannot open " + library);
        }
    }

    private static MethodHandle bind(SymbolLookup lib, Signature signature) {
        for (String name : signature.symbols()) {
            Optional<MemorySegment> symbol = lib.find(name);
            if (symbol.isPresent()) {
                return downcall(symbol.get(), JAVA_INT, signature.params());
            }
        }
        throw new BackendUnavailableException("cuda", LIBRARY + " has no " + signature.symbols().getFirst() + " (the NVIDIA driver is too old)");
    }

    // ---- errors ---------------------------------------------------------------------------------------------

    /** The CUresult's name, e.g. {@code CUDA_ERROR_OUT_OF_MEMORY}, or its number when the driver knows none. */
    String errorName(int code) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment name = a.allocate(ADDRESS);
            int rc = (int) getErrorName.invokeExact(code, name);
            MemorySegment p = name.get(ADDRESS, 0);
            if (rc != SUCCESS || p.equals(MemorySegment.NULL)) {
                return "CUresult " + code;
            }
            return p.reinterpret(256).getString(0, StandardCharsets.US_ASCII) + " (" + code + ")";
        } catch (Throwable t) {
            return "CUresult " + code;
        }
    }

    private void check(String call, int code) {
        if (code != SUCCESS) {
            throw new CudaException(call, code, errorName(code));
        }
    }

    /**
     * Calls {@code h(result, args...)}, a function that returns its result through a pointer before its arguments,
     * checks the CUresult, and reads the result ({@code layout}) with {@code read}.
     */
    private <T> T out(String call, MemoryLayout layout, Function<MemorySegment, T> read, MethodHandle h, Object... args) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment result = a.allocate(layout);
            Object[] all = new Object[args.length + 1];
            all[0] = result;
            System.arraycopy(args, 0, all, 1, args.length);
            check(call, call(h, all));
            return read.apply(result);
        }
    }

    private int intOut(String call, MethodHandle h, Object... args) {
        return out(call, JAVA_INT, r -> r.get(JAVA_INT, 0), h, args);
    }

    private long longOut(String call, MethodHandle h, Object... args) {
        return out(call, JAVA_LONG, r -> r.get(JAVA_LONG, 0), h, args);
    }

    private MemorySegment addressOut(String call, MethodHandle h, Object... args) {
        return out(call, ADDRESS, r -> r.get(ADDRESS, 0), h, args);
    }

    // ---- driver, devices, contexts --------------------------------------------------------------------------

    /** cuInit(0): returns the CUresult rather than throwing, so the caller can say why there is no device. */
    int init() {
        return call(init, 0);
    }

    /** The driver's CUDA version, e.g. 13000 for 13.0. */
    int driverVersion() {
        return intOut("cuDriverGetVersion", driverGetVersion);
    }

    int deviceCount() {
        return intOut("cuDeviceGetCount", deviceGetCount);
    }

    int device(int ordinal) {
        return intOut("cuDeviceGet(" + ordinal + ")", deviceGet, ordinal);
    }

    String deviceName(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment name = a.allocate(256);
            check("cuDeviceGetName", call(deviceGetName, name, 256, device));
            return name.getString(0, StandardCharsets.UTF_8).strip();
        }
    }

    int deviceAttribute(int device, DeviceAttribute attribute) {
        return intOut("cuDeviceGetAttribute(" + attribute.code + ")", deviceGetAttribute, attribute.code, device);
    }

    long deviceTotalMemory(int device) {
        return longOut("cuDeviceTotalMem_v2", deviceTotalMem, device);
    }

    /** The device's primary context (shared with any other user of the driver API in this process), retained. */
    MemorySegment primaryContextRetain(int device) {
        return addressOut("cuDevicePrimaryCtxRetain", primaryCtxRetain, device);
    }

    void primaryContextRelease(int device) {
        call(primaryCtxRelease, device);
    }

    /** Makes {@code context} current on the calling thread (the driver keeps the current context per thread). */
    void setCurrent(MemorySegment context) {
        check("cuCtxSetCurrent", exact(() -> (int) ctxSetCurrent.invokeExact(context)));
    }

    // ---- modules and functions ------------------------------------------------------------------------------

    /**
     * Loads a module from NUL-terminated PTX text; the driver compiles it for the device (JIT) here. A failure
     * carries the JIT's error log.
     */
    MemorySegment moduleLoad(MemorySegment image, String what) {
        try (Arena a = Arena.ofConfined()) {
            int logBytes = 16384;
            MemorySegment log = a.allocate(logBytes);
            MemorySegment options = a.allocateFrom(JAVA_INT, JIT_ERROR_LOG_BUFFER, JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
            MemorySegment values = a.allocate(ADDRESS, 2);
            values.setAtIndex(ADDRESS, 0, log);
            values.setAtIndex(ADDRESS, 1, MemorySegment.ofAddress(logBytes)); // a size passed as a pointer-sized value
            MemorySegment module = a.allocate(ADDRESS);
            int rc = call(moduleLoadDataEx, module, image, 2, options, values);
            if (rc != SUCCESS) {
                String jitLog = log.getString(0, StandardCharsets.UTF_8).strip();
                throw new CudaException("cuModuleLoadDataEx(" + what + ")", rc, errorName(rc)
                        + (jitLog.isEmpty() ? "" : "\n" + jitLog));
            }
            return module.get(ADDRESS, 0);
        }
    }

    MemorySegment moduleFunction(MemorySegment module, String name) {
        try (Arena a = Arena.ofConfined()) {
            return addressOut("cuModuleGetFunction(" + name + ")", moduleGetFunction, module, a.allocateFrom(name, StandardCharsets.US_ASCII));
        }
    }

    void moduleUnload(MemorySegment module) {
        call(moduleUnload, module);
    }

    int functionAttribute(MemorySegment function, FunctionAttribute attribute) {
        return intOut("cuFuncGetAttribute(" + attribute.code + ")", funcGetAttribute, attribute.code, function);
    }

    void functionAttribute(MemorySegment function, FunctionAttribute attribute, int value) {
        check("cuFuncSetAttribute(" + attribute.code + ")", call(funcSetAttribute, function, attribute.code, value));
    }

    // ---- memory ---------------------------------------------------------------------------------------------

    /** Device memory (256-byte aligned), or a CudaException saying CUDA_ERROR_OUT_OF_MEMORY. */
    long memAlloc(long bytes, String what) {
        return longOut("cuMemAlloc_v2(" + what + ", " + bytes + " bytes)", memAlloc, bytes);
    }

    void memFree(long pointer) {
        call(memFree, pointer);
    }

    /**
     * Queues a host-to-device copy on {@code stream}. From pageable host memory (every Java arena) the driver
     * stages the bytes before it returns, so the host may rewrite them right after.
     */
    void copyToDeviceAsync(long device, MemorySegment host, long bytes, MemorySegment stream) {
        check("cuMemcpyHtoDAsync_v2", exact(() -> (int) memcpyHtoDAsync.invokeExact(device, host, bytes, stream)));
    }

    /** Queues a device-to-host copy on {@code stream}; the host memory holds the bytes after a stream sync. */
    void copyToHostAsync(MemorySegment host, long device, long bytes, MemorySegment stream) {
        check("cuMemcpyDtoHAsync_v2", exact(() -> (int) memcpyDtoHAsync.invokeExact(host, device, bytes, stream)));
    }

    /** Queues a device-to-device copy on {@code stream}. */
    void copyOnDeviceAsync(long target, long source, long bytes, MemorySegment stream) {
        check("cuMemcpyDtoDAsync_v2", call(memcpyDtoDAsync, target, source, bytes, stream));
    }

    void memsetD32Async(long device, int value, long words, MemorySegment stream) {
        check("cuMemsetD32Async", call(memsetD32Async, device, value, words, stream));
    }

    // ---- launches -------------------------------------------------------------------------------------------

    /** cuLaunchKernel: {@code params} is the array of pointers to the argument values (see KernelParams). */
    void launch(MemorySegment function, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ, int sharedBytes,
                MemorySegment stream, MemorySegment params) {
        check("cuLaunchKernel", exact(() -> (int) launchKernel.invokeExact(function, gridX, gridY, gridZ, blockX, blockY, blockZ,
                sharedBytes, stream, params, MemorySegment.NULL)));
    }

    // ---- streams and graphs ---------------------------------------------------------------------------------

    MemorySegment streamCreate(int flags) {
        return addressOut("cuStreamCreate", streamCreate, flags);
    }

    void streamSynchronize(MemorySegment stream) {
        check("cuStreamSynchronize", exact(() -> (int) streamSynchronize.invokeExact(stream)));
    }

    void streamDestroy(MemorySegment stream) {
        call(streamDestroy, stream);
    }

    void beginCapture(MemorySegment stream, int mode) {
        check("cuStreamBeginCapture_v2", call(streamBeginCapture, stream, mode));
    }

    /** Ends a capture and returns the graph; an invalidated capture (a launch failed in it) is an exception. */
    MemorySegment endCapture(MemorySegment stream) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment g = a.allocate(ADDRESS);
            int rc = call(streamEndCapture, stream, g);
            MemorySegment graph = g.get(ADDRESS, 0);
            if (rc != SUCCESS) {
                if (!graph.equals(MemorySegment.NULL)) {
                    graphDestroy(graph);
                }
                check("cuStreamEndCapture", rc);
            }
            return graph;
        }
    }

    MemorySegment graphInstantiate(MemorySegment graph) {
        return addressOut("cuGraphInstantiateWithFlags", graphInstantiate, graph, 0L);
    }

    void graphLaunch(MemorySegment exec, MemorySegment stream) {
        check("cuGraphLaunch", exact(() -> (int) graphLaunch.invokeExact(exec, stream)));
    }

    void graphExecDestroy(MemorySegment exec) {
        call(graphExecDestroy, exec);
    }

    void graphDestroy(MemorySegment graph) {
        call(graphDestroy, graph);
    }

    // ---- events ---------------------------------------------------------------------------------------------

    MemorySegment eventCreate() {
        return addressOut("cuEventCreate", eventCreate, EVENT_DEFAULT);
    }

    void eventRecord(MemorySegment event, MemorySegment stream) {
        check("cuEventRecord", exact(() -> (int) eventRecord.invokeExact(event, stream)));
    }

    void eventSynchronize(MemorySegment event) {
        check("cuEventSynchronize", call(eventSynchronize, event));
    }

    /** Milliseconds between two completed events (about half a microsecond of resolution). */
    float eventElapsedMillis(MemorySegment start, MemorySegment end) {
        return out("cuEventElapsedTime", JAVA_FLOAT, r -> r.get(JAVA_FLOAT, 0), eventElapsedTime, start, end);
    }

    void eventDestroy(MemorySegment event) {
        call(eventDestroy, event);
    }
}

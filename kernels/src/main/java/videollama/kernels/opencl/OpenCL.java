package videollama.kernels.opencl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static videollama.kernels.Downcalls.call;
import static videollama.kernels.Downcalls.callAddress;
import static videollama.kernels.Downcalls.downcall;
import static videollama.kernels.Downcalls.exact;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import videollama.kernels.BackendUnavailableException;
import videollama.kernels.NativeBindings;

/**
 * The OpenCL 1.2 host API through {@code java.lang.foreign}: no JNI, no native jar. Each method wraps one C
 * function, turns its error code into an {@link OpenCLException} naming the call, and hides the pointer
 * plumbing ({@code clSetKernelArg} takes a pointer to the handle; create-calls return errors through an
 * {@code int*}). Handles are plain {@link MemorySegment} addresses.
 */
final class OpenCL {
    private static final String LIBRARY = "libOpenCL.so.1";
    private static final NativeBindings<OpenCL> BINDINGS = new NativeBindings<>("opencl",
            "cannot open " + LIBRARY + " (install an OpenCL loader and driver, e.g. apt-get install ocl-icd-libopencl1 "
                    + "pocl-opencl-icd)",
            () -> new OpenCL(SymbolLookup.libraryLookup(LIBRARY, Arena.global())));

    private final MethodHandle getPlatformIDs;
    private final MethodHandle getPlatformInfo;
    private final MethodHandle getDeviceIDs;
    private final MethodHandle getDeviceInfo;
    private final MethodHandle createContext;
    private final MethodHandle createCommandQueue;
    private final MethodHandle createBuffer;
    private final MethodHandle getMemObjectInfo;
    private final MethodHandle enqueueWriteBuffer;
    private final MethodHandle enqueueReadBuffer;
    private final MethodHandle enqueueCopyBuffer;
    private final MethodHandle enqueueFillBuffer;
    private final MethodHandle createProgramWithSource;
    private final MethodHandle buildProgram;
    private final MethodHandle getProgramBuildInfo;
    private final MethodHandle createKernel;
    private final MethodHandle setKernelArg;
    private final MethodHandle getKernelWorkGroupInfo;
    private final MethodHandle enqueueNDRangeKernel;
    private final MethodHandle finish;
    private final MethodHandle flush;
    private final MethodHandle getEventProfilingInfo;
    private final MethodHandle releaseEvent;
    private final MethodHandle releaseMemObject;
    private final MethodHandle releaseKernel;
    private final MethodHandle releaseProgram;
    private final MethodHandle releaseCommandQueue;
    private final MethodHandle releaseContext;

    private OpenCL(SymbolLookup lib) {
        getPlatformIDs = bind(lib, "clGetPlatformIDs", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
        getPlatformInfo = bind(lib, "clGetPlatformInfo", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
        getDeviceIDs = bind(lib, "clGetDeviceIDs", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
        getDeviceInfo = bind(lib, "clGetDeviceInfo", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
        createContext = bind(lib, "clCreateContext", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        createCommandQueue = bind(lib, "clCreateCommandQueue", ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
        createBuffer = bind(lib, "clCreateBuffer", ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS);
        getMemObjectInfo = bind(lib, "clGetMemObjectInfo", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
        enqueueWriteBuffer = bind(lib, "clEnqueueWriteBuffer", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG,
                ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        enqueueReadBuffer = bind(lib, "clEnqueueReadBuffer", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG,
                ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        enqueueCopyBuffer = bind(lib, "clEnqueueCopyBuffer", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG,
                JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
        enqueueFillBuffer = bind(lib, "clEnqueueFillBuffer", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG,
                JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
        createProgramWithSource = bind(lib, "clCreateProgramWithSource", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        buildProgram = bind(lib, "clBuildProgram", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        getProgramBuildInfo = bind(lib, "clGetProgramBuildInfo", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
        createKernel = bind(lib, "clCreateKernel", ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        setKernelArg = bind(lib, "clSetKernelArg", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS);
        getKernelWorkGroupInfo = bind(lib, "clGetKernelWorkGroupInfo", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
        enqueueNDRangeKernel = bind(lib, "clEnqueueNDRangeKernel", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS,
                ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        finish = bind(lib, "clFinish", JAVA_INT, ADDRESS);
        flush = bind(lib, "clFlush", JAVA_INT, ADDRESS);
        getEventProfilingInfo = bind(lib, "clGetEventProfilingInfo", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
        releaseEvent = bind(lib, "clReleaseEvent", JAVA_INT, ADDRESS);
        releaseMemObject = bind(lib, "clReleaseMemObject", JAVA_INT, ADDRESS);
        releaseKernel = bind(lib, "clReleaseKernel", JAVA_INT, ADDRESS);
        releaseProgram = bind(lib, "clReleaseProgram", JAVA_INT, ADDRESS);
        releaseCommandQueue = bind(lib, "clReleaseCommandQueue", JAVA_INT, ADDRESS);
        releaseContext = bind(lib, "clReleaseContext", JAVA_INT, ADDRESS);
    }

    /** The bindings, or {@link BackendUnavailableException} saying why there are none (no loader library). */
    static OpenCL get() {
        return BINDINGS.get();
    }

    private static MethodHandle bind(SymbolLookup lib, String name, ValueLayout result, ValueLayout... args) {
        return downcall(lib.find(name).orElseThrow(() -> new BackendUnavailableException("opencl", LIBRARY + " has no " + name)),
                result, args);
    }

    private static void check(String call, int code) {
        if (code != CL.SUCCESS) {
            throw new OpenCLException(call, code);
        }
    }

    // ---- platforms and devices ------------------------------------------------------------------------------

    /** Every platform; none (or the ICD's "platform not found") gives an empty array. */
    MemorySegment[] platforms() {
        return handles("clGetPlatformIDs", getPlatformIDs, CL.PLATFORM_NOT_FOUND_KHR);
    }

    String platformString(MemorySegment platform, int param) {
        return infoString("clGetPlatformInfo", getPlatformInfo, platform, param);
    }

    /** The platform's devices of any type; none gives an empty array. */
    MemorySegment[] devices(MemorySegment platform) {
        return handles("clGetDeviceIDs", getDeviceIDs, CL.DEVICE_NOT_FOUND, platform, CL.DEVICE_TYPE_ALL);
    }

    String deviceString(MemorySegment device, int param) {
        return infoString("clGetDeviceInfo", getDeviceInfo, device, param);
    }

    /**
     * The handles a {@code clGet*IDs} call lists: asked once for the count and once for the handles, its
     * arguments {@code leading} then {@code (num_entries, ids, num_ids)}; {@code none} (or a count of 0) is none.
     */
    private static MemorySegment[] handles(String call, MethodHandle h, int none, Object... leading) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment count = a.allocate(JAVA_INT);
            int rc = call(h, with(leading, 0, MemorySegment.NULL, count));
            if (rc == none || (rc == CL.SUCCESS && count.get(JAVA_INT, 0) == 0)) {
                return new MemorySegment[0];
            }
            check(call, rc);
            int n = count.get(JAVA_INT, 0);
            MemorySegment ids = a.allocate(ADDRESS, n);
            check(call, call(h, with(leading, n, ids, MemorySegment.NULL)));
            MemorySegment[] out = new MemorySegment[n];
            for (int i = 0; i < n; i++) {
                out[i] = ids.getAtIndex(ADDRESS, i);
            }
            return out;
        }
    }

    /** A string parameter of a {@code clGet*Info(handle, param, size, value, size_ret)} call, asked its size first. */
    private static String infoString(String call, MethodHandle h, MemorySegment handle, int param) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment size = a.allocate(JAVA_LONG);
            check(call, call(h, handle, param, 0L, MemorySegment.NULL, size));
            MemorySegment value = a.allocate(size.get(JAVA_LONG, 0) + 1);
            check(call, call(h, handle, param, size.get(JAVA_LONG, 0), value, MemorySegment.NULL));
            return value.getString(0, StandardCharsets.UTF_8).strip();
        }
    }

    private static Object[] with(Object[] leading, Object... trailing) {
        Object[] all = Arrays.copyOf(leading, leading.length + trailing.length);
        System.arraycopy(trailing, 0, all, leading.length, trailing.length);
        return all;
    }

    /** A numeric device property of {@code bytes} bytes (4: cl_uint, 8: cl_ulong / size_t / bitfield). */
    long deviceNumber(MemorySegment device, int param, int bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment value = a.allocate(8);
            check("clGetDeviceInfo", call(getDeviceInfo, device, param, (long) bytes, value, MemorySegment.NULL));
            return bytes == 4 ? Integer.toUnsignedLong(value.get(JAVA_INT, 0)) : value.get(JAVA_LONG, 0);
        }
    }

    // ---- context, queue, memory -----------------------------------------------------------------------------

    MemorySegment createContext(MemorySegment device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment devices = a.allocate(ADDRESS);
            devices.set(ADDRESS, 0, device);
            MemorySegment err = a.allocate(JAVA_INT);
            MemorySegment ctx = callAddress(createContext, MemorySegment.NULL, 1, devices, MemorySegment.NULL, MemorySegment.NULL, err);
            check("clCreateContext", err.get(JAVA_INT, 0));
            return ctx;
        }
    }

    MemorySegment createCommandQueue(MemorySegment context, MemorySegment device, long properties) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = a.allocate(JAVA_INT);
            MemorySegment queue = callAddress(createCommandQueue, context, device, properties, err);
            check("clCreateCommandQueue", err.get(JAVA_INT, 0));
            return queue;
        }
    }

    MemorySegment createBuffer(MemorySegment context, long bytes) {
        return createBuffer(context, CL.MEM_READ_WRITE, bytes, MemorySegment.NULL);
    }

    /**
     * A buffer with explicit flags; {@code host} is the {@code host_ptr} argument (NULL unless the flags name
     * {@code CL_MEM_USE_HOST_PTR} or {@code CL_MEM_COPY_HOST_PTR}).
     */
    MemorySegment createBuffer(MemorySegment context, long flags, long bytes, MemorySegment host) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = a.allocate(JAVA_INT);
            MemorySegment mem = callAddress(createBuffer, context, flags, bytes, host, err);
            check("clCreateBuffer(" + bytes + " bytes)", err.get(JAVA_INT, 0));
            return mem;
        }
    }

    /** A buffer's {@code CL_MEM_HOST_PTR}: the host memory it was created on, 0 for a buffer of its own memory. */
    long hostPointer(MemorySegment buffer) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment value = a.allocate(ADDRESS);
            check("clGetMemObjectInfo", call(getMemObjectInfo, buffer, CL.MEM_HOST_PTR, ADDRESS.byteSize(), value, MemorySegment.NULL));
            return value.get(ADDRESS, 0).address();
        }
    }

    /** Copies host memory into a buffer; blocking unless the host memory outlives the queue's use of it. */
    void write(MemorySegment queue, MemorySegment buffer, long offset, MemorySegment host, boolean blocking) {
        check("clEnqueueWriteBuffer", exact(() -> (int) enqueueWriteBuffer.invokeExact(queue, buffer, blocking ? 1 : 0, offset,
                host.byteSize(), host, 0, MemorySegment.NULL, MemorySegment.NULL)));
    }

    /** Copies a buffer into host memory and waits for it (and so for everything queued before it). */
    void read(MemorySegment queue, MemorySegment buffer, long offset, MemorySegment host) {
        check("clEnqueueReadBuffer", exact(() -> (int) enqueueReadBuffer.invokeExact(queue, buffer, 1, offset, host.byteSize(), host,
                0, MemorySegment.NULL, MemorySegment.NULL)));
    }

    void copy(MemorySegment queue, MemorySegment src, MemorySegment dst, long srcOffset, long dstOffset, long bytes) {
        check("clEnqueueCopyBuffer", call(enqueueCopyBuffer, queue, src, dst, srcOffset, dstOffset, bytes,
                0, MemorySegment.NULL, MemorySegment.NULL));
    }

    /** Fills a buffer with a repeated 4-byte pattern (used to poison outputs in tests). */
    void fill(MemorySegment queue, MemorySegment buffer, int pattern, long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_INT);
            p.set(JAVA_INT, 0, pattern);
            check("clEnqueueFillBuffer", call(enqueueFillBuffer, queue, buffer, p, 4L, 0L, bytes, 0, MemorySegment.NULL,
                    MemorySegment.NULL));
            finish(queue); // the pattern lives in this arena
        }
    }

    // ---- programs and kernels -------------------------------------------------------------------------------

    MemorySegment createProgram(MemorySegment context, String source) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment strings = a.allocate(ADDRESS);
            strings.set(ADDRESS, 0, a.allocateFrom(source, StandardCharsets.UTF_8));
            MemorySegment err = a.allocate(JAVA_INT);
            MemorySegment program = callAddress(createProgramWithSource, context, 1, strings, MemorySegment.NULL, err);
            check("clCreateProgramWithSource", err.get(JAVA_INT, 0));
            return program;
        }
    }

    /** Builds a program; a compile error becomes an exception that carries the compiler's log. */
    void build(MemorySegment program, MemorySegment device, String options, String what) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment devices = a.allocate(ADDRESS);
            devices.set(ADDRESS, 0, device);
            int rc = call(buildProgram, program, 1, devices, a.allocateFrom(options, StandardCharsets.UTF_8),
                    MemorySegment.NULL, MemorySegment.NULL);
            if (rc == CL.BUILD_PROGRAM_FAILURE) {
                throw new OpenCLException("OpenCL program " + what + " does not compile: " + buildLog(program, device));
            }
            check("clBuildProgram(" + what + ")", rc);
            if ("1".equals(System.getenv("VIDEOLLAMA_OPENCL_BUILD_LOG"))) {
                System.err.println("OpenCL build log of " + what + ":\n" + buildLog(program, device));
            }
        }
    }

    private String buildLog(MemorySegment program, MemorySegment device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment size = a.allocate(JAVA_LONG);
            check("clGetProgramBuildInfo", call(getProgramBuildInfo, program, device, CL.PROGRAM_BUILD_LOG, 0L, MemorySegment.NULL, size));
            MemorySegment log = a.allocate(size.get(JAVA_LONG, 0) + 1);
            check("clGetProgramBuildInfo", call(getProgramBuildInfo, program, device, CL.PROGRAM_BUILD_LOG, size.get(JAVA_LONG, 0),
                    log, MemorySegment.NULL));
            return log.getString(0, StandardCharsets.UTF_8).strip();
        }
    }

    MemorySegment createKernel(MemorySegment program, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = a.allocate(JAVA_INT);
            MemorySegment kernel = callAddress(createKernel, program, a.allocateFrom(name, StandardCharsets.UTF_8), err);
            check("clCreateKernel(" + name + ")", err.get(JAVA_INT, 0));
            return kernel;
        }
    }

    /** Sets a kernel argument from {@code value}'s bytes (the value is copied by the driver). */
    void setArg(MemorySegment kernel, int index, MemorySegment value) {
        check("clSetKernelArg(" + index + ")", call(setKernelArg, kernel, index, value.byteSize(), value));
    }

    /** Reserves {@code bytes} of local memory for argument {@code index} ({@code __local} pointer). */
    void setLocalArg(MemorySegment kernel, int index, long bytes) {
        check("clSetKernelArg(" + index + ", local)", call(setKernelArg, kernel, index, bytes, MemorySegment.NULL));
    }

    long kernelWorkGroupSize(MemorySegment kernel, MemorySegment device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment value = a.allocate(JAVA_LONG);
            check("clGetKernelWorkGroupInfo", call(getKernelWorkGroupInfo, kernel, device, CL.KERNEL_WORK_GROUP_SIZE, 8L, value,
                    MemorySegment.NULL));
            return value.get(JAVA_LONG, 0);
        }
    }

    /**
     * Enqueues a 1- or 2-dimensional launch. {@code global} and {@code local} point at size_t arrays
     * prepared once when the graph was built; {@code event} is NULL or where to store the launch's event.
     */
    void launch(MemorySegment queue, MemorySegment kernel, int dims, MemorySegment global, MemorySegment local, MemorySegment event) {
        // invokeExact: this is the hot path of every graph replay, so no boxing.
        check("clEnqueueNDRangeKernel", exact(() -> (int) enqueueNDRangeKernel.invokeExact(queue, kernel, dims, MemorySegment.NULL,
                global, local, 0, MemorySegment.NULL, event)));
    }

    void finish(MemorySegment queue) {
        check("clFinish", call(finish, queue));
    }

    void flush(MemorySegment queue) {
        check("clFlush", call(flush, queue));
    }

    /** Device nanoseconds between the start and end of a profiled command. */
    long eventNanos(MemorySegment event) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment start = a.allocate(JAVA_LONG);
            MemorySegment end = a.allocate(JAVA_LONG);
            check("clGetEventProfilingInfo", call(getEventProfilingInfo, event, CL.PROFILING_COMMAND_START, 8L, start, MemorySegment.NULL));
            check("clGetEventProfilingInfo", call(getEventProfilingInfo, event, CL.PROFILING_COMMAND_END, 8L, end, MemorySegment.NULL));
            return end.get(JAVA_LONG, 0) - start.get(JAVA_LONG, 0);
        }
    }

    // ---- release --------------------------------------------------------------------------------------------

    void releaseEvent(MemorySegment e) {
        call(releaseEvent, e);
    }

    void releaseMemObject(MemorySegment m) {
        call(releaseMemObject, m);
    }

    void releaseKernel(MemorySegment k) {
        call(releaseKernel, k);
    }

    void releaseProgram(MemorySegment p) {
        call(releaseProgram, p);
    }

    void releaseCommandQueue(MemorySegment q) {
        call(releaseCommandQueue, q);
    }

    void releaseContext(MemorySegment c) {
        call(releaseContext, c);
    }
}

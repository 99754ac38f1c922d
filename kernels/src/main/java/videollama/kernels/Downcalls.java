package videollama.kernels;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * What the driver bindings (OpenCL, the CUDA driver, NVRTC) share to call C through {@code java.lang.foreign}: a
 * downcall handle from a symbol and its layouts, and the set-up-path invocation that boxes its arguments. The hot
 * paths (launches, copies, graph replays) call {@code invokeExact} themselves, through {@link #exact}.
 */
public final class Downcalls {
    private static final Linker LINKER = Linker.nativeLinker();

    private Downcalls() {}

    /** A handle to the C function at {@code symbol} returning {@code result} and taking {@code params}. */
    public static MethodHandle downcall(MemorySegment symbol, MemoryLayout result, MemoryLayout... params) {
        return LINKER.downcallHandle(symbol, FunctionDescriptor.of(result, params));
    }

    /** Invokes a function returning a C {@code int} (an error code, on the set-up paths). */
    public static int call(MethodHandle h, Object... args) {
        try {
            return (int) h.invokeWithArguments(args);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Invokes a function returning a pointer (a handle). */
    public static MemorySegment callAddress(MethodHandle h, Object... args) {
        try {
            return (MemorySegment) h.invokeWithArguments(args);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A call of {@code invokeExact} on a function returning a C {@code int}, as {@link #exact} takes it. */
    @FunctionalInterface
    public interface ExactCall {
        int invoke() throws Throwable;
    }

    /**
     * Runs {@code call}, e.g. {@code exact(() -> (int) launch.invokeExact(queue, kernel))}, and returns its C
     * {@code int}: no boxing, and once compiled no allocation either (the lambda is inlined and scalar-replaced;
     * measured as 0 bytes a call after warm-up), where {@link #call} boxes every argument.
     */
    public static int exact(ExactCall call) {
        try {
            return call.invoke();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * What to throw for {@code t} caught around an invocation: itself when unchecked (an {@link Error} is thrown
     * from here), else wrapped, as a method handle declares {@code Throwable} but a downcall throws none.
     */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}

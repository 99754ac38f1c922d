package videollama.kernels;

import java.util.function.Supplier;

/**
 * A driver library's bindings, made at the first {@link #get} and kept for the process; or, where the library
 * cannot be opened or lacks a function, the one-line reason, kept too, so every later call fails the same way
 * without trying again. Shared by the OpenCL and CUDA driver bindings.
 */
public final class NativeBindings<T> {
    private final String backend;
    private final String cannotOpen;
    private final Supplier<T> open;
    private volatile T bindings;
    private volatile String unavailable;

    /**
     * @param backend    the backend's name, for {@link BackendUnavailableException}
     * @param cannotOpen why there are no bindings when the library cannot be opened
     * @param open       opens the library and binds its functions; throws {@link IllegalArgumentException} or
     *                   {@link UnsatisfiedLinkError} where it cannot open it, {@link BackendUnavailableException}
     *                   where a function is missing
     */
    public NativeBindings(String backend, String cannotOpen, Supplier<T> open) {
        this.backend = backend;
        this.cannotOpen = cannotOpen;
        this.open = open;
    }

    /** The bindings, or {@link BackendUnavailableException} saying why there are none. */
    public T get() {
        T b = bindings;
        if (b != null) {
            return b;
        }
        synchronized (this) {
            if (bindings == null && unavailable == null) {
                try {
                    bindings = open.get();
                } catch (IllegalArgumentException | UnsatisfiedLinkError e) {
                    unavailable = cannotOpen;
                } catch (BackendUnavailableException e) {
                    unavailable = e.why();
                }
            }
            if (bindings == null) {
                throw new BackendUnavailableException(backend, unavailable);
            }
            return bindings;
        }
    }
}

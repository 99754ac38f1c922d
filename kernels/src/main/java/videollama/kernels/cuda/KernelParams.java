package videollama.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.ToLongFunction;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.LocalMemory;

/**
 * A task's arguments as {@code cuLaunchKernel} takes them: {@code void** kernelParams}, an array with one pointer
 * per kernel parameter, each to that argument's value in native memory (the driver copies the values at launch,
 * and at capture into a graph). Prepared once when a graph is built.
 *
 * <p>Argument mapping: a {@link DeviceBuffer} is its 8-byte {@code CUdeviceptr}, an {@link Integer} a 4-byte
 * {@code int}, a {@link Float} a 4-byte {@code float}.
 *
 * <p>{@link LocalMemory}: a CUDA kernel has one dynamic shared-memory array ({@code extern __shared__}), sized by
 * the launch's {@code sharedMemBytes}, where an OpenCL kernel may take several {@code __local} pointers. So each
 * LocalMemory argument is a region of that one array: the regions are laid out in argument order, each starting
 * on a 16-byte boundary, {@link #sharedMemoryBytes} is their total, and the kernel parameter in the LocalMemory's
 * place is an {@code unsigned int} holding the region's byte offset. The kernel finds its region as
 * {@code (float*)(dynamic_shared + offset)}.
 */
record KernelParams(MemorySegment pointers, int count, int sharedMemoryBytes) {
    /** Alignment of each LocalMemory region: enough for any vector type. */
    static final int REGION_ALIGNMENT = 16;

    /**
     * Lays out {@code args} in {@code arena}, which must live as long as the launches that use them.
     * {@code address} gives a buffer's device pointer.
     */
    static KernelParams of(String task, Object[] args, Arena arena, ToLongFunction<DeviceBuffer> address) {
        MemorySegment pointers = arena.allocate(ADDRESS, Math.max(1, args.length));
        long shared = 0;
        for (int i = 0; i < args.length; i++) {
            MemorySegment value = arena.allocate(8, 8);
            switch (args[i]) {
                case DeviceBuffer b -> value.set(JAVA_LONG, 0, address.applyAsLong(b));
                case Integer v -> value.set(JAVA_INT, 0, v);
                case Float v -> value.set(JAVA_FLOAT, 0, v);
                case LocalMemory m -> {
                    if (m.bytes() <= 0) {
                        throw new IllegalArgumentException("task " + task + ": argument " + i + " reserves " + m.bytes() + " bytes of shared memory");
                    }
                    shared = (shared + REGION_ALIGNMENT - 1) / REGION_ALIGNMENT * REGION_ALIGNMENT;
                    value.set(JAVA_INT, 0, (int) shared);
                    shared += m.bytes();
                    if (shared > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException("task " + task + ": " + shared + " bytes of shared memory");
                    }
                }
                case null -> throw new IllegalArgumentException("task " + task + ": argument " + i + " is null");
                default -> throw new IllegalArgumentException("task " + task + ": argument " + i + " has unsupported type "
                        + args[i].getClass().getSimpleName());
            }
            pointers.setAtIndex(ADDRESS, i, value);
        }
        return new KernelParams(pointers, args.length, (int) shared);
    }
}

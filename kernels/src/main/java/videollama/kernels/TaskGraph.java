package videollama.kernels;

import java.lang.foreign.MemorySegment;

/**
 * A named list of kernel launches with their buffers, built once and replayed many times (docs/design.md
 * section 3, after TornadoVM's {@code TaskGraph}). Buffers that no transfer names stay on the device between
 * tasks and between replays; a replay enqueues everything without waiting on the host, and only a transfer to
 * the host waits.
 */
public interface TaskGraph {

    /** Copies {@code host} into {@code buffer} before the tasks: at the first replay ({@code ONCE}) or at each. */
    TaskGraph transferToDevice(Transfer mode, DeviceBuffer buffer, MemorySegment host);

    /**
     * Appends a kernel launch. Arguments are {@link DeviceBuffer}s, {@link Integer}s, {@link Float}s and
     * {@link LocalMemory}, in the kernel's parameter order.
     */
    TaskGraph task(String name, KernelSource kernel, Launch launch, Cost cost, Object... args);

    /** Copies {@code buffer} to {@code host} after the tasks of each replay; the replay then waits for it. */
    TaskGraph transferToHost(DeviceBuffer buffer, MemorySegment host);

    /** Compiles the kernels, binds the arguments and returns the replayable plan. */
    GraphPlan build();
}

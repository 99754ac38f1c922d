package videollama.kernels;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * What every backend's {@link TaskGraph} does before it is built: record the transfers and tasks in order and
 * check the host memory of each transfer. A backend's {@link #build} turns the recording into its plan.
 */
public abstract class RecordedTaskGraph implements TaskGraph {
    /** One recorded step. */
    public sealed interface Step permits ToDevice, Task, ToHost {}

    /** Host memory copied to a device buffer before the tasks. */
    public record ToDevice(Transfer mode, DeviceBuffer buffer, MemorySegment host) implements Step {}

    /** One kernel launch. */
    public record Task(String name, KernelSource kernel, Launch launch, Cost cost, Object[] args) implements Step {}

    /** A device buffer copied to host memory after the tasks. */
    public record ToHost(DeviceBuffer buffer, MemorySegment host) implements Step {}

    private final String name;
    private final List<Step> steps = new ArrayList<>();

    protected RecordedTaskGraph(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** Every step, in the order recorded. */
    protected List<Step> steps() {
        return steps;
    }

    /** The steps of one kind, in order. */
    protected <S extends Step> List<S> steps(Class<S> kind) {
        return steps.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    @Override
    public TaskGraph transferToDevice(Transfer mode, DeviceBuffer buffer, MemorySegment host) {
        requireNative(host, buffer);
        steps.add(new ToDevice(mode, buffer, host));
        return this;
    }

    @Override
    public TaskGraph task(String taskName, KernelSource kernel, Launch launch, Cost cost, Object... args) {
        steps.add(new Task(taskName, kernel, launch, cost, args.clone()));
        return this;
    }

    @Override
    public TaskGraph transferToHost(DeviceBuffer buffer, MemorySegment host) {
        requireNative(host, buffer);
        steps.add(new ToHost(buffer, host));
        return this;
    }

    /** Native calls cannot read Java arrays, and a transfer must fit its buffer. */
    private static void requireNative(MemorySegment host, DeviceBuffer buffer) {
        if (!host.isNative()) {
            throw new IllegalArgumentException("transfers of " + buffer.name() + " need native host memory (from an Arena), not a Java array");
        }
        if (host.byteSize() > buffer.bytes()) {
            throw new IllegalArgumentException("buffer " + buffer.name() + " holds " + buffer.bytes() + " bytes, the host side " + host.byteSize());
        }
    }

    @Override
    public String toString() {
        return "TaskGraph " + name + " (" + steps.size() + " steps)";
    }
}

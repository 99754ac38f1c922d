package videollama.kernels.cuda;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import videollama.kernels.Cost;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.GraphPlan;
import videollama.kernels.KernelSource;
import videollama.kernels.Launch;
import videollama.kernels.TaskGraph;
import videollama.kernels.Transfer;

/**
 * A task graph that only records the tasks the CUDA ops append, so the tests can check each launch against the
 * committed PTX without a GPU; it transfers nothing and cannot be built.
 */
final class RecordingGraph implements TaskGraph {
    /** One appended task. */
    record Recorded(String name, KernelSource kernel, Launch launch, Cost cost, Object[] args) {}

    final List<Recorded> tasks = new ArrayList<>();

    @Override
    public TaskGraph transferToDevice(Transfer mode, DeviceBuffer buffer, MemorySegment host) {
        return this;
    }

    @Override
    public TaskGraph task(String name, KernelSource kernel, Launch launch, Cost cost, Object... args) {
        tasks.add(new Recorded(name, kernel, launch, cost, args));
        return this;
    }

    @Override
    public TaskGraph transferToHost(DeviceBuffer buffer, MemorySegment host) {
        return this;
    }

    @Override
    public GraphPlan build() {
        throw new UnsupportedOperationException();
    }
}

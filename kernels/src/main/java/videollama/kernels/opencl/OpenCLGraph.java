package videollama.kernels.opencl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.GraphPlan;
import videollama.kernels.LocalMemory;
import videollama.kernels.RecordedTaskGraph;
import videollama.kernels.TaskTiming;
import videollama.kernels.Transfer;

/**
 * A task graph on one in-order OpenCL queue. {@link #build} creates a kernel object per task with its
 * arguments bound once; a replay is then a run of {@code clEnqueueNDRangeKernel} calls with no host wait
 * until a transfer to the host.
 */
final class OpenCLGraph extends RecordedTaskGraph {
    private final OpenCLBackend backend;

    OpenCLGraph(OpenCLBackend backend, String name) {
        super(name);
        this.backend = backend;
    }

    @Override
    public GraphPlan build() {
        return new Plan();
    }

    /** A built graph: kernel objects with bound arguments, and size arrays in native memory. */
    private final class Plan implements GraphPlan {
        private final Arena arena = Arena.ofShared();
        private final OpenCL cl = backend.cl();
        private final List<Object> bound = new ArrayList<>();   // ToDevice, BoundTask, ToHost in order
        private boolean firstReplay = true;

        private record BoundTask(Task task, MemorySegment kernel, int dims, MemorySegment global, MemorySegment local) {}

        Plan() {
            try {
                for (Step s : steps()) {
                    bound.add(s instanceof Task t ? bind(t) : s);
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        private BoundTask bind(Task t) {
            MemorySegment kernel = backend.createKernel(t.kernel());
            Object[] args = t.args();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case DeviceBuffer b -> {
                        MemorySegment p = arena.allocate(ADDRESS);
                        p.set(ADDRESS, 0, OpenCLBackend.handle(b));
                        cl.setArg(kernel, i, p);
                    }
                    case Integer v -> cl.setArg(kernel, i, arena.allocateFrom(JAVA_INT, v));
                    case Float v -> cl.setArg(kernel, i, arena.allocateFrom(JAVA_FLOAT, v));
                    case LocalMemory m -> cl.setLocalArg(kernel, i, m.bytes());
                    default -> throw new IllegalArgumentException("task " + t.name() + ": argument " + i + " has unsupported type "
                            + args[i].getClass().getSimpleName());
                }
            }
            int dims = t.launch().global().length;
            MemorySegment global = arena.allocateFrom(JAVA_LONG, t.launch().global());
            MemorySegment local = arena.allocateFrom(JAVA_LONG, t.launch().local());
            return new BoundTask(t, kernel, dims, global, local);
        }

        @Override
        public void execute() {
            replay(null);
        }

        @Override
        public List<TaskTiming> executeProfiled() {
            List<MemorySegment> events = new ArrayList<>();
            try (Arena eventArena = Arena.ofConfined()) {
                replay(() -> {
                    MemorySegment e = eventArena.allocate(ADDRESS);
                    events.add(e);
                    return e;
                });
                backend.finish();
                List<TaskTiming> timings = new ArrayList<>();
                int i = 0;
                for (Object o : bound) {
                    if (o instanceof BoundTask t) {
                        MemorySegment event = events.get(i++).get(ADDRESS, 0);
                        timings.add(new TaskTiming(t.task().name(), cl.eventNanos(event), t.task().cost()));
                        cl.releaseEvent(event);
                    }
                }
                return timings;
            }
        }

        private void replay(java.util.function.Supplier<MemorySegment> eventSlot) {
            MemorySegment queue = backend.queue();
            boolean waited = false;
            for (Object o : bound) {
                switch (o) {
                    case ToDevice d -> {
                        if (d.mode() == Transfer.EVERY || firstReplay) {
                            // blocking: the host memory may change right after this call returns
                            cl.write(queue, OpenCLBackend.handle(d.buffer()), 0, d.host(), true);
                        }
                    }
                    case BoundTask t -> cl.launch(queue, t.kernel(), t.dims(), t.global(), t.local(),
                            eventSlot == null ? MemorySegment.NULL : eventSlot.get());
                    case ToHost h -> {
                        cl.read(queue, OpenCLBackend.handle(h.buffer()), 0, h.host());
                        waited = true;
                    }
                    default -> throw new IllegalStateException();
                }
            }
            firstReplay = false;
            if (!waited) {
                cl.flush(queue);
            }
        }

        @Override
        public void close() {
            for (Object o : bound) {
                if (o instanceof BoundTask t) {
                    cl.releaseKernel(t.kernel());
                }
            }
            bound.clear();
            arena.close();
        }
    }

}

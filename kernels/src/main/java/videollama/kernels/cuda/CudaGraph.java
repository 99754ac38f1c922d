package videollama.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import videollama.kernels.GraphPlan;
import videollama.kernels.RecordedTaskGraph;
import videollama.kernels.TaskTiming;
import videollama.kernels.Transfer;

/**
 * A task graph as a CUDA graph. {@link #build} resolves each task's kernel, lays out its arguments
 * ({@link KernelParams}) and captures all the launches, in order, on the backend's stream into one CUDA graph,
 * instantiated once. A replay is then: the host-to-device copies (async, on the stream), one
 * {@code cuGraphLaunch}, the device-to-host copies, and a stream sync only when something comes back to the host.
 * The copies stay outside the graph because the host memory they read is the caller's and changes between
 * replays.
 */
final class CudaGraph extends RecordedTaskGraph {
    private final CudaBackend backend;
    private List<ToDevice> toDevice;
    private List<Task> tasks;
    private List<ToHost> toHost;

    CudaGraph(CudaBackend backend, String name) {
        super(name);
        this.backend = backend;
    }

    @Override
    public GraphPlan build() {
        // A CUDA graph holds only the launches; the copies run around it on each replay.
        toDevice = steps(ToDevice.class);
        tasks = steps(Task.class);
        toHost = steps(ToHost.class);
        return new Plan();
    }

    /** A task ready to launch: its function, grid and argument block. */
    private record Bound(Task task, MemorySegment function, LaunchShape shape, KernelParams params) {}

    /** A built graph: the instantiated CUDA graph, the argument blocks it was captured from, and timing events. */
    private final class Plan implements GraphPlan {
        private final CudaDriver cu = backend.driver();
        private final Arena arena = Arena.ofShared();
        private final List<Bound> bound = new ArrayList<>();
        private MemorySegment exec;             // null for a graph without tasks
        private MemorySegment[] startEvents;    // created at the first profiled replay
        private MemorySegment[] endEvents;
        private boolean firstReplay = true;
        private boolean closed;

        Plan() {
            backend.lock().lock();
            try {
                backend.checkOpen();
                backend.makeCurrent();
                for (Task t : tasks) {
                    bound.add(bind(t));
                }
                if (!bound.isEmpty()) {
                    exec = capture();
                }
                backend.register(this);
            } catch (RuntimeException e) {
                release();
                throw e;
            } finally {
                backend.lock().unlock();
            }
        }

        private Bound bind(Task t) {
            MemorySegment function = backend.function(t.kernel());
            LaunchShape shape = LaunchShape.of(t.launch(), backend.info().maxWorkGroupSize(), t.name());
            KernelParams params = KernelParams.of(t.name(), t.args(), arena, CudaBackend::address);
            reserveSharedMemory(t.name(), function, params.sharedMemoryBytes());
            return new Bound(t, function, shape, params);
        }

        /**
         * The driver's rule (cuda.h, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES): a launch may use at most 48 KiB
         * of shared memory in all, the kernel's static {@code __shared__} arrays plus the dynamic bytes; beyond that
         * the kernel must opt in, and static plus dynamic may reach the device's opt-in limit. The dynamic bytes alone
         * must not be compared with 48 KiB: decode_attention_merge's 128 static bytes (block_sum's) would then make decode
         * fail at launch with CUDA_ERROR_INVALID_VALUE at a cache of 196,608 positions.
         */
        private void reserveSharedMemory(String task, MemorySegment function, int dynamicBytes) {
            if (dynamicBytes == 0) {
                return;
            }
            int staticBytes = cu.functionAttribute(function, CudaDriver.FunctionAttribute.SHARED_SIZE_BYTES);
            long total = (long) staticBytes + dynamicBytes;
            if (total <= backend.info().localMemoryBytes()) {
                return;
            }
            if (total > backend.maxSharedMemoryOptIn()) {
                throw new IllegalArgumentException("task " + task + " needs " + dynamicBytes + " bytes of dynamic shared memory beside its "
                        + staticBytes + " static; " + backend.info().name() + " allows " + backend.maxSharedMemoryOptIn() + " in all");
            }
            cu.functionAttribute(function, CudaDriver.FunctionAttribute.MAX_DYNAMIC_SHARED_SIZE_BYTES, dynamicBytes);
        }

        /** Records every launch, in order, into one graph (a chain: each kernel waits for the one before). */
        private MemorySegment capture() {
            MemorySegment stream = backend.stream();
            cu.beginCapture(stream, CudaDriver.STREAM_CAPTURE_MODE_THREAD_LOCAL);
            try {
                for (Bound b : bound) {
                    launch(b);
                }
            } catch (RuntimeException e) {
                try {
                    cu.endCapture(stream); // leave capture mode; the graph is invalid anyway
                } catch (CudaException ignored) {
                    // the launch's own error says more
                }
                throw e;
            }
            MemorySegment graph = cu.endCapture(stream);
            try {
                return cu.graphInstantiate(graph);
            } finally {
                cu.graphDestroy(graph); // the executable graph is independent of it
            }
        }

        private void launch(Bound b) {
            LaunchShape s = b.shape();
            cu.launch(b.function(), s.gridX(), s.gridY(), s.gridZ(), s.blockX(), s.blockY(), s.blockZ(),
                    b.params().sharedMemoryBytes(), backend.stream(), b.params().pointers());
        }

        private void copiesToDevice() {
            for (ToDevice d : toDevice) {
                if (d.mode() == Transfer.EVERY || firstReplay) {
                    cu.copyToDeviceAsync(CudaBackend.address(d.buffer()), d.host(), d.host().byteSize(), backend.stream());
                }
            }
            firstReplay = false;
        }

        private void copiesToHost() {
            for (ToHost h : toHost) {
                cu.copyToHostAsync(h.host(), CudaBackend.address(h.buffer()), h.host().byteSize(), backend.stream());
            }
        }

        @Override
        public void execute() {
            backend.lock().lock();
            try {
                checkUsable();
                backend.makeCurrent();
                copiesToDevice();
                if (exec != null) {
                    cu.graphLaunch(exec, backend.stream());
                }
                copiesToHost();
                if (!toHost.isEmpty()) {
                    cu.streamSynchronize(backend.stream());
                }
            } finally {
                backend.lock().unlock();
            }
        }

        /** The same work as {@link #execute}, launched task by task with an event pair around each, then waited for. */
        @Override
        public List<TaskTiming> executeProfiled() {
            backend.lock().lock();
            try {
                checkUsable();
                backend.makeCurrent();
                if (startEvents == null) {
                    createEvents();
                }
                copiesToDevice();
                for (int i = 0; i < bound.size(); i++) {
                    cu.eventRecord(startEvents[i], backend.stream());
                    launch(bound.get(i));
                    cu.eventRecord(endEvents[i], backend.stream());
                }
                copiesToHost();
                cu.streamSynchronize(backend.stream());
                List<TaskTiming> timings = new ArrayList<>(bound.size());
                for (int i = 0; i < bound.size(); i++) {
                    Task t = bound.get(i).task();
                    long nanos = Math.round(cu.eventElapsedMillis(startEvents[i], endEvents[i]) * 1e6);
                    timings.add(new TaskTiming(t.name(), nanos, t.cost()));
                }
                return timings;
            } finally {
                backend.lock().unlock();
            }
        }

        private void createEvents() {
            MemorySegment[] starts = new MemorySegment[bound.size()];
            MemorySegment[] ends = new MemorySegment[bound.size()];
            try {
                for (int i = 0; i < bound.size(); i++) {
                    starts[i] = cu.eventCreate();
                    ends[i] = cu.eventCreate();
                }
            } catch (RuntimeException e) {
                destroy(starts);
                destroy(ends);
                throw e;
            }
            startEvents = starts;
            endEvents = ends;
        }

        private void destroy(MemorySegment[] events) {
            if (events != null) {
                for (MemorySegment e : events) {
                    if (e != null) {
                        cu.eventDestroy(e);
                    }
                }
            }
        }

        private void checkUsable() {
            if (closed) {
                throw new IllegalStateException("graph " + name() + " is closed");
            }
            backend.checkOpen();
        }

        @Override
        public void close() {
            backend.lock().lock();
            try {
                if (closed) {
                    return;
                }
                release();
                backend.unregister(this);
            } finally {
                backend.lock().unlock();
            }
        }

        /** Frees what this plan holds; the stream must not be running its graph any more when the backend closes. */
        private void release() {
            closed = true;
            if (!backend.isClosed()) {
                backend.makeCurrent();
                try {
                    // a replay may still be running on the device
                    cu.streamSynchronize(backend.stream());
                } catch (CudaException e) {
                    // a sticky kernel error: free all the same
                }
                if (exec != null) {
                    cu.graphExecDestroy(exec);
                }
                destroy(startEvents);
                destroy(endEvents);
            }
            exec = null;
            startEvents = null;
            endEvents = null;
            arena.close();
        }
    }

}

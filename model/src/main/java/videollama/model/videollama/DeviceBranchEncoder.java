package videollama.model.videollama;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceOps;
import videollama.kernels.GraphPlan;
import videollama.kernels.Profile;
import videollama.kernels.TaskGraph;
import videollama.kernels.Transfer;

/**
 * A media branch as one task graph per input count, built at the first upload of that count and replayed for every
 * later one: the inputs go up, every stage runs on the device with its activations kept there, and the stages
 * {@code --dump} writes come back. The vision and audio branches differ only in the stages between
 * ({@link #appendStages}); building, replaying, profiling and releasing are this one class.
 *
 * @param <O> the branch's outputs
 */
abstract sealed class DeviceBranchEncoder<O extends BranchOutputs> implements BranchEncoder<O> permits DeviceAudioEncoder, DeviceVisionEncoder {
    final DeviceBackend device;
    private final Branch branch;
    private final BuiltGraphs<Plan> plans = new BuiltGraphs<>(this::build, Plan::release);
    private Profile profile;

    /**
     * What tells one branch from the other outside its stages.
     *
     * @param name      "vision" or "audio": the first word of every progress line and graph name
     * @param unit      "frame" or "clip"
     * @param inputName the input's device buffer name after the branch name: "frames", "fbank"
     * @param stages    what the progress line says runs, "ViT + Q-Formers"
     * @param check     throws for a count or an input length the branch does not take, before any work
     * @param inputSize floats of one input (a frame, a clip's fbank)
     */
    record Branch(String name, String unit, String inputName, String stages, BiConsumer<float[], Integer> check,
                  long inputSize) {}

    DeviceBranchEncoder(DeviceBackend device, Branch branch) {
        this.device = device;
        this.branch = branch;
    }

    /**
     * Appends the stages over {@code count} inputs already on the device at {@code input}: device buffers and
     * activations come from {@code graph} (released with it), and the stages {@code --dump} writes are marked
     * with {@link Graph#output} in the order {@link #outputs} takes them.
     */
    abstract void appendStages(Graph graph, DeviceBuffer input, int count);

    /** The branch's outputs from the stages marked by {@link #appendStages}, in that order. */
    abstract O outputs(int count, float[][] stages);

    @Override
    public final O encode(float[] input, int count, Consumer<String> progress) {
        branch.check().accept(input, count);
        Plan p = plans.get(count, () -> progress.accept(branch.name() + ": building the graph for " + counted(count) + " on "
                + device.name()));
        MemorySegment.copy(input, 0, p.input(), JAVA_FLOAT, 0, input.length);
        progress.accept(branch.name() + ": " + branch.stages() + " over " + counted(count) + " on " + device.name());
        if (profile != null) {
            profile.add(p.graph().executeProfiled());
        } else {
            p.graph().execute();
        }
        float[][] out = new float[p.outputs().size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = p.outputs().get(i).toArray(JAVA_FLOAT);
        }
        return outputs(count, out);
    }

    private String counted(int count) {
        return count + " " + branch.unit() + (count == 1 ? "" : "s");
    }

    /** The graph being built with what it holds: device buffers and activations to release, stages to bring back. */
    final class Graph {
        final TaskGraph tasks;
        final DeviceOps ops = device.ops();
        private final List<Runnable> releases = new ArrayList<>();
        private final List<DeviceBuffer> outputs = new ArrayList<>();
        private final List<Long> outputFloats = new ArrayList<>();

        private Graph(TaskGraph tasks) {
            this.tasks = tasks;
        }

        /** A device buffer of {@code floats} float32, released with the graph. */
        DeviceBuffer buffer(String name, long floats) {
            DeviceBuffer b = device.allocate(name, 4 * floats);
            releases.add(() -> device.release(b));
            return b;
        }

        /** Runs {@code release} when the graph is released (a stage's activations). */
        void onRelease(Runnable release) {
            releases.add(release);
        }

        /** Brings the {@code floats} float32 of {@code stage} back to the host after the stages. */
        void output(DeviceBuffer stage, long floats) {
            outputs.add(stage);
            outputFloats.add(floats);
        }

        private void release() {
            releases.forEach(Runnable::run);
        }
    }

    /** A built graph with its host input and outputs and what to release with it. */
    private record Plan(GraphPlan graph, Arena arena, MemorySegment input, List<MemorySegment> outputs, Runnable releaseBuffers) {
        void release() {
            graph.close();
            releaseBuffers.run();
            arena.close();
        }
    }

    private Plan build(int count) {
        Arena arena = Arena.ofShared();
        Graph g = new Graph(device.graph(branch.name() + " " + count + " " + branch.unit() + "s"));
        try {
            MemorySegment hostInput = arena.allocate(JAVA_FLOAT, count * branch.inputSize());
            DeviceBuffer input = g.buffer(branch.name() + " " + branch.inputName(), count * branch.inputSize());
            g.tasks.transferToDevice(Transfer.EVERY, input, hostInput);
            appendStages(g, input, count);
            List<MemorySegment> hostOutputs = new ArrayList<>();
            for (int i = 0; i < g.outputs.size(); i++) {
                MemorySegment host = arena.allocate(JAVA_FLOAT, g.outputFloats.get(i));
                g.tasks.transferToHost(g.outputs.get(i), host);
                hostOutputs.add(host);
            }
            return new Plan(g.tasks.build(), arena, hostInput, hostOutputs, g::release);
        } catch (RuntimeException e) {
            g.release();
            arena.close();
            throw e;
        }
    }

    @Override
    public final void profile(Profile profile) {
        this.profile = profile;
    }

    @Override
    public final void close() {
        plans.clear();
    }
}

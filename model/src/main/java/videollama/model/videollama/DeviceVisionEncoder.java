package videollama.model.videollama;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceOps;
import videollama.kernels.GraphPlan;
import videollama.kernels.Profile;
import videollama.kernels.TaskGraph;
import videollama.kernels.Transfer;
import videollama.model.qformer.DeviceQFormer;
import videollama.model.vision.DeviceEvaVit;

/**
 * The vision-language branch as one task graph per frame count, built at the first video of that count and
 * replayed for every later one: the frames go up, every stage runs on the device with its activations kept
 * there, and the four stages {@code --dump} writes come back (docs/design.md section 3). The graph:
 *
 * <pre>
 *   ViT over t frames                                  [t·257, 1408]  → vit.out
 *   ln_vision                                          [t·257, 1408]
 *   image Q-Former, t sets of 32 queries over 257      [t·32, 768]    → image_qformer.out
 *   + frame position f on every query of frame f       [t·32, 768]    (one add with a table repeated per query)
 *   video Q-Former, 32 queries over t·32               [32, 768]      → video_qformer.out
 *   llama_proj                                         [32, d]        → video.tokens
 * </pre>
 */
final class DeviceVisionEncoder implements VisionEncoder {
    /** Built graphs kept for replay (a chat keeps one frame count; a few covers switching between video and image). */

    private final VideoBranch branch;
    private final VisionSizes sizes;
    private final DeviceVisionWeights w;
    private final DeviceBackend device;
    private final BuiltGraphs<Plan> plans = new BuiltGraphs<>(this::build, this::release);
    private Profile profile;

    /** A built graph for {@code t} frames with its device activations and host inputs and outputs. */
    private record Plan(int t, GraphPlan graph, Arena arena, MemorySegment frames, MemorySegment vitOut, MemorySegment imageQ,
                        MemorySegment videoQ, MemorySegment tokens, DeviceEvaVit.Activations vit, DeviceQFormer.Activations imageQFormer,
                        DeviceQFormer.Activations videoQFormer, List<DeviceBuffer> buffers) {}

    DeviceVisionEncoder(VideoBranch branch, DeviceVisionWeights weights, DeviceBackend device) {
        this.branch = branch;
        this.sizes = branch.sizes();
        this.w = weights;
        this.device = device;
    }

    @Override
    public VisionOutputs encode(float[] frames, int t, Consumer<String> progress) {
        branch.checkFrames(frames, t);
        Plan p = plans.get(t, () -> progress.accept("vision: building the graph for " + t + (t == 1 ? " frame" : " frames")
                + " on " + device.name()));
        MemorySegment.copy(frames, 0, p.frames(), JAVA_FLOAT, 0, frames.length);
        progress.accept("vision: ViT + Q-Formers over " + t + (t == 1 ? " frame" : " frames") + " on " + device.name());
        if (profile != null) {
            profile.add(p.graph().executeProfiled());
        } else {
            p.graph().execute();
        }
        return new VisionOutputs(t, sizes, p.vitOut().toArray(JAVA_FLOAT), p.imageQ().toArray(JAVA_FLOAT),
                p.videoQ().toArray(JAVA_FLOAT), p.tokens().toArray(JAVA_FLOAT));
    }

    private Plan build(int t) {
        DeviceOps ops = device.ops();
        VisionSizes s = sizes;
        int vitRows = t * s.vitTokens();
        int imageRows = t * s.imageQueries();
        Arena arena = Arena.ofShared();
        DeviceEvaVit.Activations vit = null;
        DeviceQFormer.Activations imageQ = null;
        DeviceQFormer.Activations videoQ = null;
        List<DeviceBuffer> buffers = new ArrayList<>();
        try {
            MemorySegment hostFrames = arena.allocate(JAVA_FLOAT, (long) t * s.frameSize());
            MemorySegment hostVit = arena.allocate(JAVA_FLOAT, (long) vitRows * s.vitWidth());
            MemorySegment hostImageQ = arena.allocate(JAVA_FLOAT, (long) imageRows * s.imageWidth());
            MemorySegment hostVideoQ = arena.allocate(JAVA_FLOAT, (long) s.videoQueries() * s.videoWidth());
            MemorySegment hostTokens = arena.allocate(JAVA_FLOAT, (long) s.videoQueries() * s.dModel());

            DeviceBuffer frames = allocate(buffers, "vision frames", hostFrames.byteSize());
            DeviceBuffer lnOut = allocate(buffers, "ln_vision out", hostVit.byteSize());
            DeviceBuffer positions = allocate(buffers, "frame positions per query", hostImageQ.byteSize());
            DeviceBuffer sequence = allocate(buffers, "video Q-Former input", hostImageQ.byteSize());
            DeviceBuffer tokens = allocate(buffers, "video tokens", hostTokens.byteSize());
            writeFramePositions(positions, t);
            vit = w.vit.allocate(device, t);
            imageQ = w.imageQFormer.allocate(device, t, s.vitTokens());
            videoQ = w.videoQFormer.allocate(device, 1, imageRows);

            TaskGraph g = device.graph("vision " + t + " frames");
            g.transferToDevice(Transfer.EVERY, frames, hostFrames);
            w.vit.append(g, ops, frames, vit);
            ops.layerNorm(g, "ln_vision", lnOut, vit.out(), w.lnVisionWeight, w.lnVisionBias, vitRows, s.vitWidth(),
                    branch.config().lnVisionEps());
            w.imageQFormer.append(g, ops, lnOut, imageQ);
            ops.add(g, "frame positions", sequence, imageQ.out(), positions, imageRows * s.imageWidth());
            w.videoQFormer.append(g, ops, sequence, videoQ);
            ops.linear(g, "llama_proj", tokens, videoQ.out(), w.projWeight, w.projBias, null, s.videoQueries(), s.dModel(),
                    s.videoWidth());
            g.transferToHost(vit.out(), hostVit);
            g.transferToHost(imageQ.out(), hostImageQ);
            g.transferToHost(videoQ.out(), hostVideoQ);
            g.transferToHost(tokens, hostTokens);
            return new Plan(t, g.build(), arena, hostFrames, hostVit, hostImageQ, hostVideoQ, hostTokens, vit, imageQ, videoQ, buffers);
        } catch (RuntimeException e) {
            release(vit, imageQ, videoQ, buffers);
            arena.close();
            throw e;
        }
    }

    private DeviceBuffer allocate(List<DeviceBuffer> buffers, String name, long bytes) {
        DeviceBuffer b = device.allocate(name, bytes);
        buffers.add(b);
        return b;
    }

    /** Row f of the frame position embedding repeated for each of frame f's queries: [t · imageQueries, imageWidth]. */
    private void writeFramePositions(DeviceBuffer positions, int t) {
        float[] table = branch.framePositions().toFloatArray();
        int q = sizes.imageQueries();
        int h = sizes.imageWidth();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment repeated = arena.allocate(JAVA_FLOAT, (long) t * q * h);
            for (int f = 0; f < t; f++) {
                for (int i = 0; i < q; i++) {
                    MemorySegment.copy(table, f * h, repeated, JAVA_FLOAT, 4L * (f * q + i) * h, h);
                }
            }
            device.write(positions, repeated);
        }
    }

    private void release(Plan p) {
        p.graph().close();
        release(p.vit(), p.imageQFormer(), p.videoQFormer(), p.buffers());
        p.arena().close();
    }

    private void release(DeviceEvaVit.Activations vit, DeviceQFormer.Activations imageQ, DeviceQFormer.Activations videoQ,
                         List<DeviceBuffer> buffers) {
        if (vit != null) {
            vit.release(device);
        }
        if (imageQ != null) {
            imageQ.release(device);
        }
        if (videoQ != null) {
            videoQ.release(device);
        }
        for (DeviceBuffer b : buffers) {
            device.release(b);
        }
    }

    @Override
    public void profile(Profile profile) {
        this.profile = profile;
    }

    @Override
    public void close() {
        plans.clear();
    }
}

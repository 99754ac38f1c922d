package videollama.model.videollama;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;

/**
 * The vision-language branch as task graphs on a device ({@link DeviceBranchEncoder}; docs/design.md section 3).
 * The graph:
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
final class DeviceVisionEncoder extends DeviceBranchEncoder<VisionOutputs> implements VisionEncoder {
    private final VideoBranch branch;
    private final VisionSizes sizes;
    private final DeviceVisionWeights w;

    DeviceVisionEncoder(VideoBranch branch, DeviceVisionWeights weights, DeviceBackend device) {
        super(device, new Branch("vision", "frame", "frames", "ViT + Q-Formers", branch::checkFrames, branch.sizes().frameSize()));
        this.branch = branch;
        this.sizes = branch.sizes();
        this.w = weights;
    }

    @Override
    void appendStages(Graph g, DeviceBuffer frames, int t) {
        VisionSizes s = sizes;
        int vitRows = t * s.vitTokens();
        int imageRows = t * s.imageQueries();
        DeviceBuffer lnOut = g.buffer("ln_vision out", (long) vitRows * s.vitWidth());
        DeviceBuffer positions = g.buffer("frame positions per query", (long) imageRows * s.imageWidth());
        DeviceBuffer sequence = g.buffer("video Q-Former input", (long) imageRows * s.imageWidth());
        DeviceBuffer tokens = g.buffer("video tokens", (long) s.videoQueries() * s.dModel());
        writeFramePositions(positions, t);
        var vit = w.vit().allocate(device, t);
        g.onRelease(() -> vit.release(device));
        var imageQ = w.imageQFormer().allocate(device, t, s.vitTokens());
        g.onRelease(() -> imageQ.release(device));
        var videoQ = w.videoQFormer().allocate(device, 1, imageRows);
        g.onRelease(() -> videoQ.release(device));

        w.vit().append(g.tasks, g.ops, frames, vit);
        g.ops.layerNorm(g.tasks, "ln_vision", lnOut, vit.out(), w.lnVisionWeight(), w.lnVisionBias(), vitRows, s.vitWidth(),
                branch.config().lnVisionEps());
        w.imageQFormer().append(g.tasks, g.ops, lnOut, imageQ);
        g.ops.add(g.tasks, "frame positions", sequence, imageQ.out(), positions, imageRows * s.imageWidth());
        w.videoQFormer().append(g.tasks, g.ops, sequence, videoQ);
        w.proj().append(g.tasks, g.ops, "llama_proj", tokens, videoQ.out(), s.videoQueries(), s.dModel(), s.videoWidth());
        g.output(vit.out(), (long) vitRows * s.vitWidth());
        g.output(imageQ.out(), (long) imageRows * s.imageWidth());
        g.output(videoQ.out(), (long) s.videoQueries() * s.videoWidth());
        g.output(tokens, (long) s.videoQueries() * s.dModel());
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

    @Override
    VisionOutputs outputs(int t, float[][] stages) {
        return new VisionOutputs(t, sizes, stages[0], stages[1], stages[2], stages[3]);
    }
}

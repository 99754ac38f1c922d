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
import videollama.model.audio.DeviceImageBindAudio;
import videollama.model.qformer.DeviceQFormer;

/**
 * The audio-language branch as one task graph per clip count, built at the first sound track of that count and
 * replayed for every later one: the fbank goes up, every stage runs on the device with its activations kept
 * there, and the three stages {@code --dump} writes come back. The graph:
 *
 * <pre>
 *   ImageBind audio over c clips                       [c, 1024]      → audio.encoder.out
 *   + clip position c on clip c                        [c, 1024]      (the first c rows of the table)
 *   audio Q-Former, 8 queries over c                   [8, 768]       → audio_qformer.out
 *   audio_llama_proj                                   [8, d]         → audio.tokens
 * </pre>
 */
final class DeviceAudioEncoder implements AudioEncoder {
    /** Built graphs kept for replay (a chat keeps one clip count; short tracks may have fewer clips). */

    private final AudioBranch branch;
    private final AudioSizes sizes;
    private final DeviceAudioWeights w;
    private final DeviceBackend device;
    private final BuiltGraphs<Plan> plans = new BuiltGraphs<>(this::build, this::release);
    private Profile profile;

    /** A built graph for {@code clips} clips with its device activations and host inputs and outputs. */
    private record Plan(int clips, GraphPlan graph, Arena arena, MemorySegment fbank, MemorySegment encoderOut,
                        MemorySegment qformerOut, MemorySegment tokens, DeviceImageBindAudio.Activations imageBind,
                        DeviceQFormer.Activations qformer, List<DeviceBuffer> buffers) {}

    DeviceAudioEncoder(AudioBranch branch, DeviceAudioWeights weights, DeviceBackend device) {
        this.branch = branch;
        this.sizes = branch.sizes();
        this.w = weights;
        this.device = device;
    }

    @Override
    public AudioOutputs encode(float[] fbank, int clips, Consumer<String> progress) {
        branch.checkClips(fbank, clips);
        Plan p = plans.get(clips, () -> progress.accept("audio: building the graph for " + clips + (clips == 1 ? " clip" : " clips")
                + " on " + device.name()));
        MemorySegment.copy(fbank, 0, p.fbank(), JAVA_FLOAT, 0, fbank.length);
        progress.accept("audio: ImageBind + Q-Former over " + clips + (clips == 1 ? " clip" : " clips") + " on " + device.name());
        if (profile != null) {
            profile.add(p.graph().executeProfiled());
        } else {
            p.graph().execute();
        }
        return new AudioOutputs(clips, sizes, p.encoderOut().toArray(JAVA_FLOAT), p.qformerOut().toArray(JAVA_FLOAT),
                p.tokens().toArray(JAVA_FLOAT));
    }

    private Plan build(int clips) {
        DeviceOps ops = device.ops();
        AudioSizes s = sizes;
        Arena arena = Arena.ofShared();
        DeviceImageBindAudio.Activations imageBind = null;
        DeviceQFormer.Activations qformer = null;
        List<DeviceBuffer> buffers = new ArrayList<>();
        try {
            MemorySegment hostFbank = arena.allocate(JAVA_FLOAT, (long) clips * s.clipSize());
            MemorySegment hostEncoder = arena.allocate(JAVA_FLOAT, (long) clips * s.embedWidth());
            MemorySegment hostQFormer = arena.allocate(JAVA_FLOAT, (long) s.queries() * s.qformerWidth());
            MemorySegment hostTokens = arena.allocate(JAVA_FLOAT, (long) s.queries() * s.dModel());

            DeviceBuffer fbank = allocate(buffers, "audio fbank", hostFbank.byteSize());
            DeviceBuffer sequence = allocate(buffers, "audio Q-Former input", hostEncoder.byteSize());
            DeviceBuffer tokens = allocate(buffers, "audio tokens", hostTokens.byteSize());
            imageBind = w.imageBind.allocate(device, clips);
            qformer = w.qformer.allocate(device, 1, clips);

            TaskGraph g = device.graph("audio " + clips + " clips");
            g.transferToDevice(Transfer.EVERY, fbank, hostFbank);
            w.imageBind.append(g, ops, fbank, imageBind);
            ops.add(g, "clip positions", sequence, imageBind.out(), w.clipPositions, clips * s.embedWidth());
            w.qformer.append(g, ops, sequence, qformer);
            ops.linear(g, "audio_llama_proj", tokens, qformer.out(), w.projWeight, w.projBias, null, s.queries(), s.dModel(),
                    s.qformerWidth());
            g.transferToHost(imageBind.out(), hostEncoder);
            g.transferToHost(qformer.out(), hostQFormer);
            g.transferToHost(tokens, hostTokens);
            return new Plan(clips, g.build(), arena, hostFbank, hostEncoder, hostQFormer, hostTokens, imageBind, qformer, buffers);
        } catch (RuntimeException e) {
            release(imageBind, qformer, buffers);
            arena.close();
            throw e;
        }
    }

    private DeviceBuffer allocate(List<DeviceBuffer> buffers, String name, long bytes) {
        DeviceBuffer b = device.allocate(name, bytes);
        buffers.add(b);
        return b;
    }

    private void release(Plan p) {
        p.graph().close();
        release(p.imageBind(), p.qformer(), p.buffers());
        p.arena().close();
    }

    private void release(DeviceImageBindAudio.Activations imageBind, DeviceQFormer.Activations qformer, List<DeviceBuffer> buffers) {
        if (imageBind != null) {
            imageBind.release(device);
        }
        if (qformer != null) {
            qformer.release(device);
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

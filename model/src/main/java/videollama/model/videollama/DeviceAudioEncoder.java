package videollama.model.videollama;

import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;

/**
 * The audio-language branch as task graphs on a device ({@link DeviceBranchEncoder}). The graph:
 *
 * <pre>
 *   ImageBind audio over c clips                       [c, 1024]      → audio.encoder.out
 *   + clip position c on clip c                        [c, 1024]      (the first c rows of the table)
 *   audio Q-Former, 8 queries over c                   [8, 768]       → audio_qformer.out
 *   audio_llama_proj                                   [8, d]         → audio.tokens
 * </pre>
 */
final class DeviceAudioEncoder extends DeviceBranchEncoder<AudioOutputs> implements AudioEncoder {
    private final AudioSizes sizes;
    private final DeviceAudioWeights w;

    DeviceAudioEncoder(AudioBranch branch, DeviceAudioWeights weights, DeviceBackend device) {
        super(device, new Branch("audio", "clip", "fbank", "ImageBind + Q-Former", branch::checkClips, branch.sizes().clipSize()));
        this.sizes = branch.sizes();
        this.w = weights;
    }

    @Override
    void appendStages(Graph g, DeviceBuffer fbank, int clips) {
        AudioSizes s = sizes;
        DeviceBuffer sequence = g.buffer("audio Q-Former input", (long) clips * s.embedWidth());
        DeviceBuffer tokens = g.buffer("audio tokens", (long) s.queries() * s.dModel());
        var imageBind = w.imageBind().allocate(device, clips);
        g.onRelease(() -> imageBind.release(device));
        var qformer = w.qformer().allocate(device, 1, clips);
        g.onRelease(() -> qformer.release(device));

        w.imageBind().append(g.tasks, g.ops, fbank, imageBind);
        g.ops.add(g.tasks, "clip positions", sequence, imageBind.out(), w.clipPositions(), clips * s.embedWidth());
        w.qformer().append(g.tasks, g.ops, sequence, qformer);
        w.proj().append(g.tasks, g.ops, "audio_llama_proj", tokens, qformer.out(), s.queries(), s.dModel(), s.qformerWidth());
        g.output(imageBind.out(), (long) clips * s.embedWidth());
        g.output(qformer.out(), (long) s.queries() * s.qformerWidth());
        g.output(tokens, (long) s.queries() * s.dModel());
    }

    @Override
    AudioOutputs outputs(int clips, float[][] stages) {
        return new AudioOutputs(clips, sizes, stages[0], stages[1], stages[2]);
    }
}

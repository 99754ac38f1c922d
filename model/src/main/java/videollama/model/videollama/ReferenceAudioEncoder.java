package videollama.model.videollama;

import java.util.function.Consumer;
import videollama.kernels.reference.Linear;
import videollama.kernels.reference.WeightMatrix;
import videollama.model.audio.ImageBindAudio;
import videollama.model.qformer.QFormer;

/**
 * The audio-language branch in plain Java, float32 (docs/model.md section 4.3): the oracle the device path is checked
 * against.
 */
final class ReferenceAudioEncoder implements AudioEncoder {
    private final AudioBranch branch;
    private final AudioSizes sizes;
    private final ImageBindAudio imageBind;
    private final float[] clipPositions;
    private final QFormer qformer;
    private final WeightMatrix proj;
    private final float[] projBias;

    ReferenceAudioEncoder(AudioBranch branch) {
        VideoLlamaConfig c = branch.config();
        this.branch = branch;
        this.sizes = branch.sizes();
        this.imageBind = new ImageBindAudio(branch.imageBind(), c.audioEncoder());
        this.clipPositions = branch.clipPositions().toFloatArray();
        this.qformer = new QFormer(branch.qformer(), c.audioQformer());
        this.proj = new WeightMatrix(branch.projWeight());
        this.projBias = branch.projBias().toFloatArray();
    }

    @Override
    public AudioOutputs encode(float[] fbank, int clips, Consumer<String> progress) {
        branch.checkClips(fbank, clips);
        float[] encoderOut = imageBind.forward(fbank, clips, c -> progress.accept("audio: clip " + (c + 1) + "/" + clips));
        progress.accept("audio: Q-Former");
        float[] qformerOut = qformer(encoderOut, clips);
        float[] tokens = new float[sizes.queries() * sizes.dModel()];
        Linear.linear(tokens, proj, qformerOut, projBias, null, sizes.queries());
        return new AudioOutputs(clips, sizes, encoderOut, qformerOut, tokens);
    }

    /**
     * Adds row c of the clip position embedding to clip c's embedding and runs the audio Q-Former over the clips
     * as one sequence: [clips, embedWidth] → [queries, qformerWidth].
     */
    float[] qformer(float[] encoderOut, int clips) {
        float[] sequence = new float[encoderOut.length];
        for (int i = 0; i < sequence.length; i++) {
            sequence[i] = encoderOut[i] + clipPositions[i];
        }
        return qformer.forward(sequence, 1, clips);
    }

    @Override
    public void close() {}
}

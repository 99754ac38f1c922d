package videollama.model.videollama;

import static videollama.kernels.reference.Elementwise.add;

import java.util.Arrays;
import videollama.model.audio.ReferenceImageBindAudio;
import videollama.model.qformer.ReferenceQFormer;

/**
 * The plain-Java float32 reference of the audio-language branch, the oracle {@link DeviceAudioEncoder} is checked
 * against (docs/model.md section 4.3): ImageBind per clip, the clip positions, the audio Q-Former, audio_llama_proj.
 */
final class ReferenceAudioEncoder extends ReferenceBranchEncoder<AudioOutputs> implements AudioEncoder {
    private final AudioSizes sizes;
    private final float[] clipPositions;
    private final ReferenceQFormer qformer;

    ReferenceAudioEncoder(AudioBranch branch) {
        VideoLlamaConfig c = branch.config();
        ReferenceImageBindAudio imageBind = new ReferenceImageBindAudio(branch.imageBind(), c.audioEncoder());
        super(new Branch("audio", "clip", AudioStages.IMAGEBIND_DONE, branch::checkClips, imageBind::forward), branch.projection());
        this.sizes = branch.sizes();
        this.clipPositions = branch.clipPositions().toFloatArray();
        this.qformer = new ReferenceQFormer(branch.qformer(), c.audioQformer());
    }

    /** ImageBind's embeddings [clips, embedWidth] → the clip positions, the audio Q-Former, audio_llama_proj. */
    @Override
    AudioOutputs afterEncoder(float[] encoderOut, int clips) {
        float[] qformerOut = qformer(encoderOut, clips);
        float[] tokens = project(qformerOut);
        return new AudioOutputs(clips, sizes, encoderOut, qformerOut, tokens);
    }

    /**
     * Adds row c of the clip position embedding to clip c's embedding and runs the audio Q-Former over the clips
     * as one sequence: [clips, embedWidth] → [queries, qformerWidth].
     */
    float[] qformer(float[] encoderOut, int clips) {
        float[] sequence = add(encoderOut, Arrays.copyOf(clipPositions, encoderOut.length));
        return qformer.forward(sequence, 1, clips);
    }
}

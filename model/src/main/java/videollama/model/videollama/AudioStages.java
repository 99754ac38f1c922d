package videollama.model.videollama;

import java.util.List;

/**
 * The audio branch's stages for {@link StageTimes}: on a device ImageBind's stem (patch convolution, stem LayerNorm,
 * class token and positions), its blocks, its head (class tokens, LayerNorm, projection, L2 normalisation), and the
 * clip positions with the audio Q-Former and audio_llama_proj (from the task names of {@code DeviceAudioEncoder},
 * {@code DeviceImageBindAudio}, {@code DeviceQFormer}); on the reference path ImageBind over every clip until the
 * encoder says {@code "audio: Q-Former"}, and everything after it.
 */
public final class AudioStages {
    public static final String STEM = "ImageBind stem";
    public static final String BLOCKS = "ImageBind blocks";
    public static final String HEAD = "ImageBind head";
    public static final String QFORMER = "clip positions + Q-Former + proj";
    public static final String IMAGEBIND = "ImageBind (stem + blocks + head)";

    /** What the reference encoder says when ImageBind is done with every clip (ReferenceAudioEncoder.encode). */
    static final String IMAGEBIND_DONE = "audio: Q-Former";

    public static final StageTimes.Layout LAYOUT = new StageTimes.Layout("ImageBind", "clips", clips -> clips + " clips",
            SyntheticAudioBranch.RELEASED_BLOCKS, List.of(STEM, BLOCKS, HEAD, QFORMER), BLOCKS, AudioStages::stageOf,
            IMAGEBIND_DONE, IMAGEBIND, QFORMER, "the stem and the head");

    private AudioStages() {}

    /** The stage of a profile row (a task name without its "layer N " prefix). */
    static String stageOf(String op) {
        return switch (op) {
            case "audio patch embedding", "audio stem norm", "audio class token + positions" -> STEM;
            case "audio class tokens", "audio head norm", "audio head", "audio normalize + logit scale" -> HEAD;
            // a block's tasks, named "layer N audio ..." (the profile drops "layer N "): listed, so that a new task
            // of the stem or head shows as OTHER instead of adding to the block time that extrapolates to 12 blocks
            case "audio norm_1", "audio in_proj", "audio bias_k/bias_v row", "audio attention", "audio out_proj + residual",
                 "audio norm_2", "audio fc1 + bias + gelu", "audio fc2 + residual" -> BLOCKS;
            case "clip positions", "audio_llama_proj" -> QFORMER;
            default -> op.startsWith("audio_Qformer ") ? QFORMER : StageTimes.OTHER;
        };
    }
}

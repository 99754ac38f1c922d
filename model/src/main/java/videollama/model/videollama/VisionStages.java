package videollama.model.videollama;

import java.util.List;

/**
 * The vision branch's stages for {@link StageTimes}: on a device the ViT's patch embedding, its blocks, ln_vision with
 * the image Q-Former, and the video Q-Former with llama_proj (from the task names of {@code DeviceVisionEncoder},
 * {@code DeviceEvaVit}, {@code DeviceQFormer}); on the reference path the ViT until the encoder says
 * {@code "vision: Q-Formers"}, and everything after it.
 */
public final class VisionStages {
    public static final String VIT_EMBEDDING = "ViT patch embedding";
    public static final String VIT_BLOCKS = "ViT blocks";
    public static final String IMAGE_QFORMER = "ln_vision + image Q-Former";
    public static final String VIDEO_QFORMER = "video Q-Former + llama_proj";
    public static final String VIT = "ViT (patch embedding + blocks)";
    public static final String QFORMERS = "ln_vision + Q-Formers + llama_proj";

    /** What the reference encoder says when its ViT is done (ReferenceVisionEncoder.encode). */
    static final String VIT_DONE = "vision: Q-Formers";

    public static final StageTimes.Layout LAYOUT = new StageTimes.Layout("ViT", "frames", frames -> "video",
            SyntheticVisionBranch.RELEASED_VIT_BLOCKS, List.of(VIT_EMBEDDING, VIT_BLOCKS, IMAGE_QFORMER, VIDEO_QFORMER), VIT_BLOCKS,
            VisionStages::stageOf, VIT_DONE, VIT, QFORMERS, "the patch embedding");

    private VisionStages() {}

    /** The stage of a profile row (a task name without its "layer N " prefix). */
    static String stageOf(String op) {
        if (op.equals("vit patch embedding") || op.equals("vit class token + positions")) {
            return VIT_EMBEDDING;
        }
        if (op.startsWith("vit ")) {
            return VIT_BLOCKS;
        }
        if (op.equals("ln_vision") || op.startsWith("Qformer ")) {
            return IMAGE_QFORMER;
        }
        if (op.equals("frame positions") || op.startsWith("video_Qformer ") || op.equals("llama_proj")) {
            return VIDEO_QFORMER;
        }
        return StageTimes.OTHER;
    }
}

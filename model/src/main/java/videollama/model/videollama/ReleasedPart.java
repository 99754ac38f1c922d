package videollama.model.videollama;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import videollama.model.ModelException;
import videollama.weights.TensorSource;

/**
 * The parts of a Video-LLaMA model folder that come from separate released files, each known by
 * the prefix of its tensors and named by the file {@code videollama convert} makes it from: so a folder that lacks
 * a part is told which file to convert, at the end of {@code convert} and when a branch loads, rather than which
 * tensor is missing.
 */
public enum ReleasedPart {
    EVA_VIT(Branch.VIDEO, "EVA ViT", "visual_encoder.", "eva_vit_g.pth"),
    BLIP2_QFORMER(Branch.VIDEO, "image Q-Former", "Qformer.", "blip2_pretrained_flant5xxl.pth"),
    VIDEO_QFORMER(Branch.VIDEO, "video Q-Former", "video_Qformer.",
            "the VL checkpoint (VL_LLaMA_2_7B_Finetuned.pth, finetune-vicuna7b-v2.pth, ...)"),
    AUDIO_ENCODER(Branch.AUDIO, "ImageBind audio encoder", "audio_encoder.", "imagebind_huge.pth"),
    AUDIO_QFORMER(Branch.AUDIO, "audio Q-Former", "audio_Qformer.",
            "the AL checkpoint (AL_LLaMA_2_7B_Finetuned.pth, finetune_vicuna7b_audiobranch.pth, ...)");

    /** Which branch a part belongs to. */
    public enum Branch {
        VIDEO("video"), AUDIO("audio");

        private final String label;

        Branch(String label) {
            this.label = label;
        }

        /** The parts of this branch that are absent from {@code names}. */
        public List<ReleasedPart> missing(Collection<String> names) {
            return parts().stream().filter(p -> !p.isIn(names)).toList();
        }

        public List<ReleasedPart> parts() {
            return Arrays.stream(ReleasedPart.values()).filter(p -> p.branch == this).toList();
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private final Branch branch;
    private final String what;
    private final String prefix;
    private final String releasedFile;

    ReleasedPart(Branch branch, String what, String prefix, String releasedFile) {
        this.branch = branch;
        this.what = what;
        this.prefix = prefix;
        this.releasedFile = releasedFile;
    }

    /** e.g. {@code "EVA ViT"}. */
    public String what() {
        return what;
    }

    /** The released file it is converted from, e.g. {@code "eva_vit_g.pth"}. */
    public String releasedFile() {
        return releasedFile;
    }

    /** True when any tensor of this part is among {@code names}. */
    public boolean isIn(Collection<String> names) {
        return names.stream().anyMatch(n -> n.startsWith(prefix));
    }

    /**
     * Checks that every part of {@code branch} is in the source.
     *
     * @throws ModelException naming the first missing part and the released file to convert
     */
    static void requireAll(Branch branch, TensorSource source) {
        List<ReleasedPart> missing = branch.missing(source.names());
        if (!missing.isEmpty()) {
            ReleasedPart part = missing.getFirst();
            throw new ModelException(source.describe() + ": the " + branch + " branch has no " + part.what
                    + " (no tensor named " + part.prefix + "*); convert " + part.releasedFile
                    + " into this folder with videollama convert --out " + source.describe() + " FILE");
        }
    }
}

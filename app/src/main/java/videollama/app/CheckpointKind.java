package videollama.app;

import java.util.Arrays;
import java.util.Collection;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The released files {@code videollama convert} reads (docs/model.md section 1), each recognised by the names of its
 * tensors, with the rule that says which of its tensors the model uses and under which name (docs/model.md sections 2
 * and 8.2): the names of the composed Video-LLaMA model, so one folder holds them all without renaming.
 */
public enum CheckpointKind {
    /** A VL or AL training checkpoint: {@code ckpt["model"]} holds the branch's trained tensors and buffers. */
    BRANCH("branch", "Video-LLaMA branch checkpoint") {
        @Override
        Optional<String> outputName(String name) {
            // Buffers the model recomputes or does not use (docs/model.md sections 2.4, 2.6), and the frozen encoders' copies.
            boolean dropped = name.endsWith(".position_ids") || name.endsWith("rotary_emb.inv_freq")
                    || name.startsWith("audio_encoder.") || name.startsWith("llama_model.");
            return dropped ? Optional.empty() : Optional.of(name);
        }
    },
    /** LAVIS' {@code eva_vit_g.pth}: a plain state dict of the EVA ViT-g, keys without prefix. */
    EVA_VIT("eva-vit", "EVA ViT-g") {
        @Override
        Optional<String> outputName(String name) {
            Matcher block = BLOCK.matcher(name);
            boolean used = block.lookingAt()
                    ? Integer.parseInt(block.group(1)) < EVA_BLOCKS
                    : name.equals("cls_token") || name.equals("pos_embed") || name.startsWith("patch_embed.");
            return used ? Optional.of("visual_encoder." + name) : Optional.empty();
        }
    },
    /** {@code blip2_pretrained_flant5xxl.pth}: {@code ["model"]} with the Q-Former, its query tokens and ln_vision. */
    BLIP2("blip2", "BLIP-2 Q-Former") {
        @Override
        Optional<String> outputName(String name) {
            boolean wanted = name.equals("query_tokens") || name.startsWith("ln_vision.") || name.startsWith("Qformer.");
            return wanted && !BLIP2_REMOVED.matcher(name).lookingAt() ? Optional.of(name) : Optional.empty();
        }
    },
    /** Meta's {@code imagebind_huge.pth}: all modalities; Video-LLaMA uses the audio one (docs/model.md section 2.5). */
    IMAGEBIND("imagebind", "ImageBind audio encoder") {
        @Override
        Optional<String> outputName(String name) {
            return IMAGEBIND_AUDIO.matcher(name).lookingAt() ? Optional.of("audio_encoder." + name) : Optional.empty();
        }
    },
    /** Hugging Face LLaMA weights ({@code model.*}, {@code lm_head.*}), kept under their names (docs/model.md section 2.7). */
    LLAMA("llama", "LLaMA") {
        @Override
        Optional<String> outputName(String name) {
            return name.endsWith("rotary_emb.inv_freq") ? Optional.empty() : Optional.of(name);
        }
    };

    /** docs/model.md section 1.3: the ViT is built with 39 of EVA-CLIP-g's 40 blocks; loading ignores the file's last block. */
    static final int EVA_BLOCKS = 39;

    private static final Pattern BLOCK = Pattern.compile("blocks\\.(\\d{1,9})\\.");
    /**
     * docs/model.md section 1.3 step 2: the Q-Former's text side is removed before the BLIP-2 file is loaded: the LM head
     * ({@code cls}), the word and position embeddings (and the position ids buffer), and each layer's text FFN
     * ({@code intermediate}, {@code output}; the query FFN {@code intermediate_query}, {@code output_query} stays).
     */
    private static final Pattern BLIP2_REMOVED = Pattern.compile("Qformer\\.(cls\\."
            + "|bert\\.embeddings\\.(word_embeddings\\.|position_embeddings\\.|position_ids$)"
            + "|bert\\.encoder\\.layer\\.\\d+\\.(intermediate|output)\\.)");
    private static final Pattern IMAGEBIND_AUDIO =
            Pattern.compile("modality_(preprocessors|trunks|heads|postprocessors)\\.audio\\.");
    private static final Pattern BRANCH_NAMES = Pattern.compile("(video_Qformer\\.|video_query_tokens$"
            + "|video_frame_position_embedding\\.|llama_proj\\.|audio_Qformer\\.|audio_query_tokens$"
            + "|audio_position_embedding\\.|audio_llama_proj\\.)");
    private static final Pattern LLAMA_NAMES = Pattern.compile("(model\\.layers\\.\\d+\\.|model\\.embed_tokens\\.|lm_head\\.)");

    private final String cliName;
    private final String description;

    CheckpointKind(String cliName, String description) {
        this.cliName = cliName;
        this.description = description;
    }

    /** The name the command line uses, e.g. {@code eva-vit}. */
    String cliName() {
        return cliName;
    }

    String description() {
        return description;
    }

    /** The name this tensor has in the converted files, or empty if the model does not use it. */
    abstract Optional<String> outputName(String name);

    /**
     * What a file holds, from its tensor names: the branch names first (a branch checkpoint may also carry a
     * {@code Qformer} buffer), then the BLIP-2, EVA, ImageBind and LLaMA names.
     */
    static Optional<CheckpointKind> recognise(Collection<String> names) {
        if (names.stream().anyMatch(n -> BRANCH_NAMES.matcher(n).lookingAt())) {
            return Optional.of(BRANCH);
        }
        if (names.contains("query_tokens") || names.stream().anyMatch(n -> n.startsWith("Qformer.bert.encoder."))) {
            return Optional.of(BLIP2);
        }
        if (names.contains("patch_embed.proj.weight") && names.stream().anyMatch(n -> n.startsWith("blocks."))) {
            return Optional.of(EVA_VIT);
        }
        if (names.stream().anyMatch(n -> n.startsWith("modality_trunks.") || n.startsWith("modality_preprocessors."))) {
            return Optional.of(IMAGEBIND);
        }
        if (names.stream().anyMatch(n -> LLAMA_NAMES.matcher(n).lookingAt())) {
            return Optional.of(LLAMA);
        }
        return Optional.empty();
    }

    /**
     * The kind with this command-line name.
     *
     * @throws IllegalArgumentException listing the names, for any other
     */
    public static CheckpointKind fromCliName(String name) {
        for (CheckpointKind kind : values()) {
            if (kind.cliName.equals(name)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown kind '" + name + "' (expected " + cliNames() + ")");
    }

    /** {@code "branch, eva-vit, ..."}. */
    static String cliNames() {
        return Arrays.stream(values()).map(CheckpointKind::cliName).collect(Collectors.joining(", "));
    }
}

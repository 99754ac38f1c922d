package videollama.model.videollama;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import videollama.model.audio.ImageBindAudioWeights;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * An audio-language branch of a given shape with seeded random weights under the names {@code videollama convert}
 * writes, for benchmarks and device tests at real head widths: what the stages cost depends on the shape, not on
 * what the weights say. Scales keep the activations realistic (see {@link SeededWeights}; bias_k large enough that
 * the extra key takes a share of the attention, as {@code scripts/reference/make_audio_model_golden.py} does).
 */
public final class SyntheticAudioBranch {
    /**
     * A branch shape: ImageBind's audio encoder over the [1, 128, 204] fbank (16-pixel patches, stride 10, 229
     * tokens), the audio Q-Former (cross-attention in every layer) and audio_llama_proj.
     */
    public record Shape(String name, int width, int blocks, int heads, int mlpWidth, int outWidth, int qformerHidden,
                        int qformerHeads, int qformerLayers, int qformerIntermediate, int queries, int clipRows, int dModel) {
        /** The {@code videollama.json} that gives this shape's heads. */
        public String configJson() {
            return String.format(Locale.ROOT, """
                    {"audio_encoder": {"heads": %d}, "audio_qformer": {"heads": %d}}
                    """, heads, qformerHeads);
        }
    }

    /** The released Video-LLaMA (ImageBind-Huge, 7B's d_model) and a small shape with its head width (64). */
    public static final List<Shape> SHAPES = List.of(
            new Shape("videollama-7b", 768, 12, 12, 3072, 1024, 768, 12, 2, 3072, 8, 8, 4096),
            new Shape("narrow-heads-64", 128, 2, 2, 512, 96, 128, 2, 2, 256, 8, 8, 64));

    /** The released ImageBind-Huge audio encoder's depth. */
    public static final int RELEASED_BLOCKS = 12;

    private static final int PATCH = 16;

    private SyntheticAudioBranch() {}

    public static Shape shape(String name) {
        return ShapeNames.named(name, SHAPES, Shape::name);
    }

    /**
     * The released shape with only {@code blocks} of ImageBind's 12 blocks, every width real: for benchmarks where
     * the full depth is too slow (the plain-Java path on a CPU), whose per-block time extrapolates to 12 blocks.
     */
    public static Shape released(int blocks) {
        ShapeNames.checkBlocks(blocks, "ImageBind", RELEASED_BLOCKS);
        Shape s = shape("videollama-7b");
        return blocks == RELEASED_BLOCKS ? s : new Shape(s.name() + "-imagebind" + blocks, s.width(), blocks, s.heads(), s.mlpWidth(),
                s.outWidth(), s.qformerHidden(), s.qformerHeads(), s.qformerLayers(), s.qformerIntermediate(), s.queries(), s.clipRows(),
                s.dModel());
    }

    /**
     * A shape by what a benchmark's {@code --shape} says: {@code released} (the released shape, 12 ImageBind
     * blocks), {@code released-N} ({@link #released(int) N blocks}), or a name of {@link #SHAPES}.
     */
    public static Shape parse(String text) {
        return ShapeNames.parse(text, "ImageBind", RELEASED_BLOCKS, SyntheticAudioBranch::released, SHAPES, Shape::name);
    }

    /**
     * Writes {@code audio.safetensors} (all F32, as the released ImageBind and AL files are) and {@code
     * videollama.json} into {@code dir}, unless a complete folder is already there.
     */
    public static Path write(Path dir, Shape s) {
        return SeededWeights.writeFolder(dir, "audio", s.name(), "audio.safetensors", () -> tensors(s), Map.of("synthetic", s.name()),
                s.configJson());
    }

    /** The branch's tensors under their released names, seeded by the shape's name. */
    public static List<Tensor> tensors(Shape s) {
        SeededWeights r = new SeededWeights(s.name().hashCode());
        DType f32 = DType.F32;
        List<Tensor> t = new ArrayList<>();
        int w = s.width();
        int tokens = ((ImageBindAudioWeights.MEL_BINS - PATCH) / ImageBindAudioWeights.STRIDE + 1)
                * ((ImageBindAudioWeights.FRAMES - PATCH) / ImageBindAudioWeights.STRIDE + 1) + 1;
        String stem = ImageBindAudioWeights.PREFIX + "modality_preprocessors.audio.";
        t.add(r.normal(stem + "cls_token", f32, 0.5, 1, 1, w));
        t.add(r.matrix(stem + "rgbt_stem.proj.weight", f32, 1.0, w, 1, PATCH, PATCH));
        t.addAll(r.layerNorm(stem + "rgbt_stem.norm_layer", w));
        t.add(r.normal(stem + "pos_embedding_helper.pos_embed", f32, 0.5, 1, tokens, w));
        for (int i = 0; i < s.blocks(); i++) {
            String b = ImageBindAudioWeights.PREFIX + "modality_trunks.audio.blocks." + i + ".";
            t.add(r.matrix(b + "attn.in_proj_weight", f32, 1.5, 3 * w, w));
            t.add(r.bias(b + "attn.in_proj_bias", f32, 3 * w));
            t.add(r.normal(b + "attn.bias_k", f32, 2.0, 1, 1, w));
            t.add(r.normal(b + "attn.bias_v", f32, 1.0, 1, 1, w));
            t.add(r.matrix(b + "attn.out_proj.weight", f32, 1.0, w, w));
            t.add(r.bias(b + "attn.out_proj.bias", f32, w));
            t.addAll(r.layerNorm(b + "norm_1", w));
            t.add(r.matrix(b + "mlp.fc1.weight", f32, 1.0, s.mlpWidth(), w));
            t.add(r.bias(b + "mlp.fc1.bias", f32, s.mlpWidth()));
            t.add(r.matrix(b + "mlp.fc2.weight", f32, 1.0, w, s.mlpWidth()));
            t.add(r.bias(b + "mlp.fc2.bias", f32, w));
            t.addAll(r.layerNorm(b + "norm_2", w));
        }
        String head = ImageBindAudioWeights.PREFIX + "modality_heads.audio.";
        t.addAll(r.layerNorm(head + "0", w));
        t.add(r.matrix(head + "2.weight", f32, 1.0, s.outWidth(), w));
        t.add(Tensor.ofFloats(ImageBindAudioWeights.LOG_LOGIT_SCALE, new float[] {(float) Math.log(20)}));

        t.add(r.normal("audio_position_embedding.weight", f32, 1.0, s.clipRows(), s.outWidth()));
        t.add(r.normal("audio_query_tokens", f32, 0.5, 1, s.queries(), s.qformerHidden()));
        String bert = "audio_Qformer.bert.";
        int h = s.qformerHidden();
        t.addAll(r.layerNorm(bert + "embeddings.LayerNorm", h));
        for (int l = 0; l < s.qformerLayers(); l++) {
            String p = bert + "encoder.layer." + l + ".";
            r.qformerAttention(t, p + "attention.", h, h);
            r.qformerAttention(t, p + "crossattention.", h, s.outWidth());
            t.add(r.matrix(p + "intermediate_query.dense.weight", f32, 1.0, s.qformerIntermediate(), h));
            t.add(r.bias(p + "intermediate_query.dense.bias", f32, s.qformerIntermediate()));
            t.add(r.matrix(p + "output_query.dense.weight", f32, 1.0, h, s.qformerIntermediate()));
            t.add(r.bias(p + "output_query.dense.bias", f32, h));
            t.addAll(r.layerNorm(p + "output_query.LayerNorm", h));
        }
        t.add(r.matrix("audio_llama_proj.weight", f32, 1.0, s.dModel(), h));
        t.add(r.bias("audio_llama_proj.bias", f32, s.dModel()));
        return t;
    }
}

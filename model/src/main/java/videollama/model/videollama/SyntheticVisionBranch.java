package videollama.model.videollama;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import videollama.kernels.reference.Q8_0;
import videollama.model.Q8_0Linears;
import videollama.weights.DType;
import videollama.weights.QuantizedTensors;
import videollama.weights.Tensor;

/**
 * A vision-language branch of a given shape with seeded random weights under the released tensor names, for
 * benchmarks, device tests at real head widths and demos: what the stages cost depends on the shape, not on what
 * the weights say. Scales keep the activations realistic (projections ~ 1/√fan_in, LayerNorm weights near 1,
 * peaked attention), as {@code scripts/reference/make_vision_golden.py} does.
 */
public final class SyntheticVisionBranch {
    /**
     * A branch shape: the ViT (224 × 224 frames, 14-pixel patches), the image Q-Former (cross-attention on even
     * layers), the video Q-Former (cross-attention in every layer) and llama_proj.
     */
    public record Shape(String name, int vitWidth, int vitBlocks, int vitHeads, int mlpWidth, int qformerHidden, int qformerHeads,
                        int qformerLayers, int qformerIntermediate, int queries, int videoLayers, int videoQueries, int frameRows,
                        int dModel) {
        /** The {@code videollama.json} that gives this shape's heads. */
        public String configJson() {
            return String.format(Locale.ROOT, """
                    {"vision": {"heads": %d}, "qformer": {"heads": %d}, "video_qformer": {"heads": %d}}
                    """, vitHeads, qformerHeads, qformerHeads);
        }
    }

    /** The released Video-LLaMA (7B's d_model) and small shapes with its head widths (88 and 64). */
    public static final List<Shape> SHAPES = List.of(
            new Shape("videollama-7b", 1408, 39, 16, 6144, 768, 12, 12, 3072, 32, 2, 32, 32, 4096),
            new Shape("narrow-heads-88", 176, 2, 2, 768, 128, 2, 4, 256, 32, 2, 32, 32, 64));

    /** The released EVA ViT-g's depth. */
    public static final int RELEASED_VIT_BLOCKS = 39;

    private static final int IMAGE = 224;
    private static final int PATCH = 14;

    private SyntheticVisionBranch() {}

    public static Shape shape(String name) {
        return ShapeNames.named(name, SHAPES, Shape::name);
    }

    /**
     * The released shape with only {@code vitBlocks} of its 39 ViT blocks, every width real: for benchmarks where the
     * full depth is too slow (the plain-Java path on a CPU), whose per-block time extrapolates to 39 blocks.
     */
    public static Shape released(int vitBlocks) {
        ShapeNames.checkBlocks(vitBlocks, "ViT", RELEASED_VIT_BLOCKS);
        Shape s = shape("videollama-7b");
        return vitBlocks == RELEASED_VIT_BLOCKS ? s : new Shape(s.name() + "-vit" + vitBlocks, s.vitWidth(), vitBlocks, s.vitHeads(),
                s.mlpWidth(), s.qformerHidden(), s.qformerHeads(), s.qformerLayers(), s.qformerIntermediate(), s.queries(),
                s.videoLayers(), s.videoQueries(), s.frameRows(), s.dModel());
    }

    /**
     * A shape by what a benchmark's {@code --shape} says: {@code released} (the released shape, 39 ViT blocks),
     * {@code released-N} ({@link #released(int) N blocks}), or a name of {@link #SHAPES}.
     */
    public static Shape parse(String text) {
        return ShapeNames.parse(text, "ViT", RELEASED_VIT_BLOCKS, SyntheticVisionBranch::released, SHAPES, Shape::name);
    }

    /**
     * Writes {@code vision.safetensors} (the ViT's matrices in {@code vitDType}, as the released EVA file has
     * F16, everything else F32; with {@link DType#Q8_0} the F16 branch as {@code convert --quantize q8_0} writes it,
     * {@link #tensors}) and {@code videollama.json} into {@code dir}, unless a complete folder is already there.
     */
    public static Path write(Path dir, Shape s, DType vitDType) {
        return SeededWeights.writeFolder(dir, "vision", s.name(), "vision.safetensors", () -> tensors(s, vitDType),
                Map.of("synthetic", s.name(), "vit_dtype", vitDType.name()), s.configJson());
    }

    /**
     * The branch's tensors under their released names, seeded by the shape's name. {@link DType#Q8_0}: those of the
     * F16 branch (the released dtypes), each matrix that {@code convert --quantize q8_0} quantises ({@link
     * Q8_0Linears}: the ViT's qkv, proj, fc1 and fc2, the Q-Formers' attention, cross-attention and feed-forward, each
     * of whole blocks of 32) quantised from its F16 or F32 values and stored as convert stores it, its I8 quants and
     * F16 scales ({@link QuantizedTensors#stored}).
     */
    public static List<Tensor> tensors(Shape s, DType vitDType) {
        if (vitDType == DType.Q8_0) {
            List<Tensor> t = new ArrayList<>();
            for (Tensor f : tensors(s, DType.F16)) {
                t.addAll(Q8_0Linears.quantises(f.name(), f) ? QuantizedTensors.stored(Q8_0.quantize(f)) : List.of(f));
            }
            return t;
        }
        SeededWeights r = new SeededWeights(s.name().hashCode());
        List<Tensor> t = new ArrayList<>();
        int w = s.vitWidth();
        int tokens = (IMAGE / PATCH) * (IMAGE / PATCH) + 1;
        String v = "visual_encoder.";
        t.add(r.matrix(v + "patch_embed.proj.weight", vitDType, 1.0, w, 3, PATCH, PATCH));
        t.add(r.bias(v + "patch_embed.proj.bias", vitDType, w));
        t.add(r.normal(v + "cls_token", vitDType, 0.5, 1, 1, w));
        t.add(r.normal(v + "pos_embed", vitDType, 0.5, 1, tokens, w));
        for (int i = 0; i < s.vitBlocks(); i++) {
            String b = v + "blocks." + i + ".";
            t.addAll(r.layerNorm(b + "norm1", w));
            t.add(r.matrix(b + "attn.qkv.weight", vitDType, 1.5, 3 * w, w));
            t.add(r.bias(b + "attn.q_bias", vitDType, w));
            t.add(r.bias(b + "attn.v_bias", vitDType, w));
            t.add(r.matrix(b + "attn.proj.weight", vitDType, 1.0, w, w));
            t.add(r.bias(b + "attn.proj.bias", vitDType, w));
            t.addAll(r.layerNorm(b + "norm2", w));
            t.add(r.matrix(b + "mlp.fc1.weight", vitDType, 1.0, s.mlpWidth(), w));
            t.add(r.bias(b + "mlp.fc1.bias", vitDType, s.mlpWidth()));
            t.add(r.matrix(b + "mlp.fc2.weight", vitDType, 1.0, w, s.mlpWidth()));
            t.add(r.bias(b + "mlp.fc2.bias", vitDType, w));
        }
        t.addAll(r.layerNorm("ln_vision", w));
        t.add(r.normal("query_tokens", DType.F32, 0.5, 1, s.queries(), s.qformerHidden()));
        qformer(t, r, "Qformer.", s.qformerHidden(), s.qformerLayers(), s.qformerIntermediate(), 2, w);
        t.add(r.normal("video_frame_position_embedding.weight", DType.F32, 0.5, s.frameRows(), s.qformerHidden()));
        t.add(r.normal("video_query_tokens", DType.F32, 0.5, 1, s.videoQueries(), s.qformerHidden()));
        qformer(t, r, "video_Qformer.", s.qformerHidden(), s.videoLayers(), s.qformerIntermediate(), 1, s.qformerHidden());
        t.add(r.matrix("llama_proj.weight", DType.F32, 1.0, s.dModel(), s.qformerHidden()));
        t.add(r.bias("llama_proj.bias", DType.F32, s.dModel()));
        return t;
    }

    private static void qformer(List<Tensor> t, SeededWeights r, String prefix, int h, int layers, int intermediate, int crossFrequency,
                                int encoderWidth) {
        String bert = prefix + "bert.";
        t.addAll(r.layerNorm(bert + "embeddings.LayerNorm", h));
        for (int l = 0; l < layers; l++) {
            String p = bert + "encoder.layer." + l + ".";
            r.qformerAttention(t, p + "attention.", h, h);
            if (l % crossFrequency == 0) {
                r.qformerAttention(t, p + "crossattention.", h, encoderWidth);
            }
            t.add(r.matrix(p + "intermediate_query.dense.weight", DType.F32, 1.0, intermediate, h));
            t.add(r.bias(p + "intermediate_query.dense.bias", DType.F32, intermediate));
            t.add(r.matrix(p + "output_query.dense.weight", DType.F32, 1.0, h, intermediate));
            t.add(r.bias(p + "output_query.dense.bias", DType.F32, h));
            t.addAll(r.layerNorm(p + "output_query.LayerNorm", h));
        }
    }
}

package videollama.model.videollama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import videollama.kernels.reference.Q8_0;
import videollama.model.Q8_0Linears;
import videollama.weights.DType;
import videollama.weights.QuantizedTensors;
import videollama.weights.SafetensorsWriter;
import videollama.weights.Tensor;

/**
 * Loading a vision-language branch: sizes from shapes, layer counts and the cross-attention pattern from names,
 * heads from {@code videollama.json}, and a clear error for every kind of damage. The tiny golden model
 * {@code testdata/golden/vision/video-t3} is the starting point; each test writes a changed copy of it.
 */
class VideoBranchLoadTest extends BranchLoadContract {
    VideoBranchLoadTest() {
        super(golden("vision", "video-t3"), VideoBranch::open, VideoLlamaWeights::hasVision, ": no vision branch");
    }

    @Test
    void sizesComeFromTheShapesAndLayersFromTheNames() throws IOException {
        try (VideoBranch b = VideoBranch.open(write(t -> t))) {
            assertEquals(new VisionSizes(224, 3, 257, 48, 8, 32, 6, 40, 64, 5), b.sizes());
            assertEquals(2, b.vit().blocks.size());
            assertEquals(14, b.vit().patchSize);
            assertEquals(209, b.vit().mlpWidth);
            assertEquals(4, b.imageQFormer().layers.size());
            assertEquals(List.of(0, 2), b.imageQFormer().crossAttentionLayers());
            assertEquals(48, b.imageQFormer().encoderWidth);
            assertEquals(64, b.imageQFormer().intermediate);
            assertEquals(List.of(0, 1), b.videoQFormer().crossAttentionLayers());
            assertEquals(32, b.videoQFormer().encoderWidth);
            assertEquals(80, b.videoQFormer().intermediate);
        }
    }

    @Test
    void maxBlocksCapsTheViTDepthAsBlip2Does() throws IOException {
        Files.writeString(dir.resolve("videollama.json"), """
                {"vision": {"heads": 2, "max_blocks": 1}, "qformer": {"heads": 2}, "video_qformer": {"heads": 2}}""");
        try (VideoBranch b = VideoBranch.open(write(t -> t))) {
            assertEquals(1, b.vit().blocks.size());
        }
    }

    @Test
    void audioTensorsAreDetectedAndLeftAlone() throws IOException {
        List<Tensor> tensors = new ArrayList<>();
        for (String name : golden.names()) {
            tensors.add(golden.get(name));
        }
        tensors.add(zeros("audio_query_tokens", 1, 8, 16));
        tensors.add(zeros("audio_Qformer.bert.embeddings.LayerNorm.weight", 16));
        SafetensorsWriter.write(dir.resolve("branch.safetensors"), tensors, Map.of());
        Files.copy(goldenDir().resolve("videollama.json"), dir.resolve("videollama.json"));
        try (VideoLlamaWeights w = VideoLlamaWeights.open(dir); VideoBranch b = VideoBranch.open(dir)) {
            assertTrue(w.hasVision());
            assertTrue(w.hasAudio());
            assertEquals(64, b.sizes().dModel());
        }
    }

    @Test
    void branchTensorsMaySpreadOverFilesBesideTheLlamas() throws IOException {
        List<Tensor> vision = new ArrayList<>();
        List<Tensor> video = new ArrayList<>();
        for (String name : golden.names()) {
            (name.startsWith("video_") || name.startsWith("llama_proj") ? video : vision).add(golden.get(name));
        }
        SafetensorsWriter.write(dir.resolve("eva_qformer.safetensors"), vision, Map.of());
        SafetensorsWriter.write(dir.resolve("vl.safetensors"), video, Map.of());
        SafetensorsWriter.write(dir.resolve("model.safetensors"), List.of(zeros("model.norm.weight", 4)), Map.of());
        Files.copy(goldenDir().resolve("videollama.json"), dir.resolve("videollama.json"));
        try (VideoLlamaWeights w = VideoLlamaWeights.open(dir)) {
            assertFalse(w.tensors().contains("model.norm.weight"), "LLaMA-only files are not branch files");
        }
        try (VideoBranch b = VideoBranch.open(dir)) {
            assertEquals(6, b.sizes().videoQueries());
        }
        SafetensorsWriter.write(dir.resolve("vl2.safetensors"), List.of(golden.get("llama_proj.bias")), Map.of());
        String error = loadError(dir);
        assertTrue(error.contains("tensor 'llama_proj.bias' is in both"), error);
    }

    @Test
    void aMissingTensorIsNamed() throws IOException {
        assertEquals(dir + ": missing tensor 'visual_encoder.blocks.1.attn.v_bias'",
                loadError(without(n -> n.equals("visual_encoder.blocks.1.attn.v_bias"))));
        assertEquals(dir + ": missing tensor 'video_frame_position_embedding.weight'",
                loadError(without(n -> n.equals("video_frame_position_embedding.weight"))));
        assertEquals(dir + ": missing tensor 'Qformer.bert.encoder.layer.2.crossattention.output.LayerNorm.bias'",
                loadError(without(n -> n.equals("Qformer.bert.encoder.layer.2.crossattention.output.LayerNorm.bias"))));
    }

    @Test
    void aMisShapedTensorIsNamedWithBothShapes() throws IOException {
        String key = "Qformer.bert.encoder.layer.2.crossattention.self.value.weight";
        assertEquals(dir + ": tensor '" + key + "' has shape [32, 47], expected [32, 48]",
                loadError(write(t -> t.name().equals(key) ? zeros(key, 32, 47) : t)));
        assertEquals(dir + ": tensor 'ln_vision.bias' has shape [47], expected [48]",
                loadError(write(t -> t.name().equals("ln_vision.bias") ? zeros("ln_vision.bias", 47) : t)));
        String pos = loadError(write(t -> t.name().equals("visual_encoder.pos_embed") ? zeros(t.name(), 1, 200, 48) : t));
        assertTrue(pos.startsWith(dir + ": tensor 'visual_encoder.pos_embed' has shape [1, 200, 48], expected [1, n² + 1, 48]"), pos);
    }

    @Test
    void widthsMustChainFromStageToStage() throws IOException {
        String error = loadError(write(t -> t.name().matches("Qformer\\.bert\\.encoder\\.layer\\.\\d\\.crossattention\\.self\\.(key|value)\\.weight")
                ? zeros(t.name(), 32, 40) : t));
        assertEquals(dir + ": tensor 'Qformer.bert.encoder.layer.0.crossattention.self.key.weight' has shape [32, 40], expected [32, 48]"
                + " (the ViT's width)", error);
        String proj = loadError(write(t -> t.name().equals("llama_proj.weight") ? zeros(t.name(), 64, 32) : t));
        assertEquals(dir + ": tensor 'llama_proj.weight' has shape [64, 32], expected [d_model, 40] (the video Q-Former's width)", proj);
    }

    @Test
    void aGapInTheLayersIsAnError() throws IOException {
        String error = loadError(without(n -> n.startsWith("video_Qformer.bert.encoder.layer.0.")));
        assertTrue(error.startsWith(dir + ": missing tensor 'video_Qformer.bert.encoder.layer.0.attention.self.query.weight'"), error);
    }

    @Test
    void aQFormerThatNeverCrossAttendsIsAnError() throws IOException {
        String error = loadError(without(n -> n.startsWith("video_Qformer.") && n.contains(".crossattention.")));
        assertTrue(error.contains("video_Qformer has no cross-attention layer"), error);
    }

    @Test
    void headsAndImageSizeFromTheConfigAreChecked() throws IOException {
        Files.writeString(dir.resolve("videollama.json"), "{\"vision\": {\"heads\": 5}}");
        String heads = loadError(write(t -> t));
        assertTrue(heads.contains("48 wide") && heads.contains("5 heads"), heads);
        Files.writeString(dir.resolve("videollama.json"), "{\"vision\": {\"heads\": 2, \"image_size\": 336}}");
        String size = loadError(dir);
        assertTrue(size.contains("vision.image_size 336"), size);
        Files.writeString(dir.resolve("videollama.json"), "{\"vision\": {\"heads\": 2, \"patch_size\": 16}}");
        String patch = loadError(dir);
        assertTrue(patch.contains("vision.patch_size 16"), patch);
    }

    @Test
    void aNonFloatWeightIsAnError() throws IOException {
        String error = loadError(write(t -> t.name().equals("query_tokens")
                ? Tensor.ofInts("query_tokens", new int[8 * 32], 1, 8, 32) : t));
        assertEquals(dir + ": tensor 'query_tokens' has dtype I32, expected F32, F16, BF16 or Q8_0", error);
    }

    @Test
    void moreFramesThanFramePositionsIsAClearError() throws IOException {
        try (VideoBranch b = VideoBranch.open(write(t -> t))) {
            assertEquals("6 frames, but video_frame_position_embedding.weight has 5 rows: at most 5 frames",
                    encodeError(b, b.sizes().maxFrames() + 1, b.sizes().frameSize()));
        }
    }

    @Test
    void aSyntheticBranchLoadsWithItsShape() {
        SyntheticVisionBranch.Shape shape = SyntheticVisionBranch.shape("narrow-heads-88");
        SyntheticVisionBranch.write(dir, shape, DType.F16);
        try (VideoBranch b = VideoBranch.open(dir)) {
            assertEquals(new VisionSizes(224, 3, 257, 176, 32, 128, 32, 128, 64, 32), b.sizes());
            assertEquals(88, b.sizes().vitWidth() / b.config().vision().heads());
            assertEquals(DType.F16, b.vit().blocks.getFirst().qkvWeight().dtype());
            assertEquals(List.of(0, 2), b.imageQFormer().crossAttentionLayers());
            assertEquals(List.of(0, 1), b.videoQFormer().crossAttentionLayers());
        }
        assertThrows(IllegalArgumentException.class, () -> SyntheticVisionBranch.shape("eva-vit-h"));
    }

    /**
     * The Q8_0 branch of {@code bench --stage vision --dtype q8_0} is the F16 one as {@code convert --quantize q8_0}
     * writes it: each tensor {@link Q8_0Linears} names quantised from the F16 branch's values, as I8 quants and F16
     * scales, every other tensor the F16 branch's byte for byte; and it loads with those matrices Q8_0. At 176 wide
     * the ViT's qkv, proj and fc1 are not whole blocks and stay F16, as convert leaves them; fc2 (768 wide) and the
     * 128-wide Q-Formers' matrices are quantised.
     */
    @Test
    void aQ8_0SyntheticBranchIsTheF16OneQuantisedAsConvertDoes() {
        SyntheticVisionBranch.Shape shape = SyntheticVisionBranch.shape("narrow-heads-88");
        List<Tensor> f16 = SyntheticVisionBranch.tensors(shape, DType.F16);
        Map<String, Tensor> q8 = new HashMap<>();
        SyntheticVisionBranch.tensors(shape, DType.Q8_0).forEach(t -> q8.put(t.name(), t));
        int quantised = 0;
        for (Tensor t : f16) {
            if (Q8_0Linears.quantises(t.name(), t)) {
                Tensor expected = Q8_0.quantize(t);
                assertEquals(DType.I8, q8.get(t.name()).dtype(), t.name());
                assertEquals(-1, expected.data().mismatch(q8.get(t.name()).data()), t.name());
                assertEquals(-1, expected.scales().data().mismatch(q8.get(t.name() + QuantizedTensors.SCALES_SUFFIX).data()), t.name());
                quantised++;
            } else {
                assertEquals(t.dtype(), q8.get(t.name()).dtype(), t.name());
                assertEquals(-1, t.data().mismatch(q8.get(t.name()).data()), t.name());
            }
        }
        assertEquals(f16.size() + quantised, q8.size());
        SyntheticVisionBranch.write(dir, shape, DType.Q8_0);
        try (VideoBranch b = VideoBranch.open(dir)) {
            assertEquals(DType.Q8_0, b.vit().blocks.getFirst().fc2Weight().dtype());
            assertEquals(DType.F16, b.vit().blocks.getFirst().qkvWeight().dtype());
        }
        assertTrue(q8.get("Qformer.bert.encoder.layer.0.attention.self.query.weight").dtype() == DType.I8
                && q8.get("video_Qformer.bert.encoder.layer.1.output_query.dense.weight").dtype() == DType.I8
                && q8.get("llama_proj.weight").dtype() == DType.F32);
    }
}

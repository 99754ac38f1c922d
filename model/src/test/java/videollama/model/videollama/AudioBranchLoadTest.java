package videollama.model.videollama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.reference.ReferenceBackend;
import videollama.model.audio.ImageBindAudioWeights;
import videollama.testing.MeasuredErrors;
import videollama.testing.SeededRandom;
import videollama.weights.Tensor;

/**
 * Loading an audio-language branch: sizes from shapes, depth from names, heads from {@code videollama.json}, the
 * logit scale from the {@code log_logit_scale} buffer, and a clear error for every kind of damage. The tiny golden
 * model {@code testdata/golden/audio/clips3} is the starting point; each test writes a changed copy of it.
 */
class AudioBranchLoadTest extends BranchLoadContract {
    @RegisterExtension
    final SeededRandom random = new SeededRandom();

    private static final String STEM = "audio_encoder.modality_preprocessors.audio.";
    private static final String BLOCKS = "audio_encoder.modality_trunks.audio.blocks.";

    AudioBranchLoadTest() {
        super(golden("audio", "clips3"), AudioBranch::open, VideoLlamaWeights::hasAudio, ": no audio branch (no tensor named audio_encoder.*, ");
    }

    @Test
    void sizesComeFromTheShapesAndBlocksFromTheNames() throws IOException {
        try (AudioBranch b = AudioBranch.open(write(t -> t))) {
            assertEquals(new AudioSizes(128, 204, 229, 45, 40, 8, 32, 48, 8), b.sizes());
            ImageBindAudioWeights e = b.imageBind();
            assertEquals(2, e.blocks.size());
            assertEquals(16, e.patchSize);
            assertEquals(12, e.gridHeight);
            assertEquals(19, e.gridWidth);
            assertEquals(180, e.mlpWidth);
            assertEquals(20f, e.logitScale(b.config().audioEncoder()));
            assertEquals(List.of(0, 1), b.qformer().crossAttentionLayers());
            assertEquals(40, b.qformer().encoderWidth);
            assertEquals(3, b.config().audioEncoder().heads());
        }
    }

    @Test
    void theLogitScaleComesFromItsBufferElseFromTheConfig() throws IOException {
        String name = ImageBindAudioWeights.LOG_LOGIT_SCALE;
        write(t -> t.name().equals(name) ? Tensor.ofFloats(name, new float[] {(float) Math.log(5)}) : t);
        try (AudioBranch b = AudioBranch.open(dir)) {
            assertEquals(5f, b.imageBind().logitScale(b.config().audioEncoder()), 1e-6f);
        }
        write(t -> t.name().equals(name) ? Tensor.ofFloats(name, new float[] {(float) Math.log(1000)}) : t);
        try (AudioBranch b = AudioBranch.open(dir)) {
            assertEquals(100f, b.imageBind().logitScale(b.config().audioEncoder()), "clipped at 100 as ImageBind clips it");
        }
        Files.writeString(dir.resolve("videollama.json"), """
                {"audio_encoder": {"heads": 3, "logit_scale": 7}, "audio_qformer": {"heads": 2}}""");
        without(n -> n.equals(name));
        try (AudioBranch b = AudioBranch.open(dir);
             ReferenceBackend reference = new ReferenceBackend();
             AudioEncoder encoder = b.encoder(reference)) {
            assertTrue(b.imageBind().logLogitScale.isEmpty());
            assertEquals(7f, b.imageBind().logitScale(b.config().audioEncoder()));
            AudioOutputs out = encoder.encode(new float[b.sizes().clipSize()], 1);
            double norm = 0;
            for (float v : out.encoderOut()) {
                norm += v * v;
            }
            MeasuredErrors.record("norm", Math.abs(Math.sqrt(norm) - 7), 2e-6);
            assertEquals(7, Math.sqrt(norm), 2e-6, "every embedding has the norm of the logit scale");
        }
        assertTrue(loadError(write(t -> t.name().equals(name) ? zeros(name, 2) : t))
                .endsWith("tensor '" + name + "' has shape [2], expected a scalar []"));
    }

    @Test
    void halfABranchNamesTheFileThatIsMissing() throws IOException {
        assertEquals(dir + ": the audio branch has no ImageBind audio encoder (no tensor named audio_encoder.*); convert"
                + " imagebind_huge.pth into this folder with videollama convert --out " + dir + " FILE",
                loadError(without(n -> n.startsWith("audio_encoder."))));
        assertEquals(dir + ": the audio branch has no audio Q-Former (no tensor named audio_Qformer.*); convert the AL"
                + " checkpoint (AL_LLaMA_2_7B_Finetuned.pth, finetune_vicuna7b_audiobranch.pth, ...) into this folder"
                + " with videollama convert --out " + dir + " FILE", loadError(without(n -> n.startsWith("audio_Qformer."))));
    }

    @Test
    void aMissingTensorIsNamed() throws IOException {
        for (String name : List.of(BLOCKS + "1.attn.bias_v", BLOCKS + "0.attn.in_proj_bias", STEM + "rgbt_stem.norm_layer.bias",
                "audio_encoder.modality_heads.audio.2.weight", "audio_position_embedding.weight", "audio_llama_proj.bias",
                "audio_Qformer.bert.encoder.layer.1.crossattention.self.key.bias")) {
            assertEquals(dir + ": missing tensor '" + name + "'", loadError(without(n -> n.equals(name))));
        }
    }

    @Test
    void aMisShapedTensorIsNamedWithBothShapes() throws IOException {
        String biasK = BLOCKS + "1.attn.bias_k";
        assertEquals(dir + ": tensor '" + biasK + "' has shape [45], expected [1, 1, 45]",
                loadError(write(t -> t.name().equals(biasK) ? zeros(biasK, 45) : t)));
        String inProj = BLOCKS + "0.attn.in_proj_weight";
        assertEquals(dir + ": tensor '" + inProj + "' has shape [90, 45], expected [135, 45]",
                loadError(write(t -> t.name().equals(inProj) ? zeros(inProj, 90, 45) : t)));
        String pos = STEM + "pos_embedding_helper.pos_embed";
        String error = loadError(write(t -> t.name().equals(pos) ? zeros(pos, 1, 257, 45) : t));
        assertTrue(error.startsWith(dir + ": tensor '" + pos + "' has shape [1, 257, 45], expected [1, 229, 45] (a 12x19 grid"),
                error);
        String conv = STEM + "rgbt_stem.proj.weight";
        error = loadError(write(t -> t.name().equals(conv) ? zeros(conv, 45, 3, 16, 16) : t));
        assertTrue(error.startsWith(dir + ": tensor '" + conv + "' has shape [45, 3, 16, 16], expected [width, 1, patch, patch]"),
                error);
    }

    @Test
    void widthsMustChainFromStageToStage() throws IOException {
        String clipPositions = "audio_position_embedding.weight";
        assertEquals(dir + ": tensor '" + clipPositions + "' has shape [8, 45], expected [clips, 40] (the audio encoder's output"
                + " width)", loadError(write(t -> t.name().equals(clipPositions) ? zeros(clipPositions, 8, 45) : t)));
        String error = loadError(write(t -> t.name().matches("audio_Qformer\\.bert\\.encoder\\.layer\\.\\d\\.crossattention\\.self\\.(key|value)\\.weight")
                ? zeros(t.name(), 32, 45) : t));
        assertEquals(dir + ": tensor 'audio_Qformer.bert.encoder.layer.0.crossattention.self.key.weight' has shape [32, 45],"
                + " expected [32, 40] (the audio encoder's output width)", error);
        String proj = loadError(write(t -> t.name().equals("audio_llama_proj.weight") ? zeros(t.name(), 48, 40) : t));
        assertEquals(dir + ": tensor 'audio_llama_proj.weight' has shape [48, 40], expected [d_model, 32] (the audio Q-Former's"
                + " width)", proj);
    }

    @Test
    void headsFromTheConfigMustDivideTheWidth() throws IOException {
        Files.writeString(dir.resolve("videollama.json"), "{\"audio_encoder\": {\"heads\": 4}, \"audio_qformer\": {\"heads\": 2}}");
        String heads = loadError(write(t -> t));
        assertTrue(heads.contains("45 wide") && heads.contains("4 heads (videollama.json audio_encoder.heads)"), heads);
    }

    @Test
    void aGapInTheBlocksIsAnError() throws IOException {
        String error = loadError(without(n -> n.startsWith(BLOCKS + "0.")));
        assertTrue(error.startsWith(dir + ": missing tensor '" + BLOCKS + "0.attn.in_proj_weight'"), error);
    }

    @Test
    void clipCountsAreChecked() throws IOException {
        try (AudioBranch b = AudioBranch.open(write(t -> t))) {
            assertEquals("9 audio clips, but audio_position_embedding.weight has 8 rows: at most 8 clips",
                    encodeError(b, b.sizes().maxClips() + 1, b.sizes().clipSize()));
            assertEquals("a sound track needs at least one clip, got 0", encodeError(b, 0, b.sizes().clipSize()));
        }
    }

    /**
     * Clips go through ImageBind independently (a clip gives the same embedding alone or among others), and only
     * the clip positions and the Q-Former see their order.
     */
    @Test
    void clipsAreEncodedIndependentlyUntilTheClipPositions() throws IOException {
        try (AudioBranch b = AudioBranch.open(write(t -> t));
             ReferenceBackend reference = new ReferenceBackend();
             AudioEncoder encoder = b.encoder(reference)) {
            int n = b.sizes().clipSize();
            float[] a = new float[n];
            float[] c = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = (float) (0.5 * random.nextGaussian());
                c[i] = (float) (0.5 * random.nextGaussian());
            }
            float[] ac = new float[2 * n];
            System.arraycopy(a, 0, ac, 0, n);
            System.arraycopy(c, 0, ac, n, n);
            float[] ca = new float[2 * n];
            System.arraycopy(c, 0, ca, 0, n);
            System.arraycopy(a, 0, ca, n, n);
            AudioOutputs alone = encoder.encode(a, 1);
            AudioOutputs both = encoder.encode(ac, 2);
            AudioOutputs swapped = encoder.encode(ca, 2);
            int e = b.sizes().embedWidth();
            assertArrayEquals(alone.encoderOut(), Arrays.copyOf(both.encoderOut(), e));
            assertArrayEquals(alone.encoderOut(), Arrays.copyOfRange(swapped.encoderOut(), e, 2 * e));
            assertFalse(Arrays.equals(both.tokens(), swapped.tokens()), "the clip order matters to the tokens");
        }
    }

    @Test
    void aSyntheticBranchLoadsWithItsShape() {
        SyntheticAudioBranch.Shape shape = SyntheticAudioBranch.shape("narrow-heads-64");
        SyntheticAudioBranch.write(dir, shape);
        try (AudioBranch b = AudioBranch.open(dir)) {
            assertEquals(new AudioSizes(128, 204, 229, 128, 96, 8, 128, 64, 8), b.sizes());
            assertEquals(64, b.sizes().encoderWidth() / b.config().audioEncoder().heads());
            assertEquals(2, b.imageBind().blocks.size());
            assertEquals(20f, b.imageBind().logitScale(b.config().audioEncoder()), 1e-5f);
            assertEquals(List.of(0, 1), b.qformer().crossAttentionLayers());
        }
        SyntheticAudioBranch.Shape released = SyntheticAudioBranch.shape("videollama-7b");
        assertEquals(12, released.blocks());
        assertThrows(IllegalArgumentException.class, () -> SyntheticAudioBranch.shape("imagebind-base"));
    }
}

package videollama.model.videollama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.model.ModelException;
import videollama.model.audio.AudioEncoderSettings;
import videollama.model.qformer.QFormerSettings;
import videollama.model.vision.EvaVitSettings;

class VideoLlamaConfigTest {
    @TempDir
    Path dir;

    private static VideoLlamaConfig parse(String json) {
        return VideoLlamaConfig.parse(json, "m/videollama.json");
    }

    private static String error(String json) {
        return assertThrows(ModelException.class, () -> parse(json)).getMessage();
    }

    @Test
    void aFolderWithoutTheFileGetsTheReleasedModel() {
        VideoLlamaConfig c = VideoLlamaConfig.load(dir);
        assertSame(VideoLlamaConfig.RELEASED, c);
        assertEquals(16, c.vision().heads());
        assertEquals(1e-6f, c.vision().layerNormEps());
        assertEquals(OptionalInt.empty(), c.vision().imageSize());
        assertEquals(39, c.vision().maxBlocks());
        assertEquals(1e-5f, c.lnVisionEps());
        assertEquals(new QFormerSettings(12, 1e-12f), c.qformer());
        assertEquals(new QFormerSettings(12, 1e-12f), c.videoQformer());
        assertEquals(new QFormerSettings(12, 1e-12f), c.audioQformer());
        assertEquals(new AudioEncoderSettings(12, 1e-6f, 1e-5f, 20f), c.audioEncoder());
        assertEquals(8, c.frames());
        assertNull(c.template());
    }

    @Test
    void anEmptyObjectIsTheReleasedModel() {
        assertEquals(VideoLlamaConfig.RELEASED, parse("{}"));
    }

    @Test
    void readsEveryField() throws IOException {
        Files.writeString(dir.resolve("videollama.json"), """
                {"vision": {"heads": 2, "layer_norm_eps": 1e-5, "image_size": 112, "patch_size": 16,
                            "ln_vision_eps": 1e-4, "max_blocks": 3},
                 "qformer": {"heads": 4, "layer_norm_eps": 1e-6},
                 "video_qformer": {"heads": 3},
                 "audio_encoder": {"heads": 5, "layer_norm_eps": 2e-6, "stem_layer_norm_eps": 3e-5, "logit_scale": 10},
                 "audio_qformer": {"layer_norm_eps": 1e-7},
                 "frames": 4,
                 "template": "vicuna"}""");
        VideoLlamaConfig c = VideoLlamaConfig.load(dir);
        assertEquals(new EvaVitSettings(2, 1e-5f, OptionalInt.of(112), OptionalInt.of(16), 3), c.vision());
        assertEquals(1e-4f, c.lnVisionEps());
        assertEquals(new QFormerSettings(4, 1e-6f), c.qformer());
        assertEquals(new QFormerSettings(3, 1e-12f), c.videoQformer());
        assertEquals(new AudioEncoderSettings(5, 2e-6f, 3e-5f, 10f), c.audioEncoder());
        assertEquals(new QFormerSettings(12, 1e-7f), c.audioQformer());
        assertEquals(4, c.frames());
        assertEquals("vicuna", c.template());
    }

    @Test
    void unknownFieldsAreErrorsThatNameThem() {
        String top = error("{\"frame\": 8}");
        assertTrue(top.startsWith("m/videollama.json: unknown field 'frame'"), top);
        assertTrue(top.contains("frames") && top.contains("video_qformer"), top);
        String nested = error("{\"vision\": {\"haeds\": 16}}");
        assertTrue(nested.startsWith("m/videollama.json: unknown field 'vision.haeds'"), nested);
        assertTrue(nested.contains("heads"), nested);
    }

    @Test
    void wrongTypesAndValuesAreErrorsThatNameTheField() {
        assertEquals("m/videollama.json: field 'vision.heads' must be an integer", error("{\"vision\": {\"heads\": \"16\"}}"));
        assertEquals("m/videollama.json: field 'vision.heads' must be an integer", error("{\"vision\": {\"heads\": 2.5}}"));
        assertEquals("m/videollama.json: field 'qformer.layer_norm_eps' must be a number",
                error("{\"qformer\": {\"layer_norm_eps\": \"1e-12\"}}"));
        assertEquals("m/videollama.json: field 'vision' must be a JSON object", error("{\"vision\": 3}"));
        assertEquals("m/videollama.json: qformer.heads must be a positive integer, got 0", error("{\"qformer\": {\"heads\": 0}}"));
        assertEquals("m/videollama.json: video_qformer.layer_norm_eps must be a positive number, got -1.0",
                error("{\"video_qformer\": {\"layer_norm_eps\": -1}}"));
        assertEquals("m/videollama.json: frames must be a positive integer, got 0", error("{\"frames\": 0}"));
        assertTrue(error("{\"template\": \"chatml\"}").contains("template 'chatml'"));
    }

    @Test
    void malformedJsonIsAnErrorNamingTheFile() {
        assertTrue(error("{\"frames\": 8,}").startsWith("m/videollama.json: not valid JSON at line 1"));
        assertTrue(error("{\"frames\": 8, \"frames\": 4}").contains("Duplicate field 'frames'"));
        assertEquals("m/videollama.json: more content after the JSON object", error("{} {}"));
        assertEquals("m/videollama.json: expected a JSON object", error("[]"));
        assertEquals("m/videollama.json: empty (expected a JSON object)", error(""));
    }
}

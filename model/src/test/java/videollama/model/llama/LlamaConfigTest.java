package videollama.model.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.model.ModelException;

class LlamaConfigTest {
    @TempDir
    Path dir;

    private LlamaConfig load(String json) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json);
        return LlamaConfig.load(file);
    }

    /** hidden, intermediate, layers, heads, key/value heads, head width, vocabulary, positions. */
    private static List<Integer> sizes(LlamaConfig c) {
        return List.of(c.hiddenSize(), c.intermediateSize(), c.numLayers(), c.numHeads(), c.numKvHeads(), c.headDim(),
                c.vocabSize(), c.maxPositionEmbeddings());
    }

    @Test
    void readsTheBundledStories260K() {
        LlamaConfig c = LlamaConfig.load(Path.of(System.getProperty("videollama.root"), "models", "stories260K", "config.json"));
        assertEquals(List.of(64, 172, 5, 8, 4, 8, 512, 512), sizes(c));
        assertEquals(1e-5f, c.rmsNormEps());
        assertEquals(10000.0, c.ropeTheta());
        assertFalse(c.tieWordEmbeddings());
        assertTrue(c.isEos(2));
    }

    @Test
    void defaultsAreThoseOfTransformersLlamaConfig() throws IOException {
        LlamaConfig c = load("""
                {"hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32, "num_attention_heads": 32}""");
        assertEquals(List.of(4096, 11008, 32, 32, 32, 128, 32000, 2048), sizes(c));
        assertEquals(1e-6f, c.rmsNormEps());
        assertEquals(10000.0, c.ropeTheta());
        assertEquals(1, c.bosTokenId());
        assertArrayEquals(new int[] {2}, c.eosTokenIds());
    }

    @Test
    void honoursEveryField() throws IOException {
        LlamaConfig c = load("""
                {"hidden_size": 96, "intermediate_size": 200, "num_hidden_layers": 3, "num_attention_heads": 8,
                 "num_key_value_heads": 2, "vocab_size": 32001, "max_position_embeddings": 4096, "rms_norm_eps": 1e-5,
                 "rope_theta": 500000.0, "tie_word_embeddings": true, "bos_token_id": 5, "eos_token_id": [2, 7],
                 "head_dim": 16, "rope_scaling": null}""");
        assertEquals(List.of(96, 200, 3, 8, 2, 16, 32001, 4096), sizes(c));
        assertEquals(128, c.qDim());
        assertEquals(32, c.kvDim());
        assertEquals(500000.0, c.ropeTheta());
        assertTrue(c.tieWordEmbeddings());
        assertEquals(5, c.bosTokenId());
        assertTrue(c.isEos(7));
    }

    @Test
    void ropeThetaUnderRopeParametersAsTransformers5WritesIt() throws IOException {
        LlamaConfig c = load("""
                {"hidden_size": 64, "intermediate_size": 100, "num_hidden_layers": 1, "num_attention_heads": 4,
                 "rope_parameters": {"rope_type": "default", "rope_theta": 250000.0}}""");
        assertEquals(250000.0, c.ropeTheta());
    }

    @Test
    void badConfigsNameTheFileAndField() {
        String base = "\"hidden_size\": 64, \"intermediate_size\": 100, \"num_hidden_layers\": 1, ";
        assertRejected("{" + base + "\"num_attention_heads\": 6}", "not a multiple of num_attention_heads");
        assertRejected("{" + base + "\"num_attention_heads\": 4, \"num_key_value_heads\": 3}", "num_key_value_heads 3");
        assertRejected("{\"hidden_size\": 64}", "missing field");
        assertRejected("{" + base + "\"num_attention_heads\": 4, \"hidden_act\": \"gelu\"}", "hidden_act");
        assertRejected("{" + base + "\"num_attention_heads\": 4, \"rope_scaling\": {\"type\": \"linear\"}}", "rope_scaling");
        assertRejected("{" + base + "\"num_attention_heads\": \"4\"}", "num_attention_heads must be an integer");
        assertRejected("{" + base + "\"num_attention_heads\": 4, \"rms_norm_eps\": -1}", "rms_norm_eps");
        assertRejected("[1, 2]", "not a JSON object");
        assertRejected("{not json", "not valid JSON");
        ModelException missing = assertThrows(ModelException.class, () -> LlamaConfig.load(dir.resolve("nope/config.json")));
        assertTrue(missing.getMessage().contains("nope/config.json: not found"), missing.getMessage());
    }

    private void assertRejected(String json, String expected) {
        ModelException e = assertThrows(ModelException.class, () -> load(json), json);
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}

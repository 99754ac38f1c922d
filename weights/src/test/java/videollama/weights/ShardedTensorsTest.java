package videollama.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static videollama.weights.Crafted.assertWeightsError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedTensorsTest {
    private static final String INDEX = "model.safetensors.index.json";

    @TempDir
    Path dir;

    private void shard(String file, String... names) {
        List<Tensor> tensors = Arrays.stream(names)
                .map(name -> Tensor.ofFloats(name, new float[] {name.length(), 2}, 2))
                .toList();
        SafetensorsWriter.write(dir.resolve(file), tensors, Map.of());
    }

    private void index(String weightMapJson) throws IOException {
        String json = "{\"metadata\":{\"total_size\":64},\"weight_map\":" + weightMapJson + "}";
        Files.writeString(dir.resolve(INDEX), json);
    }

    private TensorSource open() {
        return ShardedTensors.open(dir);
    }

    @Test
    void twoShardsWithAnIndex() throws IOException {
        shard("model-00002-of-00002.safetensors", "c", "b");
        shard("model-00001-of-00002.safetensors", "z", "a");
        index("{\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\","
                + "\"c\":\"model-00002-of-00002.safetensors\",\"z\":\"model-00001-of-00002.safetensors\"}");
        shard("unrelated.safetensors", "a"); // not in the index: never opened, so no duplicate
        try (TensorSource source = open()) {
            assertInstanceOf(ShardedTensors.class, source);
            assertEquals(dir.toString(), source.describe());
            assertEquals(List.of("z", "a", "c", "b"), source.names(), "shard order, then file order");
            assertEquals(1.0f, source.get("z").getFloat(0), "the first element is the name length");
            assertEquals(2.0f, source.get("c").getFloat(1));
            assertTrue(source.contains("b"));
            assertFalse(source.contains("unrelated"));
            assertEquals(2, ((ShardedTensors) source).shards().size());
        }
    }

    @Test
    void twoShardsWithoutAnIndexInNameOrder() {
        shard("b.safetensors", "y");
        shard("a.safetensors", "x1", "x2");
        try (TensorSource source = open()) {
            assertEquals(List.of("x1", "x2", "y"), source.names());
            assertEquals(1.0f, source.get("y").getFloat(0));
            assertWeightsError(() -> source.get("w"), dir, "missing tensor 'w'");
        }
    }

    @Test
    void closingClosesEveryShard() {
        shard("a.safetensors", "x");
        shard("b.safetensors", "y");
        TensorSource source = open();
        Tensor y = source.get("y");
        source.close();
        assertThrows(IllegalStateException.class, () -> y.getFloat(0));
    }

    @Test
    void duplicateTensorAcrossShards() {
        shard("a.safetensors", "x", "shared");
        shard("b.safetensors", "shared");
        assertWeightsError(this::open, dir, "tensor 'shared' is in both",
                dir.resolve("a.safetensors").toString(), dir.resolve("b.safetensors").toString());
    }

    @Test
    void indexPointingToAMissingShard() throws IOException {
        shard("model-00001-of-00002.safetensors", "a");
        index("{\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\"}");
        assertWeightsError(this::open, dir.resolve(INDEX),
                "tensor 'b' is mapped to shard 'model-00002-of-00002.safetensors', which does not exist");
    }

    @Test
    void indexTensorAbsentFromItsShard() throws IOException {
        shard("one.safetensors", "a");
        shard("two.safetensors", "b");
        index("{\"a\":\"one.safetensors\",\"b\":\"one.safetensors\"}");
        assertWeightsError(this::open, dir.resolve(INDEX),
                "tensor 'b' is mapped to shard 'one.safetensors', which does not contain it");
    }

    @Test
    void indexWithABadWeightMap() throws IOException {
        shard("one.safetensors", "a");
        Files.writeString(dir.resolve(INDEX), "{\"metadata\":{}}");
        assertWeightsError(this::open, dir.resolve(INDEX), "\"weight_map\" must be a non-empty JSON object");
        index("{\"a\":3}");
        assertWeightsError(this::open, dir.resolve(INDEX), "tensor 'a' is mapped to a number");
        index("{\"a\":\"../one.safetensors\"}");
        assertWeightsError(this::open, dir.resolve(INDEX), "tensor 'a' is mapped to '../one.safetensors'");
        Files.writeString(dir.resolve(INDEX), "{\"weight_map\":");
        assertWeightsError(this::open, dir.resolve(INDEX), "is not valid JSON");
    }

    @Test
    void aBadShardIsNamed() {
        shard("a.safetensors", "x");
        Path bad = Crafted.raw(dir, "b.safetensors", new byte[3]);
        assertWeightsError(this::open, bad, "truncated");
    }

    @Test
    void aFolderWithoutSafetensors() throws IOException {
        Files.writeString(dir.resolve("README.md"), "nothing here");
        var e = assertWeightsError(this::open, dir);
        assertEquals(dir + ": no *.safetensors files", e.getMessage());
        Path readme = dir.resolve("README.md");
        assertWeightsError(() -> ShardedTensors.open(readme), readme, "not a directory");
    }
}

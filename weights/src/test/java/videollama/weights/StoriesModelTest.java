package videollama.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The bundled stories260K checkpoint, a real file written by the Python safetensors library. */
class StoriesModelTest {
    private static final Path DIR = Path.of(System.getProperty("videollama.root", "..")).resolve("models/stories260K");
    private static final Path FILE = DIR.resolve("model.safetensors");

    @Test
    void listsTheTensorsInFileOrder() {
        try (SafetensorsFile file = SafetensorsFile.open(FILE)) {
            assertEquals(48, file.names().size(), "lm_head, embeddings, 5 layers of 9, final norm");
            assertEquals("lm_head.weight", file.names().getFirst());
            assertEquals("model.norm.weight", file.names().getLast());
            Tensor embed = file.get("model.embed_tokens.weight").requireShape(file.describe(), 512, 64);
            assertEquals(DType.F32, embed.dtype());
            file.get("model.layers.4.mlp.down_proj.weight").requireShape(file.describe(), 64, 172);
            assertEquals("pt", file.metadata().get("format"));
            assertTrue(embed.data().isMapped(), "a slice of the mapping, not a heap copy");
        }
    }

    @Test
    void valuesEqualTheRawLittleEndianFloats() throws IOException {
        ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(FILE)).order(ByteOrder.LITTLE_ENDIAN);
        long dataStart = 8 + raw.getLong(0);
        try (SafetensorsFile file = SafetensorsFile.open(FILE)) {
            for (TensorInfo info : file.tensorInfos()) {
                Tensor tensor = file.get(info.name());
                float[] expected = new float[Math.toIntExact(tensor.size())];
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = raw.getFloat(Math.toIntExact(dataStart + info.begin() + 4L * i));
                }
                assertArrayEquals(expected, tensor.toFloatArray(), info.name());
                assertEquals(expected[expected.length - 1], tensor.getFloat(expected.length - 1), info.name());
            }
        }
    }

    @Test
    void theFolderOpensAsItsOnlyFile() {
        try (TensorSource source = ShardedTensors.open(DIR)) {
            assertInstanceOf(SafetensorsFile.class, source);
            assertTrue(source.contains("model.layers.0.self_attn.q_proj.weight"));
        }
    }
}

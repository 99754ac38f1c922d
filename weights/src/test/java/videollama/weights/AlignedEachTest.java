package videollama.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SafetensorsWriter#alignedEach} and {@link RealignSafetensors}: tensors of sizes that are not multiples of the
 * alignment (a 48-wide F32 bias is 192 bytes) each start at a multiple of it, read back bit for bit under their names
 * with the fillers unlisted, and the file stays a valid safetensors file (no gaps: the fillers are tensors).
 */
class AlignedEachTest {
    @TempDir
    Path dir;

    private static List<Tensor> oddTensors(Random random) {
        List<Tensor> tensors = new ArrayList<>();
        long[][] shapes = {{48}, {48, 48}, {3}, {7, 5}, {144}, {32}, {1}};
        DType[] dtypes = {DType.F32, DType.F16, DType.F32, DType.BF16, DType.F32, DType.I64, DType.U8};
        for (int i = 0; i < shapes.length; i++) {
            tensors.add(RoundTripTest.randomTensor("t" + i, dtypes[i], shapes[i], random));
        }
        return tensors;
    }

    @Test
    void everyTensorStartsAtAMultipleAndReadsBackBitForBit() {
        List<Tensor> written = oddTensors(new Random(7));
        Path file = dir.resolve("aligned.safetensors");
        SafetensorsWriter.writePlanned(file, SafetensorsWriter.alignedEach(written.stream().map(SafetensorsWriter.Planned::of).toList(), 128),
                Map.of("note", "kept"), bytes -> {});
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertEquals(written.stream().map(Tensor::name).toList(), read.names(), "fillers are not listed");
            assertEquals(Map.of("note", "kept"), read.metadata());
            for (Tensor expected : written) {
                Tensor actual = read.get(expected.name());
                assertEquals(expected.dtype(), actual.dtype());
                assertArrayEquals(expected.shape(), actual.shape());
                assertEquals(-1, expected.data().mismatch(actual.data()), expected.name());
                assertEquals(0, actual.data().address() % 128, expected.name() + " in the mapping");
            }
            long fillers = read.tensorInfos().stream().filter(t -> t.name().startsWith(SafetensorsWriter.PADDING_PREFIX)).count();
            // after the 192-, 12-, 70- and 576-byte tensors; not after 4608 or 256 bytes (multiples), nor after the last
            assertEquals(4, fillers);
        }
    }

    @Test
    void realignKeepsEveryTensorAndAlignsIt() throws Exception {
        List<Tensor> written = oddTensors(new Random(11));
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, written, Map.of("format", "pt"));
        try (SafetensorsFile before = SafetensorsFile.open(file)) {
            assertTrue(before.tensorInfos().stream().anyMatch(t -> (before.dataStart() + t.begin()) % 128 != 0), "misaligned first");
        }
        String said = RealignSafetensors.realign(file, 128);
        assertTrue(said.contains("7 tensors byte-identical, each at a multiple of 128 bytes"), said);
        try (SafetensorsFile after = SafetensorsFile.open(file)) {
            for (Tensor expected : written) {
                assertEquals(-1, expected.data().mismatch(after.get(expected.name()).data()), expected.name());
                assertEquals(0, after.get(expected.name()).data().address() % 128, expected.name());
            }
            assertEquals(Map.of("format", "pt"), after.metadata());
        }
        assertEquals(List.of("model.safetensors"), Files.list(dir).map(p -> p.getFileName().toString()).toList(), "nothing left beside it");
    }

    @Test
    void anAlignmentThatDoesNotDivideAPageIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.alignedEach(List.of(), 96));
    }
}

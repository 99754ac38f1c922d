package videollama.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files written by {@link SafetensorsWriter} read back bit for bit by {@link SafetensorsFile}. */
class RoundTripTest {
    @TempDir
    Path dir;

    @Test
    void everyDtypeRoundTripsBitForBit() {
        List<Tensor> written = new ArrayList<>();
        Random random = new Random(42);
        long[][] shapes = {{3, 5, 7}, {1}, {2, 3}, {11}, {}, {0, 4}, {1, 1, 13}};
        int i = 0;
        for (DType dtype : DType.values()) {
            if (!dtype.isStored()) {
                continue; // Q8_0 is stored as an I8 and an F16 tensor, QuantizedTensorsTest
            }
            for (long[] shape : shapes) {
                written.add(randomTensor("t" + i++ + "." + dtype, dtype, shape, random));
            }
        }
        Path file = dir.resolve("all.safetensors");
        SafetensorsWriter.write(file, written, Map.of());

        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertEquals(written.stream().map(Tensor::name).toList(), read.names(), "file order");
            for (Tensor expected : written) {
                Tensor actual = read.get(expected.name());
                assertEquals(expected.dtype(), actual.dtype(), expected.name());
                assertArrayEquals(expected.shape(), actual.shape(), expected.name());
                assertEquals(-1, expected.data().mismatch(actual.data()), () -> expected.name() + " bytes differ");
                assertTrue(actual.data().isReadOnly(), "a mapped file is read-only");
            }
        }
    }

    @Test
    void valuesReadBackThroughTheAccessors() {
        float[] floats = {1.5f, -0.25f, 3e-5f, 65504f, -7f, 0.1f};
        Path file = dir.resolve("v.safetensors");
        SafetensorsWriter.write(file, List.of(
                Tensor.ofFloats("f32", floats, 2, 3),
                Tensor.ofFloats("f16", floats, 2, 3).convertTo(DType.F16),
                Tensor.ofFloats("bf16", floats, 2, 3).convertTo(DType.BF16),
                Tensor.ofLongs("i64", new long[] {Long.MIN_VALUE, 1L << 40}, 2),
                Tensor.ofInts("i32", new int[] {-5, Integer.MAX_VALUE}, 2)), null);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertArrayEquals(floats, read.get("f32").toFloatArray());
            for (int i = 0; i < floats.length; i++) {
                assertEquals(Float16.f16ToFloat(Float16.floatToF16(floats[i])), read.get("f16").getFloat(i));
                assertEquals(Float16.bf16ToFloat(Float16.floatToBf16(floats[i])), read.get("bf16").getFloat(i));
            }
            assertEquals(Long.MIN_VALUE, read.get("i64").getLong(0));
            assertEquals(1L << 40, read.get("i64").getLong(1));
            assertEquals(Integer.MAX_VALUE, read.get("i32").getLong(1));
            assertTrue(read.metadata().isEmpty());
        }
    }

    @Test
    void metadataRoundTrips() {
        Map<String, String> metadata = Map.of("format", "pt", "note", "ünïcode ✓ and \"quotes\"\nand a newline");
        Path file = dir.resolve("m.safetensors");
        SafetensorsWriter.write(file, List.of(Tensor.ofFloats("w", new float[] {1}, 1)), metadata);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertEquals(metadata, read.metadata());
            assertEquals(List.of("w"), read.names(), "__metadata__ is not a tensor");
        }
    }

    @Test
    void headerIsPaddedWithSpacesSoDataStartsAtAPage() throws IOException {
        for (int nameLength = 1; nameLength <= 9; nameLength++) {
            Path file = dir.resolve("pad" + nameLength + ".safetensors");
            Tensor tensor = Tensor.ofFloats("x".repeat(nameLength), new float[] {1, 2}, 2);
            SafetensorsWriter.write(file, List.of(tensor), Map.of());
            byte[] bytes = Files.readAllBytes(file);
            long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            assertEquals(0, (8 + headerLength) % SafetensorsWriter.DATA_ALIGNMENT, "data start for name length " + nameLength);
            assertEquals(8 + headerLength + 8, bytes.length, "data follows the header directly");
            String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
            String json = header.stripTrailing();
            assertTrue(json.endsWith("}"));
            assertEquals(" ".repeat(header.length() - json.length()), header.substring(json.length()));
            assertFalse(header.contains("__metadata__"), "empty metadata is left out");
        }
    }

    @Test
    void dataIsContiguousInTheGivenOrder() {
        Path file = dir.resolve("c.safetensors");
        SafetensorsWriter.write(file, List.of(
                Tensor.ofFloats("z", new float[3], 3),
                Tensor.ofLongs("a", new long[2], 2),
                Tensor.ofFloats("m", new float[0], 0)), Map.of("k", "v"));
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertEquals(List.of(
                    new TensorInfo("z", DType.F32, new long[] {3}, 0, 12),
                    new TensorInfo("a", DType.I64, new long[] {2}, 12, 28),
                    new TensorInfo("m", DType.F32, new long[] {0}, 28, 28)), read.tensorInfos());
        }
    }

    @Test
    void writesSegmentsOfAnyBacking() {
        // A segment over a float[] has no ByteBuffer view; the writer must still copy it out. Its bytes are
        // in native order, which is the little-endian the format wants only on a little-endian machine.
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "a big-endian machine: a float[] segment is not in the format's byte order");
        MemorySegment overFloats = MemorySegment.ofArray(new float[] {1, 2, 3});
        Path file = dir.resolve("b.safetensors");
        SafetensorsWriter.write(file, List.of(Tensor.of("w", DType.F32, new long[] {3}, overFloats)), Map.of());
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertArrayEquals(new float[] {1, 2, 3}, read.get("w").toFloatArray());
        }
    }

    @Test
    void mappedTensorsCanBeWrittenToAnotherFile() {
        Path first = dir.resolve("first.safetensors");
        Path second = dir.resolve("second.safetensors");
        SafetensorsWriter.write(first, List.of(Tensor.ofInts("i", new int[] {4, 5, 6}, 3)), Map.of());
        try (SafetensorsFile read = SafetensorsFile.open(first)) {
            SafetensorsWriter.write(second, List.of(read.get("i")), read.metadata());
        }
        try (SafetensorsFile copy = SafetensorsFile.open(second)) {
            assertEquals(6, copy.get("i").getLong(2));
        }
    }

    @Test
    void replacingAFileLeavesOpenMappingsIntactAndNoTemporaries() throws IOException {
        Path file = dir.resolve("r.safetensors");
        SafetensorsWriter.write(file, List.of(Tensor.ofFloats("w", new float[] {1}, 1)), Map.of());
        try (SafetensorsFile old = SafetensorsFile.open(file)) {
            SafetensorsWriter.write(file, List.of(Tensor.ofFloats("w", new float[] {2}, 1)), Map.of());
            assertEquals(1.0f, old.get("w").getFloat(0), "the old file lives on while mapped");
            try (SafetensorsFile fresh = SafetensorsFile.open(file)) {
                assertEquals(2.0f, fresh.get("w").getFloat(0));
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void duplicateNamesAreRejectedAndNothingIsWritten() throws IOException {
        Path file = dir.resolve("d.safetensors");
        Tensor w = Tensor.ofFloats("w", new float[] {1}, 1);
        var e = assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.write(file, List.of(w, w), Map.of()));
        assertEquals("duplicate tensor name 'w'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(file,
                List.of(Tensor.ofFloats("__metadata__", new float[] {1}, 1)), Map.of()));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void writeFailuresNameTheFile() {
        Path file = dir.resolve("no-such-folder").resolve("x.safetensors");
        Crafted.assertWeightsError(() -> SafetensorsWriter.write(file, List.of(), Map.of()), file, "cannot write");
    }

    @Test
    void anEmptyFileOfNoTensorsIsValid() {
        Path file = dir.resolve("empty.safetensors");
        SafetensorsWriter.write(file, List.of(), Map.of());
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertTrue(read.names().isEmpty());
            assertFalse(read.contains("w"));
        }
    }

    @Test
    void closingUnmapsAndLaterAccessFailsCleanly() {
        Path file = dir.resolve("closed.safetensors");
        SafetensorsWriter.write(file, List.of(Tensor.ofFloats("w", new float[] {1}, 1)), Map.of());
        SafetensorsFile read = SafetensorsFile.open(file);
        Tensor w = read.get("w");
        read.close();
        read.close(); // closing twice is harmless
        assertThrows(IllegalStateException.class, () -> w.getFloat(0));
        assertThrows(IllegalStateException.class, () -> read.find("w"));
    }

    /** Random non-zero elements; for the float dtypes finite values, so the comparison is about bits only. */
    static Tensor randomTensor(String name, DType dtype, long[] shape, Random random) {
        int count = Math.toIntExact(Shapes.elementCount(shape));
        MemorySegment data = Arena.ofAuto().allocate((long) count * dtype.byteSize());
        ValueLayout.OfShort half = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        for (int i = 0; i < count; i++) {
            float value = (random.nextFloat() + 0.01f) * (random.nextBoolean() ? 100 : -100);
            switch (dtype) {
                case F32 -> data.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(le), i, value);
                case F16 -> data.setAtIndex(half, i, Float16.floatToF16(value));
                case BF16 -> data.setAtIndex(half, i, Float16.floatToBf16(value));
                case I64 -> data.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(le), i, random.nextLong() | 1);
                case I32 -> data.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED.withOrder(le), i, random.nextInt() | 1);
                case U8, I8 -> data.set(ValueLayout.JAVA_BYTE, i, (byte) (1 + random.nextInt(255)));
                case Q8_0 -> throw new IllegalArgumentException("Q8_0 is two tensors in a file");
            }
        }
        return Tensor.of(name, dtype, shape, data);
    }
}

package videollama.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import videollama.testing.SeededRandom;

/** A Q8_0 matrix written as its I8 quants and F16 scales reads back as one Q8_0 tensor; pairs that do not fit are refused. */
class QuantizedTensorsTest {
    @RegisterExtension
    final SeededRandom random = new SeededRandom();
    @TempDir
    Path dir;

    /** A [rows, cols] Q8_0 tensor of random quants and random fp16 scales. */
    private Tensor randomQ8(String name, int rows, int cols) {
        MemorySegment quants = Arena.ofAuto().allocate((long) rows * cols);
        for (long i = 0; i < quants.byteSize(); i++) {
            quants.set(ValueLayout.JAVA_BYTE, i, (byte) (random.nextInt(255) - 127));
        }
        float[] scales = new float[rows * cols / 32];
        for (int i = 0; i < scales.length; i++) {
            scales[i] = random.nextFloat() / 64;
        }
        return Tensor.q8_0(name, new long[] {rows, cols}, quants,
                Tensor.ofFloats(name + " scales", scales, rows, cols / 32).convertTo(DType.F16));
    }

    private Path write(List<Tensor> tensors) {
        Path file = dir.resolve("q.safetensors");
        SafetensorsWriter.write(file, tensors, Map.of());
        return file;
    }

    @Test
    void aWrittenQ8_0MatrixReadsBackAsOneTensorUnderItsName() {
        Tensor q = randomQ8("layer.weight", 3, 64);
        List<Tensor> stored = new ArrayList<>(QuantizedTensors.stored(q));
        stored.add(Tensor.ofFloats("norm.weight", new float[] {1, 2}, 2));
        assertEquals(List.of("layer.weight", "layer.weight.q8_0_scales"), stored.subList(0, 2).stream().map(Tensor::name).toList());
        try (TensorSource read = QuantizedTensors.of(SafetensorsFile.open(write(stored)))) {
            assertEquals(List.of("layer.weight", "norm.weight"), read.names(), "the scales are part of their matrix");
            Tensor back = read.get("layer.weight");
            assertEquals(DType.Q8_0, back.dtype());
            assertEquals("[3, 64]", back.shapeString());
            for (long i = 0; i < q.size(); i++) {
                assertEquals(q.getFloat(i), back.getFloat(i), "element " + i);
            }
            assertEquals(q.getFloat(70), q.data().get(ValueLayout.JAVA_BYTE, 70) * q.scales().getFloat(2), "q · d of block 2");
            assertFalse(read.contains("layer.weight.q8_0_scales"));
            assertEquals(DType.F32, read.get("norm.weight").dtype());
        }
    }

    @Test
    void aSourceWithoutScalesIsReturnedAsItIs() {
        SafetensorsFile file = SafetensorsFile.open(write(List.of(Tensor.ofFloats("w", new float[] {1}, 1))));
        try (TensorSource read = QuantizedTensors.of(file)) {
            assertSame(file, read);
        }
    }

    @Test
    void scalesOfTheWrongShapeAreRefusedNamingThem() {
        Tensor q = randomQ8("m.weight", 4, 64);
        Tensor badScales = Tensor.ofFloats("m.weight.q8_0_scales", new float[4 * 3], 4, 3).convertTo(DType.F16);
        Path file = write(List.of(QuantizedTensors.stored(q).getFirst(), badScales));
        var e = assertThrows(WeightsException.class, () -> QuantizedTensors.of(SafetensorsFile.open(file)));
        assertEquals(file + ": tensor 'm.weight.q8_0_scales' is F16 [4, 3], which does not scale 'm.weight' I8 [4, 64]"
                + " (expected F16 [4, 2])", e.getMessage());
    }

    @Test
    void scalesOfAMissingOrNonI8MatrixAreRefused() {
        Tensor scales = Tensor.ofFloats("m.weight.q8_0_scales", new float[2], 2, 1).convertTo(DType.F16);
        Path alone = write(List.of(scales));
        var e = assertThrows(WeightsException.class, () -> QuantizedTensors.of(SafetensorsFile.open(alone)));
        assertEquals(alone + ": tensor 'm.weight.q8_0_scales' holds Q8_0 scales, but there is no tensor 'm.weight' they scale",
                e.getMessage());
        Path floats = write(List.of(Tensor.ofFloats("m.weight", new float[64], 2, 32), scales));
        e = assertThrows(WeightsException.class, () -> QuantizedTensors.of(SafetensorsFile.open(floats)));
        assertEquals(floats + ": tensor 'm.weight.q8_0_scales' holds Q8_0 scales, but 'm.weight' is F32, expected I8",
                e.getMessage());
        assertTrue(e.getMessage().lines().count() == 1);
    }

    @Test
    void aQ8_0TensorIsWrittenOnlyAsItsTwoStoredTensors() {
        Tensor q = randomQ8("w", 2, 32);
        var e = assertThrows(IllegalArgumentException.class, () -> write(List.of(q)));
        assertEquals("tensor 'w' is Q8_0, which a file holds as two tensors (QuantizedTensors.stored)", e.getMessage());
    }

    @Test
    void aQ8_0TensorNeedsWholeBlocksAndScalesOfItsShape() {
        MemorySegment quants = Arena.ofAuto().allocate(2 * 40);
        Tensor scales = Tensor.ofFloats("s", new float[2], 2, 1).convertTo(DType.F16);
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.q8_0("w", new long[] {2, 40}, quants, scales));
        assertEquals("tensor 'w' of shape [2, 40] cannot be Q8_0: a matrix whose rows are whole blocks of 32 is needed", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.of("w", DType.Q8_0, new long[] {2, 32}, quants.asSlice(0, 64)));
    }
}

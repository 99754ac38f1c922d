package videollama.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.weights.DType;
import videollama.weights.SafetensorsWriter;
import videollama.weights.Tensor;

/** The damaged weight behind NaN logits is found in every float dtype, and only a non-finite value counts. */
class NonFiniteWeightsTest {
    @TempDir
    Path dir;

    /** 40 large but finite values (up to 40,000: finite in F16 too), one of them replaced unless {@code at} is -1. */
    private static Tensor withValue(String name, DType dtype, int at, float value) {
        float[] values = new float[40];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i % 2 == 0 ? 1000f : -1000f) * (i + 1);
        }
        if (at >= 0) {
            values[at] = value;
        }
        return Tensor.ofFloats(name, values, 5, 8).convertTo(dtype);
    }

    @Test
    void findsNaNAndInfinityInEachFloatDType() {
        for (DType dtype : List.of(DType.F32, DType.F16, DType.BF16)) {
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                assertEquals(-1, NonFiniteWeights.firstNonFinite(withValue("w", dtype, -1, 0)), dtype + " finite");
                assertEquals(23, NonFiniteWeights.firstNonFinite(withValue("w", dtype, 23, bad)), dtype + " " + bad);
            }
        }
    }

    @Test
    void namesTheFirstDamagedTensorOfTheFolder() throws IOException {
        SafetensorsWriter.write(dir.resolve("a.safetensors"), List.of(withValue("fine", DType.BF16, -1, 0)), Map.of());
        SafetensorsWriter.write(dir.resolve("b.safetensors"), List.of(withValue("fine.too", DType.F32, -1, 0),
                withValue("broken", DType.F16, 7, Float.NaN)), Map.of());
        String found = NonFiniteWeights.first(dir).orElseThrow();
        assertEquals("tensor 'broken' in " + dir.resolve("b.safetensors") + " holds NaN at element 7 of 40", found);
        String message = NonFiniteWeights.explain(dir, new ModelException("the model produced NaN logits")).getMessage();
        assertTrue(message.startsWith("the model produced NaN logits: tensor 'broken'"), message);
    }
}

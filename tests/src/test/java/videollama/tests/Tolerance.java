package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import videollama.kernels.Backend;
import videollama.testing.MeasuredErrors;
import videollama.weights.DType;
import videollama.weights.SafetensorsFile;
import videollama.weights.Tensor;

/**
 * docs/design.md section 7: "max relative error" of a stage is the largest absolute difference divided by the
 * largest magnitude of the reference tensor, so that elements near zero do not make the ratio meaningless.
 */
final class Tolerance {
    /** docs/design.md section 7's bound for a kernel that computes in fp16/bf16. */
    static final double SIXTEEN_BIT = 1e-2;

    private Tolerance() {}

    /**
     * The tolerance of a device result that float32 arithmetic would hold to {@code tolerance}: the same where the
     * backend widens 16-bit weights and computes in float32 (OpenCL, as the reference path), and at least
     * {@link #SIXTEEN_BIT} where the model has F16/BF16 weights and the backend is CUDA, whose tensor-core GEMM
     * (gemm.cu's linear_mma, every batched linear layer: the encoders and LLaMA's prefill) rounds the activations
     * to the weights' 16-bit type.
     */
    static double of(Backend backend, boolean sixteenBitWeights, double tolerance) {
        return sixteenBitWeights && backend.name().equals("cuda") ? Math.max(tolerance, SIXTEEN_BIT) : tolerance;
    }

    /**
     * Every stage a branch computed ({@code stages}: its outputs' {@code dumpTensors()}) against the tensor of the
     * same name in {@code expected} (a golden file's {@code get}, or {@link #byName} of another run's stages): the
     * same shape, and values within {@code tolerance}.
     */
    static void assertStagesClose(List<Tensor> stages, Function<String, Tensor> expected, double tolerance, String what) {
        for (Tensor stage : stages) {
            Tensor want = expected.apply(stage.name());
            assertEquals(Arrays.toString(want.shape()), Arrays.toString(stage.shape()), what + " " + stage.name() + " shape");
            assertClose(stage.toFloatArray(), want.toFloatArray(), tolerance, what + " " + stage.name());
        }
    }

    /** Tensors looked up by name. */
    static Function<String, Tensor> byName(List<Tensor> tensors) {
        Map<String, Tensor> map = tensors.stream().collect(Collectors.toMap(Tensor::name, t -> t));
        return map::get;
    }

    /** Whether a safetensors file holds F16 or BF16 tensors among those whose names {@code which} accepts. */
    static boolean sixteenBitWeights(Path file, Predicate<String> which) {
        try (SafetensorsFile weights = SafetensorsFile.open(file)) {
            return weights.tensorInfos().stream()
                    .anyMatch(t -> which.test(t.name()) && (t.dtype() == DType.F16 || t.dtype() == DType.BF16));
        }
    }

    static double relativeError(float[] actual, int actualOffset, float[] expected, int expectedOffset, int length) {
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < length; i++) {
            float a = actual[actualOffset + i];
            float e = expected[expectedOffset + i];
            if (!Float.isFinite(a)) {
                return Double.POSITIVE_INFINITY;
            }
            maxDiff = Math.max(maxDiff, Math.abs(a - e));
            maxRef = Math.max(maxRef, Math.abs(e));
        }
        return maxRef == 0 ? maxDiff : maxDiff / maxRef;
    }

    static void assertClose(float[] actual, float[] expected, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        assertWithin(relativeError(actual, 0, expected, 0, expected.length), tolerance, what);
    }

    /** Fails unless {@code error} is at most {@code tolerance}; the error is kept for the bounds audit. */
    static void assertWithin(double error, double tolerance, String what) {
        MeasuredErrors.record(what, error, tolerance);
        assertTrue(error <= tolerance, what + ": relative error " + error + " > " + tolerance);
    }
}

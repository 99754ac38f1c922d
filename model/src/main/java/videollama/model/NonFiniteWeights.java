package videollama.model;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import videollama.weights.SafetensorsFile;
import videollama.weights.Tensor;

/**
 * Finds the weight that holds NaN or infinity in a model folder, for when the model's output is not a number: a
 * damaged download then gets the tensor and file named instead of an internal error. Run only after the output
 * went bad, so a healthy model never pays for reading every weight (13.5 GB for a 7B model in fp16).
 */
public final class NonFiniteWeights {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private NonFiniteWeights() {
    }

    /**
     * The first float tensor, in file-name then file order, of the folder's {@code *.safetensors} files that holds
     * a value that is not finite: {@code "tensor 'NAME' in FILE holds NaN at element I of N"}.
     */
    public static Optional<String> first(Path modelDir) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(modelDir, "*.safetensors")) {
            stream.forEach(files::add);
        } catch (IOException e) {
            return Optional.empty();
        }
        files.sort(Comparator.comparing(p -> p.getFileName().toString()));
        for (Path file : files) {
            try (SafetensorsFile tensors = SafetensorsFile.open(file)) {
                for (String name : tensors.names()) {
                    Tensor t = tensors.get(name);
                    long at = firstNonFinite(t);
                    if (at >= 0) {
                        return Optional.of("tensor '" + name + "' in " + file + " holds " + valueAt(t, at)
                                + " at element " + at + " of " + t.size());
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The error for NaN logits of the model in {@code modelDir}: naming the first damaged weight, or saying that
     * every weight is finite (the input or the arithmetic is then at fault).
     */
    public static ModelException explain(Path modelDir, ModelException nanLogits) {
        return new ModelException(first(modelDir)
                .map(found -> nanLogits.getMessage() + ": " + found + "; the weights are damaged (convert or download"
                        + " them again)")
                .orElse(nanLogits.getMessage() + ", though every weight in " + modelDir + " is finite"), nanLogits);
    }

    /** The index of the first NaN or infinity in a float tensor, or -1 (also for integer tensors). */
    static long firstNonFinite(Tensor t) {
        MemorySegment data = t.data();
        long n = t.size();
        switch (t.dtype()) {
            case F32 -> {
                for (long i = 0; i < n; i++) {
                    if (!Float.isFinite(data.getAtIndex(F32, i))) {
                        return i;
                    }
                }
            }
            // IEEE half: exponent bits 14..10 all ones; bfloat16: exponent bits 14..7 all ones.
            case F16 -> {
                return firstAllOnes(data, n, 0x7C00);
            }
            case BF16 -> {
                return firstAllOnes(data, n, 0x7F80);
            }
            default -> {
                return -1;
            }
        }
        return -1;
    }

    private static long firstAllOnes(MemorySegment data, long n, int exponent) {
        for (long i = 0; i < n; i++) {
            if ((data.getAtIndex(HALF, i) & exponent) == exponent) {
                return i;
            }
        }
        return -1;
    }

    private static String valueAt(Tensor t, long index) {
        float value = t.getFloat(index);
        return Float.isNaN(value) ? "NaN" : value > 0 ? "+infinity" : "-infinity";
    }
}

package videollama.model.videollama;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.kernels.reference.ReferenceBackend;
import videollama.model.ModelException;
import videollama.weights.SafetensorsFile;
import videollama.weights.SafetensorsWriter;
import videollama.weights.Tensor;
import videollama.weights.WeightsException;

/**
 * The base of the branch loading tests ({@link VideoBranchLoadTest}, {@link AudioBranchLoadTest}): a tiny golden
 * model folder under testdata/golden is the starting point, and each test writes a changed copy of it to a fresh
 * folder and opens it as the branch, or checks the one-line error its damage gives.
 */
abstract class BranchLoadContract {
    @TempDir
    Path dir;

    /** The golden model's tensors, open for each test. */
    SafetensorsFile golden;

    private final Path goldenDir;
    private final Function<Path, AutoCloseable> open;
    private final Predicate<VideoLlamaWeights> hasBranch;
    private final String noBranch;

    /**
     * @param goldenDir the golden model folder (model.safetensors, videollama.json), under testdata/golden
     * @param open      opens a model folder as the branch under test
     * @param hasBranch whether a folder's weights hold the branch
     * @param noBranch  how the error opening a folder without the branch begins, after the folder
     */
    BranchLoadContract(Path goldenDir, Function<Path, AutoCloseable> open, Predicate<VideoLlamaWeights> hasBranch, String noBranch) {
        this.goldenDir = goldenDir;
        this.open = open;
        this.hasBranch = hasBranch;
        this.noBranch = noBranch;
    }

    /** testdata/golden/{@code branch}/{@code name} in this repository. */
    static Path golden(String branch, String name) {
        return Path.of(System.getProperty("videollama.root"), "testdata", "golden", branch, name);
    }

    @BeforeEach
    void openGolden() {
        golden = SafetensorsFile.open(goldenDir.resolve("model.safetensors"));
    }

    @AfterEach
    void closeGolden() {
        golden.close();
    }

    Path goldenDir() {
        return goldenDir;
    }

    @Test
    void aFolderWithoutTheBranchTensorsSaysSo() throws IOException {
        SafetensorsWriter.write(dir.resolve("model.safetensors"), List.of(zeros("model.norm.weight", 4)), Map.of());
        try (VideoLlamaWeights w = VideoLlamaWeights.open(dir)) {
            assertFalse(hasBranch.test(w));
        }
        String error = loadError(dir);
        assertTrue(error.startsWith(dir + noBranch), error);
    }

    /** The golden tensors, each passed through {@code change} (null drops it), written to dir/model.safetensors. */
    Path write(UnaryOperator<Tensor> change) throws IOException {
        List<Tensor> tensors = new ArrayList<>();
        for (String name : golden.names()) {
            Tensor t = change.apply(golden.get(name));
            if (t != null) {
                tensors.add(t);
            }
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of());
        if (!Files.exists(dir.resolve("videollama.json"))) {
            Files.copy(goldenDir.resolve("videollama.json"), dir.resolve("videollama.json"));
        }
        return dir;
    }

    Path without(Predicate<String> drop) throws IOException {
        return write(t -> drop.test(t.name()) ? null : t);
    }

    static Tensor zeros(String name, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return Tensor.ofFloats(name, new float[(int) n], shape);
    }

    /**
     * The message of the {@link ModelException} the reference encoder of {@code branch} gives for {@code count}
     * inputs (frames, clips) of {@code inputSize} floats each; an input that is not {@code count} inputs long is
     * refused as an illegal argument.
     */
    static String encodeError(MediaBranch<?> branch, int count, int inputSize) {
        try (ReferenceBackend reference = new ReferenceBackend();
             BranchEncoder<?> encoder = branch.encoder(reference)) {
            assertThrows(IllegalArgumentException.class, () -> encoder.encode(new float[10], 1));
            return assertThrows(ModelException.class, () -> encoder.encode(new float[count * inputSize], count)).getMessage();
        }
    }

    /** The message of the error opening {@code modelDir} as the branch gives (a weights or model error). */
    String loadError(Path modelDir) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> open.apply(modelDir).close());
        assertTrue(e instanceof WeightsException || e instanceof ModelException, e.toString());
        return e.getMessage();
    }
}

package videollama.weights.pth;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import java.util.Map;
import videollama.testing.FuzzFiles;
import videollama.weights.WeightsException;

/**
 * Jazzer fuzz test of {@link PthFile#open} on whole files (the ZIP archive, its entries, the pickle): any bytes either
 * open, with every tensor of the root dict and of the dicts in it readable (what {@code convert} reads), or are
 * refused with a one-line {@link WeightsException} naming the file; never another exception, an out-of-memory error
 * or a hang. {@link PickleFuzzTest} fuzzes the pickle inside a sound archive. Seeds:
 * {@code src/test/resources/videollama/weights/pth/PthFuzzTestInputs/openPth/}.
 */
class PthFuzzTest {
    private static final Path FILE = FuzzFiles.create(".pth");

    @FuzzTest
    void openPth(byte[] input) {
        FuzzFiles.write(FILE, input);
        readCheckpoint(FILE);
    }

    /** Opens a checkpoint and reads the tensors of its state dicts, checking a refusal's message. */
    static void readCheckpoint(Path file) {
        try (PthFile pth = PthFile.open(file)) {
            if (pth.root() instanceof Map<?, ?> root) {
                FuzzFiles.readEvery(pth.stateDict());
                for (Map.Entry<?, ?> entry : root.entrySet()) {
                    if (entry.getKey() instanceof String key && entry.getValue() instanceof Map<?, ?>) {
                        FuzzFiles.readEvery(pth.stateDict(key));
                    }
                }
            }
        } catch (WeightsException e) {
            FuzzFiles.checkRefusal(e, file);
        }
    }
}

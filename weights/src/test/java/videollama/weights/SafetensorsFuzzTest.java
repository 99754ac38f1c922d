package videollama.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import videollama.testing.FuzzFiles;

/**
 * Jazzer fuzz test of {@link SafetensorsFile#open}: any bytes either open as a file whose every tensor can be read,
 * or are refused with a one-line {@link WeightsException} naming the file; never another exception, an out-of-memory
 * error or a hang. Seeds: {@code src/test/resources/videollama/weights/SafetensorsFuzzTestInputs/openSafetensors/}.
 */
class SafetensorsFuzzTest {
    private static final Path FILE = FuzzFiles.create(".safetensors");

    @FuzzTest
    void openSafetensors(byte[] input) {
        FuzzFiles.write(FILE, input);
        try (SafetensorsFile file = SafetensorsFile.open(FILE)) {
            file.metadata();
            FuzzFiles.readEvery(file);
        } catch (WeightsException e) {
            FuzzFiles.checkRefusal(e, FILE);
        }
    }
}

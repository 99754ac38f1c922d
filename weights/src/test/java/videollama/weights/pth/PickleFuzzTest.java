package videollama.weights.pth;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import java.util.Map;
import videollama.testing.FuzzFiles;

/**
 * Jazzer fuzz test of the {@link Unpickler} as {@link PthFile#open} reaches it: the input is the {@code data.pkl} of
 * an otherwise sound archive (the storages of {@code testdata/pth/reader/tensors.pth}, keys 0 to 13), so every
 * mutation lands in the pickle. The property is {@link PthFuzzTest}'s. Seeds: the {@code data.pkl} of the test
 * checkpoints, in {@code src/test/resources/videollama/weights/pth/PickleFuzzTestInputs/loadPickle/}.
 */
class PickleFuzzTest {
    private static final Path FILE = FuzzFiles.create(".pth");
    private static final Map<String, byte[]> ARCHIVE = Archives.entries(PthFileTest.DIR.resolve("tensors.pth"));

    @FuzzTest
    void loadPickle(byte[] pickle) {
        FuzzFiles.write(FILE, Archives.zip(ARCHIVE, (name, data) -> name.equals("tensors/data.pkl") ? pickle : data));
        PthFuzzTest.readCheckpoint(FILE);
    }
}

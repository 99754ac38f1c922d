package videollama.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bundled models' weights start at multiples of 128 bytes (models/README.md: realigned with
 * {@link RealignSafetensors}), so OpenCL on PoCL uses every one in place instead of copying it.
 */
class BundledModelsAlignedTest {
    private static final Path MODELS = Path.of(System.getProperty("videollama.root", "..")).resolve("models");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stories260K/model.safetensors", "videollama-demo/branches.safetensors"})
    void everyTensorStartsAtAMultipleOf128Bytes(String file) {
        try (SafetensorsFile f = SafetensorsFile.open(MODELS.resolve(file))) {
            for (String name : f.names()) {
                assertEquals(0, f.get(name).data().address() % 128, name);
            }
        }
    }
}

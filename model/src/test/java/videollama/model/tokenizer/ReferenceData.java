package videollama.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the tests find their files: the repository root (system property videollama.root) and test resources. */
final class ReferenceData {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReferenceData() {}

    static Path root() {
        String root = System.getProperty("videollama.root");
        return root != null ? Path.of(root) : Path.of("..");
    }

    static Path llamaModel() {
        return root().resolve("testdata/tokenizer/tokenizer.model");
    }

    static Path storiesModel() {
        return root().resolve("models/stories260K/tokenizer.model");
    }

    /** The generated reference files live in model/src/test/resources/tokenizer (see scripts/reference). */
    static Path resource(String name) {
        Path p = root().resolve("model/src/test/resources/tokenizer").resolve(name);
        if (Files.exists(p)) {
            return p;
        }
        try (InputStream in = ReferenceData.class.getResourceAsStream("/tokenizer/" + name)) {
            if (in == null) {
                throw new IllegalStateException("test resource tokenizer/" + name + " not found");
            }
            Path tmp = Files.createTempFile("tokenizer-", "-" + name);
            Files.write(tmp, in.readAllBytes());
            tmp.toFile().deleteOnExit();
            return tmp;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ids(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}

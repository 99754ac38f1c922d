package videollama.loader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz inputs as files, for the Jazzer fuzz tests: the loaders open paths. Each test class writes every input over
 * one temporary file of its own, named with the suffix its loader expects.
 */
public final class FuzzFiles {
    private FuzzFiles() {}

    /** A temporary file deleted when the JVM exits. */
    public static Path create(String suffix) {
        try {
            Path file = Files.createTempFile("fuzz-", suffix);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The project's promise for a refused input: one line that names the file. A broken promise is a finding. */
    public static void checkRefusal(LoaderException refusal, Path file) {
        String message = refusal.getMessage();
        if (message == null || !message.contains(file.toString()) || message.contains("\n")) {
            throw new AssertionError("a refusal that is not one line naming " + file + ": " + message, refusal);
        }
    }
}

package videollama.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import videollama.weights.Tensor;
import videollama.weights.TensorSource;

/**
 * Fuzz inputs as files, for the Jazzer fuzz tests: the parsers and loaders under test open paths. Each test
 * writes every input over one temporary file, named with the suffix its parser expects: a file of its own, or the
 * JVM's file of that suffix (Jazzer fuzzes one test per JVM, and runs its inputs one after another).
 */
public final class FuzzFiles {
    private static final Map<String, Path> BY_SUFFIX = new ConcurrentHashMap<>();

    private FuzzFiles() {}

    /** {@code bytes} written over this JVM's fuzz file with {@code suffix} (made at the first input): that file. */
    public static Path write(String suffix, byte[] bytes) {
        return write(BY_SUFFIX.computeIfAbsent(suffix, FuzzFiles::create), bytes);
    }

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

    /** Reads the first and last element of every tensor, as a user of the weights would reach them. */
    public static void readEvery(TensorSource source) {
        for (String name : source.names()) {
            Tensor tensor = source.find(name).orElseThrow();
            if (tensor.size() > 0) {
                tensor.getFloat(0);
                tensor.getFloat(tensor.size() - 1);
            }
        }
    }

    /**
     * The project's promise for a refused input: one line that names the file. A broken promise is a finding.
     *
     * @return {@code refusal}, checked
     */
    public static <E extends RuntimeException> E checkRefusal(E refusal, Path file) {
        String message = refusal.getMessage();
        if (message == null || !message.contains(file.toString()) || message.contains("\n")) {
            throw new AssertionError("a refusal that is not one line naming " + file + ": " + message, refusal);
        }
        return refusal;
    }
}

package videollama.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A kernel entry point: the program it lives in (a resource file name without extension, e.g. {@code gemv}),
 * the function name, and the preprocessor options that pick a variant (e.g. {@code -DWEIGHT_F16}).
 */
public record KernelSource(String program, String entry, String options) {
    public KernelSource(String program, String entry) {
        this(program, entry, "");
    }

    /** The text of a kernel file kept as a resource beside {@code backend}'s class (e.g. {@code gemv.cl}, {@code gemm.ptx}). */
    public static String text(Class<?> backend, String file) {
        try (InputStream in = backend.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("kernel file " + file + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

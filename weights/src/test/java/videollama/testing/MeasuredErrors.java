package videollama.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * The errors that tests measure against their bounds, kept for the bounds audit of docs/testing.md: with
 * {@code -Dvideollama.errors=FILE} every check that goes through here appends a line
 * {@code test-class.method <tab> what <tab> error <tab> bound} to FILE (the class and method being the outermost of
 * the calling frames in a class named {@code *Test} or {@code *Contract}: the test method); without it, nothing. Run the tests over
 * many seeds ({@code -Dvideollama.seed}) and the worst error of each check is the largest value in its lines.
 * Shared by every module's tests through the weights module's test-jar.
 */
public final class MeasuredErrors {
    private MeasuredErrors() {}

    /** Notes that the check {@code what} measured {@code error} where its bound is {@code bound}. */
    public static void record(String what, double error, double bound) {
        String file = System.getProperty("videollama.errors");
        if (file == null) {
            return;
        }
        String test = StackWalker.getInstance().walk(frames -> frames
                .filter(f -> f.getClassName().endsWith("Test") || f.getClassName().endsWith("Contract"))
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName())
                .reduce((inner, outer) -> outer).orElse("?"));
        String line = String.format(Locale.ROOT, "%s\t%s\t%.3e\t%.3e%n", test, what.replace('\t', ' ').replace('\n', ' '),
                error, bound);
        synchronized (MeasuredErrors.class) {
            try {
                Files.writeString(Path.of(file), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

package videollama.app;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import videollama.kernels.BackendUnavailableException;
import videollama.loader.LoaderException;
import videollama.model.ModelException;
import videollama.weights.WeightsException;

/** Turns an exception into the one line the user sees. */
public final class Errors {
    private Errors() {}

    public static String describe(Throwable e) {
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        if (cause instanceof NoSuchFileException n) {
            return n.getFile() + ": not found";
        }
        if (cause instanceof AccessDeniedException a) {
            return a.getFile() + ": permission denied";
        }
        if (e instanceof OutOfMemory) {
            return e.getMessage();
        }
        if (e instanceof ModelException || e instanceof WeightsException || e instanceof BackendUnavailableException
                || e instanceof UsageFailure
                || e instanceof LoaderException) {
            return Main.oneLine(e.getMessage());
        }
        if (cause instanceof java.io.IOException io) {
            return "I/O error: " + Main.oneLine(io.getMessage());
        }
        return "internal error: " + e.getClass().getSimpleName() + ": " + Main.oneLine(e.getMessage())
                + " (rerun with --verbose for the stack trace)";
    }

    /**
     * The Java heap ran out during a named step ("reading FILE", "encoding 8 frames of FILE"): says what, how large the
     * heap was, and how to get further.
     */
    public static final class OutOfMemory extends RuntimeException {
        public OutOfMemory(String step, OutOfMemoryError cause) {
            super("out of memory while " + step + " (" + heapNote(cause) + "): " + HINT, cause);
        }
    }

    static final String HINT = "give the JVM more memory (VIDEOLLAMA_JAVA_OPTS=-Xmx16g for ./videollama, or -Xmx for java -jar)"
            + " or use a smaller model or input";

    /** "Java heap space, heap at most 256 MiB". */
    static String heapNote(OutOfMemoryError e) {
        return (e.getMessage() != null ? e.getMessage() + ", " : "") + "heap at most "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB";
    }

    /** A failure that the user caused and can fix, with its message ready to print (commands of other modules too). */
    public static final class UsageFailure extends RuntimeException {
        public UsageFailure(String message) {
            super(message);
        }
    }
}

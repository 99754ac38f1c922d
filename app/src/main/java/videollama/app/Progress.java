package videollama.app;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;

/** Long steps announce themselves on stderr and report how long they took (commands of other modules too). */
public final class Progress {
    private final PrintWriter err;

    public Progress(PrintWriter err) {
        this.err = err;
    }

    /** Runs {@code step}, printing "what ..." before and "what: summary (t s)" after. */
    public <T> T time(String what, Supplier<T> step, Function<T, String> summary) {
        err.print(what + " ...");
        err.flush();
        long start = System.nanoTime();
        T result;
        try {
            result = step.get();
        } catch (RuntimeException e) {
            err.println(" failed");
            throw e;
        }
        err.println(String.format(Locale.ROOT, " %s (%.2f s)", summary.apply(result), (System.nanoTime() - start) / 1e9));
        return result;
    }
}

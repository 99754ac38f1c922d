package videollama.kernels;

import java.util.function.Consumer;

/**
 * Where a backend's one-line notices to the user go (a weight copied that a device could have used in place): stderr,
 * unless a command that draws progress lines takes them (the app's {@code Progress}), so that a notice given in the
 * middle of a step ("loading the vision branch ...") starts on a line of its own instead of being glued to the step's.
 */
public final class Notices {
    private static final Consumer<String> STDERR = System.err::println;
    private static volatile Consumer<String> sink = STDERR;

    private Notices() {}

    /** Tells the user {@code line}. */
    public static void tell(String line) {
        sink.accept(line);
    }

    /** Sends later notices to {@code lines}; null: back to stderr. */
    public static void sendTo(Consumer<String> lines) {
        sink = lines != null ? lines : STDERR;
    }
}

package videollama.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Long steps on stderr (for commands of other modules too): a step announces itself, then reports its summary and how
 * long it took; a step of counted parts (frames, sound clips) reports the parts done with the elapsed time and an
 * estimate of the time left. On a terminal that is one line rewritten in place; anywhere else (a log, a pipe, CI) plain
 * lines, at most one a second, never a carriage return. Nothing goes to stdout.
 *
 * <p>Hand-written rather than {@code me.tongfei:progressbar} 0.10.1: that library's non-interactive consumer redraws
 * its bar after a carriage return, so a log file gets every redraw glued into one line, it ticks on a thread of its own,
 * and it brings JLine for the terminal width. What is needed here is an announcement, a count, an estimate and the
 * summary, which fit in this class.
 *
 * <p>An {@link OutOfMemoryError} inside a step ends the step's line and becomes {@link Errors.OutOfMemory}, which names
 * what was being loaded or encoded (the file) and how to give the JVM more memory.
 */
public final class Progress {
    /** A non-terminal line at most this often, so that quick parts do not flood a log. */
    private static final long PLAIN_LINE_NANOS = 1_000_000_000L;
    /**
     * A progress line that counts, "vision: frame 3/8": parts done out of the total (ReferenceVisionEncoder,
     * ReferenceAudioEncoder, ReferenceLlamaSession's prefill).
     */
    private static final Pattern PARTS_DONE = Pattern.compile(" (\\d+)/(\\d+)$");

    private static volatile boolean stderrIsTerminal;
    /** The step line now open ("what ..." waiting for its summary), or null: a notice must end it first. */
    private static OpenLine openLine; // guarded by Progress.class

    private record OpenLine(PrintWriter err, String text) {}

    private final PrintWriter err;
    private final boolean terminal;
    private final LongSupplier nanoTime;

    public Progress(PrintWriter err) {
        this(err, stderrIsTerminal, System::nanoTime);
    }

    /** @param nanoTime the clock ({@link System#nanoTime}; the tests' own) */
    Progress(PrintWriter err, boolean terminal, LongSupplier nanoTime) {
        this.err = err;
        this.terminal = terminal;
        this.nanoTime = nanoTime;
    }

    /**
     * Called once by {@link Main#main}, whose stderr is the process's: whether file descriptor 2 is a terminal (Linux:
     * {@code /proc/self/fd/2} links to a tty). Commands run in-process with other writers (the tests) get plain lines.
     */
    static void detectTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            stderrIsTerminal = (target.startsWith("/dev/pts/") || target.startsWith("/dev/tty"))
                    && !"dumb".equals(System.getenv("TERM"));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            stderrIsTerminal = false;
        }
    }

    /**
     * A backend's notice ({@link videollama.kernels.Notices}, which {@link Main} routes here): on a line of its own. Given
     * while a step's "what ..." line is open, it ends that line first and opens it again after, so the summary still
     * follows the step's name.
     */
    static synchronized void notice(String line) {
        if (openLine == null) {
            System.err.println(line);
            return;
        }
        openLine.err().println();
        openLine.err().println(line);
        openLine.err().print(openLine.text());
        openLine.err().flush();
    }

    private static synchronized void open(OpenLine line) {
        openLine = line;
    }

    /** Runs {@code step}, printing "what ..." before and "what ... summary (t s)" after. */
    public <T> T time(String what, Supplier<T> step, Function<T, String> summary) {
        long start = nanoTime.getAsLong();
        T result;
        synchronized (Progress.class) {
            err.print(what + " ...");
            err.flush();
            open(new OpenLine(err, what + " ..."));
        }
        try {
            result = guarded(what, step, true);
        } finally {
            open(null);
        }
        err.println(String.format(Locale.ROOT, " %s (%.2f s)", summary.apply(result), seconds(nanoTime.getAsLong() - start)));
        return result;
    }

    /** Runs {@code step}, printing "what ..." before and "what ... done (t s)" after. */
    public void step(String what, Runnable step) {
        time(what, () -> {
            step.run();
            return "done";
        }, done -> done);
    }

    /**
     * Runs {@code step} with a line of its own: {@code step} gets a consumer of the encoders' progress lines, in which
     * "... k/n" counts parts done, and prints "what: summary (t s)" at the end.
     */
    public <T> T counted(String what, Function<Consumer<String>, T> step, Function<T, String> summary) {
        Counter counter = new Counter(what);
        long start = counter.start;
        T result;
        try {
            result = guarded(what, () -> step.apply(counter), false);
        } finally {
            counter.endLine();
        }
        err.println(String.format(Locale.ROOT, "%s: %s (%.2f s)", what, summary.apply(result), seconds(nanoTime.getAsLong() - start)));
        return result;
    }

    /**
     * A counted step that starts and ends inside a longer call (the prefill inside a generation): "... 0/n" opens its
     * line, "... n/n" closes it with "what: done (t s)", and the next "0/n" opens it again (the next turn of a chat).
     */
    public Consumer<String> parts(String what) {
        return new Consumer<>() {
            private Counter open;

            @Override
            public void accept(String line) {
                Matcher parts = PARTS_DONE.matcher(line);
                boolean counted = parts.find();
                if (open == null || counted && parts.group(1).equals("0")) {
                    open = new Counter(what);
                }
                open.accept(line);
                if (counted && parts.group(1).equals(parts.group(2))) {
                    open.endLine();
                    err.println(String.format(Locale.ROOT, "%s: done (%.2f s)", what, seconds(nanoTime.getAsLong() - open.start)));
                    open = null;
                }
            }
        };
    }

    /** Runs {@code step}; on failure ends the open "what ..." line (if {@code lineOpen}) so the error gets a line of its own. */
    private <T> T guarded(String what, Supplier<T> step, boolean lineOpen) {
        try {
            return step.get();
        } catch (OutOfMemoryError e) {
            if (lineOpen) {
                err.println(" out of memory");
            }
            throw new Errors.OutOfMemory(what, e);
        } catch (RuntimeException e) {
            OutOfMemoryError wrapped = outOfMemoryIn(e);
            if (lineOpen) {
                err.println(wrapped != null ? " out of memory" : " failed");
            }
            throw wrapped != null ? new Errors.OutOfMemory(what, wrapped) : e;
        }
    }

    /** The out-of-memory a library caught and wrapped (ImageIO: "Caught exception during read"), or null. */
    private static OutOfMemoryError outOfMemoryIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError oom) {
                return oom;
            }
        }
        return null;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** The parts of one counted step: the encoders' lines in, the count with elapsed time and estimate out. */
    private final class Counter implements Consumer<String> {
        private final String what;
        private final long start = nanoTime.getAsLong();
        private long lastPlainLine = start;
        private int rewritten; // characters of the terminal line now shown, 0: none

        Counter(String what) {
            this.what = what;
            if (terminal) {
                show(what + " ...");
            } else {
                err.println(what + " ...");
            }
        }

        @Override
        public void accept(String line) {
            long now = nanoTime.getAsLong();
            Matcher parts = PARTS_DONE.matcher(line);
            String status = line;
            if (parts.find()) {
                int done = Integer.parseInt(parts.group(1));
                int total = Integer.parseInt(parts.group(2));
                status += String.format(Locale.ROOT, ", %s elapsed%s", clock(now - start),
                        done > 0 && done < total ? ", about " + clock((now - start) / done * (total - done)) + " left" : "");
            }
            if (terminal) {
                show(what + ": " + status);
            } else if (now - lastPlainLine >= PLAIN_LINE_NANOS) {
                err.println("  " + status);
                lastPlainLine = now;
            }
            err.flush();
        }

        /** Rewrites the terminal line: back to its start, the text, blanks over what is left of the longer old one. */
        private void show(String text) {
            err.print("\r" + text + " ".repeat(Math.max(0, rewritten - text.length())));
            rewritten = text.length();
            err.flush();
        }

        void endLine() {
            if (rewritten > 0) {
                err.print("\r" + " ".repeat(rewritten) + "\r");
                rewritten = 0;
                err.flush();
            }
        }
    }

    /** "42 s", "3 min 05 s", "1 h 02 min". */
    static String clock(long nanos) {
        long s = Math.round(nanos / 1e9);
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, s % 3600 / 60);
    }
}

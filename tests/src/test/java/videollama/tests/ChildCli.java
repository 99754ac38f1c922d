package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The command line in a child JVM with a small heap, for bad input that must fail in bounded memory and time.
 * Unlike {@link Cli}, the child's real stdout is captured, so a library that prints to {@code System.out} is caught,
 * and the child's peak resident memory ({@code VmHWM}, polled from {@code /proc}) is reported, native memory
 * (FFmpeg, OpenCL) included.
 *
 * @param peakRssMiB the largest resident set seen while it ran, in MiB (0 where {@code /proc} is not readable)
 */
record ChildCli(int exitCode, String out, String err, long peakRssMiB, long millis) {

    /** Heap of the child JVM: far below what any hostile case used to take (1.3–6.3 GB). */
    static final String DEFAULT_HEAP = "256m";
    /** Resident memory a refused input may cost: the JVM itself (~100–200 MiB) plus a little. */
    static final long DEFAULT_RSS_LIMIT_MIB = 700;
    static final int TIMEOUT_SECONDS = 120;

    static ChildCli run(String... args) {
        return run(DEFAULT_HEAP, null, args);
    }

    /** Runs {@code videollama args} in a child JVM with heap {@code xmx}, feeding {@code stdin} (null: none). */
    static ChildCli run(String xmx, byte[] stdin, String... args) {
        return runWith(List.of("-Xmx" + xmx, "-XX:+ExitOnOutOfMemoryError"), stdin, args);
    }

    /**
     * As {@link #run(String, byte[], String...)} with {@code jvmOptions} in place of the heap and
     * {@code -XX:+ExitOnOutOfMemoryError}: for an out-of-memory that the command itself must report.
     */
    static ChildCli runWith(List<String> jvmOptions, byte[] stdin, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-Xss4m", "--enable-native-access=ALL-UNNAMED",
                "-Dvideollama.home=" + TestFiles.root(),
                "-cp", System.getProperty("java.class.path"), "videollama.app.Main"));
        command.addAll(List.of(args));
        long start = System.nanoTime();
        try {
            Process p = new ProcessBuilder(command).start();
            CompletableFuture<byte[]> out = readAll(p.getInputStream());
            CompletableFuture<byte[]> err = readAll(p.getErrorStream());
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            } catch (IOException closedEarly) {
                // the child stopped reading: what it printed says why
            }
            Path status = Path.of("/proc", Long.toString(p.pid()), "status");
            long peakKiB = 0;
            long deadline = start + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            while (!p.waitFor(50, TimeUnit.MILLISECONDS)) {
                peakKiB = Math.max(peakKiB, highWaterKiB(status));
                if (System.nanoTime() > deadline) {
                    p.destroyForcibly().waitFor();
                    fail("still running after " + TIMEOUT_SECONDS + " s: videollama " + String.join(" ", args));
                }
            }
            return new ChildCli(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
                    new String(err.join(), StandardCharsets.UTF_8), peakKiB / 1024, (System.nanoTime() - start) / 1_000_000);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("could not run the child JVM", e);
        }
    }

    private static CompletableFuture<byte[]> readAll(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** {@code VmHWM} of a running process in KiB; 0 once it has gone or where {@code /proc} is absent. */
    private static long highWaterKiB(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.substring(6).replace("kB", "").strip());
                }
            }
        } catch (IOException | RuntimeException gone) {
            // the process ended between the poll and the read
        }
        return 0;
    }

    /**
     * Asserts a refused input: exit {@code code}, nothing on stdout, exactly one line on stderr starting
     * "videollama: " and naming each of {@code mentions}, no stack trace, and at most {@link #DEFAULT_RSS_LIMIT_MIB}
     * resident.
     */
    ChildCli assertRefused(int code, String... mentions) {
        assertEquals(code, exitCode, this::toString);
        assertEquals("", out, "nothing on stdout: " + this);
        List<String> lines = err.strip().lines().toList();
        assertEquals(1, lines.size(), "one line on stderr: " + this);
        String line = lines.getFirst();
        assertTrue(line.startsWith("videollama: "), this::toString);
        for (String m : mentions) {
            assertTrue(line.contains(m), "'" + m + "' in: " + line);
        }
        assertFalse(err.contains("\tat "), "no stack trace: " + this);
        assertTrue(peakRssMiB <= DEFAULT_RSS_LIMIT_MIB, "peak resident " + peakRssMiB + " MiB: " + this);
        return this;
    }

    /**
     * As {@link #assertRefused}, for a refusal that comes after progress lines (a video found bad once opened): the
     * message is the last line of stderr and the only one starting "videollama: ".
     */
    ChildCli assertRefusedAfterProgress(int code, String... mentions) {
        assertEquals(code, exitCode, this::toString);
        assertEquals("", out, "nothing on stdout: " + this);
        String line = lastErrLine();
        assertTrue(line.startsWith("videollama: "), this::toString);
        assertEquals(1, err.lines().filter(l -> l.startsWith("videollama: ")).count(), "one message: " + this);
        for (String m : mentions) {
            assertTrue(line.contains(m), "'" + m + "' in: " + line);
        }
        assertFalse(err.contains("\tat "), "no stack trace: " + this);
        assertTrue(peakRssMiB <= DEFAULT_RSS_LIMIT_MIB, "peak resident " + peakRssMiB + " MiB: " + this);
        return this;
    }

    /** The last line of stderr, where an error message goes (progress lines may come before it). */
    String lastErrLine() {
        String[] lines = err.strip().split("\n");
        return lines[lines.length - 1];
    }

    @Override
    public String toString() {
        return "exit " + exitCode + " after " + millis + " ms, peak " + peakRssMiB + " MiB\n--- stdout\n" + out
                + "\n--- stderr\n" + err;
    }
}

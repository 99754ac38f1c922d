package videollama.benchmarks.stages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident memory as Linux counts it ({@code /proc/self/status}): {@code VmHWM}, the peak, includes
 * the pages of a memory-mapped model that were touched, so a model copied into device buffers shows twice.
 */
public final class PeakMemory {
    private PeakMemory() {}

    /** The peak resident set in bytes, or -1 where {@code /proc} is not there. */
    public static long peakRssBytes() {
        return statusBytes("VmHWM:");
    }

    private static long statusBytes(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024; // "VmHWM:   123456 kB"
                }
            }
        } catch (IOException | SecurityException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }
}

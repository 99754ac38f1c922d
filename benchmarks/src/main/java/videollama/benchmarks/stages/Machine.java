package videollama.benchmarks.stages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The machine a benchmark ran on, as a report names it: the CPU, its cores, memory and last-level cache (Linux's
 * {@code /proc} and {@code /sys}; what cannot be read is "unknown" or 0), the OS and the JVM.
 *
 * @param lastLevelCacheBytes the CPU's largest cache (L3 on the build VM), 0 if unknown: a working set that fits in it
 *                            is not read from DRAM
 */
public record Machine(String cpu, int cores, long memoryBytes, long lastLevelCacheBytes, String os, String java) {

    public static Machine describe() {
        return new Machine(cpuName(), Runtime.getRuntime().availableProcessors(), memTotal(), lastLevelCache(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    }

    /** "AMD EPYC, 2 cores, 24.0 GB, 32 MiB last-level cache". */
    public String summary() {
        return String.format(Locale.ROOT, "%s, %d cores, %.1f GB, %s last-level cache", cpu, cores, memoryBytes / 1e9,
                lastLevelCacheBytes > 0 ? (lastLevelCacheBytes >> 20) + " MiB" : "unknown");
    }

    private static String cpuName() {
        return lines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse(System.getProperty("os.arch"));
    }

    private static long memTotal() {
        return lines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:")).findFirst()
                .map(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).orElse(0L);
    }

    /** The size of the highest-level cache of CPU 0 ("32768K" in its {@code size} file). */
    private static long lastLevelCache() {
        Path caches = Path.of("/sys/devices/system/cpu/cpu0/cache");
        if (!Files.isDirectory(caches)) {
            return 0;
        }
        try (Stream<Path> indexes = Files.list(caches)) {
            int bestLevel = 0;
            long best = 0;
            for (Path index : indexes.filter(p -> p.getFileName().toString().startsWith("index")).toList()) {
                List<String> level = lines(index.resolve("level"));
                List<String> size = lines(index.resolve("size"));
                if (level.isEmpty() || size.isEmpty()) {
                    continue;
                }
                int l = Integer.parseInt(level.getFirst().strip());
                if (l > bestLevel) {
                    bestLevel = l;
                    best = bytes(size.getFirst().strip());
                }
            }
            return best;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private static long bytes(String size) {
        char unit = size.charAt(size.length() - 1);
        long scale = switch (unit) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            default -> 1;
        };
        return Long.parseLong(Character.isDigit(unit) ? size : size.substring(0, size.length() - 1)) * scale;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException | SecurityException e) {
            return List.of();
        }
    }
}

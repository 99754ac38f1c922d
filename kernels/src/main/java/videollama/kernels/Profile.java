package videollama.kernels;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-kernel device times gathered over profiled replays, grouped by op (a task named "layer 7 q" counts as
 * "q"), printed as a table of time, share, and achieved GB/s and GFLOP/s.
 */
public final class Profile {
    private final Map<String, Row> rows = new LinkedHashMap<>();
    private int replays;

    private static final class Row {
        long calls;
        long nanos;
        long bytes;
        long flops;
    }

    /** Adds one replay's timings. */
    public synchronized void add(List<TaskTiming> timings) {
        replays++;
        for (TaskTiming t : timings) {
            Row r = rows.computeIfAbsent(op(t.task()), k -> new Row());
            r.calls++;
            r.nanos += t.nanos();
            r.bytes += t.cost().bytes();
            r.flops += t.cost().flops();
        }
    }

    public synchronized int replays() {
        return replays;
    }

    /** Total device time of all replays. */
    public synchronized long totalNanos() {
        return rows.values().stream().mapToLong(r -> r.nanos).sum();
    }

    /** Each op's device time summed over all replays, grouped as the table groups them, in the order first seen. */
    public synchronized Map<String, Long> nanosByOp() {
        Map<String, Long> nanos = new LinkedHashMap<>();
        rows.forEach((op, r) -> nanos.put(op, r.nanos));
        return nanos;
    }

    private static String op(String task) {
        return task.replaceFirst("^layer \\d+ ", "");
    }

    /** The table, slowest op first; {@code bandwidthGBs} > 0 adds each op's share of that memory bandwidth. */
    public synchronized String table(double bandwidthGBs) {
        StringBuilder s = new StringBuilder();
        long total = Math.max(1, totalNanos());
        s.append(String.format(Locale.ROOT, "%-26s %7s %12s %7s %9s %10s%s%n", "op", "calls", "µs/replay", "share", "GB/s",
                "GFLOP/s", bandwidthGBs > 0 ? "  of bandwidth" : ""));
        rows.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue().nanos, a.getValue().nanos)).forEach(e -> {
            Row r = e.getValue();
            double gbs = r.nanos == 0 ? 0 : r.bytes / (double) r.nanos;
            s.append(String.format(Locale.ROOT, "%-26s %7d %12.1f %6.1f%% %9.1f %10.1f%s%n", e.getKey(), r.calls / Math.max(1, replays),
                    r.nanos / 1e3 / Math.max(1, replays), 100.0 * r.nanos / total, gbs, r.nanos == 0 ? 0 : r.flops / (double) r.nanos,
                    bandwidthGBs > 0 ? String.format(Locale.ROOT, "  %5.1f%%", 100 * gbs / bandwidthGBs) : ""));
        });
        s.append(String.format(Locale.ROOT, "%-26s %7s %12.1f %6.1f%%%n", "total", "", total / 1e3 / Math.max(1, replays), 100.0));
        return s.toString();
    }
}

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

    /**
     * One op's figures over all replays: calls, device time, and what its tasks must at least move and compute
     * ({@link Cost}), for a report or a chart.
     */
    public record OpTotals(String op, long calls, long nanos, long bytes, long flops) {
        /** Achieved GB/s (bytes a nanosecond). */
        public double gigabytesPerSecond() {
            return nanos == 0 ? 0 : bytes / (double) nanos;
        }

        public double gigaflopsPerSecond() {
            return nanos == 0 ? 0 : flops / (double) nanos;
        }
    }

    /** Each op's totals, slowest first. */
    public synchronized List<OpTotals> ops() {
        return rows.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue().nanos, a.getValue().nanos))
                .map(e -> new OpTotals(e.getKey(), e.getValue().calls, e.getValue().nanos, e.getValue().bytes, e.getValue().flops))
                .toList();
    }

    /** The bytes one replay moves, all ops together: its working set as {@link Cost} counts it. */
    public synchronized long bytesPerReplay() {
        return rows.values().stream().mapToLong(r -> r.bytes).sum() / Math.max(1, replays);
    }

    /** Where an op's bytes came from, as far as the run can tell. */
    public enum Source {
        /** From DRAM: its share of the DRAM bandwidth means something. */
        DRAM,
        /** From cache: the replay's working set, or the op's own bytes faster than DRAM, fit in the last-level cache. */
        CACHE,
        /** Faster than the measured bandwidth with more bytes than the cache holds: the measurement was low (a loaded machine). */
        ABOVE_MEASURED
    }

    /**
     * Where an op's bytes came from: cache when the whole replay's working set fits in the last-level cache
     * ({@code cacheBytes}; 0: unknown), where it stays between replays, or when the op moved bytes of a call that fit
     * in it faster than the DRAM bandwidth ({@code bandwidthGBs}; 0: unknown); faster than that with more bytes than
     * the cache holds says the bandwidth measured was too low; else DRAM.
     */
    public Source source(OpTotals op, double bandwidthGBs, long cacheBytes) {
        if (cacheBytes > 0 && bytesPerReplay() <= cacheBytes) {
            return Source.CACHE;
        }
        if (bandwidthGBs > 0 && op.gigabytesPerSecond() > bandwidthGBs) {
            return cacheBytes > 0 && op.bytes() / Math.max(1, op.calls()) <= cacheBytes ? Source.CACHE : Source.ABOVE_MEASURED;
        }
        return Source.DRAM;
    }

    /** {@link #table(double, long)} without knowing the cache. */
    public String table(double bandwidthGBs) {
        return table(bandwidthGBs, 0);
    }

    /**
     * The table, slowest op first; {@code bandwidthGBs} > 0 adds each op's share of that DRAM bandwidth, except for an
     * op whose bytes came from cache ({@link #source}), marked "cache", or that ran faster than the bandwidth given,
     * marked "above": a share above 100 % would only say that the working set was cached or the bandwidth too low.
     */
    public synchronized String table(double bandwidthGBs, long cacheBytes) {
        StringBuilder s = new StringBuilder();
        long total = Math.max(1, totalNanos());
        // the op column as wide as the longest name (fused tasks such as "video_Qformer intermediate + bias + gelu"),
        // at least 26, so that the numbers stay in their columns
        String op = "%-" + Math.max(26, ops().stream().mapToInt(r -> r.op().length()).max().orElse(0)) + "s";
        s.append(String.format(Locale.ROOT, op + " %7s %12s %7s %9s %10s%s%n", "op", "calls", "µs/replay", "share", "GB/s",
                "GFLOP/s", bandwidthGBs > 0 ? "  of bandwidth" : ""));
        for (OpTotals r : ops()) {
            String share = switch (source(r, bandwidthGBs, cacheBytes)) {
                case CACHE -> "  cache";
                case ABOVE_MEASURED -> "  above";
                case DRAM -> String.format(Locale.ROOT, "  %5.1f%%", 100 * r.gigabytesPerSecond() / bandwidthGBs);
            };
            s.append(String.format(Locale.ROOT, op + " %7d %12.1f %6.1f%% %9.1f %10.1f%s%n", r.op(), r.calls() / Math.max(1, replays),
                    r.nanos() / 1e3 / Math.max(1, replays), 100.0 * r.nanos() / total, r.gigabytesPerSecond(), r.gigaflopsPerSecond(),
                    bandwidthGBs > 0 ? share : ""));
        }
        s.append(String.format(Locale.ROOT, op + " %7s %12.1f %6.1f%%%n", "total", "", total / 1e3 / Math.max(1, replays), 100.0));
        if (cacheBytes > 0 && bytesPerReplay() <= cacheBytes) {
            s.append(String.format(Locale.ROOT, "a replay moves %.1f MB, which fits in the %.0f MB last-level cache: the GB/s are"
                    + " cache bandwidth, not DRAM%n", bytesPerReplay() / 1e6, cacheBytes / 1e6));
        }
        if (bandwidthGBs > 0 && ops().stream().anyMatch(r -> source(r, bandwidthGBs, cacheBytes) == Source.ABOVE_MEASURED)) {
            s.append(String.format(Locale.ROOT, "above: faster than the %.1f GB/s given, with more bytes than the cache holds: that"
                    + " bandwidth is low for this run (a loaded machine measures less than its kernels get)%n", bandwidthGBs));
        }
        return s.toString();
    }
}

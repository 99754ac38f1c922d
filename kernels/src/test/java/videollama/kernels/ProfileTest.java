package videollama.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The profile's ops and where their bytes came from: a share of DRAM bandwidth only for bytes that can have come
 * from DRAM, never above 100 % ("lm_head 294 %" was a working set in cache, or a bandwidth given too low).
 */
class ProfileTest {
    private static final long MB = 1_000_000;
    private static final long CACHE = 32L << 20;

    /** One replay: a 200 MB GEMV at 10 GB/s, a 100 MB one at 30 GB/s, a 1 MB norm at 40 GB/s (all 1 ns a byte / speed). */
    private static Profile replay(int layers) {
        Profile p = new Profile();
        for (int r = 0; r < 2; r++) {
            List<TaskTiming> timings = new java.util.ArrayList<>();
            for (int l = 0; l < layers; l++) {
                timings.add(new TaskTiming("layer " + l + " gemv", 200 * MB / 10, new Cost(200 * MB, 400 * MB)));
                timings.add(new TaskTiming("layer " + l + " norm", MB / 40, new Cost(MB, MB)));
            }
            timings.add(new TaskTiming("lm_head", 100 * MB / 30, new Cost(100 * MB, 200 * MB)));
            p.add(timings);
        }
        return p;
    }

    private static Profile.OpTotals op(Profile p, String name) {
        return p.ops().stream().filter(o -> o.op().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void opsAreGroupedAcrossLayersSlowestFirst() {
        Profile p = replay(3);
        assertEquals(List.of("gemv", "lm_head", "norm"), p.ops().stream().map(Profile.OpTotals::op).toList());
        assertEquals(6, op(p, "gemv").calls());
        assertEquals(10.0, op(p, "gemv").gigabytesPerSecond(), 1e-9);
        assertEquals(3 * 201 * MB + 100 * MB, p.bytesPerReplay());
    }

    @Test
    void bytesFromDramOnlyWhereTheyCanHaveBeen() {
        Profile p = replay(3);
        // 20 GB/s of DRAM: the GEMV (10) from DRAM; the norm (40, 1 MB a call) from cache; lm_head (30, 100 MB a call,
        // more than the cache) faster than the bandwidth given: that bandwidth was low
        assertEquals(Profile.Source.DRAM, p.source(op(p, "gemv"), 20, CACHE));
        assertEquals(Profile.Source.CACHE, p.source(op(p, "norm"), 20, CACHE));
        assertEquals(Profile.Source.ABOVE_MEASURED, p.source(op(p, "lm_head"), 20, CACHE));
        String table = p.table(20, CACHE);
        assertTrue(table.contains(" 50.0%") && table.contains("cache") && table.contains("above"), table);
        assertFalse(table.contains("150.0%") || table.contains("200.0%"), table);
    }

    @Test
    void aReplayThatFitsInTheCacheHasNoShareOfDram() {
        Profile p = new Profile();
        p.add(List.of(new TaskTiming("gemv", 10 * MB / 10, new Cost(10 * MB, 20 * MB))));
        assertEquals(Profile.Source.CACHE, p.source(op(p, "gemv"), 20, CACHE));
        assertTrue(p.table(20, CACHE).contains("fits in the 34 MB last-level cache"), p.table(20, CACHE));
        assertEquals(Profile.Source.DRAM, p.source(op(p, "gemv"), 20, 0), "cache unknown: taken as DRAM when below the bandwidth");
    }

    @Test
    void longOpNamesKeepTheNumbersInTheirColumns() {
        Profile p = new Profile();
        p.add(List.of(new TaskTiming("layer 0 video_Qformer intermediate + bias + gelu", 2_000_000, new Cost(MB, MB)),
                new TaskTiming("norm", 1_000_000, new Cost(MB, MB))));
        List<String> lines = p.table(0).lines().toList();
        int callsEnd = lines.get(0).indexOf("calls") + "calls".length();
        assertTrue(lines.get(1).startsWith("video_Qformer intermediate + bias + gelu "), lines.get(1));
        for (String row : lines.subList(1, 3)) {
            // each op was called once: its 1 right-aligned under "calls"
            assertEquals("1 ", row.substring(callsEnd - 1, callsEnd + 1), row + "\n" + lines.get(0));
        }
    }
}

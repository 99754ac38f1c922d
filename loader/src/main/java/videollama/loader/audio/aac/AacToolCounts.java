package videollama.loader.audio.aac;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** Running counts of {@link AacTool}s; {@link #snapshot()} gives an unmodifiable copy. */
public final class AacToolCounts {
    private final long[] counts = new long[AacTool.values().length];

    void add(AacTool tool, long n) {
        counts[tool.ordinal()] += n;
    }

    void add(AacTool tool) {
        counts[tool.ordinal()]++;
    }

    public long get(AacTool tool) {
        return counts[tool.ordinal()];
    }

    public Map<AacTool, Long> snapshot() {
        Map<AacTool, Long> map = new EnumMap<>(AacTool.class);
        for (AacTool t : AacTool.values()) {
            map.put(t, counts[t.ordinal()]);
        }
        return Collections.unmodifiableMap(map);
    }
}

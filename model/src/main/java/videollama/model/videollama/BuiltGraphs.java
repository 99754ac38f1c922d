package videollama.model.videollama;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * The task graphs an encoder has built, one per input count (frames or clips), the most recently used kept: a video
 * of 8 frames and then an image reuse both graphs, while a third count releases the least recently used one's
 * device buffers.
 *
 * @param <P> a built graph with its buffers
 */
final class BuiltGraphs<P> {
    /** Graphs kept per encoder: a video and an image, say. */
    static final int KEPT = 2;

    private final Map<Integer, P> plans = new LinkedHashMap<>(4, 0.75f, true);
    private final IntFunction<P> build;
    private final Consumer<P> release;

    BuiltGraphs(IntFunction<P> build, Consumer<P> release) {
        this.build = build;
        this.release = release;
    }

    /** The graph for {@code count} inputs, built (after {@code onBuild} runs) when there is none yet. */
    P get(int count, Runnable onBuild) {
        P p = plans.get(count);
        if (p == null) {
            onBuild.run();
            p = build.apply(count);
            plans.put(count, p);
            if (plans.size() > KEPT) {
                var eldest = plans.entrySet().iterator().next();
                plans.remove(eldest.getKey());
                release.accept(eldest.getValue());
            }
        }
        return p;
    }

    /** Releases every graph. */
    void clear() {
        plans.values().forEach(release);
        plans.clear();
    }
}

package videollama.model.llama;

import videollama.kernels.reference.WeightMatrix;
import videollama.model.ModelException;

/**
 * What {@link ReferenceLlamaSession} and {@link DeviceLlamaSession} share: one sequence's place in its cache, the
 * checks every input goes through before anything runs, the host-side embedding lookup, and the guard of a cache
 * copy between sessions forked from one another. The forward pass itself stays in each subclass.
 */
abstract sealed class AbstractLlamaSession implements LlamaSession permits ReferenceLlamaSession, DeviceLlamaSession {
    protected final LlamaConfig config;
    protected final int capacity;
    /** {@code embed_tokens} read in place, for {@link #embed}. */
    protected final WeightMatrix embedding;
    /** Positions already in the cache. */
    protected int position;

    AbstractLlamaSession(LlamaConfig config, WeightMatrix embedding, int capacity) {
        this.config = config;
        this.embedding = embedding;
        this.capacity = capacity;
    }

    @Override
    public final LlamaConfig config() {
        return config;
    }

    @Override
    public final int position() {
        return position;
    }

    @Override
    public final int capacity() {
        return capacity;
    }

    @Override
    public final float[] embed(int... tokens) {
        return embedRows(embedding, tokens);
    }

    /** The rows of {@code table} for these ids [ids.length, cols], widened to float; an id outside it is an error. */
    static float[] embedRows(WeightMatrix table, int... ids) {
        int d = table.cols();
        float[] out = new float[ids.length * d];
        for (int t = 0; t < ids.length; t++) {
            checkToken(ids[t], table.rows());
            table.copyRow(ids[t], out, t * d);
        }
        return out;
    }

    static void checkToken(int token, int vocabSize) {
        if (token < 0 || token >= vocabSize) {
            throw new ModelException("token id " + token + " is outside the vocabulary [0, " + vocabSize + ")");
        }
    }

    /** Throws unless {@code embeddings} holds {@code n} rows, at least one, and they fit in the cache. */
    final void checkInput(float[] embeddings, int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("forward needs at least one input row");
        }
        if (embeddings.length < (long) n * config.hiddenSize()) {
            throw new IllegalArgumentException(n + " input rows need " + (long) n * config.hiddenSize() + " floats, got "
                    + embeddings.length);
        }
        checkRoom(n);
    }

    /** Throws unless {@code n} more positions fit in the cache. */
    final void checkRoom(int n) {
        if (position + n > capacity) {
            throw new ModelException("context full: " + position + " + " + n + " positions exceed the cache of " + capacity);
        }
    }

    /**
     * Copies rows {@code [from, source.position())} of a session forked from the same one as this
     * ({@link #sameCacheAs} says which can) and moves to its position.
     */
    @Override
    public final void copyCacheFrom(LlamaSession source, int from) {
        if (source.getClass() != getClass() || !sameCacheAs((AbstractLlamaSession) source)) {
            throw new IllegalArgumentException("a cache copies only between sessions forked from one another");
        }
        AbstractLlamaSession s = (AbstractLlamaSession) source;
        if (from < 0 || from > s.position) {
            throw new IllegalArgumentException("rows from " + from + " of a session at position " + s.position);
        }
        copyCacheRows(s, from, s.position);
        position = s.position;
    }

    /** True when {@code other} (of this class) has a cache of the same model, backend, size and element type. */
    abstract boolean sameCacheAs(AbstractLlamaSession other);

    /** Copies the cache rows {@code [from, to)} of every layer from {@code source}, of this class. */
    abstract void copyCacheRows(AbstractLlamaSession source, int from, int to);
}

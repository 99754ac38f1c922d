package videollama.kernels;

/**
 * The sizes of one multi-row attention call: {@code sets} independent sets (a batch) of {@code queries} query
 * rows attending to {@code keys} key/value rows, in {@code heads} heads of width {@code headDim}.
 *
 * <p>Query head h reads key/value head {@code h / (heads / kvHeads)} (grouped-query attention; {@code kvHeads
 * == heads} is ordinary multi-head attention). Scores are {@code (q·k) · scale}. With {@code causal}, query i
 * sits at position {@code queryStart + i} and sees keys {@code 0 .. queryStart + i} only (a prefill chunk over
 * the KV cache, whose rows are positions); otherwise every query sees every key.
 *
 * <p>The models here: LLaMA prefill {@code causal(Lq, p0, 32, 32, 128)}; EVA ViT {@code selfAttention(257, 16,
 * 88)}; ImageBind audio 229 queries over 230 keys (the appended bias_k/bias_v row), 12 × 64; Q-Former
 * self-attention 32 × 32, 12 × 64; image Q-Former cross-attention {@code cross(T, 32, 257, 12, 64)}; video
 * Q-Former {@code cross(1, 32, 32·T, 12, 64)}.
 */
public record AttentionShape(int sets, int queries, int keys, int heads, int kvHeads, int headDim, float scale,
                             boolean causal, int queryStart) {
    public AttentionShape {
        if (sets < 1 || queries < 1 || keys < 1 || heads < 1 || kvHeads < 1 || headDim < 1) {
            throw new IllegalArgumentException("sizes must be positive: " + sets + " sets, " + queries + " queries, " + keys
                    + " keys, " + heads + "/" + kvHeads + " heads of " + headDim);
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(heads + " query heads do not divide into " + kvHeads + " key/value heads");
        }
        if (queryStart < 0 || (!causal && queryStart != 0)) {
            throw new IllegalArgumentException("a query start of " + queryStart + " needs a causal mask and must be >= 0");
        }
    }

    /** The usual {@code 1 / sqrt(headDim)}, rounded to float as the reference {@code Attention} rounds it. */
    public static float defaultScale(int headDim) {
        return (float) (1.0 / Math.sqrt(headDim));
    }

    /** Bidirectional self-attention of {@code tokens} rows over themselves (ViT, Q-Former self-attention). */
    public static AttentionShape selfAttention(int tokens, int heads, int headDim) {
        return new AttentionShape(1, tokens, tokens, heads, heads, headDim, defaultScale(headDim), false, 0);
    }

    /**
     * A causal chunk: {@code queries} rows at positions {@code queryStart ..} over keys {@code 0 .. queryStart +
     * queries - 1} (the KV cache after the chunk's keys were written).
     */
    public static AttentionShape causal(int queries, int queryStart, int heads, int kvHeads, int headDim) {
        return new AttentionShape(1, queries, queryStart + queries, heads, kvHeads, headDim, defaultScale(headDim), true, queryStart);
    }

    /** {@code sets} independent sets of {@code queries} rows over {@code keys} rows each, no mask. */
    public static AttentionShape cross(int sets, int queries, int keys, int heads, int headDim) {
        return new AttentionShape(sets, queries, keys, heads, heads, headDim, defaultScale(headDim), false, 0);
    }

    /** The width of a query or output row: all heads. */
    public int queryWidth() {
        return heads * headDim;
    }

    /** The width of a key or value row. */
    public int kvWidth() {
        return kvHeads * headDim;
    }

    /** How many keys query {@code i} (0-based within its set) sees. */
    public int visibleKeys(int i) {
        return causal ? Math.min(keys, queryStart + i + 1) : keys;
    }

    /**
     * Checks that the strided views hold this shape's rows: queries and outputs float32, keys and values in
     * {@code kvType}; an error naming the op and the view otherwise.
     */
    public void checkViews(String name, StridedRows out, StridedRows q, StridedRows k, StridedRows v, KvCacheType kvType) {
        long queryRows = (long) sets * queries;
        long keyRows = (long) sets * keys;
        out.checkFits(name + " out", queryRows, queryWidth(), 4);
        q.checkFits(name + " q", queryRows, queryWidth(), 4);
        k.checkFits(name + " k", keyRows, kvWidth(), kvType.bytes());
        v.checkFits(name + " v", keyRows, kvWidth(), kvType.bytes());
    }

    /** The op's cost: q and out read and written once, keys and values read once, {@link #flops()}. */
    public Cost cost(KvCacheType kvType) {
        long queryRows = (long) sets * queries;
        long keyRows = (long) sets * keys;
        return new Cost(queryRows * queryWidth() * 8 + keyRows * kvWidth() * 2L * kvType.bytes(), flops());
    }

    /** The query/key dot products and the weighted value sums, 2 · headDim FLOPs each, masked keys skipped. */
    public long flops() {
        long pairs = 0;
        for (int i = 0; i < queries; i++) {
            pairs += visibleKeys(i);
        }
        return 4L * sets * heads * headDim * pairs;
    }
}

package videollama.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static videollama.kernels.KernelChecks.POISON;
import static videollama.kernels.KernelChecks.assertClose;
import static videollama.kernels.KernelChecks.poisoned;
import static videollama.kernels.KernelChecks.randomFloats;
import static videollama.kernels.KernelChecks.readFloats;
import static videollama.kernels.KernelChecks.runOnce;
import static videollama.kernels.KernelChecks.upload;

import java.util.function.Supplier;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.kernels.reference.MultiHeadAttention;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * Multi-row attention against {@link MultiHeadAttention} on fresh random inputs: odd sizes, the models' sizes,
 * grouped-query heads, causal chunks with a start position, batched cross-attention, in-place reads from a fused
 * qkv buffer and an f16 KV cache. Outputs are poisoned first; 1e-5 relative (float32 arithmetic: fp16 storage only
 * rounds the inputs, which the reference is given rounded too). Run by each backend's test class, and per kernel
 * variant where a backend has several ({@link #attention} is the op under test).
 *
 * <p>A case's work ({@link #largestCase}) is its number of scores: sets · queries · keys · heads.
 */
public abstract class AttentionOpsContract extends DeviceOpsContract {
    protected AttentionOpsContract(Supplier<? extends DeviceBackend> backend) {
        super(backend);
    }


    /** Appends the op under test: the backend's own attention here; a test of one kernel variant overrides this. */
    protected void attention(TaskGraph g, String name, StridedRows out, StridedRows q, StridedRows k, StridedRows v,
                             KvCacheType kvType, AttentionShape shape) {
        backend().ops().attention(g, name, out, q, k, v, kvType, shape);
    }

    private static long scores(AttentionShape s) {
        return (long) s.sets() * s.queries() * s.keys() * s.heads();
    }

    /** (sets, queries, keys, heads, kvHeads, headDim, causal, queryStart). */
    static Stream<Arguments> shapes() {
        int[][] shapes = {
            {1, 1, 1, 1, 1, 8, 0, 0},
            {1, 5, 5, 2, 1, 8, 1, 0},
            {1, 13, 40, 4, 2, 16, 1, 27},          // a prefill chunk at positions 27..39
            {2, 6, 11, 3, 3, 5, 1, 3},             // causal sets; a head width no multiple of anything
            {1, 37, 200, 8, 2, 128, 1, 163},       // LLaMA-wide heads, grouped-query
            {1, 19, 23, 2, 2, 88, 0, 0},           // EVA's head width on a few tokens
            {1, 257, 257, 16, 16, 88, 0, 0},       // EVA ViT-g
            {1, 229, 230, 12, 12, 64, 0, 0},       // ImageBind audio: one appended bias_k/bias_v key
            {1, 32, 32, 12, 12, 64, 0, 0},         // Q-Former self-attention
            {3, 32, 257, 12, 12, 64, 0, 0},        // image Q-Former cross-attention, 3 frames
            {1, 32, 96, 12, 12, 64, 0, 0},         // video Q-Former over 3 frames
            {2, 8, 100, 3, 3, 64, 0, 0},           // cross-attention sets over several key tiles
            {1, 8, 8, 12, 12, 64, 0, 0},           // audio Q-Former
            {2, 3, 70, 2, 2, 33, 0, 0},
        };
        return Arrays.stream(shapes).map(s -> Arguments.of(s[0], s[1], s[2], s[3], s[4], s[5], s[6] == 1, s[7]));
    }

    @ParameterizedTest(name = "sets {0}, {1} queries over {2} keys, heads {3}/{4} of {5}, causal {6} from {7}")
    @MethodSource("shapes")
    void matchesTheReference(int sets, int queries, int keys, int heads, int kvHeads, int headDim, boolean causal, int start) {
        AttentionShape s = new AttentionShape(sets, queries, keys, heads, kvHeads, headDim,
                AttentionShape.defaultScale(headDim), causal, start);
        assumeAtMost(scores(s), s.toString());
        int qElements = sets * queries * s.queryWidth();
        int kvElements = sets * keys * s.kvWidth();
        float[] q = randomFloats(random, qElements);
        float[] k = randomFloats(random, kvElements);
        float[] v = randomFloats(random, kvElements);
        float[] expected = new float[qElements];
        MultiHeadAttention.attention(expected, q, k, v, s);

        DeviceBuffer out = poisoned(backend(), "out", qElements);
        TaskGraph g = backend().graph("attention");
        attention(g, "attention", StridedRows.dense(out, s.queryWidth()),
                StridedRows.dense(upload(backend(), "q", q), s.queryWidth()), StridedRows.dense(upload(backend(), "k", k), s.kvWidth()),
                StridedRows.dense(upload(backend(), "v", v), s.kvWidth()), KvCacheType.F32, s);
        runOnce(g);
        assertClose(expected, readFloats(backend(), out, qElements), 1e-5, s.toString());
    }

    /**
     * The ViT's layout: q, k and v read in place from one fused projection [L, 3·width], the output written into
     * a wider buffer at an offset; the elements around it must keep their poison.
     */
    @Test
    void readsAFusedQkvBufferAndWritesStridedRowsInPlace() {
        int tokens = 21;
        AttentionShape s = AttentionShape.selfAttention(tokens, 3, 24);
        assumeAtMost(scores(s), "fused qkv");
        int width = s.queryWidth();
        float[] fused = randomFloats(random, tokens * 3 * width);
        float[] q = new float[tokens * width];
        float[] k = new float[tokens * width];
        float[] v = new float[tokens * width];
        for (int t = 0; t < tokens; t++) {
            System.arraycopy(fused, t * 3 * width, q, t * width, width);
            System.arraycopy(fused, t * 3 * width + width, k, t * width, width);
            System.arraycopy(fused, t * 3 * width + 2 * width, v, t * width, width);
        }
        float[] expected = new float[tokens * width];
        MultiHeadAttention.attention(expected, q, k, v, s);

        int outOffset = 5;
        int outStride = width + 7;
        int outElements = outOffset + tokens * outStride;
        DeviceBuffer out = poisoned(backend(), "out", outElements);
        DeviceBuffer qkv = upload(backend(), "qkv", fused);
        TaskGraph g = backend().graph("fused");
        attention(g, "attention", new StridedRows(out, outOffset, outStride),
                new StridedRows(qkv, 0, 3 * width), new StridedRows(qkv, width, 3 * width), new StridedRows(qkv, 2 * width, 3 * width),
                KvCacheType.F32, s);
        runOnce(g);
        float[] all = readFloats(backend(), out, outElements);
        float[] actual = new float[tokens * width];
        for (int i = 0; i < outElements; i++) {
            int row = (i - outOffset) / outStride;
            int column = (i - outOffset) % outStride;
            if (i >= outOffset && column < width) {
                actual[row * width + column] = all[i];
            } else {
                assertEquals(POISON, Float.floatToRawIntBits(all[i]), "element " + i + " outside the output rows was written");
            }
        }
        assertClose(expected, actual, 2e-6, "fused");
    }

    /**
     * Prefill over an f16 KV cache of several layers: keys and values read as half from layer 1 of a cache
     * [layers, capacity, kvWidth] whose rows beyond the chunk hold values that must not be seen.
     */
    @Test
    void readsAnF16KvCacheInPlace() {
        int layers = 2;
        int capacity = 64;
        AttentionShape s = AttentionShape.causal(9, 30, 8, 4, 32);
        assumeAtMost(scores(s), "f16 cache");
        int kvWidth = s.kvWidth();
        int layerElements = capacity * kvWidth;
        // the cache as stored (f16), and the same values widened: what the reference sees
        Tensor keyCache = Tensor.ofFloats("k", randomFloats(random, layers * layerElements), layers * capacity, kvWidth).convertTo(DType.F16);
        Tensor valueCache = Tensor.ofFloats("v", randomFloats(random, layers * layerElements), layers * capacity, kvWidth).convertTo(DType.F16);
        float[] k = Arrays.copyOfRange(keyCache.toFloatArray(), layerElements, layerElements + s.keys() * kvWidth);
        float[] v = Arrays.copyOfRange(valueCache.toFloatArray(), layerElements, layerElements + s.keys() * kvWidth);
        float[] q = randomFloats(random, s.queries() * s.queryWidth());
        float[] expected = new float[q.length];
        MultiHeadAttention.attention(expected, q, k, v, s);

        DeviceBuffer out = poisoned(backend(), "out", q.length);
        TaskGraph g = backend().graph("prefill");
        attention(g, "attention", StridedRows.dense(out, s.queryWidth()),
                StridedRows.dense(upload(backend(), "q", q), s.queryWidth()),
                new StridedRows(backend().upload(keyCache).buffer(), layerElements, kvWidth),
                new StridedRows(backend().upload(valueCache).buffer(), layerElements, kvWidth), KvCacheType.F16, s);
        runOnce(g);
        assertClose(expected, readFloats(backend(), out, q.length), 5e-6, "f16 cache");
    }

    @Test
    void refusesViewsOutsideTheirBuffers() {
        AttentionShape s = AttentionShape.selfAttention(10, 2, 8);
        DeviceBuffer small = backend().allocate("small", 10 * 16 * 4);
        DeviceBuffer big = backend().allocate("big", 10 * 48 * 4);
        TaskGraph g = backend().graph("checks");
        StridedRows dense = StridedRows.dense(small, 16);
        assertThrows(IllegalArgumentException.class, () -> attention(g, "a", new StridedRows(small, 1, 16), dense, dense, dense, KvCacheType.F32, s));
        assertThrows(IllegalArgumentException.class, () -> attention(g, "a", dense, new StridedRows(big, 0, 8), dense, dense, KvCacheType.F32, s));
        assertThrows(IllegalArgumentException.class, () -> attention(g, "a", dense, dense, new StridedRows(big, 33, 48), dense, KvCacheType.F32, s));
    }
}

package videollama.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static videollama.kernels.KernelChecks.POISON;
import static videollama.kernels.KernelChecks.assertClose;
import static videollama.kernels.KernelChecks.poisoned;
import static videollama.kernels.KernelChecks.randomFloats;
import static videollama.kernels.KernelChecks.readFloats;
import static videollama.kernels.KernelChecks.runOnce;
import static videollama.kernels.KernelChecks.upload;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import videollama.kernels.AttentionShape;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.KvCacheType;
import videollama.kernels.StridedRows;
import videollama.kernels.TaskGraph;
import videollama.kernels.reference.MultiHeadAttention;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * Both attention kernels (the flash kernel for GPUs, the row-per-item kernel for CPUs) against
 * {@link MultiHeadAttention} on fresh random inputs: odd sizes, the models' sizes, grouped-query heads, causal
 * chunks with a start position, batched cross-attention, in-place reads from a fused qkv buffer and an f16 KV
 * cache. Outputs are poisoned first; 1e-5 relative (float32 arithmetic: fp16 storage only rounds the inputs,
 * which the reference is given rounded too).
 */
class OpenCLAttentionOpsTest {
    private static OpenCLBackend backend;
    private final Random random = new Random(System.nanoTime());

    @BeforeAll
    static void open() {
        backend = (OpenCLBackend) OpenCLTestSupport.open();
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
        }
    }

    private static String variant(boolean rowPerItem) {
        return rowPerItem ? "rows" : "flash";
    }

    /** (sets, queries, keys, heads, kvHeads, headDim, causal, queryStart), each with both kernels. */
    static Stream<Arguments> shapes() {
        int[][] shapes = {
            {1, 1, 1, 1, 1, 8, 0, 0},
            {1, 5, 5, 2, 1, 8, 1, 0},
            {1, 13, 40, 4, 2, 16, 1, 27},          // a prefill chunk at positions 27..39
            {2, 6, 11, 3, 3, 5, 1, 3},             // causal sets; a head width no multiple of anything
            {1, 37, 200, 8, 2, 128, 1, 163},       // LLaMA-wide heads, grouped-query
            {1, 257, 257, 16, 16, 88, 0, 0},       // EVA ViT-g
            {1, 229, 230, 12, 12, 64, 0, 0},       // ImageBind audio: one appended bias_k/bias_v key
            {1, 32, 32, 12, 12, 64, 0, 0},         // Q-Former self-attention
            {3, 32, 257, 12, 12, 64, 0, 0},        // image Q-Former cross-attention, 3 frames
            {1, 32, 96, 12, 12, 64, 0, 0},         // video Q-Former over 3 frames
            {1, 8, 8, 12, 12, 64, 0, 0},           // audio Q-Former
            {2, 3, 70, 2, 2, 33, 0, 0},
        };
        List<Arguments> cases = new ArrayList<>();
        for (int[] s : shapes) {
            for (boolean rowPerItem : new boolean[] {false, true}) {
                cases.add(Arguments.of(s[0], s[1], s[2], s[3], s[4], s[5], s[6] == 1, s[7], rowPerItem));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "sets {0}, {1} queries over {2} keys, heads {3}/{4} of {5}, causal {6} from {7}, rows {8}")
    @MethodSource("shapes")
    void matchesTheReference(int sets, int queries, int keys, int heads, int kvHeads, int headDim,
                             boolean causal, int start, boolean rowPerItem) {
        AttentionShape s = new AttentionShape(sets, queries, keys, heads, kvHeads, headDim,
                AttentionShape.defaultScale(headDim), causal, start);
        int qElements = sets * queries * s.queryWidth();
        int kvElements = sets * keys * s.kvWidth();
        float[] q = randomFloats(random, qElements);
        float[] k = randomFloats(random, kvElements);
        float[] v = randomFloats(random, kvElements);
        float[] expected = new float[qElements];
        MultiHeadAttention.attention(expected, q, k, v, s);

        DeviceBuffer out = poisoned(backend, "out", qElements);
        TaskGraph g = backend.graph("attention");
        new OpenCLAttentionOps(backend, rowPerItem).attention(g, "attention", StridedRows.dense(out, s.queryWidth()),
                StridedRows.dense(upload(backend, "q", q), s.queryWidth()), StridedRows.dense(upload(backend, "k", k), s.kvWidth()),
                StridedRows.dense(upload(backend, "v", v), s.kvWidth()), KvCacheType.F32, s);
        runOnce(g);
        assertClose(expected, readFloats(backend, out, qElements), 1e-5, variant(rowPerItem) + " " + s);
    }

    /**
     * The ViT's layout: q, k and v read in place from one fused projection [L, 3·width], the output written into
     * a wider buffer at an offset; the elements around it must keep their poison.
     */
    @ParameterizedTest(name = "rows {0}")
    @ValueSource(booleans = {false, true})
    void readsAFusedQkvBufferAndWritesStridedRowsInPlace(boolean rowPerItem) {
        int tokens = 21;
        AttentionShape s = AttentionShape.selfAttention(tokens, 3, 24);
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
        DeviceBuffer out = poisoned(backend, "out", outElements);
        DeviceBuffer qkv = upload(backend, "qkv", fused);
        TaskGraph g = backend.graph("fused");
        new OpenCLAttentionOps(backend, rowPerItem).attention(g, "attention", new StridedRows(out, outOffset, outStride),
                new StridedRows(qkv, 0, 3 * width), new StridedRows(qkv, width, 3 * width), new StridedRows(qkv, 2 * width, 3 * width),
                KvCacheType.F32, s);
        runOnce(g);
        float[] all = readFloats(backend, out, outElements);
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
        assertClose(expected, actual, 1e-5, variant(rowPerItem) + " fused");
    }

    /**
     * Prefill over an f16 KV cache of several layers: keys and values read as half from layer 1 of a cache
     * [layers, capacity, kvWidth] whose rows beyond the chunk hold values that must not be seen.
     */
    @ParameterizedTest(name = "rows {0}")
    @ValueSource(booleans = {false, true})
    void readsAnF16KvCacheInPlace(boolean rowPerItem) {
        int layers = 2;
        int capacity = 64;
        AttentionShape s = AttentionShape.causal(9, 30, 8, 4, 32);
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

        DeviceBuffer out = poisoned(backend, "out", q.length);
        TaskGraph g = backend.graph("prefill");
        new OpenCLAttentionOps(backend, rowPerItem).attention(g, "attention", StridedRows.dense(out, s.queryWidth()),
                StridedRows.dense(upload(backend, "q", q), s.queryWidth()),
                new StridedRows(backend.upload(keyCache).buffer(), layerElements, kvWidth),
                new StridedRows(backend.upload(valueCache).buffer(), layerElements, kvWidth), KvCacheType.F16, s);
        runOnce(g);
        assertClose(expected, readFloats(backend, out, q.length), 1e-5, variant(rowPerItem) + " f16 cache");
    }

    @Test
    void refusesViewsOutsideTheirBuffers() {
        AttentionShape s = AttentionShape.selfAttention(10, 2, 8);
        DeviceBuffer small = backend.allocate("small", 10 * 16 * 4);
        DeviceBuffer big = backend.allocate("big", 10 * 48 * 4);
        OpenCLAttentionOps ops = new OpenCLAttentionOps(backend, false);
        TaskGraph g = backend.graph("checks");
        StridedRows dense = StridedRows.dense(small, 16);
        assertThrows(IllegalArgumentException.class, () -> ops.attention(g, "a", new StridedRows(small, 1, 16), dense, dense, dense, KvCacheType.F32, s));
        assertThrows(IllegalArgumentException.class, () -> ops.attention(g, "a", dense, new StridedRows(big, 0, 8), dense, dense, KvCacheType.F32, s));
        assertThrows(IllegalArgumentException.class, () -> ops.attention(g, "a", dense, dense, new StridedRows(big, 33, 48), dense, KvCacheType.F32, s));
    }

    @Test
    void theFlashKernelStaysWithinItsLocalMemoryForHeadsUpTo128() {
        OpenCLAttentionOps ops = new OpenCLAttentionOps(backend, false);
        for (int headDim : new int[] {8, 64, 88, 128}) {
            int blockK = ops.blockKeys(16, headDim);
            assertTrue(blockK >= 8, headDim + ": tiles of " + blockK + " keys");
            assertTrue(OpenCLAttentionOps.localMemoryBytes(16, blockK, headDim) <= OpenCLAttentionOps.LOCAL_MEMORY_BUDGET);
        }
        assertEquals(1, OpenCLAttentionOps.blockQueries(1));
        assertEquals(8, OpenCLAttentionOps.blockQueries(5));
        assertEquals(8, OpenCLAttentionOps.blockQueries(8));
        assertEquals(16, OpenCLAttentionOps.blockQueries(257));
    }
}

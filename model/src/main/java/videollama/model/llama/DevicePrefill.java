package videollama.model.llama;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import videollama.kernels.AttentionShape;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceOps;
import videollama.kernels.DeviceTensor;
import videollama.kernels.GraphPlan;
import videollama.kernels.KvCacheType;
import videollama.kernels.StridedRows;
import videollama.kernels.TaskGraph;
import videollama.kernels.Transfer;
import videollama.weights.DType;

/**
 * Batched prefill for a {@link DeviceLlamaSession}: a chunk of n input rows at positions {@code start .. start +
 * n - 1} goes through each layer in one pass (GEMMs with M = n instead of n replays of the decode graph's
 * GEMVs, so each weight is read once per chunk rather than once per row):
 *
 * <pre>
 *   xb = rmsNorm(x)                                   n rows
 *   q, k, v = xb·Wqᵀ, xb·Wkᵀ, xb·Wvᵀ                   three GEMMs
 *   rotate q, k at their positions; k, v → cache rows start .. start+n-1
 *   a = causal attention of q over cache rows 0 .. start+n-1, read in the cache's type
 *   x += a·Woᵀ                                        residual fused
 *   xb = rmsNorm(x)
 *   g = silu(xb·Wgateᵀ) · (xb·Wupᵀ)                   two GEMMs, then element-wise
 *   x += g·Wdownᵀ                                     residual fused
 * </pre>
 *
 * then the head: on every row (a GEMM over n rows, logits [n, vocab] back), on the last row only (gathered into
 * the session's one-row buffers, a GEMV, logits [vocab] back), or none (a chunk before the last).
 *
 * <p>Activations are [n, width] buffers kept for the session and grown when a longer chunk comes. A chunk's
 * graph is built for its start and length (the attention's causal mask is a kernel argument) and the last few
 * are kept, so a repeated shape replays without rebuilding; growing the buffers drops them.
 */
final class DevicePrefill implements AutoCloseable {
    /**
     * The most rows one pass takes; longer inputs run in several chunks. Bounds the activations (LLaMA-2-7B:
     * about 110 MB at 512 rows, most of it the two MLP buffers) while keeping the GEMMs long enough to reuse each
     * weight over many rows.
     */
    static final int MAX_CHUNK = 512;
    /** Built chunk graphs kept for replay, least recently used dropped first. */
    private static final int KEPT_PLANS = 4;

    /** What a chunk computes after the layers. */
    enum Head {
        /** Nothing: a chunk before the last one of an input whose logits are wanted for its last row only. */
        NONE,
        /** The logits of the chunk's last row, into the session's logits buffer and host segment. */
        LAST_ROW,
        /** The logits of every row of the chunk, [n, vocab]. */
        EVERY_ROW
    }

    /** A built chunk: replay {@code plan} after filling {@code input} (n rows) and read {@code logits} after. */
    record Chunk(GraphPlan plan, MemorySegment input, MemorySegment logits) {}

    private record Key(int start, int rows, Head head) {}

    /** The [rows, width] activations of a chunk of up to {@code rows} rows. */
    private record Activations(int rows, DeviceBuffer x, DeviceBuffer xb, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v,
                               DeviceBuffer attention, DeviceBuffer gate, DeviceBuffer up) {
        List<DeviceBuffer> all() {
            return List.of(x, xb, q, k, v, attention, gate, up);
        }
    }

    private final LlamaConfig config;
    private final DeviceBackend device;
    private final DeviceLlamaWeights w;
    private final KvCacheType cacheType;
    private final int capacity;
    /** The session's KV caches, RoPE table and position, and its one-row buffers the last row's head runs in. */
    private final DeviceLlamaSession.Buffers session;
    private final MemorySegment hostPos;
    private final MemorySegment hostLogits;
    /** 0, 1, 2, ...: the embedding kernel gathers a chunk's last row with it (a row lookup is what it does). */
    private final DeviceBuffer rowIndex;
    private final Map<Key, Chunk> chunks = new LinkedHashMap<>(8, 0.75f, true);
    private Activations activations;
    private Arena inputArena;
    private MemorySegment input;
    private DeviceBuffer rowLogits;
    private Arena logitsArena;
    private MemorySegment hostRowLogits;

    DevicePrefill(LlamaConfig config, DeviceBackend device, DeviceLlamaWeights weights, KvCacheType cacheType, int capacity,
                  DeviceLlamaSession.Buffers session, MemorySegment hostPos, MemorySegment hostLogits) {
        this.config = config;
        this.device = device;
        this.w = weights;
        this.cacheType = cacheType;
        this.capacity = capacity;
        this.session = session;
        this.hostPos = hostPos;
        this.hostLogits = hostLogits;
        int rows = Math.min(MAX_CHUNK, capacity);
        rowIndex = device.allocate("prefill row index", rows * 4L);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment iota = a.allocate(JAVA_INT, rows);
            for (int i = 0; i < rows; i++) {
                iota.setAtIndex(JAVA_INT, i, i);
            }
            device.write(rowIndex, iota);
        }
    }

    /**
     * The chunk graph of {@code rows} rows at positions {@code start ..} ending in {@code head}: a kept one, or a
     * new one. The caller writes the position into the session's position host segment before replaying it.
     *
     * @throws UnsupportedOperationException when the backend lacks an op of the batched pass
     */
    Chunk chunk(int start, int rows, Head head) {
        if (rows < 1 || rows > MAX_CHUNK || start < 0 || start + rows > capacity) {
            throw new IllegalArgumentException("a chunk of " + rows + " rows at " + start + " (at most " + MAX_CHUNK
                    + " rows, within the cache of " + capacity + ")");
        }
        Key key = new Key(start, rows, head);
        Chunk chunk = chunks.get(key);
        if (chunk != null) {
            return chunk;
        }
        ensureRows(rows, head == Head.EVERY_ROW);
        chunk = build(start, rows, head);
        chunks.put(key, chunk);
        if (chunks.size() > KEPT_PLANS) {
            var eldest = chunks.entrySet().iterator().next();
            eldest.getValue().plan().close();
            chunks.remove(eldest.getKey());
        }
        return chunk;
    }

    /** Grows the activations (and the host input rows) to {@code rows}, and the every-row logits if wanted. */
    private void ensureRows(int rows, boolean everyRowLogits) {
        if (activations == null || activations.rows() < rows) {
            dropChunks();
            releaseActivations();
            int d = config.hiddenSize();
            activations = new Activations(rows,
                    device.allocate("prefill x", 4L * rows * d),
                    device.allocate("prefill xb", 4L * rows * d),
                    device.allocate("prefill q", 4L * rows * config.qDim()),
                    device.allocate("prefill k", 4L * rows * config.kvDim()),
                    device.allocate("prefill v", 4L * rows * config.kvDim()),
                    device.allocate("prefill attention", 4L * rows * config.qDim()),
                    device.allocate("prefill gate", 4L * rows * config.intermediateSize()),
                    device.allocate("prefill up", 4L * rows * config.intermediateSize()));
            inputArena = Arena.ofShared();
            input = inputArena.allocate(JAVA_FLOAT, (long) rows * d);
        }
        if (everyRowLogits && (rowLogits == null || rowLogits.bytes() < 4L * rows * config.vocabSize())) {
            dropChunks();
            releaseRowLogits();
            rowLogits = device.allocate("prefill logits", 4L * rows * config.vocabSize());
            logitsArena = Arena.ofShared();
            hostRowLogits = logitsArena.allocate(JAVA_FLOAT, (long) rows * config.vocabSize());
        }
    }

    private Chunk build(int start, int n, Head head) {
        DeviceOps ops = device.ops();
        Activations a = activations;
        int d = config.hiddenSize();
        int qDim = config.qDim();
        int kvDim = config.kvDim();
        int ff = config.intermediateSize();
        int vocab = config.vocabSize();
        float eps = config.rmsNormEps();
        MemorySegment rows = input.asSlice(0, 4L * n * d);
        TaskGraph g = device.graph("prefill " + n + " rows at " + start);
        g.transferToDevice(Transfer.EVERY, session.pos(), hostPos);
        g.transferToDevice(Transfer.EVERY, a.x(), rows);
        AttentionShape shape = AttentionShape.causal(n, start, config.numHeads(), config.numKvHeads(), config.headDim());
        for (int l = 0; l < config.numLayers(); l++) {
            LlamaWeights.Layer<DeviceTensor, DeviceTensor> lw = w.layers.get(l);
            DeviceBuffer keyCache = session.keyCache()[l];
            DeviceBuffer valueCache = session.valueCache()[l];
            String p = "layer " + l + " prefill ";
            ops.rmsNorm(g, p + "attention norm", a.xb(), a.x(), lw.inputNorm().buffer(), n, d, eps);
            ops.linear(g, p + "q", a.q(), a.xb(), lw.wq(), null, null, n, qDim, d);
            ops.linear(g, p + "k", a.k(), a.xb(), lw.wk(), null, null, n, kvDim, d);
            ops.linear(g, p + "v", a.v(), a.xb(), lw.wv(), null, null, n, kvDim, d);
            ops.ropeAndCacheWriteRows(g, p + "rope + cache", a.q(), a.k(), a.v(), keyCache, valueCache, cacheType,
                    session.cosSin(), capacity, session.pos(), n, config.numHeads(), config.numKvHeads(), config.headDim());
            ops.attention(g, p + "attention", StridedRows.dense(a.attention(), qDim), StridedRows.dense(a.q(), qDim),
                    StridedRows.dense(keyCache, kvDim), StridedRows.dense(valueCache, kvDim), cacheType, shape);
            ops.linear(g, p + "o + residual", a.x(), a.attention(), lw.wo(), null, a.x(), n, d, qDim);
            ops.rmsNorm(g, p + "ffn norm", a.xb(), a.x(), lw.postAttentionNorm().buffer(), n, d, eps);
            ops.linear(g, p + "gate", a.gate(), a.xb(), lw.gate(), null, null, n, ff, d);
            ops.linear(g, p + "up", a.up(), a.xb(), lw.up(), null, null, n, ff, d);
            ops.swiGlu(g, p + "swiglu", a.gate(), a.gate(), a.up(), n * ff);
            ops.linear(g, p + "down + residual", a.x(), a.gate(), lw.down(), null, a.x(), n, d, ff);
        }
        MemorySegment logits = null;
        switch (head) {
            case NONE -> {}
            case LAST_ROW -> {
                // The last row into the session's one-row buffers, then the decode graph's head.
                DeviceTensor chunkRows = new DeviceTensor("prefill x", a.x(), DType.F32, new long[] {n, d});
                ops.embedding(g, session.x(), chunkRows, rowIndex, n - 1);
                ops.rmsNorm(g, "prefill final norm", session.xb(), session.x(), w.finalNorm.buffer(), 1, d, eps);
                ops.matVec(g, "prefill lm_head", session.logits(), w.lmHead, session.xb(), false);
                g.transferToHost(session.logits(), hostLogits);
                logits = hostLogits;
            }
            case EVERY_ROW -> {
                ops.rmsNorm(g, "prefill final norm", a.xb(), a.x(), w.finalNorm.buffer(), n, d, eps);
                ops.linear(g, "prefill lm_head", rowLogits, a.xb(), w.lmHead, null, null, n, vocab, d);
                logits = hostRowLogits.asSlice(0, 4L * n * vocab);
                g.transferToHost(rowLogits, logits);
            }
        }
        return new Chunk(g.build(), rows, logits);
    }

    private void dropChunks() {
        for (Chunk c : chunks.values()) {
            c.plan().close();
        }
        chunks.clear();
    }

    private void releaseActivations() {
        if (activations != null) {
            activations.all().forEach(device::release);
            activations = null;
            inputArena.close();
        }
    }

    private void releaseRowLogits() {
        if (rowLogits != null) {
            device.release(rowLogits);
            rowLogits = null;
            logitsArena.close();
        }
    }

    @Override
    public void close() {
        dropChunks();
        releaseActivations();
        releaseRowLogits();
        device.release(rowIndex);
    }

    /** Splits {@code n} rows into chunks of at most {@link #MAX_CHUNK}, as even as possible (none of 1 row if n ≥ 2). */
    static List<Integer> chunkLengths(int n) {
        int count = (n + MAX_CHUNK - 1) / MAX_CHUNK;
        List<Integer> lengths = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            lengths.add(n / count + (i < n % count ? 1 : 0));
        }
        return lengths;
    }
}

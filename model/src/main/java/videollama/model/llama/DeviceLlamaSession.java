package videollama.model.llama;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceOps;
import videollama.kernels.DeviceTensor;
import videollama.kernels.GraphPlan;
import videollama.kernels.KvCacheType;
import videollama.kernels.TaskGraph;
import videollama.kernels.Profile;
import videollama.kernels.Transfer;
import videollama.kernels.reference.Rope;
import videollama.kernels.reference.WeightMatrix;

/**
 * LLaMA on a device backend: the weights uploaded once in their stored dtype, the key/value cache and every
 * activation resident on the device. A decode step replays one task graph per position; only the position and
 * the token id (or an input embedding row) go in, only the logits, or with greedy decoding just the next token
 * id, come back. An input of two or more rows (a prompt, or soft tokens) is prefilled in one batched pass per
 * chunk ({@link DevicePrefill}).
 *
 * <p>The system property {@code videollama.prefill=positions} runs every input one position at a time through
 * the decode graph instead (the bench compares the two); backends without the batched ops do so
 * anyway.
 */
final class DeviceLlamaSession extends AbstractLlamaSession {
    private final DeviceBackend device;
    private final KvCacheType cacheType;
    private final Arena host = Arena.ofShared();
    private final MemorySegment hostPos;
    private final MemorySegment hostToken;
    private final MemorySegment hostRow;
    private final MemorySegment hostLogits;
    private final MemorySegment hostNext;
    private final LlamaWeights weights;
    private final Buffers b;
    private final DeviceLlamaWeights w;
    private final GraphPlan rowPlan;          // an input row through the layers, no logits (prefill)
    private final GraphPlan rowLogitsPlan;    // an input row through the layers and the head, logits back
    private final GraphPlan tokenLogitsPlan;  // a token id, embedded on the device, logits back
    private final GraphPlan tokenGreedyPlan;  // a token id in, the argmax of its logits back
    private final List<GraphPlan> plans = new ArrayList<>();
    /** Batched prefill of inputs of two or more rows; false: one position at a time. */
    private boolean batched;
    private DevicePrefill prefill; // made at the first batched input
    private Profile profile;

    /** The device buffers of one sequence. */
    record Buffers(DeviceBuffer x, DeviceBuffer xb, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v,
                   DeviceBuffer attention, DeviceBuffer hidden, DeviceBuffer logits, DeviceBuffer token,
                   DeviceBuffer pos, DeviceBuffer next, DeviceBuffer cosSin,
                   DeviceBuffer[] keyCache, DeviceBuffer[] valueCache) {}

    DeviceLlamaSession(LlamaConfig config, LlamaWeights weights, DeviceLlamaWeights deviceWeights, DeviceBackend device,
                       int capacity, KvCacheType cacheType) {
        super(config, new WeightMatrix(weights.embedTokens), capacity);
        this.device = device;
        this.cacheType = cacheType;
        this.weights = weights;
        int d = config.hiddenSize();
        hostPos = host.allocate(JAVA_INT);
        hostToken = host.allocate(JAVA_INT);
        hostNext = host.allocate(JAVA_INT);
        hostRow = host.allocate(JAVA_FLOAT, d);
        hostLogits = host.allocate(JAVA_FLOAT, config.vocabSize());
        w = deviceWeights;
        b = allocate();
        device.write(b.cosSin(), MemorySegment.ofArray(new Rope(config.headDim(), config.ropeTheta()).table(capacity)));
        rowPlan = plan("row", false, false, false);
        rowLogitsPlan = plan("row-logits", false, true, false);
        tokenLogitsPlan = plan("token-logits", true, true, false);
        tokenGreedyPlan = plan("token-greedy", true, true, true);
        batched = switch (System.getProperty("videollama.prefill", "batched")) {
            case "batched" -> true;
            case "positions" -> false;
            default -> throw new IllegalArgumentException("videollama.prefill must be batched or positions, not "
                    + System.getProperty("videollama.prefill"));
        };
    }

    private Buffers allocate() {
        int d = config.hiddenSize();
        long kvBytes = (long) capacity * config.kvDim() * cacheType.bytes();
        DeviceBuffer[] keys = new DeviceBuffer[config.numLayers()];
        DeviceBuffer[] values = new DeviceBuffer[config.numLayers()];
        for (int l = 0; l < keys.length; l++) {
            keys[l] = device.allocate("key cache " + l, kvBytes);
            values[l] = device.allocate("value cache " + l, kvBytes);
        }
        return new Buffers(
                device.allocate("x", d * 4L),
                device.allocate("xb", d * 4L),
                device.allocate("q", config.qDim() * 4L),
                device.allocate("k", config.kvDim() * 4L),
                device.allocate("v", config.kvDim() * 4L),
                device.allocate("attention", config.qDim() * 4L),
                device.allocate("hidden", config.intermediateSize() * 4L),
                device.allocate("logits", config.vocabSize() * 4L),
                device.allocate("token", 4),
                device.allocate("pos", 4),
                device.allocate("next", 4),
                device.allocate("rope cos/sin", (long) capacity * config.headDim() * 4L),
                keys, values);
    }

    /** The graph of one position: input, every layer, and optionally the head and the argmax. */
    private GraphPlan plan(String name, boolean fromToken, boolean logits, boolean greedy) {
        DeviceOps ops = device.ops();
        TaskGraph g = device.graph(name);
        g.transferToDevice(Transfer.EVERY, b.pos(), hostPos);
        if (fromToken) {
            g.transferToDevice(Transfer.EVERY, b.token(), hostToken);
            ops.embedding(g, b.x(), w.embedding, b.token(), 0);
        } else {
            g.transferToDevice(Transfer.EVERY, b.x(), hostRow);
        }
        float eps = config.rmsNormEps();
        int d = config.hiddenSize();
        for (int l = 0; l < config.numLayers(); l++) {
            LlamaWeights.Layer<DeviceTensor, DeviceTensor> lw = w.layers.get(l);
            String p = "layer " + l + " ";
            ops.rmsNorm(g, p + "attention norm", b.xb(), b.x(), lw.inputNorm().buffer(), 1, d, eps);
            ops.qkvMatVec(g, p + "q/k/v", b.q(), b.k(), b.v(), lw.wq(), lw.wk(), lw.wv(), b.xb());
            ops.ropeAndCacheWrite(g, p + "rope + cache", b.q(), b.k(), b.v(), b.keyCache()[l], b.valueCache()[l], cacheType,
                    b.cosSin(), capacity, b.pos(), config.numHeads(), config.numKvHeads(), config.headDim());
            ops.decodeAttention(g, p + "attention", b.attention(), b.q(), b.keyCache()[l], b.valueCache()[l], cacheType,
                    b.pos(), config.numHeads(), config.numKvHeads(), config.headDim(), capacity);
            ops.matVec(g, p + "o + residual", b.x(), lw.wo(), b.attention(), true);
            ops.rmsNorm(g, p + "ffn norm", b.xb(), b.x(), lw.postAttentionNorm().buffer(), 1, d, eps);
            ops.swiGluMatVec(g, p + "gate/up + silu", b.hidden(), lw.gate(), lw.up(), b.xb());
            ops.matVec(g, p + "down + residual", b.x(), lw.down(), b.hidden(), true);
        }
        if (logits) {
            ops.rmsNorm(g, "final norm", b.xb(), b.x(), w.finalNorm.buffer(), 1, d, eps);
            ops.matVec(g, "lm_head", b.logits(), w.lmHead, b.xb(), false);
            if (greedy) {
                ops.argmax(g, b.next(), b.logits(), config.vocabSize());
                g.transferToHost(b.next(), hostNext);
            } else {
                g.transferToHost(b.logits(), hostLogits);
            }
        }
        GraphPlan plan = g.build();
        plans.add(plan);
        return plan;
    }

    @Override
    public float[] forward(float[] embeddings, int n, boolean logitsForEveryRow) {
        checkInput(embeddings, n);
        if (n >= 2 && batched) {
            float[] logits = forwardBatched(embeddings, n, logitsForEveryRow);
            if (logits != null) {
                return logits;
            }
        }
        int d = config.hiddenSize();
        int vocab = config.vocabSize();
        float[] logits = new float[(logitsForEveryRow ? n : 1) * vocab];
        for (int t = 0; t < n; t++) {
            boolean wanted = logitsForEveryRow || t == n - 1;
            MemorySegment.copy(embeddings, t * d, hostRow, JAVA_FLOAT, 0, d);
            hostPos.set(JAVA_INT, 0, position);
            run(wanted ? rowLogitsPlan : rowPlan);
            position++;
            if (wanted) {
                MemorySegment.copy(hostLogits, JAVA_FLOAT, 0, logits, (logitsForEveryRow ? t : 0) * vocab, vocab);
            }
        }
        return logits;
    }

    @Override
    public float[] forwardTokens(int[] tokens, boolean logitsForEveryRow) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("forward needs at least one token");
        }
        checkRoom(tokens.length);
        if (tokens.length >= 2 && batched) {
            return forward(embed(tokens), tokens.length, logitsForEveryRow);
        }
        int vocab = config.vocabSize();
        float[] logits = new float[(logitsForEveryRow ? tokens.length : 1) * vocab];
        for (int t = 0; t < tokens.length; t++) {
            checkToken(tokens[t], config.vocabSize());
            boolean wanted = logitsForEveryRow || t == tokens.length - 1;
            hostToken.set(JAVA_INT, 0, tokens[t]);
            hostPos.set(JAVA_INT, 0, position);
            // A row whose logits nobody wants skips the head: it goes in as its embedding row through the row plan.
            if (wanted) {
                run(tokenLogitsPlan);
                MemorySegment.copy(hostLogits, JAVA_FLOAT, 0, logits, (logitsForEveryRow ? t : 0) * vocab, vocab);
            } else {
                MemorySegment.copy(embed(tokens[t]), 0, hostRow, JAVA_FLOAT, 0, config.hiddenSize());
                run(rowPlan);
            }
            position++;
        }
        return logits;
    }

    /**
     * {@code n} rows in batched chunks; null (nothing run) when this backend lacks a batched op, after which
     * this session prefills one position at a time.
     */
    private float[] forwardBatched(float[] embeddings, int n, boolean logitsForEveryRow) {
        if (prefill == null) {
            prefill = new DevicePrefill(config, device, w, cacheType, capacity, b, hostPos, hostLogits);
        }
        int d = config.hiddenSize();
        int vocab = config.vocabSize();
        float[] logits = new float[(logitsForEveryRow ? n : 1) * vocab];
        int done = 0;
        for (int rows : DevicePrefill.chunkLengths(n)) {
            boolean last = done + rows == n;
            DevicePrefill.Head head = logitsForEveryRow ? DevicePrefill.Head.EVERY_ROW
                    : last ? DevicePrefill.Head.LAST_ROW : DevicePrefill.Head.NONE;
            DevicePrefill.Chunk chunk;
            try {
                chunk = prefill.chunk(position, rows, head);
            } catch (UnsupportedOperationException e) {
                if (done > 0) {
                    throw e; // every chunk runs the same layer ops, so only the first can find one missing
                }
                // the backend has no kernel for an op of the batched pass: one position at a time from now on
                batched = false;
                prefill.close();
                prefill = null;
                return null;
            }
            MemorySegment.copy(embeddings, done * d, chunk.input(), JAVA_FLOAT, 0, rows * d);
            hostPos.set(JAVA_INT, 0, position);
            run(chunk.plan());
            if (logitsForEveryRow) {
                MemorySegment.copy(chunk.logits(), JAVA_FLOAT, 0, logits, done * vocab, rows * vocab);
            } else if (last) {
                MemorySegment.copy(chunk.logits(), JAVA_FLOAT, 0, logits, 0, vocab);
            }
            position += rows;
            done += rows;
        }
        return logits;
    }

    @Override
    public int forwardGreedy(int token) {
        checkToken(token, config.vocabSize());
        checkRoom(1);
        hostToken.set(JAVA_INT, 0, token);
        hostPos.set(JAVA_INT, 0, position);
        run(tokenGreedyPlan);
        position++;
        return hostNext.get(JAVA_INT, 0);
    }

    @Override
    public LlamaSession fork() {
        DeviceLlamaSession copy = new DeviceLlamaSession(config, weights, w, device, capacity, cacheType);
        copy.batched = batched;
        copy.profile = profile;
        copy.copyCacheFrom(this, 0);
        return copy;
    }

    @Override
    boolean sameCacheAs(AbstractLlamaSession other) {
        return other instanceof DeviceLlamaSession s && s.device == device && s.w == w && s.capacity == capacity
                && s.cacheType == cacheType;
    }

    /**
     * Copies the rows on the device ({@link DeviceBackend#copy}, queued in order with the graph replays): a beam's
     * own rows, per layer a key and a value range. Chosen over an index indirection in the attention kernels
     * (a per-position beam table, as some servers keep) because it leaves every decode kernel as it is, and at
     * {@code steps} generated tokens it moves at most {@code steps · kvDim · layers · 2} elements per reassigned beam
     * per step, little beside the weights the step streams (docs/benchmarks.md: a 32-position copy of stories110M
     * takes 0.2 % of a 4-beam step on PoCL).
     */
    @Override
    void copyCacheRows(AbstractLlamaSession source, int from, int to) {
        DeviceLlamaSession s = (DeviceLlamaSession) source;
        long rowBytes = (long) config.kvDim() * cacheType.bytes();
        long bytes = (to - from) * rowBytes;
        for (int l = 0; l < config.numLayers(); l++) {
            device.copy(s.b.keyCache()[l], from * rowBytes, b.keyCache()[l], from * rowBytes, bytes);
            device.copy(s.b.valueCache()[l], from * rowBytes, b.valueCache()[l], from * rowBytes, bytes);
        }
    }

    @Override
    public void profile(Profile profile) {
        this.profile = profile;
    }

    /** Replays a plan, with per-task timing when a profile is being recorded. */
    private void run(GraphPlan plan) {
        if (profile == null) {
            plan.execute();
        } else {
            profile.add(plan.executeProfiled());
        }
    }

    @Override
    public void close() {
        if (prefill != null) {
            prefill.close();
            prefill = null;
        }
        for (GraphPlan p : plans) {
            p.close();
        }
        plans.clear();
        for (DeviceBuffer buffer : List.of(b.x(), b.xb(), b.q(), b.k(), b.v(), b.attention(), b.hidden(), b.logits(),
                b.token(), b.pos(), b.next(), b.cosSin())) {
            device.release(buffer);
        }
        for (int l = 0; l < b.keyCache().length; l++) {
            device.release(b.keyCache()[l]);
            device.release(b.valueCache()[l]);
        }
        host.close();
    }
}

package videollama.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import videollama.kernels.AttentionShape;
import videollama.kernels.Cost;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceInfo;
import videollama.kernels.DeviceOps;
import videollama.kernels.DeviceTensor;
import videollama.kernels.GraphPlan;
import videollama.kernels.KernelSource;
import videollama.kernels.KvCacheType;
import videollama.kernels.Launch;
import videollama.kernels.LocalMemory;
import videollama.kernels.StridedRows;
import videollama.kernels.TaskGraph;
import videollama.kernels.Transfer;
import videollama.kernels.cuda.RecordingGraph.Recorded;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * Every task the CUDA ops emit, for every dtype and cache type, against the committed PTX, without a GPU: the
 * entry point exists, its parameters match the task's arguments in number and type (a buffer is a .u64 pointer,
 * an int or a LocalMemory offset a .u32, a float an .f32), and the grid is whole warps within CUDA's limits.
 * A mismatch here would otherwise show only on a GPU, as garbage or a crash.
 */
class CudaOpsKernelsTest {
    private static final DeviceInfo H100 = new DeviceInfo("CUDA 13.0 driver", "test device", "NVIDIA", "compute capability 9.0", false,
            132, 80L << 30, 80L << 30, 48 * 1024, 1024, 1980, true, true);

    /** Just enough of a backend for CudaOps: its device facts and buffers with made-up addresses. */
    private static final class FakeBackend implements DeviceBackend {
        long next = 0x10000;
        final List<CudaBuffer> allocated = new ArrayList<>();

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public String device() {
            return "fake";
        }

        @Override
        public void close() {}

        @Override
        public DeviceInfo info() {
            return H100;
        }

        @Override
        public DeviceBuffer allocate(String name, long bytes) {
            CudaBuffer b = new CudaBuffer(name, bytes, next);
            next += (bytes + 255) / 256 * 256;
            allocated.add(b);
            return b;
        }

        @Override
        public void release(DeviceBuffer buffer) {}

        @Override
        public void copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
            throw new UnsupportedOperationException();
        }

        @Override
        public DeviceTensor upload(Tensor tensor) {
            return new DeviceTensor(tensor.name(), allocate(tensor.name(), tensor.data().byteSize()), tensor.dtype(), tensor.shape());
        }

        @Override
        public void write(DeviceBuffer buffer, MemorySegment host) {}

        @Override
        public void read(DeviceBuffer buffer, MemorySegment host) {}

        @Override
        public void fill(DeviceBuffer buffer, int pattern) {}

        @Override
        public TaskGraph graph(String name) {
            return new RecordingGraph();
        }

        @Override
        public DeviceOps ops() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void finish() {}
    }

    private final FakeBackend backend = new FakeBackend();
    private final CudaOps ops = new CudaOps(backend);
    private final Map<String, Ptx> programs = new HashMap<>();

    private DeviceBuffer buffer(long bytes) {
        return backend.allocate("b", bytes);
    }

    private DeviceTensor weight(DType dtype, int rows, int cols) {
        return new DeviceTensor("w", buffer((long) rows * cols * dtype.byteSize()), dtype, new long[] {rows, cols});
    }

    /** A Q8_0 weight: a byte a quant, and an fp16 scale per block of 32. */
    private DeviceTensor q8Weight(int rows, int cols) {
        return new DeviceTensor("w", buffer((long) rows * cols), DType.Q8_0, new long[] {rows, cols}, buffer((long) rows * cols / 16));
    }

    /** Records every op once for each weight dtype and cache type, at model-like and odd sizes. */
    private List<Recorded> everyTask() {
        RecordingGraph g = new RecordingGraph();
        for (DType dtype : List.of(DType.F32, DType.F16, DType.BF16)) {
            ops.embedding(g, buffer(4096 * 4), weight(dtype, 32000, 4096), buffer(4), 0);
            ops.matVec(g, "matvec", buffer(4096 * 4), weight(dtype, 4096, 4096), buffer(4096 * 4), true);
            ops.matVec(g, "matvec odd", buffer(37 * 4), weight(dtype, 37, 53), buffer(53 * 4), false);
            ops.qkvMatVec(g, "qkv", buffer(4096 * 4), buffer(1024 * 4), buffer(1024 * 4), weight(dtype, 4096, 4096),
                    weight(dtype, 1024, 4096), weight(dtype, 1024, 4096), buffer(4096 * 4));
            ops.swiGluMatVec(g, "swiglu", buffer(11008 * 4), weight(dtype, 11008, 4096), weight(dtype, 11008, 4096), buffer(4096 * 4));
        }
        // Q8_0 weights go to q8_0.cu's kernels (CudaQ8_0Ops): the GEMVs, and the GEMM with and without the GELU
        ops.matVec(g, "matvec q8_0", buffer(4096 * 4), q8Weight(4096, 4096), buffer(4096 * 4), true);
        ops.swiGluMatVec(g, "swiglu q8_0", buffer(11008 * 4), q8Weight(11008, 4096), q8Weight(11008, 4096), buffer(4096 * 4));
        ops.linear(g, "linear q8_0", buffer(2056 * 1408 * 4L), buffer(2056 * 1408 * 4L), q8Weight(1408, 1408), buffer(1408 * 4),
                null, 2056, 1408, 1408);
        ops.linearGelu(g, "fc1 q8_0", buffer(2056 * 6144 * 4L), buffer(2056 * 1408 * 4L), q8Weight(6144, 1408), buffer(6144 * 4),
                2056, 6144, 1408);
        ops.rmsNorm(g, "norm", buffer(4096 * 4), buffer(4096 * 4), buffer(4096 * 4), 1, 4096, 1e-5f);
        for (KvCacheType cache : KvCacheType.values()) {
            for (int capacity : new int[] {1, 5, 105, 4096}) {
                ops.ropeAndCacheWrite(g, "rope", buffer(4096 * 4), buffer(1024 * 4), buffer(1024 * 4), buffer(capacity * 1024L * cache.bytes()),
                        buffer(capacity * 1024L * cache.bytes()), cache, buffer(capacity * 128 * 4L), capacity, buffer(4), 32, 8, 128);
                ops.decodeAttention(g, "attention", buffer(4096 * 4), buffer(4096 * 4), buffer(capacity * 1024L * cache.bytes()),
                        buffer(capacity * 1024L * cache.bytes()), cache, buffer(4), 32, 8, 128, capacity);
            }
        }
        ops.argmax(g, buffer(4), buffer(32000 * 4), 32000);
        encoderTasks(g);
        return g.tasks;
    }

    /** The encoder ops and batched prefill, at EVA's, ImageBind's, the Q-Formers' and LLaMA's sizes and odd ones. */
    private void encoderTasks(RecordingGraph g) {
        for (KvCacheType cache : KvCacheType.values()) {
            ops.ropeAndCacheWriteRows(g, "rope rows", buffer(13 * 4096 * 4), buffer(13 * 1024 * 4), buffer(13 * 1024 * 4),
                    buffer(64 * 1024L * cache.bytes()), buffer(64 * 1024L * cache.bytes()), cache, buffer(64 * 128 * 4L), 64, buffer(4),
                    13, 32, 8, 128);
            for (int headDim : new int[] {5, 32, 33, 64, 88, 128}) {
                AttentionShape s = new AttentionShape(3, 37, 257, 4, 2, headDim, AttentionShape.defaultScale(headDim), false, 0);
                DeviceBuffer q = buffer(3 * 37 * 4L * headDim * 4);
                DeviceBuffer kv = buffer(3 * 257 * 2L * headDim * cache.bytes());
                ops.attention(g, "attention", StridedRows.dense(q, s.queryWidth()), StridedRows.dense(q, s.queryWidth()),
                        StridedRows.dense(kv, s.kvWidth()), StridedRows.dense(kv, s.kvWidth()), cache, s);
            }
        }
        ops.attention(g, "q-former cross", StridedRows.dense(buffer(32 * 768 * 4), 768), StridedRows.dense(buffer(32 * 768 * 4), 768),
                StridedRows.dense(buffer(256 * 768 * 4), 768), StridedRows.dense(buffer(256 * 768 * 4), 768), KvCacheType.F32,
                AttentionShape.cross(1, 32, 256, 12, 64));
        int rows = 2056;
        int dim = 1408;
        DeviceBuffer x = buffer((long) rows * dim * 4);
        DeviceBuffer row = buffer(dim * 4L);
        ops.layerNorm(g, "layernorm", x, x, row, row, rows, dim, 1e-6f);
        ops.addLayerNorm(g, "add-layernorm", x, x, x, row, row, rows, dim, 1e-12f);
        ops.softmax(g, "softmax", x, x, rows, dim, 0.125f);
        ops.l2Normalize(g, "l2norm", x, x, rows, dim, 1e-12f, 20f);
        ops.gelu(g, "gelu", x, x, rows * dim);
        ops.biasGelu(g, "bias-gelu", x, x, row, rows, dim);
        ops.add(g, "add", x, x, x, rows * dim - 3);
        ops.addBias(g, "add-bias", x, x, row, rows, dim);
        ops.swiGlu(g, "swiglu", x, x, x, 7 * 11008);
        for (DType dtype : List.of(DType.F32, DType.F16, DType.BF16)) {
            DeviceTensor filters = new DeviceTensor("w", buffer(1408L * 3 * 14 * 14 * dtype.byteSize()), dtype, new long[] {1408, 3, 14, 14});
            ops.patchEmbedding(g, "patch-embed", buffer(8 * 256 * 1408 * 4L), buffer(8 * 3 * 224 * 224 * 4L), filters, buffer(1408 * 4),
                    8, 224, 224, 14);
        }
        DeviceTensor audio = new DeviceTensor("w", buffer(768L * 16 * 16 * 4), DType.F32, new long[] {768, 1, 16, 16});
        ops.patchEmbedding(g, "audio patch-embed", buffer(3 * 228 * 768 * 4L), buffer(3 * 128 * 204 * 4L), audio, null, 3, 128, 204, 10);
        ops.prependClassToken(g, "cls", buffer(8 * 257 * 1408 * 4L), buffer(8 * 256 * 1408 * 4L), buffer(1408 * 4), buffer(257 * 1408 * 4L),
                8, 256, 1408);
        ops.prependClassToken(g, "cls", buffer(8 * 257 * 1408 * 4L), buffer(8 * 256 * 1408 * 4L), buffer(1408 * 4), null, 8, 256, 1408);
        ops.addPositions(g, "positions", buffer(3 * 229 * 768 * 4L), buffer(229 * 768 * 4L), 3, 229, 768);
    }

    private Ptx program(String name) {
        return programs.computeIfAbsent(name, n -> Ptx.parse(CommittedPtx.text(n)));
    }

    private static String ptxType(Object arg) {
        return switch (arg) {
            case DeviceBuffer b -> "u64";
            case Integer i -> "u32";
            case Float f -> "f32";
            case LocalMemory m -> "u32";
            default -> "unsupported " + arg.getClass().getSimpleName();
        };
    }

    @Test
    void everyTaskMatchesItsPtxEntryPoint() {
        List<Recorded> tasks = everyTask();
        assertTrue(tasks.size() > 20);
        for (Recorded t : tasks) {
            List<String> params = program(t.kernel().program()).entries().get(t.kernel().entry());
            assertNotNull(params, t.kernel().program() + ".ptx has no entry " + t.kernel().entry());
            List<String> args = java.util.Arrays.stream(t.args()).map(CudaOpsKernelsTest::ptxType).toList();
            assertEquals(params, args, t.name() + " (" + t.kernel().entry() + "): PTX parameters vs task arguments");
            assertEquals("", t.kernel().options(), t.name());
        }
    }

    @Test
    void everyLaunchIsWholeWarpsWithinLimits() {
        for (Recorded t : everyTask()) {
            LaunchShape s = LaunchShape.of(t.launch(), H100.maxWorkGroupSize(), t.name());
            assertEquals(0, s.blockX() % 32, t.name() + ": blocks must be whole warps (the kernels shuffle over 32 lanes)");
            assertEquals(1, s.blockY() * s.blockZ(), t.name());
            try (Arena arena = Arena.ofConfined()) {
                KernelParams p = KernelParams.of(t.name(), t.args(), arena, CudaBackend::address);
                assertTrue(p.sharedMemoryBytes() <= H100.localMemoryBytes(), t.name() + ": " + p.sharedMemoryBytes() + " bytes of shared memory");
            }
        }
    }

    @Test
    void gemvGridsHaveAWarpForEveryRow() {
        for (Recorded t : everyTask()) {
            if (t.kernel().program().equals("gemv")) {
                LaunchShape s = LaunchShape.of(t.launch(), 1024, t.name());
                String entry = t.kernel().entry();
                if (entry.equals("matvec_combine")) { // a thread per row
                    int rows = (Integer) t.args()[2];
                    long threads = (long) s.gridX() * s.blockX();
                    assertTrue(threads >= rows && threads < rows + s.blockX(), t.name() + ": " + threads + " threads for " + rows + " rows");
                    continue;
                }
                long rows = entry.startsWith("qkv")
                        ? (Integer) t.args()[7] + 2 * (Integer) t.args()[8]
                        : (Integer) t.args()[entry.startsWith("swiglu") ? 4 : 3];
                if (entry.startsWith("matvec_split")) { // a warp per range of a row, ranges covering the row
                    int cols = (Integer) t.args()[4];
                    int sliceCols = (Integer) t.args()[5];
                    int slices = (Integer) t.args()[6];
                    assertEquals(0, sliceCols % 8, t.name() + ": ranges start 16-byte aligned");
                    assertTrue((long) sliceCols * slices >= cols && (long) sliceCols * (slices - 1) < cols, t.name() + ": ranges cover the row");
                    rows *= slices;
                }
                long warps = (long) s.gridX() * (s.blockX() / 32);
                assertTrue(warps >= rows && warps < rows + s.blockX() / 32, t.name() + ": " + warps + " warps for " + rows + " rows");
            }
        }
    }

    @Test
    void gemvSplitsOnlyMatricesWithFewRows() {
        assertTrue(everyTask().stream().anyMatch(t -> t.kernel().entry().startsWith("matvec_split")), "4096x4096 on 132 SMs is split");
        assertEquals(3, CudaGemvOps.splitKSlices(4096, 11008, 132)); // 31 warps per SM: split to fill 64
        assertEquals(3, CudaGemvOps.splitKSlices(4096, 4096, 132));
        assertEquals(1, CudaGemvOps.splitKSlices(11008, 4096, 132));
        assertEquals(1, CudaGemvOps.splitKSlices(32000, 4096, 132));
        assertEquals(3, CudaGemvOps.splitKSlices(768, 3072, 132));   // ranges of at least 1,024 columns
        assertEquals(0, CudaGemvOps.splitKSlices(768, 768, 132));    // too narrow to cut
        assertEquals(32, CudaGemvOps.splitKSlices(8, 65536, 132));
    }

    @Test
    void attentionSlicesCoverTheCacheAndTheMergeReadsThemAll() {
        for (Recorded t : everyTask()) {
            if (t.kernel().entry().startsWith("decode_attention_slices")) {
                LaunchShape s = LaunchShape.of(t.launch(), 1024, t.name());
                int slice = (Integer) t.args()[8];
                long warps = (long) s.gridY() * (s.blockX() / 32);
                assertEquals(32, s.gridX(), "one block column per query head");
                DeviceBuffer keys = (DeviceBuffer) t.args()[2];
                long capacity = keys.bytes() / 1024 / (t.kernel().entry().endsWith("f16") ? 2 : 4);
                assertTrue(warps * slice >= capacity, t.name() + ": " + warps + " slices of " + slice + " for " + capacity + " positions");
                DeviceBuffer partials = (DeviceBuffer) t.args()[0];
                assertTrue(partials.bytes() >= 32 * warps * (2 + 128) * 4, "partials buffer");
            }
            if (t.kernel().entry().equals("decode_attention_merge")) {
                int parts = (Integer) t.args()[4];
                assertEquals(new LocalMemory(parts * 4L), t.args()[6]);
            }
        }
    }

    @Test
    void attentionWorkspacesAreSharedBetweenTasksOfOneShape() {
        RecordingGraph g = new RecordingGraph();
        for (int layer = 0; layer < 3; layer++) {
            ops.decodeAttention(g, "attention", buffer(64), buffer(64), buffer(1 << 20), buffer(1 << 20), KvCacheType.F16, buffer(4), 8, 8, 64, 512);
        }
        ops.decodeAttention(g, "attention", buffer(64), buffer(64), buffer(1 << 20), buffer(1 << 20), KvCacheType.F16, buffer(4), 8, 8, 64, 1024);
        assertEquals(2, backend.allocated.stream().filter(b -> b.name().equals("attention partials")).count());
    }

    @Test
    void unsupportedShapesAreRefused() {
        RecordingGraph g = new RecordingGraph();
        assertThrows(IllegalArgumentException.class, () -> ops.decodeAttention(g, "a", buffer(4), buffer(4), buffer(4), buffer(4),
                KvCacheType.F32, buffer(4), 8, 3, 64, 16));
        assertThrows(IllegalArgumentException.class, () -> ops.decodeAttention(g, "a", buffer(4), buffer(4), buffer(4), buffer(4),
                KvCacheType.F32, buffer(4), 2, 2, 512, 16));
        assertThrows(IllegalArgumentException.class, () -> ops.matVec(g, "m", buffer(4), weight(DType.I32, 2, 2), buffer(8), false));
        AttentionShape wide = AttentionShape.selfAttention(4, 1, 160);
        DeviceBuffer rows = buffer(4 * 160 * 4);
        assertThrows(IllegalArgumentException.class, () -> ops.attention(g, "a", StridedRows.dense(rows, 160), StridedRows.dense(rows, 160),
                StridedRows.dense(rows, 160), StridedRows.dense(rows, 160), KvCacheType.F32, wide));
        assertThrows(IllegalArgumentException.class, () -> ops.ropeAndCacheWriteRows(g, "r", rows, rows, rows, rows, rows, KvCacheType.F32,
                rows, 4, buffer(4), 2, 1, 1, 7));
    }

    /** The flash kernel is compiled for blocks of at most 128 threads (__launch_bounds__); a GPU refuses larger ones. */
    @Test
    void flashAttentionBlocksStayWithinTheKernelsLaunchBounds() {
        for (Recorded t : everyTask()) {
            if (t.kernel().program().equals("flash_attention")) {
                LaunchShape s = LaunchShape.of(t.launch(), 1024, t.name());
                assertTrue(s.blockX() <= CudaAttentionOps.MAX_BLOCK_QUERIES * CudaAttentionOps.THREADS_PER_QUERY && s.blockX() <= 128, t.name());
                assertTrue(program("flash_attention").entries().containsKey(t.kernel().entry()), t.kernel().entry());
            }
        }
        assertEquals(8, CudaAttentionOps.blockQueries(1));
        assertEquals(8, CudaAttentionOps.blockQueries(8));
        assertEquals(16, CudaAttentionOps.blockQueries(13));
        assertEquals(32, CudaAttentionOps.blockQueries(32));
        assertEquals(32, CudaAttentionOps.blockQueries(257));
        assertEquals(96, CudaAttentionOps.headCapacity("eva", 88));
        assertEquals(128, CudaAttentionOps.headCapacity("llama", 128));
        assertEquals(32, CudaAttentionOps.headCapacity("odd", 5));
    }
}

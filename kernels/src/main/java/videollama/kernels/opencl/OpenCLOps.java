package videollama.kernels.opencl;

import videollama.kernels.AttentionShape;
import videollama.kernels.Cost;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceOps;
import videollama.kernels.DeviceTensor;
import videollama.kernels.KernelSource;
import videollama.kernels.KvCacheType;
import videollama.kernels.Launch;
import videollama.kernels.LocalMemory;
import videollama.kernels.StridedRows;
import videollama.kernels.TaskGraph;
import videollama.weights.DType;

/**
 * The op catalogue in OpenCL C: which kernel, with which options and grid, for each op. The decode ops live
 * here; the encoder families each have their own class (norms, GEMM, attention, patch convolution).
 */
final class OpenCLOps implements DeviceOps {
    private final OpenCLBackend backend;
    private final OpenCLNormOps norms;
    private final OpenCLGemmOps gemm;
    private final OpenCLAttentionOps attention;
    private final OpenCLConvOps conv;
    private final OpenCLDecodeAttention decodeAttention;
    private final OpenCLMatVec matVec;
    /** Work-group size of the row-per-group kernels: a power of two the device accepts. */
    private final int groupSize;
    /** CPU devices get the row-per-work-item kernels with wide vector loads (see gemv.cl). */
    private final boolean wide;
    /** Work-items per group for the row-per-item kernels. */
    private final int wideGroup;

    OpenCLOps(OpenCLBackend backend) {
        this.backend = backend;
        this.groupSize = (int) Math.min(64, Long.highestOneBit(backend.info().maxWorkGroupSize()));
        this.wide = backend.info().isCpu() && !"0".equals(System.getenv("VIDEOLLAMA_OPENCL_WIDE"));
        this.wideGroup = Integer.parseInt(System.getenv().getOrDefault("VIDEOLLAMA_OPENCL_WIDE_GROUP", "4"));
        this.norms = new OpenCLNormOps(backend.info());
        this.gemm = new OpenCLGemmOps(backend);
        this.attention = new OpenCLAttentionOps(backend);
        this.conv = new OpenCLConvOps(backend);
        this.decodeAttention = new OpenCLDecodeAttention(backend);
        this.matVec = new OpenCLMatVec(backend);
    }

    static String weightOption(DType dtype) {
        return switch (dtype) {
            case F32 -> "";
            case F16 -> "-DWEIGHT_F16";
            case BF16 -> "-DWEIGHT_BF16";
            default -> throw new IllegalArgumentException("weights must be F32, F16 or BF16, not " + dtype);
        };
    }

    private static String kvOption(KvCacheType type) {
        return type == KvCacheType.F16 ? "-DKV_F16" : "";
    }

    private static long bytes(DeviceTensor w) {
        return (long) w.rows() * w.cols() * w.dtype().byteSize();
    }

    @Override
    public void embedding(TaskGraph g, DeviceBuffer out, DeviceTensor table, DeviceBuffer ids, int index) {
        int dim = table.cols();
        g.task("embedding", new KernelSource("embedding", "embedding", weightOption(table.dtype())),
                Launch.items(dim, groupSize), new Cost((long) dim * (table.dtype().byteSize() + 4), 0),
                out, table.buffer(), ids, index, dim);
    }

    @Override
    public void rmsNorm(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer weight, int rows, int dim, float eps) {
        g.task(name, new KernelSource("rmsnorm", "rms_norm"), Launch.groups(rows, groupSize),
                new Cost((long) rows * dim * 8 + dim * 4L, 4L * rows * dim),
                out, x, weight, dim, eps, new LocalMemory(groupSize * 4L));
    }

    @Override
    public void matVec(TaskGraph g, String name, DeviceBuffer out, DeviceTensor w, DeviceBuffer x, boolean accumulate) {
        matVec.matVec(g, name, out, w, x, accumulate);
    }

    @Override
    public void qkvMatVec(TaskGraph g, String name, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v,
                          DeviceTensor wq, DeviceTensor wk, DeviceTensor wv, DeviceBuffer x) {
        if (wk.rows() != wv.rows() || wq.cols() != wk.cols() || wk.cols() != wv.cols()
                || wq.dtype() != wk.dtype() || wk.dtype() != wv.dtype()) {
            throw new IllegalArgumentException(name + ": q/k/v weights " + wq + ", " + wk + ", " + wv + " do not fit together");
        }
        int rows = wq.rows() + 2 * wk.rows();
        Cost cost = new Cost(bytes(wq) + 2 * bytes(wk) + wq.cols() * 4L + rows * 4L, 2L * rows * wq.cols());
        String option = weightOption(wq.dtype());
        if (wide) {
            g.task(name, new KernelSource("gemv", "qkv_matvec_wide", option), Launch.items(rows, wideGroup), cost,
                    q, k, v, wq.buffer(), wk.buffer(), wv.buffer(), x, wq.rows(), wk.rows(), wq.cols());
            return;
        }
        g.task(name, new KernelSource("gemv", "qkv_matvec", option), Launch.groups(rows, groupSize), cost,
                q, k, v, wq.buffer(), wk.buffer(), wv.buffer(), x, wq.rows(), wk.rows(), wq.cols(), new LocalMemory(groupSize * 4L));
    }

    @Override
    public void swiGluMatVec(TaskGraph g, String name, DeviceBuffer out, DeviceTensor gate, DeviceTensor up, DeviceBuffer x) {
        if (gate.rows() != up.rows() || gate.cols() != up.cols() || gate.dtype() != up.dtype()) {
            throw new IllegalArgumentException(name + ": gate " + gate + " and up " + up + " differ");
        }
        Cost cost = new Cost(2 * bytes(gate) + gate.cols() * 4L + gate.rows() * 4L, 4L * gate.rows() * gate.cols());
        if (wide) {
            g.task(name, new KernelSource("gemv", "swiglu_matvec_wide", weightOption(gate.dtype())),
                    Launch.items(gate.rows(), wideGroup), cost, out, gate.buffer(), up.buffer(), x, gate.rows(), gate.cols());
            return;
        }
        g.task(name, new KernelSource("gemv", "swiglu_matvec", weightOption(gate.dtype())), Launch.groups(gate.rows(), groupSize),
                cost, out, gate.buffer(), up.buffer(), x, gate.cols(), new LocalMemory(groupSize * 4L));
    }

    @Override
    public void ropeAndCacheWrite(TaskGraph g, String name, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v,
                                  DeviceBuffer keyCache, DeviceBuffer valueCache, KvCacheType cacheType,
                                  DeviceBuffer cosSin, int tablePositions, DeviceBuffer pos, int heads, int kvHeads, int headDim) {
        int pairs = (heads + kvHeads) * headDim / 2;
        g.task(name, new KernelSource("rope", "rope_cache_write", kvOption(cacheType)), Launch.items(pairs, groupSize),
                new Cost((long) (heads + 2 * kvHeads) * headDim * 8 + (long) kvHeads * headDim * 2 * cacheType.bytes(), 6L * pairs),
                q, k, v, keyCache, valueCache, cosSin, tablePositions, pos, heads, kvHeads, headDim);
    }

    @Override
    public void ropeAndCacheWriteRows(TaskGraph g, String name, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v,
                                      DeviceBuffer keyCache, DeviceBuffer valueCache, KvCacheType cacheType, DeviceBuffer cosSin,
                                      int tablePositions, DeviceBuffer pos, int rows, int heads, int kvHeads, int headDim) {
        if (rows < 1 || headDim % 2 != 0) {
            throw new IllegalArgumentException(name + ": " + rows + " rows of heads of " + headDim + " (rows >= 1, even heads)");
        }
        long qFloats = (long) rows * heads * headDim;
        long kvFloats = (long) rows * kvHeads * headDim;
        requireBytes(name, "q", q, 4 * qFloats);
        requireBytes(name, "k", k, 4 * kvFloats);
        requireBytes(name, "v", v, 4 * kvFloats);
        requireBytes(name, "key cache", keyCache, (long) tablePositions * kvHeads * headDim * cacheType.bytes());
        requireBytes(name, "value cache", valueCache, (long) tablePositions * kvHeads * headDim * cacheType.bytes());
        int pairs = (heads + kvHeads) * headDim / 2;
        g.task(name, new KernelSource("rope", "rope_cache_write_rows", kvOption(cacheType)),
                Launch.groups2d((pairs + groupSize - 1) / groupSize, groupSize, rows),
                new Cost(8 * qFloats + 12 * kvFloats + 2 * kvFloats * cacheType.bytes(), 6L * pairs * rows),
                q, k, v, keyCache, valueCache, cosSin, tablePositions, pos, rows, heads, kvHeads, headDim);
    }

    private static void requireBytes(String name, String what, DeviceBuffer b, long bytes) {
        if (b.bytes() < bytes) {
            throw new IllegalArgumentException(name + ": " + what + " " + b.name() + " holds " + b.bytes() + " bytes, needs " + bytes);
        }
    }

    @Override
    public void decodeAttention(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer q, DeviceBuffer keyCache,
                                DeviceBuffer valueCache, KvCacheType cacheType, DeviceBuffer pos,
                                int heads, int kvHeads, int headDim, int capacity) {
        decodeAttention.decodeAttention(g, name, out, q, keyCache, valueCache, cacheType, pos, heads, kvHeads, headDim, capacity);
    }

    @Override
    public void argmax(TaskGraph g, DeviceBuffer out, DeviceBuffer x, int n) {
        int size = (int) Math.min(256, Long.highestOneBit(backend.info().maxWorkGroupSize()));
        g.task("argmax", new KernelSource("argmax", "argmax"), Launch.groups(1, size), new Cost(4L * n, n),
                out, x, n, new LocalMemory(size * 4L), new LocalMemory(size * 4L));
    }

    @Override
    public void swiGlu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer gate, DeviceBuffer up, int n) {
        if (n < 1) {
            throw new IllegalArgumentException(name + ": " + n + " elements");
        }
        requireBytes(name, "out", out, 4L * n);
        requireBytes(name, "gate", gate, 4L * n);
        requireBytes(name, "up", up, 4L * n);
        g.task(name, new KernelSource("activations", "swiglu"), Launch.items(n, groupSize), new Cost(12L * n, 5L * n),
                out, gate, up, n);
    }

    // ---- encoder families, delegated ------------------------------------------------------------------------------

    @Override
    public void linear(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias,
                       DeviceBuffer residual, int m, int n, int k) {
        gemm.linear(g, name, out, x, w, bias, residual, m, n, k);
    }

    @Override
    public void layerNorm(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer weight, DeviceBuffer bias,
                          int rows, int dim, float eps) {
        norms.layerNorm(g, name, out, x, weight, bias, rows, dim, eps);
    }

    @Override
    public void addLayerNorm(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer residual, DeviceBuffer weight,
                             DeviceBuffer bias, int rows, int dim, float eps) {
        norms.addLayerNorm(g, name, out, x, residual, weight, bias, rows, dim, eps);
    }

    @Override
    public void gelu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, int n) {
        norms.gelu(g, name, out, x, n);
    }

    @Override
    public void biasGelu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer bias, int rows, int width) {
        norms.biasGelu(g, name, out, x, bias, rows, width);
    }

    @Override
    public void softmax(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, int rows, int cols, float scale) {
        norms.softmax(g, name, out, x, rows, cols, scale);
    }

    @Override
    public void l2Normalize(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, int rows, int dim, float eps, float scale) {
        norms.l2Normalize(g, name, out, x, rows, dim, eps, scale);
    }

    @Override
    public void add(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer a, DeviceBuffer b, int n) {
        norms.add(g, name, out, a, b, n);
    }

    @Override
    public void addBias(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer bias, int rows, int width) {
        norms.addBias(g, name, out, x, bias, rows, width);
    }

    @Override
    public void attention(TaskGraph g, String name, StridedRows out, StridedRows q, StridedRows k, StridedRows v,
                          KvCacheType kvType, AttentionShape shape) {
        attention.attention(g, name, out, q, k, v, kvType, shape);
    }

    @Override
    public void patchEmbedding(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer images, DeviceTensor weight,
                               DeviceBuffer bias, int batch, int height, int width, int stride) {
        conv.patchEmbedding(g, name, out, images, weight, bias, batch, height, width, stride);
    }

    @Override
    public void prependClassToken(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer tokens, DeviceBuffer cls,
                                  DeviceBuffer positions, int batch, int patches, int dim) {
        conv.prependClassToken(g, name, out, tokens, cls, positions, batch, patches, dim);
    }

    @Override
    public void addPositions(TaskGraph g, String name, DeviceBuffer x, DeviceBuffer positions, int batch, int tokens, int dim) {
        conv.addPositions(g, name, x, positions, batch, tokens, dim);
    }
}

package videollama.kernels.cuda;

import videollama.kernels.Cost;
import videollama.kernels.DecodeOpCosts;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceTensor;
import videollama.kernels.FamilyDeviceOps;
import videollama.kernels.KernelSource;
import videollama.kernels.KvCacheType;
import videollama.kernels.Launch;
import videollama.kernels.OpChecks;
import videollama.kernels.TaskGraph;

/**
 * The op catalogue in CUDA C (the {@code .cu} files): the decode ops that have no family of their own (embedding,
 * RMSNorm, RoPE with the cache write, argmax) here, the rest in the family classes ({@link CudaGemvOps},
 * {@link CudaDecodeAttentionOps}, {@link CudaGemmOps}, {@link CudaNormOps}, {@link CudaAttentionOps},
 * {@link CudaConvOps}), as in OpenCLOps. Same parameters, semantics and {@link Cost}s as the OpenCL ops; each
 * weight dtype and cache type is its own entry point ({@code embedding_f16}, {@code rope_cache_write_f32}, ...).
 */
final class CudaOps extends FamilyDeviceOps {
    /** Threads per block of the element-wise and row-per-block kernels. */
    static final int THREADS = 256;
    /** Threads of the one argmax block (fewer if the device allows fewer). */
    static final int ARGMAX_THREADS = 1024;

    private final DeviceBackend backend;

    CudaOps(DeviceBackend backend) {
        // gemm.cu: fp32 SIMT for F32 weights, tensor cores for F16 / BF16; the tile is chosen from the shape
        super(new Families(new CudaGemvOps(backend), new CudaDecodeAttentionOps(backend), new CudaGemmOps(backend.info()),
                new CudaNormOps(), new CudaAttentionOps(), new CudaConvOps(), new CudaQ8_0Ops(backend)));
        this.backend = backend;
    }

    static String suffix(KvCacheType type) {
        return type == KvCacheType.F16 ? "f16" : "f32";
    }

    @Override
    public void embedding(TaskGraph g, DeviceBuffer out, DeviceTensor table, DeviceBuffer ids, int index) {
        int dim = table.cols();
        g.task("embedding", new KernelSource("embedding", "embedding_" + OpChecks.floatWeight(table.dtype())),
                Launch.items(dim, THREADS), DecodeOpCosts.embedding(dim, table.dtype()),
                out, table.buffer(), ids, index, dim);
    }

    @Override
    public void rmsNorm(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer weight, int rows, int dim, float eps) {
        g.task(name, new KernelSource("rmsnorm", "rms_norm"), Launch.groups(rows, THREADS),
                DecodeOpCosts.rmsNorm(rows, dim),
                out, x, weight, dim, eps);
    }

    @Override
    public void ropeAndCacheWrite(TaskGraph g, String name, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v,
                                  DeviceBuffer keyCache, DeviceBuffer valueCache, KvCacheType cacheType,
                                  DeviceBuffer cosSin, int tablePositions, DeviceBuffer pos, int heads, int kvHeads, int headDim) {
        int pairs = (heads + kvHeads) * headDim / 2;
        g.task(name, new KernelSource("rope", "rope_cache_write_" + suffix(cacheType)), Launch.items(pairs, THREADS),
                DecodeOpCosts.ropeAndCacheWrite(cacheType, heads, kvHeads, headDim),
                q, k, v, keyCache, valueCache, cosSin, tablePositions, pos, heads, kvHeads, headDim);
    }

    @Override
    public void argmax(TaskGraph g, DeviceBuffer out, DeviceBuffer x, int n) {
        int threads = (int) Math.min(ARGMAX_THREADS, backend.info().maxWorkGroupSize()) / 32 * 32;
        g.task("argmax", new KernelSource("argmax", "argmax"), Launch.groups(1, threads), DecodeOpCosts.argmax(n),
                out, x, n);
    }

    @Override
    public void ropeAndCacheWriteRows(TaskGraph g, String name, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v,
                                      DeviceBuffer keyCache, DeviceBuffer valueCache, KvCacheType cacheType, DeviceBuffer cosSin,
                                      int tablePositions, DeviceBuffer pos, int rows, int heads, int kvHeads, int headDim) {
        OpChecks.requireRopeRows(name, q, k, v, keyCache, valueCache, cacheType, tablePositions, rows, heads, kvHeads, headDim);
        int pairs = (heads + kvHeads) * headDim / 2;
        // One thread per pair of every row, in a 1-D grid (rope.cu).
        g.task(name, new KernelSource("rope", "rope_cache_write_rows_" + suffix(cacheType)), Launch.items((long) rows * pairs, THREADS),
                DecodeOpCosts.ropeAndCacheWriteRows(cacheType, rows, heads, kvHeads, headDim),
                q, k, v, keyCache, valueCache, cosSin, tablePositions, pos, rows, heads, kvHeads, headDim);
    }
}

package videollama.kernels.cuda;

import videollama.kernels.Cost;
import videollama.kernels.DecodeOpCosts;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.FamilyDeviceOps;
import videollama.kernels.KernelSource;
import videollama.kernels.KvCacheType;
import videollama.kernels.Launch;
import videollama.kernels.OpChecks;
import videollama.kernels.TaskGraph;
import videollama.weights.DType;

/**
 * The op catalogue in CUDA C (the {@code .cu} files): the decode ops that have no family of their own (RMSNorm, RoPE
 * with the cache write over rows, argmax) here; the embedding and one position's RoPE in {@link FamilyDeviceOps}; the
 * rest in the family classes ({@link CudaGemvOps},
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
    protected int elementGroup() {
        return THREADS;
    }

    @Override
    protected KernelSource weightKernel(String program, String entry, DType dtype) {
        return new KernelSource(program, entry + "_" + OpChecks.floatWeight(dtype));
    }

    @Override
    protected KernelSource cacheKernel(String program, String entry, KvCacheType type) {
        return new KernelSource(program, entry + "_" + suffix(type));
    }

    /** One thread per pair of every row, in a 1-D grid (rope.cu). */
    @Override
    protected Launch ropeRowsLaunch(int pairs, int rows) {
        return Launch.items((long) rows * pairs, THREADS);
    }

    @Override
    public void rmsNorm(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer weight, int rows, int dim, float eps) {
        g.task(name, new KernelSource("rmsnorm", "rms_norm"), Launch.groups(rows, THREADS),
                DecodeOpCosts.rmsNorm(rows, dim),
                out, x, weight, dim, eps);
    }

    @Override
    public void argmax(TaskGraph g, DeviceBuffer out, DeviceBuffer x, int n) {
        int threads = (int) Math.min(ARGMAX_THREADS, backend.info().maxWorkGroupSize()) / 32 * 32;
        g.task("argmax", new KernelSource("argmax", "argmax"), Launch.groups(1, threads), DecodeOpCosts.argmax(n),
                out, x, n);
    }
}

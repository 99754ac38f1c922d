package videollama.kernels.opencl;

import java.util.Locale;
import videollama.kernels.DecodeOpCosts;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.FamilyDeviceOps;
import videollama.kernels.KernelSource;
import videollama.kernels.KvCacheType;
import videollama.kernels.Launch;
import videollama.kernels.LocalMemory;
import videollama.kernels.OpChecks;
import videollama.kernels.TaskGraph;
import videollama.weights.DType;

/**
 * The op catalogue in OpenCL C: the decode ops that have no family of their own (RMSNorm, RoPE with the cache write
 * over rows, argmax) here, with how a kernel is built for a weight or cache type (a build option: {@code -DWEIGHT_F16},
 * {@code -DKV_F16}); the embedding and one position's RoPE in {@link FamilyDeviceOps}; the rest in the family classes
 * ({@link OpenCLGemvOps}, {@link OpenCLDecodeAttentionOps},
 * {@link OpenCLGemmOps}, {@link OpenCLNormOps}, {@link OpenCLAttentionOps}, {@link OpenCLConvOps}, {@link OpenCLQ8_0Ops}),
 * as in CudaOps.
 */
final class OpenCLOps extends FamilyDeviceOps {
    private final OpenCLBackend backend;
    /** Work-group size of the row-per-group kernels: a power of two the device accepts. */
    private final int groupSize;

    OpenCLOps(OpenCLBackend backend) {
        super(new Families(new OpenCLGemvOps(backend), new OpenCLDecodeAttentionOps(backend), new OpenCLGemmOps(backend),
                new OpenCLNormOps(backend.info()), new OpenCLAttentionOps(backend), new OpenCLConvOps(backend),
                new OpenCLQ8_0Ops(backend)));
        this.backend = backend;
        this.groupSize = backend.info().groupSize(64);
    }

    /** The build option of a float weight's kernels: none for F32, {@code -DWEIGHT_F16} or {@code -DWEIGHT_BF16}. */
    static String weightOption(DType dtype) {
        String weight = OpChecks.floatWeight(dtype);
        return dtype == DType.F32 ? "" : "-DWEIGHT_" + weight.toUpperCase(Locale.ROOT);
    }

    @Override
    protected int elementGroup() {
        return groupSize;
    }

    @Override
    protected KernelSource weightKernel(String program, String entry, DType dtype) {
        return new KernelSource(program, entry, weightOption(dtype));
    }

    @Override
    protected KernelSource cacheKernel(String program, String entry, KvCacheType type) {
        return new KernelSource(program, entry, type == KvCacheType.F16 ? "-DKV_F16" : "");
    }

    /** A grid row per row, its items one per pair (rope.cl). */
    @Override
    protected Launch ropeRowsLaunch(int pairs, int rows) {
        return Launch.groups2d((pairs + groupSize - 1) / groupSize, groupSize, rows);
    }

    @Override
    public void rmsNorm(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer weight, int rows, int dim, float eps) {
        g.task(name, new KernelSource("rmsnorm", "rms_norm"), Launch.groups(rows, groupSize),
                DecodeOpCosts.rmsNorm(rows, dim),
                out, x, weight, dim, eps, new LocalMemory(groupSize * 4L));
    }

    @Override
    public void argmax(TaskGraph g, DeviceBuffer out, DeviceBuffer x, int n) {
        int size = backend.info().groupSize(256);
        g.task("argmax", new KernelSource("argmax", "argmax"), Launch.groups(1, size), DecodeOpCosts.argmax(n),
                out, x, n, new LocalMemory(size * 4L), new LocalMemory(size * 4L));
    }
}

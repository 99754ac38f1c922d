package videollama.kernels.opencl;

import java.util.Locale;
import videollama.kernels.DecodeOpCosts;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.FamilyDeviceOps;
import videollama.kernels.DeviceTensor;
import videollama.kernels.KernelSource;
import videollama.kernels.KvCacheType;
import videollama.kernels.Launch;
import videollama.kernels.LocalMemory;
import videollama.kernels.OpChecks;
import videollama.kernels.TaskGraph;
import videollama.weights.DType;

/**
 * The op catalogue in OpenCL C: the decode ops that have no family of their own (embedding, RMSNorm, RoPE with the
 * cache write, argmax) here, the rest in the family classes ({@link OpenCLGemvOps}, {@link OpenCLDecodeAttentionOps},
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
        this.groupSize = (int) Math.min(64, Long.highestOneBit(backend.info().maxWorkGroupSize()));
    }

    /** The build option of a float weight's kernels: none for F32, {@code -DWEIGHT_F16} or {@code -DWEIGHT_BF16}. */
    static String weightOption(DType dtype) {
        String weight = OpChecks.floatWeight(dtype);
        return dtype == DType.F32 ? "" : "-DWEIGHT_" + weight.toUpperCase(Locale.ROOT);
    }

    private static String kvOption(KvCacheType type) {
        return type == KvCacheType.F16 ? "-DKV_F16" : "";
    }

    @Override
    public void embedding(TaskGraph g, DeviceBuffer out, DeviceTensor table, DeviceBuffer ids, int index) {
        int dim = table.cols();
        g.task("embedding", new KernelSource("embedding", "embedding", weightOption(table.dtype())),
                Launch.items(dim, groupSize), DecodeOpCosts.embedding(dim, table.dtype()),
                out, table.buffer(), ids, index, dim);
    }

    @Override
    public void rmsNorm(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer weight, int rows, int dim, float eps) {
        g.task(name, new KernelSource("rmsnorm", "rms_norm"), Launch.groups(rows, groupSize),
                DecodeOpCosts.rmsNorm(rows, dim),
                out, x, weight, dim, eps, new LocalMemory(groupSize * 4L));
    }

    @Override
    public void ropeAndCacheWrite(TaskGraph g, String name, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v,
                                  DeviceBuffer keyCache, DeviceBuffer valueCache, KvCacheType cacheType,
                                  DeviceBuffer cosSin, int tablePositions, DeviceBuffer pos, int heads, int kvHeads, int headDim) {
        int pairs = (heads + kvHeads) * headDim / 2;
        g.task(name, new KernelSource("rope", "rope_cache_write", kvOption(cacheType)), Launch.items(pairs, groupSize),
                DecodeOpCosts.ropeAndCacheWrite(cacheType, heads, kvHeads, headDim),
                q, k, v, keyCache, valueCache, cosSin, tablePositions, pos, heads, kvHeads, headDim);
    }

    @Override
    public void ropeAndCacheWriteRows(TaskGraph g, String name, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v,
                                      DeviceBuffer keyCache, DeviceBuffer valueCache, KvCacheType cacheType, DeviceBuffer cosSin,
                                      int tablePositions, DeviceBuffer pos, int rows, int heads, int kvHeads, int headDim) {
        OpChecks.requireRopeRows(name, q, k, v, keyCache, valueCache, cacheType, tablePositions, rows, heads, kvHeads, headDim);
        int pairs = (heads + kvHeads) * headDim / 2;
        g.task(name, new KernelSource("rope", "rope_cache_write_rows", kvOption(cacheType)),
                Launch.groups2d((pairs + groupSize - 1) / groupSize, groupSize, rows),
                DecodeOpCosts.ropeAndCacheWriteRows(cacheType, rows, heads, kvHeads, headDim),
                q, k, v, keyCache, valueCache, cosSin, tablePositions, pos, rows, heads, kvHeads, headDim);
    }

    @Override
    public void argmax(TaskGraph g, DeviceBuffer out, DeviceBuffer x, int n) {
        int size = (int) Math.min(256, Long.highestOneBit(backend.info().maxWorkGroupSize()));
        g.task("argmax", new KernelSource("argmax", "argmax"), Launch.groups(1, size), DecodeOpCosts.argmax(n),
                out, x, n, new LocalMemory(size * 4L), new LocalMemory(size * 4L));
    }
}

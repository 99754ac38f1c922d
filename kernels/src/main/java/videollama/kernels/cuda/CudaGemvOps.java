package videollama.kernels.cuda;

import videollama.kernels.Cost;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.GemvOps;
import videollama.kernels.DeviceTensor;
import videollama.kernels.KernelSource;
import videollama.kernels.KernelVariant;
import videollama.kernels.Launch;
import videollama.kernels.OpChecks;
import videollama.kernels.SplitK;
import videollama.kernels.TaskGraph;
import videollama.kernels.Workspaces;
import videollama.weights.DType;

/**
 * The GEMVs of decoding in CUDA C ({@code gemv.cu}): a warp per row with 128-bit weight loads and shuffle
 * reductions, split-K when the rows are too few to fill the GPU, and the fused q/k/v and gate/up GEMVs. Each weight
 * dtype is its own entry point ({@code matvec_f16}, ...). The OpenCL twin is {@code OpenCLGemvOps}.
 */
public final class CudaGemvOps implements GemvOps {
    /** Threads per block of the warp-per-row GEMVs: 8 rows a block. */
    static final int GEMV_THREADS = 256;
    /** Threads per block of the split-K combine. */
    static final int THREADS = 256;

    /** The matVec kernels of gemv.cu, numbered as {@link KernelVariant} says; the device's size picks by default. */
    public enum Variant implements KernelVariant {
        /** 1: a warp per row ({@code matvec_*}). */
        WARP_PER_ROW,
        /** 2: a warp per (row, range of columns), then {@code matvec_combine} adds the ranges ({@code matvec_split_*}). */
        SPLIT_K
    }

    private final DeviceBackend backend;

    CudaGemvOps(DeviceBackend backend) {
        this.backend = backend;
        this.workspaces = new Workspaces(backend);
    }

    /**
     * The GEMVs with {@code matVec}'s kernel forced whatever the shape: {@link Variant#SPLIT_K} cuts rows into about
     * {@code slices} ranges (at least 2). The way benchmarks and tests pick a kernel; any device backend whose
     * graphs run CUDA kernels (the CUDA backend) takes it.
     */
    public static CudaGemvOps of(DeviceBackend backend, Variant variant, int slices) {
        CudaGemvOps ops = new CudaGemvOps(backend);
        ops.forcedSplitK = variant == Variant.SPLIT_K ? Math.max(2, slices) : 1;
        return ops;
    }

    /** The gemv.cu kernel {@code entry} for weights of {@code dtype}: an entry point per dtype ({@code matvec_f16}, ...). */
    private static KernelSource kernel(String entry, DType dtype) {
        return new KernelSource("gemv", entry + "_" + OpChecks.floatWeight(dtype));
    }

    private static long bytes(DeviceTensor w) {
        return (long) w.rows() * w.cols() * w.dtype().byteSize();
    }

    /** A warp per row: blocks of {@link #GEMV_THREADS} threads cover {@code rows} warps. */
    private static Launch warpPerRow(long rows) {
        long rowsPerBlock = GEMV_THREADS / 32;
        return Launch.groups((rows + rowsPerBlock - 1) / rowsPerBlock, GEMV_THREADS);
    }

    /**
     * Split-K: a warp holds 32 threads and an SM up to 64 warps (2,048 threads on A100 and H100), and a warp per row
     * keeps only one row's loads in flight. With fewer rows than half of 64 warps per SM (4,096 rows on an H100's
     * 132 SMs are 31 per SM; a 768-row projection far fewer) most of the GPU would wait, so the rows' columns are
     * cut into enough ranges to make 64 warps per SM, each at least {@link #SPLIT_K_MIN_COLUMNS} wide, at most
     * {@link #SPLIT_K_MAX_SLICES}; a second small kernel adds the partials. Above that, the second launch and the
     * partials' round trip would cost more than the occupancy gains.
     */
    static final int SPLIT_K_WARPS_PER_SM = 64;
    /** A range is at least one unrolled round of 128-bit loads of 16-bit weights per lane: 32 × 4 × 8 columns. */
    static final int SPLIT_K_MIN_COLUMNS = 1024;
    static final int SPLIT_K_MAX_SLICES = 32;
    private static final SplitK SPLIT_K_RULE = new SplitK(SPLIT_K_WARPS_PER_SM, SPLIT_K_MIN_COLUMNS, SPLIT_K_MAX_SLICES);
    /** Column ranges start on multiples of this many columns: 16 bytes or more for every dtype, so 128-bit loads stay aligned. */
    static final int SPLIT_K_ALIGN = 8;

    /** Split-K with about this many ranges per row whatever the shape (1: a warp per row); 0: the device's size decides. */
    int forcedSplitK;
    /** Scratch for the split-K partials, one per size. */
    private final Workspaces workspaces;

    @Override
    public void matVec(TaskGraph g, String name, DeviceBuffer out, DeviceTensor w, DeviceBuffer x, boolean accumulate) {
        int rows = w.rows();
        int cols = w.cols();
        Cost cost = new Cost(bytes(w) + cols * 4L + rows * (accumulate ? 8L : 4L), 2L * rows * cols);
        int wanted = forcedSplitK > 0 ? forcedSplitK : splitKSlices(rows, cols, backend.info().computeUnits());
        if (wanted < 2) {
            g.task(name, kernel("matvec", w.dtype()), warpPerRow(rows), cost,
                    out, w.buffer(), x, rows, cols, accumulate ? 1 : 0);
            return;
        }
        int sliceCols = (cols + wanted - 1) / wanted;
        sliceCols = (sliceCols + SPLIT_K_ALIGN - 1) / SPLIT_K_ALIGN * SPLIT_K_ALIGN;
        int slices = (cols + sliceCols - 1) / sliceCols; // no empty range
        long partialFloats = (long) rows * slices;
        DeviceBuffer partials = workspaces.get("split-K partials", partialFloats * 4);
        g.task(name, kernel("matvec_split", w.dtype()), warpPerRow(partialFloats), cost,
                partials, w.buffer(), x, rows, cols, sliceCols, slices);
        g.task(name + " combine", new KernelSource("gemv", "matvec_combine"), Launch.items(rows, THREADS),
                new Cost(partialFloats * 4 + rows * (accumulate ? 8L : 4L), partialFloats),
                out, partials, rows, slices, accumulate ? 1 : 0);
    }

    /** Column ranges per row for split-K on a GPU of {@code sms} SMs; below 2, a warp per whole row. */
    static int splitKSlices(int rows, int cols, int sms) {
        return SPLIT_K_RULE.slices(rows, cols, sms);
    }

    @Override
    public void qkvMatVec(TaskGraph g, String name, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v,
                          DeviceTensor wq, DeviceTensor wk, DeviceTensor wv, DeviceBuffer x) {
        OpChecks.requireQkv(name, wq, wk, wv);
        int rows = wq.rows() + 2 * wk.rows();
        g.task(name, kernel("qkv_matvec", wq.dtype()), warpPerRow(rows),
                new Cost(bytes(wq) + 2 * bytes(wk) + wq.cols() * 4L + rows * 4L, 2L * rows * wq.cols()),
                q, k, v, wq.buffer(), wk.buffer(), wv.buffer(), x, wq.rows(), wk.rows(), wq.cols());
    }

    @Override
    public void swiGluMatVec(TaskGraph g, String name, DeviceBuffer out, DeviceTensor gate, DeviceTensor up, DeviceBuffer x) {
        OpChecks.requireGateUp(name, gate, up);
        g.task(name, kernel("swiglu_matvec", gate.dtype()), warpPerRow(gate.rows()),
                new Cost(2 * bytes(gate) + gate.cols() * 4L + gate.rows() * 4L, 4L * gate.rows() * gate.cols()),
                out, gate.buffer(), up.buffer(), x, gate.rows(), gate.cols());
    }
}

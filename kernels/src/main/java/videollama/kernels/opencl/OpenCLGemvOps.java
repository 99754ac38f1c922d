package videollama.kernels.opencl;

import videollama.kernels.Cost;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.GemvOps;
import videollama.kernels.DeviceInfo;
import videollama.kernels.DeviceTensor;
import videollama.kernels.KernelSource;
import videollama.kernels.KernelVariant;
import videollama.kernels.Launch;
import videollama.kernels.LocalMemory;
import videollama.kernels.OpChecks;
import videollama.kernels.SplitK;
import videollama.kernels.TaskGraph;
import videollama.kernels.Workspaces;

/**
 * The GEMVs of decoding in OpenCL C ({@code gemv.cl}): {@code out = W·x} (or {@code out += W·x}) in one of three
 * forms, for this device and matrix, and the fused q/k/v and gate/up GEMVs in the row or the wide form. CPUs (PoCL) get a
 * work-item per 4 rows with float8 loads ({@link Variant#WIDE4}: {@link Variant#WIDE}'s sums, x loaded once for the 4
 * rows; the fused GEMVs a work-item per row); GPUs a work-group per row
 * ({@link Variant#ROWS}), or, when the rows are too few to fill the GPU, a work-group per range of a row's columns
 * and a second small task that adds each row's partials ({@link Variant#SPLIT_K}, see {@link #slicesFor}).
 * {@code VIDEOLLAMA_OPENCL_WIDE=0} gives a CPU the GPU forms, as for the other CPU-shaped kernels.
 */
public final class OpenCLGemvOps implements GemvOps {

    /** The matVec kernels of gemv.cl, numbered from the baseline ({@link KernelVariant}). */
    public enum Variant implements KernelVariant {
        /** 1: a work-group per row ({@code matvec}). */
        ROWS,
        /** 2, CPUs: a work-item per row, float8 loads, no barriers ({@code matvec_wide}). */
        WIDE,
        /** 3, GPUs with few rows: a work-group per (row, range of columns), then a work-item per row adds ({@code matvec_split}, {@code matvec_combine}). */
        SPLIT_K,
        /** 4, CPUs: a work-item per 4 rows, each x chunk loaded once for them; WIDE's sums exactly ({@code matvec_wide4}). */
        WIDE4
    }

    /**
     * Work-groups of 64 that fill a compute unit: 2,048 work-items, an NVIDIA SM's threads or half an AMD CU's
     * wavefront slots. A group per row keeps only one row's loads in flight; with fewer rows than half this many
     * groups per compute unit most of the GPU would wait, so split-K cuts the rows' columns into enough ranges to
     * make this many groups. Above half, a second launch and the partials' round trip would cost more than the
     * occupancy gains (4,096 rows on 132 compute units are 31 groups each: not split; 768 rows are 6: split).
     */
    static final int GROUPS_PER_COMPUTE_UNIT = 32;
    /** A range gives each of 64 items at least 8 columns: shorter, its reduction would cost as much as its loads. */
    static final int MIN_SLICE_COLUMNS = 512;
    static final int MAX_SLICES = 32;
    private static final SplitK SPLIT_K_RULE = new SplitK(GROUPS_PER_COMPUTE_UNIT, MIN_SLICE_COLUMNS, MAX_SLICES);
    /** Range starts are multiples of this many columns (32 bytes of float weights, 16 of half ones). */
    static final int SLICE_ALIGN = 8;

    private final DeviceInfo info;
    private final OpenCLBackend backend;
    /** The kernel forced, or null: a GPU's choice by shape ({@link #slicesFor}). */
    private final Variant forced;
    /** Ranges per row asked for when split-K is forced. */
    private final int forcedSlices;
    /** Work-group size of the group-per-row and group-per-range kernels: a power of two the device accepts, at most 64. */
    private final int group;
    /** Work-items per group of the wide kernel. */
    private final int wideGroup;
    private final Workspaces workspaces;

    OpenCLGemvOps(OpenCLBackend backend) {
        this(backend, backend.cpuShaped() ? Variant.WIDE4 : null, 0);
    }

    /**
     * A forced kernel, or null for a GPU's choice by shape (tests run every kernel on any device); with
     * {@link Variant#SPLIT_K}, rows are cut into about {@code slices} ranges (at least 2) whatever the shape.
     */
    OpenCLGemvOps(OpenCLBackend backend, Variant forced, int slices) {
        this.backend = backend;
        this.workspaces = new Workspaces(backend);
        this.info = backend.info();
        this.forced = forced;
        this.forcedSlices = Math.max(2, slices);
        this.group = info.groupSize(64);
        this.wideGroup = Integer.parseInt(System.getenv().getOrDefault("VIDEOLLAMA_OPENCL_WIDE_GROUP", "4"));
    }

    /**
     * The GEMVs with {@code variant} forced on an OpenCL device whatever its kind; with {@link Variant#SPLIT_K},
     * rows cut into about {@code slices} ranges (at least 2). The q/k/v and gate/up GEMVs take the wide form
     * with WIDE, the row form otherwise. The way benchmarks and tests pick a kernel.
     */
    public static OpenCLGemvOps of(DeviceBackend backend, Variant variant, int slices) {
        return new OpenCLGemvOps(OpenCLBackend.of(backend, "matvec " + variant), java.util.Objects.requireNonNull(variant), slices);
    }

    /** The kernel a {@code rows × cols} matrix gets. */
    Variant variantFor(int rows, int cols) {
        if (forced != null) {
            return forced;
        }
        return slicesFor(rows, cols, info.computeUnits()) >= 2 ? Variant.SPLIT_K : Variant.ROWS;
    }

    /** See {@link videollama.kernels.DeviceOps#matVec}. */
    @Override
    public void matVec(TaskGraph g, String name, DeviceBuffer out, DeviceTensor w, DeviceBuffer x, boolean accumulate) {
        int rows = w.rows();
        int cols = w.cols();
        String option = OpenCLOps.weightOption(w.dtype());
        Cost cost = new Cost(bytes(w) + cols * 4L + rows * (accumulate ? 8L : 4L), 2L * rows * cols);
        Variant variant = variantFor(rows, cols);
        if (variant == Variant.WIDE) {
            g.task(name, new KernelSource("gemv", "matvec_wide", option), Launch.items(rows, wideGroup), cost,
                    out, w.buffer(), x, rows, cols, accumulate ? 1 : 0);
            return;
        }
        if (variant == Variant.WIDE4) {
            g.task(name, new KernelSource("gemv", "matvec_wide4", option), Launch.items((rows + 3) / 4, wideGroup), cost,
                    out, w.buffer(), x, rows, cols, accumulate ? 1 : 0);
            return;
        }
        if (variant == Variant.ROWS) {
            g.task(name, new KernelSource("gemv", "matvec", option), Launch.groups(rows, group), cost,
                    out, w.buffer(), x, cols, accumulate ? 1 : 0, new LocalMemory(group * 4L));
            return;
        }
        int wanted = forced == Variant.SPLIT_K ? forcedSlices : slicesFor(rows, cols, info.computeUnits());
        int sliceCols = (cols + wanted - 1) / wanted;
        sliceCols = (sliceCols + SLICE_ALIGN - 1) / SLICE_ALIGN * SLICE_ALIGN;
        int slices = (cols + sliceCols - 1) / sliceCols; // no empty range
        long partialFloats = (long) rows * slices;
        DeviceBuffer partials = workspaces.get("split-K partials", partialFloats * 4);
        g.task(name, new KernelSource("gemv", "matvec_split", option), Launch.groups(partialFloats, group), cost,
                partials, w.buffer(), x, cols, sliceCols, slices, new LocalMemory(group * 4L));
        g.task(name + " combine", new KernelSource("gemv", "matvec_combine", option), Launch.items(rows, group),
                new Cost(partialFloats * 4 + rows * (accumulate ? 8L : 4L), partialFloats),
                out, partials, rows, slices, accumulate ? 1 : 0);
    }

    @Override
    public void qkvMatVec(TaskGraph g, String name, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v,
                          DeviceTensor wq, DeviceTensor wk, DeviceTensor wv, DeviceBuffer x) {
        OpChecks.requireQkv(name, wq, wk, wv);
        int rows = wq.rows() + 2 * wk.rows();
        Cost cost = new Cost(bytes(wq) + 2 * bytes(wk) + wq.cols() * 4L + rows * 4L, 2L * rows * wq.cols());
        String option = OpenCLOps.weightOption(wq.dtype());
        if (forced == Variant.WIDE || forced == Variant.WIDE4) {
            g.task(name, new KernelSource("gemv", "qkv_matvec_wide", option), Launch.items(rows, wideGroup), cost,
                    q, k, v, wq.buffer(), wk.buffer(), wv.buffer(), x, wq.rows(), wk.rows(), wq.cols());
            return;
        }
        g.task(name, new KernelSource("gemv", "qkv_matvec", option), Launch.groups(rows, group), cost,
                q, k, v, wq.buffer(), wk.buffer(), wv.buffer(), x, wq.rows(), wk.rows(), wq.cols(), new LocalMemory(group * 4L));
    }

    @Override
    public void swiGluMatVec(TaskGraph g, String name, DeviceBuffer out, DeviceTensor gate, DeviceTensor up, DeviceBuffer x) {
        OpChecks.requireGateUp(name, gate, up);
        Cost cost = new Cost(2 * bytes(gate) + gate.cols() * 4L + gate.rows() * 4L, 4L * gate.rows() * gate.cols());
        String option = OpenCLOps.weightOption(gate.dtype());
        if (forced == Variant.WIDE || forced == Variant.WIDE4) {
            g.task(name, new KernelSource("gemv", "swiglu_matvec_wide", option), Launch.items(gate.rows(), wideGroup), cost,
                    out, gate.buffer(), up.buffer(), x, gate.rows(), gate.cols());
            return;
        }
        g.task(name, new KernelSource("gemv", "swiglu_matvec", option), Launch.groups(gate.rows(), group),
                cost, out, gate.buffer(), up.buffer(), x, gate.cols(), new LocalMemory(group * 4L));
    }

    private static long bytes(DeviceTensor w) {
        return (long) w.rows() * w.cols() * w.dtype().byteSize();
    }

    /** Column ranges per row for split-K on a GPU of {@code computeUnits}; below 2, a work-group per whole row. */
    static int slicesFor(int rows, int cols, int computeUnits) {
        return SPLIT_K_RULE.slices(rows, cols, computeUnits);
    }
}

package videollama.kernels.opencl;

import java.util.Arrays;
import java.util.Objects;
import videollama.kernels.Cost;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceTensor;
import videollama.kernels.KernelSource;
import videollama.kernels.KernelVariant;
import videollama.kernels.Launch;
import videollama.kernels.LocalMemory;
import videollama.kernels.Q8_0Ops;
import videollama.kernels.QuantisedActivations;
import videollama.kernels.TaskGraph;
import videollama.kernels.reference.Q8_0;

/**
 * The products with Q8_0 weights in OpenCL C ({@code q8_0.cl}): the decode GEMV {@code gemv_q8_0} (a work-group per
 * row for GPUs, {@link Variant#ROWS}; a work-item per row for CPUs, {@link Variant#WIDE}), the gate/up GEMV with SiLU,
 * q/k/v as three GEMVs, and the encoders' and prefill's GEMM ({@link GemmVariant}), which widens each block of W in
 * registers as it goes. The CUDA twin is {@code CudaQ8_0Ops}.
 */
public final class OpenCLQ8_0Ops implements Q8_0Ops {

    /** The GEMV kernels of q8_0.cl, numbered from the baseline ({@link KernelVariant}). */
    public enum Variant implements KernelVariant {
        /** 1: a work-group per row, its items taking every n-th block ({@code gemv_q8_0}). */
        ROWS,
        /** 2, CPUs: a work-item per row, one loop over its blocks ({@code gemv_q8_0_wide}). */
        WIDE,
        /** 3, CPUs: as WIDE, the scales read 8 blocks at a time (one vector fp16 conversion, {@code gemv_q8_0_wide8}). */
        WIDE8,
        /**
         * 4, CPUs: x quantised to Q8_0 blocks once per product, then an integer dot per block ({@code
         * quantize_q8_0_activations}, {@code gemv_q8_0_int8}): llama.cpp's q8_0 × q8_0. A different product (x is
         * rounded to 8 bits), checked against {@link videollama.kernels.reference.Q8_0#dotQuantized}.
         */
        INT8,
        /** 5, GPUs: INT8's product, a work-group per row ({@code gemv_q8_0_int8_rows}). */
        ROWS_INT8,
        /**
         * 6, CPUs: INT8's product, a work-item per 4 rows sharing each block of x ({@code gemv_q8_0_int8_4}; INT8's
         * results exactly; the gate/up GEMV stays INT8's, whose x fits L1).
         */
        INT8_4;

        boolean quantisesInput() {
            return this == INT8 || this == ROWS_INT8 || this == INT8_4;
        }

        /** The GEMV kernel of this variant ({@code swiglu_} before it for the gate/up one). */
        String kernel() {
            return switch (this) {
                case ROWS -> "gemv_q8_0";
                case WIDE -> "gemv_q8_0_wide";
                case WIDE8 -> "gemv_q8_0_wide8";
                case INT8 -> "gemv_q8_0_int8";
                case INT8_4 -> "gemv_q8_0_int8_4";
                case ROWS_INT8 -> "gemv_q8_0_int8_rows";
            };
        }

        /** A work-item per row (CPUs) rather than a work-group per row (GPUs). */
        boolean itemPerRow() {
            return this != ROWS && this != ROWS_INT8;
        }
    }

    /** The GEMM kernels of q8_0.cl, numbered from the baseline ({@link KernelVariant}). */
    public enum GemmVariant implements KernelVariant {
        /**
         * 1: a work-item per 8 rows × 1 column, each block of W widened once for the 8 rows ({@code linear_q8_0}). The
         * GPUs' kernel; on CPUs the baseline that BLOCKED replaced, only forced there.
         */
        COLUMN,
        /**
         * 2, CPUs: gemm.cl's BLOCKED register blocks and panels over Q8_0 weights, each weight widened and scaled in
         * registers ({@code linear_q8_0_blocked}): the sums of {@code linear_blocked} over the dequantised matrix.
         */
        BLOCKED
    }

    /**
     * BLOCKED's block on AVX-512 CPUs: 5 rows × 4 columns. Beside the 20 accumulators sit the 4 columns' scales of the
     * current block (the compiler keeps them in registers across the block's 4 steps) and 5 x vectors: 30 of the 32
     * registers; at 4 × 6 (24 + 6 + 4) one accumulator spills. GemmTileSweep on PoCL (2-core EPYC Zen 4), interleaved,
     * median GFLOP/s 5 × 4 against 4 × 6 on the ViT's shapes: 1.04–1.13× in 4 of 5 shapes (docs/benchmarks.md).
     */
    static final OpenCLGemmOps.Block CPU_BLOCK_AVX512 = new OpenCLGemmOps.Block(5, 4, 8, 4 << 20);

    /** Rows of x per work-item of {@code linear_q8_0} (its {@code Q8_M}): 8 sums and the block's 4 float8 of W in registers. */
    static final int GEMM_ROWS = 8;

    private final Variant variant;
    private final GemmVariant gemm;
    /** BLOCKED's register block and panels: null for the CPU's default ({@link #CPU_BLOCK_AVX512}, AVX2's 3 × 4). */
    private final OpenCLGemmOps.Block block;
    /** INT8's quantised x: quants as shorts, float scales. */
    private final QuantisedActivations quantisedInputs;
    /** Work-group size of the group-per-row kernels: a power of two the device accepts, at most 64. */
    private final int group;
    /** Work-items per group of the item-per-row kernels. */
    private final int wideGroup;

    OpenCLQ8_0Ops(OpenCLBackend backend) {
        this(backend, defaultVariant(backend.cpuShaped(), Q8_0.quantizesActivations()), defaultGemm(backend.cpuShaped()), null);
    }

    private OpenCLQ8_0Ops(OpenCLBackend backend, Variant variant, GemmVariant gemm, OpenCLGemmOps.Block block) {
        this.variant = variant;
        this.gemm = gemm;
        this.block = block;
        this.group = backend.info().groupSize(64);
        this.wideGroup = Integer.parseInt(System.getenv().getOrDefault("VIDEOLLAMA_OPENCL_WIDE_GROUP", "4"));
        // the option makes d = max|x| / 127 and 1 / d IEEE divisions on every device (OpenCL allows 2.5 ulp otherwise),
        // so a device rounds x to the reference's quants
        this.quantisedInputs = new QuantisedActivations(backend,
                new KernelSource("q8_0", "quantize_q8_0_activations", "-cl-fp32-correctly-rounded-divide-sqrt"), 2, wideGroup);
    }

    /**
     * The GEMV a device gets: on a CPU WIDE8 (variant 2's sums, the scales read 8 at a time) or, with quantised
     * activations ({@link Q8_0#ACTIVATIONS_PROPERTY}), INT8; on a GPU ROWS or ROWS_INT8.
     */
    static Variant defaultVariant(boolean cpu, boolean quantisedActivations) {
        if (cpu) {
            return quantisedActivations ? Variant.INT8 : Variant.WIDE8;
        }
        return quantisedActivations ? Variant.ROWS_INT8 : Variant.ROWS;
    }

    /**
     * The GEMM a device gets: BLOCKED on a CPU, COLUMN on a GPU (BLOCKED's items are CPU-shaped: no coalescing, no
     * local memory). On PoCL BLOCKED at 5 × 4 ran the ViT's GEMMs at 1.36–1.66× COLUMN's speed (and 0.72× of f16
     * weights' {@code linear_blocked}), GemmTileSweep interleaved (docs/benchmarks.md).
     */
    static GemmVariant defaultGemm(boolean cpu) {
        return cpu ? GemmVariant.BLOCKED : GemmVariant.COLUMN;
    }

    /** The Q8_0 ops with the GEMV {@code variant} forced on an OpenCL device whatever its kind (tests, benchmarks). */
    public static OpenCLQ8_0Ops of(DeviceBackend backend, Variant variant) {
        OpenCLBackend openCL = OpenCLBackend.of(backend, "gemv_q8_0 " + variant);
        return new OpenCLQ8_0Ops(openCL, Objects.requireNonNull(variant), defaultGemm(openCL.cpuShaped()), null);
    }

    /**
     * The Q8_0 ops with the GEMM {@code gemm} forced on an OpenCL device whatever its kind, BLOCKED with this
     * {@code block} (its m × n and work-group; null: the CPU's default) (tests, benchmarks).
     */
    public static OpenCLQ8_0Ops of(DeviceBackend backend, GemmVariant gemm, OpenCLGemmOps.Block block) {
        OpenCLBackend openCL = OpenCLBackend.of(backend, "linear_q8_0 " + gemm);
        return new OpenCLQ8_0Ops(openCL, defaultVariant(openCL.cpuShaped(), Q8_0.quantizesActivations()), Objects.requireNonNull(gemm), block);
    }

    /** The GEMM this family runs. */
    GemmVariant gemm() {
        return gemm;
    }

    @Override
    public void matVec(TaskGraph g, String name, DeviceBuffer out, DeviceTensor w, DeviceBuffer x, boolean accumulate) {
        Cost cost = Q8_0Ops.checkedMatVec(name, w, accumulate);
        int rows = w.rows();
        int cols = w.cols();
        Object[] input = variant.quantisesInput() ? quantisedInputs.quantise(g, name, x, cols) : new Object[] {x};
        g.task(name, new KernelSource("q8_0", variant.kernel()), variant == Variant.INT8_4 ? launch((rows + 3) / 4) : launch(rows), cost,
                args(new Object[] {out, w.buffer(), w.scales()}, input, variant.itemPerRow()
                        ? new Object[] {rows, cols, accumulate ? 1 : 0}
                        : new Object[] {cols, accumulate ? 1 : 0, new LocalMemory(group * 4L)}));
    }

    @Override
    public void swiGluMatVec(TaskGraph g, String name, DeviceBuffer out, DeviceTensor gate, DeviceTensor up, DeviceBuffer x) {
        Cost cost = Q8_0Ops.checkedSwiGlu(name, gate, up);
        int rows = gate.rows();
        int cols = gate.cols();
        // INT8_4 has no gate/up form: INT8's (gate/up's x is 4096 wide, in L1)
        String kernel = variant == Variant.INT8_4 ? Variant.INT8.kernel() : variant.kernel();
        Object[] input = variant.quantisesInput() ? quantisedInputs.quantise(g, name, x, cols) : new Object[] {x};
        g.task(name, new KernelSource("q8_0", "swiglu_" + kernel), launch(rows), cost,
                args(new Object[] {out, gate.buffer(), gate.scales(), up.buffer(), up.scales()}, input, variant.itemPerRow()
                        ? new Object[] {rows, cols}
                        : new Object[] {cols, new LocalMemory(group * 4L)}));
    }

    private Launch launch(int rows) {
        return variant.itemPerRow() ? Launch.items(rows, wideGroup) : Launch.groups(rows, group);
    }

    /** A kernel's arguments: the weights', the input's (x, or its quants and scales), then the shape's. */
    private static Object[] args(Object[] weights, Object[] input, Object[] shape) {
        Object[] all = Arrays.copyOf(weights, weights.length + input.length + shape.length);
        System.arraycopy(input, 0, all, weights.length, input.length);
        System.arraycopy(shape, 0, all, weights.length + input.length, shape.length);
        return all;
    }

    /** {@code out[M,N] = x[M,K]·Wᵀ (+ bias) (+ residual)} with W Q8_0; see {@link videollama.kernels.GemmOps#linear}. */
    @Override
    public void linear(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias,
                       DeviceBuffer residual, int m, int n, int k) {
        addTask(g, name, Q8_0Ops.checkedLinear(name, out, x, w, bias, residual, m, n, k),
                Q8_0Ops.linearArgs(out, x, w, bias, residual, m, n, k), m, n, k, false);
    }

    /**
     * {@code out = gelu(x · Wᵀ + bias)} with W Q8_0: the GEMM {@link #linear} would take, q8_0.cl built with
     * {@code -DGELU} as gemm.cl is ({@link OpenCLGemmOps#linearGelu}): both variants store through common.cl's
     * store_out (COLUMN) or store_block (BLOCKED), which apply the GELU of activations.cl's bias_gelu.
     */
    @Override
    public void linearGelu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias,
                           int m, int n, int k) {
        addTask(g, name, Q8_0Ops.checkedLinearGelu(name, out, x, w, bias, m, n, k),
                Q8_0Ops.linearArgs(out, x, w, bias, null, m, n, k), m, n, k, true);
    }

    /** The task of a checked {@link #linear} or {@link #linearGelu} ({@code gelu}): the GEMM variant's kernel. */
    private void addTask(TaskGraph g, String name, Cost cost, Object[] args, int m, int n, int k, boolean gelu) {
        switch (gemm) {
            case COLUMN -> {
                long items = (long) (m + GEMM_ROWS - 1) / GEMM_ROWS * n;
                g.task(name, new KernelSource("q8_0", "linear_q8_0", OpenCLGemmOps.withEpilogue("-DQ8_M=" + GEMM_ROWS, gelu)),
                        Launch.items(items, wideGroup), cost, args);
            }
            case BLOCKED -> {
                OpenCLGemmOps.Block b = block != null ? block : OpenCLGemmOps.cpuBlock(m, CPU_BLOCK_AVX512, OpenCLGemmOps.CPU_BLOCK);
                long blocks = (long) ((m + b.m() - 1) / b.m()) * ((n + b.n() - 1) / b.n());
                Object[] withPanel = Arrays.copyOf(args, args.length + 1);
                withPanel[args.length] = b.panel(m, k);
                g.task(name, new KernelSource("q8_0", "linear_q8_0_blocked", OpenCLGemmOps.withEpilogue(b.options(), gelu)),
                        Launch.items(blocks, b.group()), cost, withPanel);
            }
        }
    }
}

package videollama.kernels.cuda;

import java.util.Objects;
import videollama.kernels.Cost;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceTensor;
import videollama.kernels.KernelSource;
import videollama.kernels.KernelVariant;
import videollama.kernels.Launch;
import videollama.kernels.Q8_0Ops;
import videollama.kernels.QuantisedActivations;
import videollama.kernels.TaskGraph;
import videollama.kernels.reference.Q8_0;

/**
 * The products with Q8_0 weights in CUDA C ({@code q8_0.cu}): the decode GEMV {@code gemv_q8_0} and the gate/up GEMV
 * with SiLU (a warp per row, a lane per block of 32; {@link Variant#DP4A} over an activation quantised to Q8_0, an
 * integer dot per block), q/k/v as three GEMVs ({@link Q8_0Ops}), and the encoders' and prefill's GEMM
 * {@code linear_q8_0} (a thread per 4 rows × 1 column, W widened in registers: a first SIMT form, no int8 tensor
 * cores). The OpenCL twin is {@code OpenCLQ8_0Ops}.
 */
public final class CudaQ8_0Ops implements Q8_0Ops {
    /** The GEMV kernels of q8_0.cu, numbered from the baseline ({@link KernelVariant}). */
    public enum Variant implements KernelVariant {
        /** 1: a warp per row, each block's Σ q·x in fp32 ({@code gemv_q8_0}). */
        FLOAT,
        /**
         * 2: x quantised to Q8_0 blocks once per product ({@code quantize_q8_0_activations}), then a warp per row, 8
         * dp4a a block ({@code gemv_q8_0_dp4a}): checked against {@link Q8_0#dotQuantized}.
         */
        DP4A
    }

    /** Threads per block of the warp-per-row GEMVs: 8 rows a block. */
    static final int GEMV_THREADS = 256;
    /** Threads per block of the GEMM. */
    static final int GEMM_THREADS = 128;
    /** Rows of x per thread of {@code linear_q8_0} (its {@code Q8_M}). */
    static final int GEMM_ROWS = 4;

    private final Variant variant;
    /** DP4A's quantised x: int8 quants, float scales. */
    private final QuantisedActivations quantisedInputs;

    /** The variant {@link Q8_0#ACTIVATIONS_PROPERTY} asks for. */
    CudaQ8_0Ops(DeviceBackend backend) {
        this(backend, Q8_0.quantizesActivations() ? Variant.DP4A : Variant.FLOAT);
    }

    private CudaQ8_0Ops(DeviceBackend backend, Variant variant) {
        this.variant = variant;
        // the quants are read as 128-bit words: a buffer from cuMemAlloc is 256-byte aligned
        this.quantisedInputs = new QuantisedActivations(backend, new KernelSource("q8_0", "quantize_q8_0_activations"), 1, 128);
    }

    /** The Q8_0 ops with the GEMV {@code variant} forced (tests, benchmarks). */
    public static CudaQ8_0Ops of(DeviceBackend backend, Variant variant) {
        return new CudaQ8_0Ops(backend, Objects.requireNonNull(variant));
    }

    /** A warp per row: blocks of {@link #GEMV_THREADS} threads cover {@code rows} warps. */
    private static Launch warpPerRow(long rows) {
        long rowsPerBlock = GEMV_THREADS / 32;
        return Launch.groups((rows + rowsPerBlock - 1) / rowsPerBlock, GEMV_THREADS);
    }

    @Override
    public void matVec(TaskGraph g, String name, DeviceBuffer out, DeviceTensor w, DeviceBuffer x, boolean accumulate) {
        Cost cost = Q8_0Ops.checkedMatVec(name, w, accumulate);
        int rows = w.rows();
        int cols = w.cols();
        if (variant == Variant.DP4A) {
            DeviceBuffer[] xq = quantisedInputs.quantise(g, name, x, cols);
            g.task(name, new KernelSource("q8_0", "gemv_q8_0_dp4a"), warpPerRow(rows), cost,
                    out, w.buffer(), w.scales(), xq[0], xq[1], rows, cols, accumulate ? 1 : 0);
            return;
        }
        g.task(name, new KernelSource("q8_0", "gemv_q8_0"), warpPerRow(rows), cost,
                out, w.buffer(), w.scales(), x, rows, cols, accumulate ? 1 : 0);
    }

    @Override
    public void swiGluMatVec(TaskGraph g, String name, DeviceBuffer out, DeviceTensor gate, DeviceTensor up, DeviceBuffer x) {
        Cost cost = Q8_0Ops.checkedSwiGlu(name, gate, up);
        if (variant == Variant.DP4A) {
            DeviceBuffer[] xq = quantisedInputs.quantise(g, name, x, gate.cols());
            g.task(name, new KernelSource("q8_0", "swiglu_gemv_q8_0_dp4a"), warpPerRow(gate.rows()), cost,
                    out, gate.buffer(), gate.scales(), up.buffer(), up.scales(), xq[0], xq[1], gate.rows(), gate.cols());
            return;
        }
        g.task(name, new KernelSource("q8_0", "swiglu_gemv_q8_0"), warpPerRow(gate.rows()), cost,
                out, gate.buffer(), gate.scales(), up.buffer(), up.scales(), x, gate.rows(), gate.cols());
    }

    @Override
    public void linear(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias,
                       DeviceBuffer residual, int m, int n, int k) {
        Cost cost = Q8_0Ops.checkedLinear(name, out, x, w, bias, residual, m, n, k);
        addTask(g, name, "linear_q8_0", cost, Q8_0Ops.linearArgs(out, x, w, bias, residual, m, n, k), m, n);
    }

    /** {@code out = gelu(x · Wᵀ + bias)}: {@link #linear}'s kernel with common.cuh's GELU in its store ({@code linear_gelu_q8_0}). */
    @Override
    public void linearGelu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias,
                           int m, int n, int k) {
        Cost cost = Q8_0Ops.checkedLinearGelu(name, out, x, w, bias, m, n, k);
        addTask(g, name, "linear_gelu_q8_0", cost, Q8_0Ops.linearArgs(out, x, w, bias, null, m, n, k), m, n);
    }

    private static void addTask(TaskGraph g, String name, String kernel, Cost cost, Object[] args, int m, int n) {
        long threads = (long) (m + GEMM_ROWS - 1) / GEMM_ROWS * n;
        g.task(name, new KernelSource("q8_0", kernel), Launch.items(threads, GEMM_THREADS), cost, args);
    }
}

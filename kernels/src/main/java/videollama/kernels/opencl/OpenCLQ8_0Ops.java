package videollama.kernels.opencl;

import java.util.Objects;
import videollama.kernels.Cost;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceTensor;
import videollama.kernels.KernelSource;
import videollama.kernels.KernelVariant;
import videollama.kernels.Launch;
import videollama.kernels.LocalMemory;
import videollama.kernels.OpChecks;
import videollama.kernels.Q8_0Ops;
import videollama.kernels.TaskGraph;

/**
 * The products with Q8_0 weights in OpenCL C ({@code q8_0.cl}): the decode GEMV {@code gemv_q8_0} (a work-group per
 * row for GPUs, {@link Variant#ROWS}; a work-item per row for CPUs, {@link Variant#WIDE}), the gate/up GEMV with SiLU,
 * q/k/v as three GEMVs, and the encoders' and prefill's GEMM {@code linear_q8_0}, which widens each block of W in
 * registers as it goes. The CUDA twin is {@code CudaQ8_0Ops}.
 */
public final class OpenCLQ8_0Ops implements Q8_0Ops {

    /** The GEMV kernels of q8_0.cl, numbered from the baseline ({@link KernelVariant}). */
    public enum Variant implements KernelVariant {
        /** 1: a work-group per row, its items taking every n-th block ({@code gemv_q8_0}). */
        ROWS,
        /** 2, CPUs: a work-item per row, one loop over its blocks ({@code gemv_q8_0_wide}). */
        WIDE
    }

    /** Rows of x per work-item of {@code linear_q8_0} (its {@code Q8_M}): 8 sums and the block's 4 float8 of W in registers. */
    static final int GEMM_ROWS = 8;

    private final Variant variant;
    /** Work-group size of the group-per-row kernels: a power of two the device accepts, at most 64. */
    private final int group;
    /** Work-items per group of the item-per-row kernels. */
    private final int wideGroup;

    OpenCLQ8_0Ops(OpenCLBackend backend) {
        this(backend, backend.info().isCpu() && !"0".equals(System.getenv("VIDEOLLAMA_OPENCL_WIDE")) ? Variant.WIDE : Variant.ROWS);
    }

    private OpenCLQ8_0Ops(OpenCLBackend backend, Variant variant) {
        this.variant = variant;
        this.group = (int) Math.min(64, Long.highestOneBit(backend.info().maxWorkGroupSize()));
        this.wideGroup = Integer.parseInt(System.getenv().getOrDefault("VIDEOLLAMA_OPENCL_WIDE_GROUP", "4"));
    }

    /** The Q8_0 ops with the GEMV {@code variant} forced on an OpenCL device whatever its kind (tests, benchmarks). */
    public static OpenCLQ8_0Ops of(DeviceBackend backend, Variant variant) {
        return new OpenCLQ8_0Ops(OpenCLBackend.of(backend, "gemv_q8_0 " + variant), Objects.requireNonNull(variant));
    }

    @Override
    public void matVec(TaskGraph g, String name, DeviceBuffer out, DeviceTensor w, DeviceBuffer x, boolean accumulate) {
        OpChecks.requireQ8_0(name, w);
        int rows = w.rows();
        int cols = w.cols();
        Cost cost = new Cost(Q8_0Ops.bytes(w) + cols * 4L + rows * (accumulate ? 8L : 4L), 2L * rows * cols);
        if (variant == Variant.WIDE) {
            g.task(name, new KernelSource("q8_0", "gemv_q8_0_wide"), Launch.items(rows, wideGroup), cost,
                    out, w.buffer(), w.scales(), x, rows, cols, accumulate ? 1 : 0);
        } else {
            g.task(name, new KernelSource("q8_0", "gemv_q8_0"), Launch.groups(rows, group), cost,
                    out, w.buffer(), w.scales(), x, cols, accumulate ? 1 : 0, new LocalMemory(group * 4L));
        }
    }

    @Override
    public void swiGluMatVec(TaskGraph g, String name, DeviceBuffer out, DeviceTensor gate, DeviceTensor up, DeviceBuffer x) {
        OpChecks.requireGateUp(name, gate, up);
        OpChecks.requireQ8_0(name, gate);
        int rows = gate.rows();
        int cols = gate.cols();
        Cost cost = new Cost(2 * Q8_0Ops.bytes(gate) + cols * 4L + rows * 4L, 4L * rows * cols);
        if (variant == Variant.WIDE) {
            g.task(name, new KernelSource("q8_0", "swiglu_gemv_q8_0_wide"), Launch.items(rows, wideGroup), cost,
                    out, gate.buffer(), gate.scales(), up.buffer(), up.scales(), x, rows, cols);
        } else {
            g.task(name, new KernelSource("q8_0", "swiglu_gemv_q8_0"), Launch.groups(rows, group), cost,
                    out, gate.buffer(), gate.scales(), up.buffer(), up.scales(), x, cols, new LocalMemory(group * 4L));
        }
    }

    /** {@code out[M,N] = x[M,K]·Wᵀ (+ bias) (+ residual)} with W Q8_0; see {@link videollama.kernels.GemmOps#linear}. */
    @Override
    public void linear(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias,
                       DeviceBuffer residual, int m, int n, int k) {
        Cost cost = Q8_0Ops.checkedLinear(name, out, x, w, bias, residual, m, n, k);
        long items = (long) (m + GEMM_ROWS - 1) / GEMM_ROWS * n;
        // An absent bias or residual is never read, but OpenCL still wants a buffer there: pass out.
        g.task(name, new KernelSource("q8_0", "linear_q8_0", "-DQ8_M=" + GEMM_ROWS), Launch.items(items, wideGroup), cost,
                out, x, w.buffer(), w.scales(), bias != null ? bias : out, residual != null ? residual : out, m, n, k,
                bias != null ? 1 : 0, residual != null ? 1 : 0);
    }
}

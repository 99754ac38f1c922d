package videollama.kernels.cuda;

import videollama.kernels.Cost;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceTensor;
import videollama.kernels.KernelSource;
import videollama.kernels.Launch;
import videollama.kernels.OpChecks;
import videollama.kernels.Q8_0Ops;
import videollama.kernels.TaskGraph;

/**
 * The products with Q8_0 weights in CUDA C ({@code q8_0.cu}): the decode GEMV {@code gemv_q8_0} and the gate/up GEMV
 * with SiLU (a warp per row, a lane per block of 32), q/k/v as three GEMVs ({@link Q8_0Ops}), and the encoders' and prefill's GEMM
 * {@code linear_q8_0} (a thread per 4 rows × 1 column, W widened in registers: a first SIMT form, no int8 tensor
 * cores). The OpenCL twin is {@code OpenCLQ8_0Ops}.
 */
public final class CudaQ8_0Ops implements Q8_0Ops {
    /** Threads per block of the warp-per-row GEMVs: 8 rows a block. */
    static final int GEMV_THREADS = 256;
    /** Threads per block of the GEMM. */
    static final int GEMM_THREADS = 128;
    /** Rows of x per thread of {@code linear_q8_0} (its {@code Q8_M}). */
    static final int GEMM_ROWS = 4;

    CudaQ8_0Ops() {
    }

    /** A warp per row: blocks of {@link #GEMV_THREADS} threads cover {@code rows} warps. */
    private static Launch warpPerRow(long rows) {
        long rowsPerBlock = GEMV_THREADS / 32;
        return Launch.groups((rows + rowsPerBlock - 1) / rowsPerBlock, GEMV_THREADS);
    }

    @Override
    public void matVec(TaskGraph g, String name, DeviceBuffer out, DeviceTensor w, DeviceBuffer x, boolean accumulate) {
        OpChecks.requireQ8_0(name, w);
        int rows = w.rows();
        int cols = w.cols();
        g.task(name, new KernelSource("q8_0", "gemv_q8_0"), warpPerRow(rows),
                new Cost(Q8_0Ops.bytes(w) + cols * 4L + rows * (accumulate ? 8L : 4L), 2L * rows * cols),
                out, w.buffer(), w.scales(), x, rows, cols, accumulate ? 1 : 0);
    }

    @Override
    public void swiGluMatVec(TaskGraph g, String name, DeviceBuffer out, DeviceTensor gate, DeviceTensor up, DeviceBuffer x) {
        OpChecks.requireGateUp(name, gate, up);
        OpChecks.requireQ8_0(name, gate);
        g.task(name, new KernelSource("q8_0", "swiglu_gemv_q8_0"), warpPerRow(gate.rows()),
                new Cost(2 * Q8_0Ops.bytes(gate) + gate.cols() * 4L + gate.rows() * 4L, 4L * gate.rows() * gate.cols()),
                out, gate.buffer(), gate.scales(), up.buffer(), up.scales(), x, gate.rows(), gate.cols());
    }

    @Override
    public void linear(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias,
                       DeviceBuffer residual, int m, int n, int k) {
        Cost cost = Q8_0Ops.checkedLinear(name, out, x, w, bias, residual, m, n, k);
        long threads = (long) (m + GEMM_ROWS - 1) / GEMM_ROWS * n;
        // An absent bias or residual is never read, but the kernel still takes a pointer there: pass out.
        g.task(name, new KernelSource("q8_0", "linear_q8_0"), Launch.items(threads, GEMM_THREADS), cost,
                out, x, w.buffer(), w.scales(), bias != null ? bias : out, residual != null ? residual : out, m, n, k,
                bias != null ? 1 : 0, residual != null ? 1 : 0);
    }
}

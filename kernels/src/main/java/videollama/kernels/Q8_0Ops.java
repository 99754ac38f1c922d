package videollama.kernels;

/**
 * The GEMVs and GEMMs of {@link videollama.weights.DType#Q8_0} weights ({@code q8_0.cl}, {@code q8_0.cu}): the ops of
 * {@link GemvOps} and {@link GemmOps} when the weight is Q8_0, so a model runs on quantised weights through the same
 * op names ({@link GemmOps#linearGelu} included). One of the {@link DeviceOps} families; docs/ops.md lists each
 * op and its kernels.
 */
public interface Q8_0Ops extends GemvOps, GemmOps {
    /** Bytes of a Q8_0 matrix as the kernels read it: a byte per quant and 2 per block of 32 for its scale. */
    static long bytes(DeviceTensor w) {
        return (long) w.rows() * w.cols() * 17 / 16;
    }

    /** {@link GemvOps#matVec}'s weight checked (Q8_0), and what the call moves and computes. */
    static Cost checkedMatVec(String name, DeviceTensor w, boolean accumulate) {
        OpChecks.requireQ8_0(name, w);
        return new Cost(bytes(w) + w.cols() * 4L + w.rows() * (accumulate ? 8L : 4L), 2L * w.rows() * w.cols());
    }

    /** {@link GemvOps#swiGluMatVec}'s weights checked (one shape, Q8_0), and what the call moves and computes. */
    static Cost checkedSwiGlu(String name, DeviceTensor gate, DeviceTensor up) {
        OpChecks.requireGateUp(name, gate, up);
        OpChecks.requireQ8_0(name, gate);
        return new Cost(2 * bytes(gate) + gate.cols() * 4L + gate.rows() * 4L, 4L * gate.rows() * gate.cols());
    }

    /**
     * {@code linear_q8_0}'s arguments: out, x, W's quants and scales, bias and residual, m, n, k, and whether there
     * are a bias and a residual. An absent bias or residual is never read, but the kernel still takes a buffer
     * there: out stands in.
     */
    static Object[] linearArgs(DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias, DeviceBuffer residual,
                               int m, int n, int k) {
        return new Object[] {out, x, w.buffer(), w.scales(), bias != null ? bias : out, residual != null ? residual : out,
                m, n, k, bias != null ? 1 : 0, residual != null ? 1 : 0};
    }

    /**
     * {@link GemmOps#linear}'s arguments checked ({@link OpChecks#requireLinear}, a Q8_0 {@code w}), and what the call
     * moves and computes.
     */
    static Cost checkedLinear(String name, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias,
                              DeviceBuffer residual, int m, int n, int k) {
        OpChecks.requireLinear(name, out, x, w, bias, residual, m, n, k);
        OpChecks.requireQ8_0(name, w);
        return new Cost(bytes(w) + 4L * m * k + 4L * m * n + (bias != null ? 4L * n : 0)
                + (residual != null ? 4L * m * n : 0), 2L * m * n * k);
    }

    /** {@link GemmOps#linearGelu}'s arguments checked (a bias, a Q8_0 {@code w}), and its cost: a linear's with bias. */
    static Cost checkedLinearGelu(String name, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias,
                                  int m, int n, int k) {
        OpChecks.requireLinearGelu(name, out, x, w, bias, m, n, k);
        return checkedLinear(name, out, x, w, bias, null, m, n, k);
    }

    /**
     * Three GEMVs, one launch each: over 8-bit weights the fused launch of the float kernels would save only the
     * input's reads, which stay in cache.
     */
    @Override
    default void qkvMatVec(TaskGraph g, String name, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v,
                           DeviceTensor wq, DeviceTensor wk, DeviceTensor wv, DeviceBuffer x) {
        OpChecks.requireQkv(name, wq, wk, wv);
        matVec(g, name + " q", q, wq, x, false);
        matVec(g, name + " k", k, wk, x, false);
        matVec(g, name + " v", v, wv, x, false);
    }
}

package videollama.kernels;

/**
 * The GEMVs and GEMMs of {@link videollama.weights.DType#Q8_0} weights ({@code q8_0.cl}, {@code q8_0.cu}): the ops of
 * {@link GemvOps} and {@link GemmOps} when the weight is Q8_0, so a model runs on quantised weights through the same
 * op names. One of the {@link DeviceOps} families; docs/ops.md lists each op and its kernels.
 */
public interface Q8_0Ops extends GemvOps, GemmOps {
    /** Bytes of a Q8_0 matrix as the kernels read it: a byte per quant and 2 per block of 32 for its scale. */
    static long bytes(DeviceTensor w) {
        return (long) w.rows() * w.cols() * 17 / 16;
    }
}

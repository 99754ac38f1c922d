package videollama.kernels;

/**
 * How a linear op's epilogue is exercised in the GEMM tests of both backends: {@code out = x·Wᵀ (+ bias) (+ residual)},
 * or {@link #GELU}'s {@code out = gelu(x·Wᵀ + bias)} ({@link GemmOps#linearGelu}).
 */
public enum Epilogue {
    NONE(false, false, false, false), BIAS(true, false, false, false), RESIDUAL(false, true, false, false),
    BOTH(true, true, false, false),
    /** out = out + x·Wᵀ + bias: the residual is out itself. */
    IN_PLACE(true, true, true, false),
    /** out = gelu(x·Wᵀ + bias): the op {@link GemmOps#linearGelu}. */
    GELU(true, false, false, true);

    public final boolean bias;
    public final boolean residual;
    public final boolean inPlace;
    public final boolean gelu;

    Epilogue(boolean bias, boolean residual, boolean inPlace, boolean gelu) {
        this.bias = bias;
        this.residual = residual;
        this.inPlace = inPlace;
        this.gelu = gelu;
    }
}

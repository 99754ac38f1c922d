package videollama.kernels;

/**
 * How a linear op's epilogue is exercised in the GEMM tests of both backends: {@code out = x·Wᵀ (+ bias) (+ residual)}.
 */
public enum Epilogue {
    NONE(false, false, false), BIAS(true, false, false), RESIDUAL(false, true, false), BOTH(true, true, false),
    /** out = out + x·Wᵀ + bias: the residual is out itself. */
    IN_PLACE(true, true, true);

    public final boolean bias;
    public final boolean residual;
    public final boolean inPlace;

    Epilogue(boolean bias, boolean residual, boolean inPlace) {
        this.bias = bias;
        this.residual = residual;
        this.inPlace = inPlace;
    }
}

package videollama.weights;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The element types we store, under their safetensors names. Anything else in a file is rejected.
 *
 * <p>{@link #Q8_0} is the one type no file holds under its own name: 8-bit weights in blocks of 32 along a row with
 * one fp16 scale each (as GGML's Q8_0), stored as an I8 tensor and an F16 scales tensor beside it and joined when a
 * folder is read ({@link QuantizedTensors}, docs/design.md section 2). Its {@link #byteSize} is that of the int8
 * quants; the scales are a tensor of their own ({@link Tensor#scales}).
 */
public enum DType {
    F32(4),
    F16(2),
    BF16(2),
    I64(8),
    I32(4),
    U8(1),
    I8(1),
    Q8_0(1);

    /** Elements per Q8_0 block, each block one fp16 scale. */
    public static final int Q8_0_BLOCK = 32;

    private static final String SUPPORTED = Arrays.stream(values()).filter(DType::isStored)
            .map(DType::safetensorsName).collect(Collectors.joining(", "));

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** True for F32, F16 and BF16: the types a weight matrix may have. */
    public boolean isFloat() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** True for the weight-matrix types: the float types and {@link #Q8_0}. */
    public boolean isWeight() {
        return isFloat() || this == Q8_0;
    }

    /** True for every type a safetensors file may hold under its name (all but {@link #Q8_0}). */
    public boolean isStored() {
        return this != Q8_0;
    }

    /** The name in a safetensors header, e.g. {@code "BF16"}. */
    public String safetensorsName() {
        return name();
    }

    /**
     * The dtype with this safetensors name (exact, case-sensitive, as the format defines them).
     *
     * @throws IllegalArgumentException for any other name; the message lists the supported ones and is
     *         meant to be prefixed with the file and tensor by the caller
     */
    public static DType fromSafetensors(String name) {
        for (DType dtype : values()) {
            if (dtype.isStored() && dtype.safetensorsName().equals(name)) {
                return dtype;
            }
        }
        throw new IllegalArgumentException("unsupported dtype '" + name + "' (supported: " + SUPPORTED + ")");
    }
}

package videollama.weights;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The element types we store, under their safetensors names. Anything else in a file is rejected. */
public enum DType {
    F32(4, true),
    F16(2, true),
    BF16(2, true),
    I64(8, false),
    I32(4, false),
    U8(1, false);

    private static final String SUPPORTED =
            Arrays.stream(values()).map(DType::safetensorsName).collect(Collectors.joining(", "));

    private final int byteSize;
    private final boolean isFloat;

    DType(int byteSize, boolean isFloat) {
        this.byteSize = byteSize;
        this.isFloat = isFloat;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** True for F32, F16 and BF16: the types a weight matrix may have. */
    public boolean isFloat() {
        return isFloat;
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
            if (dtype.safetensorsName().equals(name)) {
                return dtype;
            }
        }
        throw new IllegalArgumentException("unsupported dtype '" + name + "' (supported: " + SUPPORTED + ")");
    }
}

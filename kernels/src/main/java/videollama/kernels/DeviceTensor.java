package videollama.kernels;

import java.util.Arrays;
import videollama.weights.DType;

/**
 * A weight on the device, in its stored dtype, with the shape it had on disk. A {@link DType#Q8_0} matrix has its int8
 * quants in {@code buffer} and its fp16 scales [rows, cols / 32] in {@code scales} (docs/design.md section 2); {@code
 * scales} is null for every other dtype.
 */
public record DeviceTensor(String name, DeviceBuffer buffer, DType dtype, long[] shape, DeviceBuffer scales) {
    public DeviceTensor {
        if ((dtype == DType.Q8_0) != (scales != null)) {
            throw new IllegalArgumentException(name + ": a Q8_0 tensor needs its scales buffer, no other dtype has one");
        }
    }

    /** A weight without scales (any dtype but Q8_0). */
    public DeviceTensor(String name, DeviceBuffer buffer, DType dtype, long[] shape) {
        this(name, buffer, dtype, shape, null);
    }

    public int rows() {
        return Math.toIntExact(shape[0]);
    }

    /** The width of a matrix's rows (its last dimension). */
    public int cols() {
        return Math.toIntExact(shape[shape.length - 1]);
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + Arrays.toString(shape);
    }
}

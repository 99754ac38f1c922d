package videollama.kernels;

import java.util.Arrays;
import videollama.weights.DType;

/** A weight on the device, in its stored dtype, with the shape it had on disk. */
public record DeviceTensor(String name, DeviceBuffer buffer, DType dtype, long[] shape) {
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

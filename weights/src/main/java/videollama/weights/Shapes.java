package videollama.weights;

import java.util.Arrays;

/** Arithmetic on shapes, overflow-checked because shapes come from untrusted headers. */
final class Shapes {
    private Shapes() {
    }

    /**
     * The number of elements; 1 for a scalar (rank 0), 0 when any dimension is 0.
     *
     * @throws ArithmeticException if the product does not fit in a long
     */
    static long elementCount(long[] shape) {
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    /**
     * The number of bytes a tensor of this shape and dtype occupies.
     *
     * @throws ArithmeticException if it does not fit in a long
     */
    static long byteCount(long[] shape, DType dtype) {
        return Math.multiplyExact(elementCount(shape), (long) dtype.byteSize());
    }

    /** {@code "[3, 4]"}; {@code "[]"} for a scalar. */
    static String format(long[] shape) {
        return Arrays.toString(shape);
    }
}

package videollama.weights;

import java.util.Arrays;
import java.util.Objects;

/**
 * One header entry of a safetensors file, as validated: the tensor's name, dtype and shape, and where its
 * bytes lie, as {@code [begin, end)} offsets from the start of the data section (after the header).
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    /** A copy of the shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The number of bytes the entry spans, {@code end - begin}. */
    public long byteSpan() {
        return end - begin;
    }

    public String shapeString() {
        return Shapes.format(shape);
    }

    // Arrays compare by identity in a record's generated methods; these compare the shape by content.

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorInfo that
                && name.equals(that.name) && dtype == that.dtype && Arrays.equals(shape, that.shape)
                && begin == that.begin && end == that.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + shapeString() + " [" + begin + ", " + end + "]";
    }
}

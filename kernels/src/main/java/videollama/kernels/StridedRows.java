package videollama.kernels;

/**
 * A matrix read or written in place inside a device buffer: element c of row r is element {@code offset + r ·
 * stride + c} of the buffer (counted in elements of the buffer's type, not bytes). So the q, k and v of a fused
 * projection {@code [L, 3·width]} are {@code (qkv, 0, 3·width)}, {@code (qkv, width, 3·width)} and {@code (qkv,
 * 2·width, 3·width)}, and a plain {@code [L, width]} matrix is {@code dense(buffer, width)}.
 */
public record StridedRows(DeviceBuffer buffer, int offset, int stride) {
    public StridedRows {
        if (offset < 0 || stride < 1) {
            throw new IllegalArgumentException(buffer.name() + ": offset " + offset + " and stride " + stride);
        }
    }

    /** Rows of {@code width} elements one after another from the buffer's start. */
    public static StridedRows dense(DeviceBuffer buffer, int width) {
        return new StridedRows(buffer, 0, width);
    }

    /**
     * Checks that {@code rows} rows of {@code width} elements of {@code elementBytes} bytes lie inside the buffer
     * without overlapping one another.
     */
    public void checkFits(String what, long rows, int width, int elementBytes) {
        if (stride < width) {
            throw new IllegalArgumentException(what + " (" + buffer.name() + "): rows of " + width + " with a stride of " + stride + " overlap");
        }
        long end = offset + (rows - 1) * stride + width;
        if (end * elementBytes > buffer.bytes()) {
            throw new IllegalArgumentException(what + " (" + buffer.name() + "): " + rows + " rows of " + width + " at offset " + offset
                    + ", stride " + stride + " need " + end * elementBytes + " bytes; the buffer holds " + buffer.bytes());
        }
    }
}

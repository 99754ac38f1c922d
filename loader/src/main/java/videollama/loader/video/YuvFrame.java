package videollama.loader.video;

/**
 * One decoded picture in 8-bit Y'CbCr 4:2:0, cropped to its display size: a {@code width × height} luma
 * plane and two {@code ceil(width/2) × ceil(height/2)} chroma planes, each row-major without padding.
 *
 * @param matrix    the Y'CbCr → RGB matrix the stream declares
 * @param fullRange true for full-range (JPEG) levels, false for the usual limited range 16–235
 */
public record YuvFrame(int width, int height, byte[] y, byte[] u, byte[] v, ColourMatrix matrix, boolean fullRange) {
    public YuvFrame {
        int cw = (width + 1) >> 1;
        int ch = (height + 1) >> 1;
        if (y.length != width * height || u.length != cw * ch || v.length != cw * ch) {
            throw new IllegalArgumentException("plane sizes do not match " + width + "x" + height);
        }
    }

    /**
     * This picture turned by {@code degrees} clockwise (0, 90, 180 or 270), as FFmpeg's
     * {@code transpose=clock} filter (once for 90, twice for 180) and {@code transpose=cclock} (270) do it,
     * plane by plane, before any scaling.
     */
    public YuvFrame rotated(int degrees) {
        return switch (degrees) {
            case 0 -> this;
            case 90 -> transposed(true);
            case 180 -> transposed(true).transposed(true);
            case 270 -> transposed(false);
            default -> throw new IllegalArgumentException("rotation must be 0, 90, 180 or 270: " + degrees);
        };
    }

    /**
     * Clockwise: output (x, y) = input (y, h-1-x), FFmpeg's {@code transpose=1}; counter-clockwise: output
     * (x, y) = input (w-1-y, x), {@code transpose=2}.
     */
    private YuvFrame transposed(boolean clockwise) {
        int cw = (width + 1) >> 1;
        int ch = (height + 1) >> 1;
        return new YuvFrame(height, width,
                transposePlane(y, width, height, clockwise),
                transposePlane(u, cw, ch, clockwise),
                transposePlane(v, cw, ch, clockwise),
                matrix, fullRange);
    }

    private static byte[] transposePlane(byte[] plane, int w, int h, boolean clockwise) {
        byte[] out = new byte[w * h];
        // The output is h wide and w high.
        for (int oy = 0; oy < w; oy++) {
            for (int ox = 0; ox < h; ox++) {
                int sx = clockwise ? oy : w - 1 - oy;
                int sy = clockwise ? h - 1 - ox : ox;
                out[oy * h + ox] = plane[sy * w + sx];
            }
        }
        return out;
    }
}

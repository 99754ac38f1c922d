package videollama.loader.video;

/**
 * libswscale's table-driven Y'CbCr → RGB conversion for 24-bit output ({@code ff_yuv2rgb_c_init_tables}
 * with brightness 0, contrast and saturation 1): a clipped luma ramp indexed by Y plus a chroma offset per
 * channel, the offsets already divided by the luma gain.
 */
final class YuvToRgbTables {
    /** Entries either side of the ramp's working range, so out-of-range sums clip instead of failing. */
    private static final int HEADROOM = 512;

    private final byte[] ramp;
    private final int yOffset;
    private final int[] red = new int[256];
    private final int[] greenU = new int[256];
    private final int[] greenV = new int[256];
    private final int[] blue = new int[256];

    private YuvToRgbTables(ColourMatrix matrix, boolean fullRange) {
        long crv = matrix.crv;
        long cbu = matrix.cbu;
        long cgu = -matrix.cgu;
        long cgv = -matrix.cgv;
        long cy = 1 << 16;
        long oy = 0;
        if (!fullRange) {
            cy = (cy * 255) / 219;
            oy = 16 << 16;
        } else {
            crv = (crv * 224) / 255;
            cbu = (cbu * 224) / 255;
            cgu = (cgu * 224) / 255;
            cgv = (cgv * 224) / 255;
        }
        // Chroma gains in luma-ramp steps.
        crv = ((crv << 16) + 0x8000) / cy;
        cbu = ((cbu << 16) + 0x8000) / cy;
        cgu = ((cgu << 16) + 0x8000) / cy;
        cgv = ((cgv << 16) + 0x8000) / cy;

        ramp = new byte[1024 + 2 * HEADROOM];
        long yb = -(384L << 16) - HEADROOM * cy - oy;
        for (int i = 0; i < ramp.length; i++) {
            ramp[i] = (byte) clip8((yb + 0x8000) >> 16);
            yb += cy;
        }
        yOffset = (fullRange ? 384 : 326) + HEADROOM;
        for (int c = 0; c < 256; c++) {
            red[c] = (int) ((c * crv) >> 16) - (int) (crv >> 9);
            greenU[c] = (int) ((c * cgu) >> 16) - (int) (cgu >> 9);
            greenV[c] = (int) ((c * cgv) >> 16) - (int) (cgv >> 9);
            blue[c] = (int) ((c * cbu) >> 16) - (int) (cbu >> 9);
        }
    }

    static YuvToRgbTables of(ColourMatrix matrix, boolean fullRange) {
        return new YuvToRgbTables(matrix, fullRange);
    }

    /**
     * Writes two horizontally adjacent pixels that share one chroma sample ({@code yuv2rgb_write} for RGB24),
     * or only the first when {@code remaining} is 1. Out-of-range inputs are clipped to 0..255 first.
     */
    void writePair(byte[] out, int offset, int y1, int y2, int u, int v, int remaining) {
        if (((y1 | y2 | u | v) & 0x100) != 0) {
            y1 = clip8(y1);
            y2 = clip8(y2);
            u = clip8(u);
            v = clip8(v);
        }
        int r = yOffset + red[v];
        int g = yOffset + greenU[u] + greenV[v];
        int b = yOffset + blue[u];
        out[offset] = ramp[r + y1];
        out[offset + 1] = ramp[g + y1];
        out[offset + 2] = ramp[b + y1];
        if (remaining > 1) {
            out[offset + 3] = ramp[r + y2];
            out[offset + 4] = ramp[g + y2];
            out[offset + 5] = ramp[b + y2];
        }
    }

    private static int clip8(long v) {
        return (int) Math.max(0, Math.min(255, v));
    }
}

package videollama.loader.image;

/**
 * Pillow's {@code Image.resize(size, Image.BICUBIC)} for 8-bit RGB, the still-image resize of the reference's {@code Blip2ImageEvalProcessor}
 * (torchvision 0.13's {@code Resize} hands PIL images to it).
 *
 * <p>Pillow resamples separably, horizontal pass first (only over the rows the vertical pass will read),
 * with a bicubic kernel (a = -0.5) whose support is stretched by the downscale factor, so downscaling
 * averages every source pixel (antialiasing). Weights are normalised per output pixel in double, then
 * turned into 22-bit fixed point; each pass rounds and clips to 8 bits. A pass is skipped when its size
 * does not change. This follows Pillow's {@code libImaging/Resample.c} step by step.
 */
public final class PilResize {
    /** Pillow's {@code PRECISION_BITS}: 32 - 8 - 2. */
    private static final int PRECISION_BITS = 22;
    private static final double SUPPORT = 2.0;

    private PilResize() {}

    /**
     * @param rgb  {@code height × width} pixels, R G B bytes, row-major
     * @return {@code outHeight × outWidth} pixels in the same layout
     */
    public static byte[] bicubic(byte[] rgb, int width, int height, int outWidth, int outHeight) {
        if (rgb.length != 3L * width * height) {
            throw new IllegalArgumentException("expected " + 3L * width * height + " bytes, got " + rgb.length);
        }
        if (width == outWidth && height == outHeight) {
            return rgb.clone();
        }
        Coefficients horizontal = Coefficients.of(width, outWidth);
        Coefficients vertical = Coefficients.of(height, outHeight);
        byte[] image = rgb;
        int rows = height;
        int firstRow = 0;
        if (width != outWidth) {
            // Only the source rows the vertical pass reads.
            firstRow = height != outHeight ? vertical.min[0] : 0;
            int lastRow = height != outHeight ? vertical.min[outHeight - 1] + vertical.count[outHeight - 1] : height;
            rows = lastRow - firstRow;
            image = horizontalPass(image, width, firstRow, rows, horizontal, outWidth);
        }
        if (height != outHeight) {
            image = verticalPass(image, outWidth, firstRow, vertical, outHeight);
        }
        return image;
    }

    private static byte[] horizontalPass(byte[] in, int width, int firstRow, int rows, Coefficients c, int outWidth) {
        byte[] out = new byte[rows * outWidth * 3];
        for (int y = 0; y < rows; y++) {
            int rowIn = (firstRow + y) * width * 3;
            int rowOut = y * outWidth * 3;
            for (int x = 0; x < outWidth; x++) {
                int xmin = c.min[x];
                int n = c.count[x];
                int k = x * c.kernelSize;
                for (int ch = 0; ch < 3; ch++) {
                    int ss = 1 << (PRECISION_BITS - 1);
                    for (int i = 0; i < n; i++) {
                        ss += (in[rowIn + (xmin + i) * 3 + ch] & 0xff) * c.weights[k + i];
                    }
                    out[rowOut + x * 3 + ch] = clip8(ss);
                }
            }
        }
        return out;
    }

    /** {@code firstRow}: the source row that {@code in}'s row 0 holds. */
    private static byte[] verticalPass(byte[] in, int width, int firstRow, Coefficients c, int outHeight) {
        byte[] out = new byte[outHeight * width * 3];
        int stride = width * 3;
        for (int y = 0; y < outHeight; y++) {
            int ymin = c.min[y] - firstRow;
            int n = c.count[y];
            int k = y * c.kernelSize;
            for (int xc = 0; xc < stride; xc++) {
                int ss = 1 << (PRECISION_BITS - 1);
                for (int i = 0; i < n; i++) {
                    ss += (in[(ymin + i) * stride + xc] & 0xff) * c.weights[k + i];
                }
                out[y * stride + xc] = clip8(ss);
            }
        }
        return out;
    }

    private static byte clip8(int v) {
        int s = v >> PRECISION_BITS;
        return (byte) (s < 0 ? 0 : Math.min(s, 255));
    }

    private static double bicubicKernel(double x) {
        double a = -0.5;
        if (x < 0) {
            x = -x;
        }
        if (x < 1) {
            return ((a + 2) * x - (a + 3)) * x * x + 1;
        }
        if (x < 2) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0;
    }

    /** Pillow's {@code precompute_coeffs} and {@code normalize_coeffs_8bpc} for the full box. */
    private record Coefficients(int kernelSize, int[] min, int[] count, int[] weights) {
        static Coefficients of(int inSize, int outSize) {
            double scale = (double) ((float) inSize - 0f) / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = SUPPORT * filterScale;
            int kernelSize = (int) Math.ceil(support) * 2 + 1;
            int[] min = new int[outSize];
            int[] count = new int[outSize];
            int[] weights = new int[outSize * kernelSize];
            double[] k = new double[kernelSize];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
                double ww = 0;
                for (int x = 0; x < xmax; x++) {
                    k[x] = bicubicKernel((x + xmin - center + 0.5) * ss);
                    ww += k[x];
                }
                for (int x = 0; x < xmax; x++) {
                    double w = ww != 0 ? k[x] / ww : k[x];
                    weights[xx * kernelSize + x] = (int) (w < 0 ? -0.5 + w * (1 << PRECISION_BITS)
                            : 0.5 + w * (1 << PRECISION_BITS));
                }
                min[xx] = xmin;
                count[xx] = xmax;
            }
            return new Coefficients(kernelSize, min, count, weights);
        }
    }
}

package videollama.loader.video;

/**
 * One direction of a libswscale scaler: for each output sample, the first source sample it reads
 * ({@link #position}) and {@link #size()} integer taps. Built as libswscale's {@code initFilter} builds it,
 * for the bilinear and bicubic kernels (see {@link SwsScaler} for the steps).
 */
final class FilterBank {
    /** libswscale's {@code SWS_MAX_REDUCE_CUTOFF}: edge taps whose running sum stays below this are dropped. */
    private static final double MAX_REDUCE_CUTOFF = 0.002;

    private final int size;
    private final int sourceSize;
    private final int[] positions;
    private final short[] coefficients;

    private FilterBank(int size, int sourceSize, int[] positions, short[] coefficients) {
        this.size = size;
        this.sourceSize = sourceSize;
        this.positions = positions;
        this.coefficients = coefficients;
    }

    int size() {
        return size;
    }

    int position(int output) {
        return positions[output];
    }

    /**
     * The taps of {@code output} that lie inside the source. When the padded filter is wider than the
     * source (tiny pictures) the taps past its end are zero; swscale reads padding memory there, we stop.
     */
    int taps(int output) {
        return Math.min(size, sourceSize - positions[output]);
    }

    /** {@code size} taps per output sample, output-major. */
    short[] coefficients() {
        return coefficients;
    }

    /**
     * @param inc       source step per output sample in 16.16 fixed point
     * @param align     the tap count is rounded up to a multiple of this (x86: 4 horizontal, 2 vertical)
     * @param one       what the taps sum to: 1 << 14 horizontally, 1 << 12 vertically
     * @param srcPos    position of the first source sample in 1/256 of a sample (128: centred)
     * @param dstPos    likewise for the output
     */
    static FilterBank create(int inc, int srcW, int dstW, int align, int one, ScaleAlgorithm algorithm,
                             int srcPos, int dstPos) {
        long fone = 1L << (54 - Math.min(log2(srcW / dstW), 8));
        int filterSize;
        int[] pos = new int[dstW];
        long[] filter;

        if (Math.abs(inc - 0x10000) < 10 && srcPos == dstPos) { // unscaled
            filterSize = 1;
            filter = new long[dstW];
            for (int i = 0; i < dstW; i++) {
                filter[i] = fone;
                pos[i] = i;
            }
        } else {
            int sizeFactor = algorithm.sizeFactor;
            filterSize = inc <= 1 << 16 ? 1 + sizeFactor : 1 + (sizeFactor * srcW + dstW - 1) / dstW;
            filterSize = Math.max(Math.min(filterSize, srcW - 2), 1);
            filter = new long[dstW * filterSize];
            long xDstInSrc = ((dstPos * (long) inc) >> 7) - ((srcPos * 0x10000L) >> 7);
            for (int i = 0; i < dstW; i++) {
                int xx = (int) ((xDstInSrc - (filterSize - 2) * (1L << 16)) / (1 << 17));
                pos[i] = xx;
                for (int j = 0; j < filterSize; j++) {
                    long d = Math.abs((long) xx * (1 << 17) - xDstInSrc) << 13;
                    if (inc > 1 << 16) {
                        d = d * dstW / srcW;
                    }
                    filter[i * filterSize + j] = switch (algorithm) {
                        case BILINEAR -> Math.max((1L << 30) - d, 0) * (fone >> 30);
                        case BICUBIC -> bicubic(d) / ((1L << 54) / fone);
                    };
                    xx++;
                }
                xDstInSrc += 2L * inc;
            }
        }

        // Trim near-zero taps: shift each filter left past negligible leading taps, find the longest tail.
        int minFilterSize = 0;
        for (int i = dstW - 1; i >= 0; i--) {
            int base = i * filterSize;
            int min = filterSize;
            long cutOff = 0;
            for (int j = 0; j < filterSize; j++) {
                cutOff += Math.abs(filter[base]);
                if (cutOff > MAX_REDUCE_CUTOFF * fone) {
                    break;
                }
                if (i < dstW - 1 && pos[i] >= pos[i + 1]) { // keep positions monotonic
                    break;
                }
                System.arraycopy(filter, base + 1, filter, base, filterSize - 1);
                filter[base + filterSize - 1] = 0;
                pos[i]++;
            }
            cutOff = 0;
            for (int j = filterSize - 1; j > 0; j--) {
                cutOff += Math.abs(filter[base + j]);
                if (cutOff > MAX_REDUCE_CUTOFF * fone) {
                    break;
                }
                min--;
            }
            minFilterSize = Math.max(minFilterSize, min);
        }
        if (minFilterSize == 1 && align == 2) { // x86: unscaled vertical filtering stays one tap
            align = 1;
        }
        int outSize = (minFilterSize + align - 1) & -align;
        long[] trimmed = new long[dstW * outSize];
        for (int i = 0; i < dstW; i++) {
            for (int j = 0; j < outSize && j < filterSize; j++) {
                trimmed[i * outSize + j] = filter[i * filterSize + j];
            }
        }

        // Fold taps outside the picture onto its edge samples.
        for (int i = 0; i < dstW; i++) {
            int base = i * outSize;
            if (pos[i] < 0) {
                for (int j = 1; j < outSize; j++) {
                    int left = Math.max(j + pos[i], 0);
                    trimmed[base + left] += trimmed[base + j];
                    trimmed[base + j] = 0;
                }
                pos[i] = 0;
            }
            if (pos[i] + outSize > srcW) {
                int shift = pos[i] + Math.min(outSize - srcW, 0);
                long acc = 0;
                for (int j = outSize - 1; j >= 0; j--) {
                    if (pos[i] + j >= srcW) {
                        acc += trimmed[base + j];
                        trimmed[base + j] = 0;
                    }
                }
                for (int j = outSize - 1; j >= 0; j--) {
                    trimmed[base + j] = j < shift ? 0 : trimmed[base + j - shift];
                }
                pos[i] -= shift;
                trimmed[base + srcW - 1 - pos[i]] += acc;
            }
        }

        // Normalise to integers that sum to `one`, carrying each tap's rounding error into the next.
        short[] coefficients = new short[dstW * outSize];
        for (int i = 0; i < dstW; i++) {
            int base = i * outSize;
            long sum = 0;
            for (int j = 0; j < outSize; j++) {
                sum += trimmed[base + j];
            }
            sum = (sum + one / 2) / one;
            if (sum == 0) {
                sum = 1;
            }
            long error = 0;
            for (int j = 0; j < outSize; j++) {
                long v = trimmed[base + j] + error;
                long intV = roundedDiv(v, sum);
                coefficients[base + j] = (short) intV;
                error = v - intV * sum;
            }
        }
        return new FilterBank(outSize, srcW, pos, coefficients);
    }

    /**
     * swscale's bicubic kernel in fixed point ({@code d} in 2.30, result scaled by 2^54), with its default
     * parameters B = 0 and C = 0.6.
     */
    private static long bicubic(long d) {
        long b = 0;
        long c = (long) (0.6 * (1 << 24));
        if (d >= 1L << 31) {
            return 0;
        }
        long dd = (d * d) >> 30;
        long ddd = (dd * d) >> 30;
        if (d < 1L << 30) {
            return (12 * (1L << 24) - 9 * b - 6 * c) * ddd
                    + (-18 * (1L << 24) + 12 * b + 6 * c) * dd
                    + (6 * (1L << 24) - 2 * b) * (1L << 30);
        }
        return (-b - 6 * c) * ddd + (6 * b + 30 * c) * dd + (-12 * b - 48 * c) * d + (8 * b + 24 * c) * (1L << 30);
    }

    /** FFmpeg's {@code ROUNDED_DIV}: halves away from zero. */
    private static long roundedDiv(long a, long b) {
        return (a >= 0 ? a + (b >> 1) : a - (b >> 1)) / b;
    }

    /** FFmpeg's {@code av_log2}: floor(log2(v)), 0 for v <= 1. */
    private static int log2(int v) {
        return v <= 1 ? 0 : 31 - Integer.numberOfLeadingZeros(v);
    }

    /**
     * The horizontal pass of one row ({@code hScale8To15}): 8-bit samples from {@code offset} on, 15-bit
     * results. The result has an even length (the packed RGB writer reads pixels in pairs); an odd width
     * repeats its last sample.
     */
    int[] scale8To15(byte[] src, int offset) {
        int dstW = positions.length;
        int[] out = new int[(dstW + 1) & ~1];
        for (int i = 0; i < dstW; i++) {
            int start = offset + positions[i];
            int base = i * size;
            int val = 0;
            int taps = taps(i);
            for (int j = 0; j < taps; j++) {
                val += (src[start + j] & 0xff) * coefficients[base + j];
            }
            out[i] = Math.min(val >> 7, (1 << 15) - 1);
        }
        if ((dstW & 1) != 0) {
            out[dstW] = out[dstW - 1];
        }
        return out;
    }
}

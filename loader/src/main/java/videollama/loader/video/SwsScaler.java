package videollama.loader.video;

/**
 * FFmpeg's software scaler (libswscale) for the one conversion the reference pipeline makes: a YUV 4:2:0
 * picture to packed RGB24 of another size, in one pass, as decord's filter graph {@code scale=224:224} with
 * an RGB24 sink does it (docs/model.md section 5.1).
 *
 * <p>What swscale does, and so what this class does, in integers throughout:
 * <ol>
 *   <li>Scales every plane horizontally on its own: luma from W to dstW, chroma from its half width W/2 to
 *       dstW/2 (packed RGB output without {@code full_chroma_int} shares one chroma sample between two
 *       output pixels). Filter taps are 14-bit fixed point; the 8-bit samples come out as 15-bit values.
 *   <li>Scales vertically: luma from H to dstH, chroma from H/2 straight to dstH (RGB has no vertical
 *       subsampling). Taps are 12-bit; the sum is shifted back to 8 bits.
 *   <li>Converts Y'CbCr to RGB with its lookup tables: BT.601 (or the stream's matrix) in limited range
 *       unless the stream says full range.
 * </ol>
 * Scaling happens before the colour conversion, on the planes at their own resolutions; chroma samples are
 * taken as centred between luma samples in both directions (swscale's default when the caller gives no
 * chroma position, which decord's FFmpeg 4.1 filter graph never does).
 *
 * <p>The filters are computed as in libswscale's {@code initFilter}: the kernel is stretched by the
 * downscaling factor (so a downscale averages every source pixel), near-zero edge taps are trimmed, taps
 * past the picture edge are folded onto the edge pixel, and each filter is rounded to integers with the
 * rounding error carried to the next tap so the taps sum exactly to one. Tap counts are padded as on x86
 * (4 horizontally, 2 vertically), which changes nothing numerically but picks the same vertical code path.
 */
public final class SwsScaler {
    /** The scaler algorithms the reference may use; see {@link ScaleAlgorithm}. */
    private final ScaleAlgorithm algorithm;

    public SwsScaler(ScaleAlgorithm algorithm) {
        this.algorithm = algorithm;
    }

    public ScaleAlgorithm algorithm() {
        return algorithm;
    }

    /**
     * Scales a 4:2:0 picture to {@code dstW × dstH} RGB24 (row-major, R G B per pixel).
     *
     * @param frame the picture; chroma planes are {@code ceil(w/2) × ceil(h/2)}
     */
    public byte[] toRgb(YuvFrame frame, int dstW, int dstH) {
        int srcW = frame.width();
        int srcH = frame.height();
        int chrSrcW = (srcW + 1) >> 1;
        int chrSrcH = (srcH + 1) >> 1;
        int chrDstW = (dstW + 1) >> 1;
        int chrDstH = dstH;

        int lumXInc = (int) ((((long) srcW << 16) + (dstW >> 1)) / dstW);
        int lumYInc = (int) ((((long) srcH << 16) + (dstH >> 1)) / dstH);
        int chrXInc = (int) ((((long) chrSrcW << 16) + (chrDstW >> 1)) / chrDstW);
        int chrYInc = (int) ((((long) chrSrcH << 16) + (chrDstH >> 1)) / chrDstH);

        // Centred chroma: swscale's local positions are 128 (half a sample, in 1/256) on both sides.
        FilterBank hLum = FilterBank.create(lumXInc, srcW, dstW, 4, 1 << 14, algorithm, 128, 128);
        FilterBank hChr = FilterBank.create(chrXInc, chrSrcW, chrDstW, 4, 1 << 14, algorithm, 128, 128);
        FilterBank vLum = FilterBank.create(lumYInc, srcH, dstH, 2, 1 << 12, algorithm, 128, 128);
        FilterBank vChr = FilterBank.create(chrYInc, chrSrcH, chrDstH, 2, 1 << 12, algorithm, 128, 128);

        // Horizontal pass over every source row (the vertical filters read all of them when downscaling).
        int[][] lumRows = new int[srcH][];
        int[][] uRows = new int[chrSrcH][];
        int[][] vRows = new int[chrSrcH][];
        for (int y = 0; y < srcH; y++) {
            lumRows[y] = hLum.scale8To15(frame.y(), y * srcW);
        }
        for (int y = 0; y < chrSrcH; y++) {
            uRows[y] = hChr.scale8To15(frame.u(), y * chrSrcW);
            vRows[y] = hChr.scale8To15(frame.v(), y * chrSrcW);
        }

        YuvToRgbTables tables = YuvToRgbTables.of(frame.matrix(), frame.fullRange());
        byte[] out = new byte[dstW * dstH * 3];
        for (int dstY = 0; dstY < dstH; dstY++) {
            packedRow(tables, vLum, vChr, dstY, lumRows, uRows, vRows, out, dstY * dstW * 3, dstW);
        }
        return out;
    }

    /**
     * One output row: the vertical filter and the colour conversion together, choosing between swscale's
     * three packed-RGB paths exactly as its {@code packed_vscale} does (the one- and two-tap paths round
     * differently from the general one).
     */
    private static void packedRow(YuvToRgbTables t, FilterBank vLum, FilterBank vChr, int dstY,
                                  int[][] lum, int[][] u, int[][] v, byte[] out, int offset, int dstW) {
        int lumSize = vLum.size();
        int chrSize = vChr.size();
        int lumPos = vLum.position(dstY);
        int chrPos = vChr.position(dstY);
        short[] lf = vLum.coefficients();
        short[] cf = vChr.coefficients();
        int lfBase = dstY * lumSize;
        int cfBase = dstY * chrSize;
        int pairs = (dstW + 1) >> 1;

        if (lumSize == 1 && (chrSize == 1
                || (chrSize == 2 && cf[cfBase] + cf[cfBase + 1] == 4096 && (cf[cfBase + 1] & 0xffff) <= 4096))) {
            int uvAlpha = chrSize == 1 ? 0 : cf[cfBase + 1];
            int[] y0 = lum[lumPos];
            int[] u0 = u[chrPos];
            int[] v0 = v[chrPos];
            int[] u1 = chrSize == 1 ? u0 : u[chrPos + 1];
            int[] v1 = chrSize == 1 ? v0 : v[chrPos + 1];
            for (int i = 0; i < pairs; i++) {
                int y1 = (y0[2 * i] + 64) >> 7;
                int y2 = (y0[2 * i + 1] + 64) >> 7;
                int uu;
                int vv;
                if (uvAlpha < 2048) {
                    uu = (u0[i] + 64) >> 7;
                    vv = (v0[i] + 64) >> 7;
                } else {
                    uu = (u0[i] + u1[i] + 128) >> 8;
                    vv = (v0[i] + v1[i] + 128) >> 8;
                }
                t.writePair(out, offset + 6 * i, y1, y2, uu, vv, dstW - 2 * i);
            }
        } else if (lumSize == 2 && chrSize == 2
                && lf[lfBase] + lf[lfBase + 1] == 4096 && (lf[lfBase + 1] & 0xffff) <= 4096
                && cf[cfBase] + cf[cfBase + 1] == 4096 && (cf[cfBase + 1] & 0xffff) <= 4096) {
            int yAlpha = lf[lfBase + 1];
            int yAlpha1 = 4096 - yAlpha;
            int uvAlpha = cf[cfBase + 1];
            int uvAlpha1 = 4096 - uvAlpha;
            int[] y0 = lum[lumPos];
            int[] y1r = lum[lumPos + 1];
            int[] u0 = u[chrPos];
            int[] u1 = u[chrPos + 1];
            int[] v0 = v[chrPos];
            int[] v1 = v[chrPos + 1];
            for (int i = 0; i < pairs; i++) {
                int y1 = (y0[2 * i] * yAlpha1 + y1r[2 * i] * yAlpha) >> 19;
                int y2 = (y0[2 * i + 1] * yAlpha1 + y1r[2 * i + 1] * yAlpha) >> 19;
                int uu = (u0[i] * uvAlpha1 + u1[i] * uvAlpha) >> 19;
                int vv = (v0[i] * uvAlpha1 + v1[i] * uvAlpha) >> 19;
                t.writePair(out, offset + 6 * i, y1, y2, uu, vv, dstW - 2 * i);
            }
        } else {
            int lumTaps = vLum.taps(dstY);
            int chrTaps = vChr.taps(dstY);
            for (int i = 0; i < pairs; i++) {
                int y1 = 1 << 18;
                int y2 = 1 << 18;
                int uu = 1 << 18;
                int vv = 1 << 18;
                for (int j = 0; j < lumTaps; j++) {
                    int[] row = lum[lumPos + j];
                    int c = lf[lfBase + j];
                    y1 += row[2 * i] * c;
                    y2 += row[2 * i + 1] * c;
                }
                for (int j = 0; j < chrTaps; j++) {
                    int c = cf[cfBase + j];
                    uu += u[chrPos + j][i] * c;
                    vv += v[chrPos + j][i] * c;
                }
                t.writePair(out, offset + 6 * i, y1 >> 19, y2 >> 19, uu >> 19, vv >> 19, dstW - 2 * i);
            }
        }
    }
}

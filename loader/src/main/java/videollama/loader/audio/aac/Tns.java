package videollama.loader.audio.aac;

/**
 * Temporal noise shaping (ISO/IEC 14496-3 4.6.9): tns_data (Table 4.48) and the decoder's all-pole filters run over
 * the spectrum. Per window up to 3 filters (1 in short windows), each over a range of scalefactor bands counted down
 * from the top band, of order up to 12 (7 in short windows, the AAC-LC limits of Table 4.155), upward or downward in
 * frequency. The coefficients are quantized reflection coefficients: 3 or 4 bits (coef_res), one fewer when
 * coef_compress drops a bit, mapped through sin() as 4.6.9.3 says and converted to a direct-form filter.
 */
final class Tns {
    private static final int MAX_ORDER_LONG = 12;
    private static final int MAX_ORDER_SHORT = 7;

    boolean present;
    private final int[] filterCount = new int[8];
    private final int[][] length = new int[8][3];
    private final int[][] order = new int[8][3];
    private final boolean[][] downward = new boolean[8][3];
    /** Direct-form coefficients a[1..order] of each filter (index 0 unused). */
    private final double[][][] lpc = new double[8][3][MAX_ORDER_LONG + 1];

    void read(BitReader bits, IcsInfo info, AacToolCounts counts) {
        boolean isShort = info.isShort();
        int maxOrder = isShort ? MAX_ORDER_SHORT : MAX_ORDER_LONG;
        double[] reflection = new double[MAX_ORDER_LONG];
        for (int w = 0; w < info.windows(); w++) {
            filterCount[w] = bits.read(isShort ? 1 : 2);
            if (filterCount[w] == 0) {
                continue;
            }
            int resolution = bits.read(1) + 3; // coef_res: 3 or 4 bits
            for (int f = 0; f < filterCount[w]; f++) {
                length[w][f] = bits.read(isShort ? 4 : 6);
                order[w][f] = bits.read(isShort ? 3 : 5);
                if (order[w][f] > maxOrder) {
                    throw AacException.corrupt("TNS filter order " + order[w][f] + " above " + maxOrder);
                }
                if (order[w][f] == 0) {
                    continue;
                }
                downward[w][f] = bits.readBit();
                boolean compress = bits.readBit();
                int coefficientBits = resolution - (compress ? 1 : 0);
                // 4.6.9.3: iqfac = ((1 << (coef_res_bits - 1)) - 0.5) / (pi / 2) for values >= 0, + 0.5 below 0
                double positive = ((1 << (resolution - 1)) - 0.5) / (Math.PI / 2);
                double negative = ((1 << (resolution - 1)) + 0.5) / (Math.PI / 2);
                for (int i = 0; i < order[w][f]; i++) {
                    int raw = bits.read(coefficientBits);
                    int value = raw << (32 - coefficientBits) >> (32 - coefficientBits); // two's complement
                    reflection[i] = Math.sin(value / (value >= 0 ? positive : negative));
                }
                toDirectForm(reflection, order[w][f], lpc[w][f]);
                counts.add(AacTool.TNS_FILTERS);
                counts.add(AacTool.TNS_SHORT_FILTERS, isShort ? 1 : 0);
                counts.add(AacTool.TNS_DOWNWARD, downward[w][f] ? 1 : 0);
                counts.add(AacTool.TNS_COMPRESSED, compress ? 1 : 0);
                counts.add(AacTool.TNS_LOW_RESOLUTION, resolution == 3 ? 1 : 0);
            }
        }
    }

    /** 4.6.9.3's conversion of reflection coefficients to a[1..order], order by order (the step-up recursion). */
    private static void toDirectForm(double[] reflection, int order, double[] a) {
        double[] previous = new double[order + 1];
        for (int m = 1; m <= order; m++) {
            System.arraycopy(a, 0, previous, 0, m);
            for (int i = 1; i < m; i++) {
                a[i] = previous[i] + reflection[m - 1] * previous[m - i];
            }
            a[m] = reflection[m - 1];
        }
    }

    /**
     * Runs the filters over {@code spectrum} (window {@code w} at {@code 128 w}): y[n] = x[n] - sum a[i] y[n - i]
     * along the filter's direction, starting from rest, over bands [max(top - length, 0), top) of those below
     * min(TNS_MAX_BANDS, max_sfb), where each window's first filter's top is the number of bands.
     */
    void apply(double[] spectrum, IcsInfo info, int rateIndex) {
        int maxBand = Math.min(BandTables.tnsMaxBands(rateIndex, info.isShort()), info.maxSfb);
        for (int w = 0; w < info.windows(); w++) {
            int bottom = info.bands;
            for (int f = 0; f < filterCount[w]; f++) {
                int top = bottom;
                bottom = Math.max(0, top - length[w][f]);
                int n = order[w][f];
                if (n == 0) {
                    continue;
                }
                int start = info.offsets[Math.min(bottom, maxBand)];
                int end = info.offsets[Math.min(top, maxBand)];
                int size = end - start;
                if (size <= 0) {
                    continue;
                }
                int step = downward[w][f] ? -1 : 1;
                int at = w * 128 + (downward[w][f] ? end - 1 : start);
                double[] a = lpc[w][f];
                for (int m = 0; m < size; m++, at += step) {
                    double y = spectrum[at];
                    for (int i = 1; i <= Math.min(m, n); i++) {
                        y -= a[i] * spectrum[at - i * step];
                    }
                    spectrum[at] = y;
                }
            }
        }
    }
}

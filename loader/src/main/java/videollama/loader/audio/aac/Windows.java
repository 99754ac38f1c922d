package videollama.loader.audio.aac;

/**
 * The window halves of ISO/IEC 14496-3 4.6.11.3.2, rising halves w[0, N/2) for N = 2048 and 256, computed in
 * double: the sine window sin(pi/N (n + 1/2)) and the Kaiser-Bessel-derived window
 * sqrt(sum_{j<=n} W'[j] / sum_{j<=N/2} W'[j]) with the Kaiser window W'[j] = I0(pi alpha sqrt(1 - ((j - N/4)/(N/4))^2)),
 * alpha 4 for long and 6 for short windows. The falling half is the rising one reversed.
 */
final class Windows {
    static final int SINE = 0;
    static final int KBD = 1;

    private static final double[][] LONG = {sine(2048), kaiserBesselDerived(2048, 4)};
    private static final double[][] SHORT = {sine(256), kaiserBesselDerived(256, 6)};

    private Windows() {}

    /** Rising half of the long window of {@code shape}; shared, never modify. */
    static double[] longRise(int shape) {
        return LONG[shape];
    }

    /** Rising half of the short window of {@code shape}; shared, never modify. */
    static double[] shortRise(int shape) {
        return SHORT[shape];
    }

    static double[] sine(int n) {
        double[] w = new double[n / 2];
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.sin(Math.PI / n * (i + 0.5));
        }
        return w;
    }

    static double[] kaiserBesselDerived(int n, double alpha) {
        double[] kaiser = new double[n / 2 + 1];
        double quarter = n / 4.0;
        for (int j = 0; j <= n / 2; j++) {
            double r = (j - quarter) / quarter;
            kaiser[j] = besselI0(Math.PI * alpha * Math.sqrt(1 - r * r));
        }
        double total = 0;
        for (double v : kaiser) {
            total += v;
        }
        double[] w = new double[n / 2];
        double sum = 0;
        for (int i = 0; i < w.length; i++) {
            sum += kaiser[i];
            w[i] = Math.sqrt(sum / total);
        }
        return w;
    }

    /** The modified Bessel function of the first kind, order 0: sum_k ((x/2)^k / k!)^2, to double precision. */
    static double besselI0(double x) {
        double term = 1;
        double sum = 1;
        for (int k = 1; term > sum * 1e-17; k++) {
            double f = x / (2 * k);
            term *= f * f;
            sum += term;
        }
        return sum;
    }
}

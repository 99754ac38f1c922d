package videollama.loader.audio.aac;

/**
 * The inverse MDCT of ISO/IEC 14496-3 4.6.11.3.1, x[n] = 2/N sum_k X[k] cos(2 pi / N (n + n0)(k + 1/2)),
 * n0 = (N/2 + 1)/2, for N = 2048 (long) and 256 (short windows), exactly in double precision: the N/2-point
 * DCT-IV inside it is computed with an N/4-point complex FFT between two twiddle multiplications, every twiddle
 * taken from Math.cos/Math.sin of its own angle (no recurrence, so no accumulated rounding).
 *
 * <p>With M = N/2 and u the DCT-IV of X (u[j] = sum_k X[k] cos(pi/M (j + 1/2)(k + 1/2))): pairing X[2n] and
 * X[M-1-2n] into z[n] = (X[2n] + i X[M-1-2n]) e^{-i pi n/M}, the FFT Z of z gives y[k] = Z[k] e^{-i pi (k + 1/4)/M}
 * with u[2k] = Re y[k] and u[M-1-2k] = -Im y[k]; then x[n] = u[n + M/2] for n < M/2, -u[3M/2 - 1 - n] below 3M/2,
 * -u[n - 3M/2] above.
 */
final class Imdct {
    private final int n;
    private final int m;
    private final int quarter;
    private final double[] preCos;
    private final double[] preSin;
    private final double[] postCos;
    private final double[] postSin;
    private final double[] fftCos;
    private final double[] fftSin;
    private final int[] bitReverse;
    private final double[] re;
    private final double[] im;
    private final double[] u;

    /** @param n the output length N, a power of two of at least 16 */
    Imdct(int n) {
        this.n = n;
        this.m = n / 2;
        this.quarter = n / 4;
        preCos = new double[quarter];
        preSin = new double[quarter];
        postCos = new double[quarter];
        postSin = new double[quarter];
        for (int k = 0; k < quarter; k++) {
            preCos[k] = Math.cos(Math.PI * k / m);
            preSin[k] = -Math.sin(Math.PI * k / m);
            postCos[k] = Math.cos(Math.PI * (k + 0.25) / m);
            postSin[k] = -Math.sin(Math.PI * (k + 0.25) / m);
        }
        fftCos = new double[quarter / 2];
        fftSin = new double[quarter / 2];
        for (int k = 0; k < quarter / 2; k++) {
            fftCos[k] = Math.cos(2 * Math.PI * k / quarter);
            fftSin[k] = -Math.sin(2 * Math.PI * k / quarter);
        }
        int bits = Integer.numberOfTrailingZeros(quarter);
        bitReverse = new int[quarter];
        for (int k = 0; k < quarter; k++) {
            bitReverse[k] = Integer.reverse(k) >>> (32 - bits);
        }
        re = new double[quarter];
        im = new double[quarter];
        u = new double[m];
    }

    /** Writes x[0, N) of the M = N/2 coefficients {@code in[from, from + M)}, times {@code scale}, to {@code out}. */
    void transform(double[] in, int from, double scale, double[] out) {
        for (int k = 0; k < quarter; k++) {
            double a = in[from + 2 * k];
            double b = in[from + m - 1 - 2 * k];
            int j = bitReverse[k];
            re[j] = a * preCos[k] - b * preSin[k];
            im[j] = a * preSin[k] + b * preCos[k];
        }
        fft();
        for (int k = 0; k < quarter; k++) {
            double yr = re[k] * postCos[k] - im[k] * postSin[k];
            double yi = re[k] * postSin[k] + im[k] * postCos[k];
            u[2 * k] = yr;
            u[m - 1 - 2 * k] = -yi;
        }
        double s = 2.0 / n * scale;
        int half = m / 2;
        for (int i = 0; i < half; i++) {
            out[i] = u[i + half] * s;
        }
        for (int i = half; i < m + half; i++) {
            out[i] = -u[m + half - 1 - i] * s;
        }
        for (int i = m + half; i < n; i++) {
            out[i] = -u[i - m - half] * s;
        }
    }

    /** In-place radix-2 decimation-in-time FFT of (re, im), input already in bit-reversed order. */
    private void fft() {
        for (int size = 2; size <= quarter; size <<= 1) {
            int halfSize = size >> 1;
            int stride = quarter / size;
            for (int start = 0; start < quarter; start += size) {
                for (int k = 0; k < halfSize; k++) {
                    double c = fftCos[k * stride];
                    double s = fftSin[k * stride];
                    int a = start + k;
                    int b = a + halfSize;
                    double tr = re[b] * c - im[b] * s;
                    double ti = re[b] * s + im[b] * c;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }
    }
}

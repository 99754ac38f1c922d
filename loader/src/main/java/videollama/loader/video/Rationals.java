package videollama.loader.video;

/** FFmpeg's {@code av_reduce}, where a frame rate depends on it. */
final class Rationals {
    private Rationals() {}

    /**
     * The fraction closest to {@code num/den} whose numerator and denominator are at most {@code max}
     * (continued fractions, as {@code av_reduce}), as a double.
     */
    static double reduce(long num, long den, long max) {
        boolean negative = (num < 0) ^ (den < 0);
        num = Math.abs(num);
        den = Math.abs(den);
        long gcd = gcd(num, den);
        if (gcd != 0) {
            num /= gcd;
            den /= gcd;
        }
        long a0n = 0;
        long a0d = 1;
        long a1n = 1;
        long a1d = 0;
        if (num <= max && den <= max) {
            a1n = num;
            a1d = den;
            den = 0;
        }
        while (den != 0) {
            long x = num / den;
            long nextDen = num - den * x;
            long a2n = x * a1n + a0n;
            long a2d = x * a1d + a0d;
            if (a2n > max || a2d > max) {
                if (a1n != 0) {
                    x = (max - a0n) / a1n;
                }
                if (a1d != 0) {
                    x = Math.min(x, (max - a0d) / a1d);
                }
                if (den * (2 * x * a1d + a0d) > num * a1d) {
                    a1n = x * a1n + a0n;
                    a1d = x * a1d + a0d;
                }
                break;
            }
            a0n = a1n;
            a0d = a1d;
            a1n = a2n;
            a1d = a2d;
            num = den;
            den = nextDen;
        }
        double value = (double) a1n / a1d;
        return negative ? -value : value;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}

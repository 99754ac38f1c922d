package videollama.loader.audio;

import java.math.BigInteger;

/**
 * An exact non-negative rational number, as Python's {@code fractions.Fraction} keeps the clip times of
 * pytorchvideo's sampler (docs/model.md section 5.3 step 3). Always in lowest terms with a positive denominator.
 */
public record Fraction(BigInteger numerator, BigInteger denominator) implements Comparable<Fraction> {
    public static final Fraction ZERO = new Fraction(BigInteger.ZERO, BigInteger.ONE);

    public Fraction {
        if (denominator.signum() <= 0) {
            throw new IllegalArgumentException("denominator must be positive: " + denominator);
        }
        BigInteger gcd = numerator.gcd(denominator);
        if (!gcd.equals(BigInteger.ONE) && gcd.signum() != 0) {
            numerator = numerator.divide(gcd);
            denominator = denominator.divide(gcd);
        }
    }

    public static Fraction of(long numerator, long denominator) {
        return new Fraction(BigInteger.valueOf(numerator), BigInteger.valueOf(denominator));
    }

    /** The exact value of a finite double, as {@code Fraction(float)} in Python. */
    public static Fraction ofDouble(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("not a finite number: " + value);
        }
        if (value == 0) {
            return ZERO;
        }
        long bits = Double.doubleToRawLongBits(value);
        int exponent = (int) ((bits >> 52) & 0x7ff);
        long mantissa = bits & 0x000f_ffff_ffff_ffffL;
        if (exponent == 0) {
            exponent = 1; // subnormal
        } else {
            mantissa |= 1L << 52;
        }
        BigInteger m = BigInteger.valueOf(value < 0 ? -mantissa : mantissa);
        int shift = exponent - 1075; // value = mantissa * 2^(exponent - 1023 - 52)
        return shift >= 0 ? new Fraction(m.shiftLeft(shift), BigInteger.ONE)
                : new Fraction(m, BigInteger.ONE.shiftLeft(-shift));
    }

    public Fraction plus(Fraction o) {
        return new Fraction(numerator.multiply(o.denominator).add(o.numerator.multiply(denominator)),
                denominator.multiply(o.denominator));
    }

    public Fraction times(long factor) {
        return new Fraction(numerator.multiply(BigInteger.valueOf(factor)), denominator);
    }

    public Fraction dividedBy(long divisor) {
        if (divisor <= 0) {
            throw new IllegalArgumentException("divisor must be positive: " + divisor);
        }
        return new Fraction(numerator, denominator.multiply(BigInteger.valueOf(divisor)));
    }

    /** {@code int(self)} in Python for a non-negative value: the integer part. */
    public long floor() {
        return numerator.divide(denominator).longValueExact();
    }

    public double doubleValue() {
        return new java.math.BigDecimal(numerator).divide(new java.math.BigDecimal(denominator),
                java.math.MathContext.DECIMAL64).doubleValue();
    }

    @Override
    public int compareTo(Fraction o) {
        return numerator.multiply(o.denominator).compareTo(o.numerator.multiply(denominator));
    }

    /** {@code numerator/denominator}, as the golden data writes a Fraction. */
    @Override
    public String toString() {
        return numerator + "/" + denominator;
    }
}

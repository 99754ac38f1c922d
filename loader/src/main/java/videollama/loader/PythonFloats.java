package videollama.loader;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Python's float arithmetic where the prompt text depends on it: {@code round(x, n)} and {@code repr(x)}. */
public final class PythonFloats {
    private PythonFloats() {}

    /**
     * {@code round(x, digits)}: the exact binary value of x rounded to {@code digits} decimals, ties to even,
     * then the nearest double (CPython rounds through a correctly rounded decimal string the same way).
     */
    public static double round(double x, int digits) {
        if (!Double.isFinite(x)) {
            return x;
        }
        double r = new BigDecimal(x).setScale(digits, RoundingMode.HALF_EVEN).doubleValue();
        return r == 0 ? Math.copySign(0.0, x) : r;
    }

    /**
     * {@code repr(x)} (equally {@code str(x)}): the shortest digits that read back as x, in fixed notation
     * with at least one decimal ("0.0", "1.2", "10.0") unless the decimal exponent is below -4 or 16 and
     * above ("1e-05", "1e+16", "1.5e+20").
     */
    public static String repr(double x) {
        if (Double.isNaN(x)) {
            return "nan";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        if (x == 0) {
            return (1 / x < 0) ? "-0.0" : "0.0";
        }
        // Java's Double.toString gives the shortest round-tripping digits (JDK 19+), like CPython's repr.
        BigDecimal shortest = new BigDecimal(Double.toString(Math.abs(x))).stripTrailingZeros();
        String digits = shortest.unscaledValue().toString();
        int decpt = digits.length() - shortest.scale(); // value = 0.digits × 10^decpt
        String sign = x < 0 ? "-" : "";
        if (decpt <= -4 || decpt > 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            int exp = decpt - 1;
            return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
        }
        if (decpt <= 0) {
            return sign + "0." + "0".repeat(-decpt) + digits;
        }
        if (decpt >= digits.length()) {
            return sign + digits + "0".repeat(decpt - digits.length()) + ".0";
        }
        return sign + digits.substring(0, decpt) + "." + digits.substring(decpt);
    }
}

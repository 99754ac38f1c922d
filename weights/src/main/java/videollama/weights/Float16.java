package videollama.weights;

/**
 * Conversions between float and the two 16-bit float formats, on raw bits.
 *
 * <p>IEEE half precision is in the JDK ({@link Float#float16ToFloat}, {@link Float#floatToFloat16}); these
 * wrappers sit beside the bfloat16 ones so callers find both in one place. bfloat16 is the upper half of a
 * float32, so widening is a shift and narrowing is a rounding of the lower half.
 */
public final class Float16 {
    private Float16() {
    }

    /** IEEE half bits to float (exact). */
    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** Float to IEEE half bits, rounding to nearest even; overflow becomes infinity, NaN stays NaN. */
    public static short floatToF16(float value) {
        return Float.floatToFloat16(value);
    }

    /** bfloat16 bits to float (exact: the bits become the upper half of a float32). */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * Float to bfloat16 bits, rounding to nearest even like PyTorch does; overflow becomes infinity.
     * A NaN keeps its sign and stays a (quiet) NaN even when its payload lies only in the dropped half.
     */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        // Adding 0x7FFF rounds halfway cases down; the extra lowest kept bit makes them round to even.
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }
}

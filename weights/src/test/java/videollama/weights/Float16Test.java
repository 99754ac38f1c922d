package videollama.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Widening and narrowing of F16 and BF16, against known bit patterns. */
class Float16Test {
    private static final ValueLayout.OfShort SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Bit patterns and the float each widens to: ±1 and 2, the largest finite, the subnormals' ends, the infinities,
     * a NaN and −0 (compared by {@link Float#floatToIntBits}: every NaN alike, −0 apart from 0).
     */
    @ParameterizedTest(name = "{0} {1}: {2}")
    @CsvSource({
        "F16, 0x3C00, 1.0", "F16, 0xC000, -2.0", "F16, 0x7BFF, 65504.0",
        "F16, 0x0001, 0x1p-24",   // smallest subnormal
        "F16, 0x03FF, 0x3FFp-24", // largest subnormal
        "F16, 0x7C00, Infinity", "F16, 0xFC00, -Infinity", "F16, 0x7E00, NaN", "F16, 0x8000, -0.0",
        "BF16, 0x3F80, 1.0", "BF16, 0xC000, -2.0",
        "BF16, 0x0001, 0x1p-133",  // smallest subnormal
        "BF16, 0x7F7F, 0x1.FEp127", // largest finite
        "BF16, 0x7F80, Infinity", "BF16, 0xFF80, -Infinity", "BF16, 0x7FC0, NaN", "BF16, 0x8000, -0.0"})
    void widening(DType format, String bits, float expected) {
        short half = (short) (int) Integer.decode(bits);
        float actual = format == DType.F16 ? Float16.f16ToFloat(half) : Float16.bf16ToFloat(half);
        assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(actual), () -> format + " " + bits + " widened to " + actual);
    }

    @Test
    void bf16NarrowingRoundsToNearestEven() {
        assertBf16(0x3F80, 0x3F800000, "exact");
        assertBf16(0x3F80, 0x3F807FFF, "below half rounds down");
        assertBf16(0x3F81, 0x3F808001, "above half rounds up");
        assertBf16(0x3F80, 0x3F808000, "half, even below: down");
        assertBf16(0x3F82, 0x3F818000, "half, odd below: up to even");
        assertBf16(0xBF82, 0xBF818000, "negative half rounds to even too");
        assertBf16(0x0002, 0x00018000, "subnormal half, odd below: up to even");
        assertBf16(0x7F80, 0x7F7FFFFF, "largest float overflows to infinity");
        assertBf16(0x7F80, 0x7F800000, "infinity");
        assertBf16(0xFF80, 0xFF800000, "negative infinity");
        assertBf16(0x8000, 0x80000000, "negative zero");
    }

    @Test
    void bf16NarrowingKeepsNaN() {
        // Payload only in the dropped half: a plain shift would turn this NaN into infinity.
        assertBf16(0x7FC0, 0x7F800001, "NaN with a low payload");
        assertBf16(0xFFC0, 0xFF800001, "negative NaN with a low payload");
        assertBf16(0x7FC0, 0x7FC00000, "quiet NaN");
        assertTrue(Float.isNaN(Float16.bf16ToFloat(Float16.floatToBf16(Float.NaN))));
    }

    @Test
    void convertF32ToBf16UsesTheSameRounding() {
        int[] inputs = {0x3F807FFF, 0x3F808000, 0x3F818000, 0x7F7FFFFF, 0x7F800001};
        int[] expected = {0x3F80, 0x3F80, 0x3F82, 0x7F80, 0x7FC0};
        float[] values = new float[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            values[i] = Float.intBitsToFloat(inputs[i]);
        }
        Tensor bf16 = Tensor.ofFloats("t", values, inputs.length).convertTo(DType.BF16);
        assertEquals(DType.BF16, bf16.dtype());
        for (int i = 0; i < inputs.length; i++) {
            assertEquals(expected[i], bf16.data().getAtIndex(SHORT, i) & 0xFFFF, "element " + i);
        }
    }

    @Test
    void convertF32ToF16RoundsToNearestEven() {
        float[] values = {1.0f, 1.0f + 0x1p-11f, 1.0f + 3 * 0x1p-11f, 65520.0f, 0x1p-25f, -0.0f, Float.NaN};
        int[] expected = {0x3C00, 0x3C00, 0x3C02, 0x7C00, 0x0000, 0x8000};
        Tensor f16 = Tensor.ofFloats("t", values, values.length).convertTo(DType.F16);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], f16.data().getAtIndex(SHORT, i) & 0xFFFF, "element " + i);
        }
        assertTrue(Float.isNaN(f16.getFloat(values.length - 1)));
    }

    @Test
    void convertBetweenHalfFormatsGoesThroughFloat() {
        Tensor f16 = Tensor.ofFloats("t", new float[] {1.0f, -3.5f, 1.0f + 0x1p-10f}, 3).convertTo(DType.F16);
        Tensor bf16 = f16.convertTo(DType.BF16);
        assertEquals(1.0f, bf16.getFloat(0));
        assertEquals(-3.5f, bf16.getFloat(1));
        assertEquals(1.0f, bf16.getFloat(2), "1 + 2^-10 is below bf16 precision: rounds to 1");
        Tensor back = bf16.convertTo(DType.F32);
        assertEquals(DType.F32, back.dtype());
        assertEquals(-3.5f, back.getFloat(1));
        assertEquals("t", back.name());
        assertEquals(3, back.dim(0));
    }

    @Test
    void convertToTheSameDtypeIsIdentity() {
        Tensor t = Tensor.ofFloats("t", new float[] {1}, 1);
        assertSame(t, t.convertTo(DType.F32));
    }

    @Test
    void convertOnlyBetweenFloatDtypes() {
        Tensor ints = Tensor.ofInts("i", new int[] {1}, 1);
        assertThrows(IllegalArgumentException.class, () -> ints.convertTo(DType.F32));
        Tensor floats = Tensor.ofFloats("f", new float[] {1}, 1);
        assertThrows(IllegalArgumentException.class, () -> floats.convertTo(DType.I32));
    }

    @Test
    void convertedTensorsOwnTheirMemory() {
        Arena arena = Arena.ofConfined();
        MemorySegment data = arena.allocate(4);
        data.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, 2.0f);
        Tensor converted = Tensor.of("t", DType.F32, new long[] {1}, data).convertTo(DType.BF16);
        arena.close();
        assertEquals(2.0f, converted.getFloat(0));
    }

    private static void assertBf16(int expectedBits, int floatBits, String why) {
        short actual = Float16.floatToBf16(Float.intBitsToFloat(floatBits));
        assertEquals(expectedBits, actual & 0xFFFF, () -> why + ": got 0x" + Integer.toHexString(actual & 0xFFFF));
    }
}

package videollama.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class DTypeTest {

    @Test
    void sizesAndKinds() {
        assertEquals(4, DType.F32.byteSize());
        assertEquals(2, DType.F16.byteSize());
        assertEquals(2, DType.BF16.byteSize());
        assertEquals(8, DType.I64.byteSize());
        assertEquals(4, DType.I32.byteSize());
        assertEquals(1, DType.U8.byteSize());
        assertEquals(1, DType.I8.byteSize());
        assertEquals(1, DType.Q8_0.byteSize(), "the int8 quants; the scales are a tensor of their own");
        assertTrue(DType.F32.isFloat() && DType.F16.isFloat() && DType.BF16.isFloat());
        assertFalse(DType.I64.isFloat() || DType.I32.isFloat() || DType.U8.isFloat() || DType.I8.isFloat() || DType.Q8_0.isFloat());
        assertTrue(DType.Q8_0.isWeight() && DType.BF16.isWeight());
        assertFalse(DType.I8.isWeight());
    }

    @Test
    void q8_0IsNoNameAFileMayUse() {
        assertFalse(DType.Q8_0.isStored());
        assertThrows(IllegalArgumentException.class, () -> DType.fromSafetensors("Q8_0"));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = "Q8_0", mode = EnumSource.Mode.EXCLUDE)
    void safetensorsNamesRoundTrip(DType dtype) {
        assertEquals(dtype.name(), dtype.safetensorsName());
        assertSame(dtype, DType.fromSafetensors(dtype.safetensorsName()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Q4_0", "F64", "BOOL", "f32", ""})
    void unknownNamesAreRejectedWithTheSupportedList(String name) {
        var e = assertThrows(IllegalArgumentException.class, () -> DType.fromSafetensors(name));
        assertEquals("unsupported dtype '" + name + "' (supported: F32, F16, BF16, I64, I32, U8, I8)", e.getMessage());
    }
}

package videollama.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class TensorTest {

    @Test
    void floatTensorBasics() {
        Tensor t = Tensor.ofFloats("w", new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertEquals("w", t.name());
        assertEquals(DType.F32, t.dtype());
        assertArrayEquals(new long[] {2, 3}, t.shape());
        assertEquals(2, t.rank());
        assertEquals(3, t.dim(1));
        assertEquals(6, t.size());
        assertEquals(24, t.data().byteSize());
        assertEquals(6.0f, t.getFloat(5));
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.toFloatArray());
        assertEquals("[2, 3]", t.shapeString());
        assertEquals("w F32 [2, 3]", t.toString());
    }

    @Test
    void shapeIsACopy() {
        Tensor t = Tensor.ofFloats("w", new float[4], 2, 2);
        t.shape()[0] = 99;
        assertEquals(2, t.dim(0));
        long[] shape = {4};
        Tensor u = Tensor.ofFloats("u", new float[4], shape);
        shape[0] = 1;
        assertEquals(4, u.dim(0));
    }

    @Test
    void scalarsAndEmptyTensors() {
        Tensor scalar = Tensor.ofFloats("s", new float[] {2.5f});
        assertEquals(0, scalar.rank());
        assertEquals(1, scalar.size());
        assertEquals("[]", scalar.shapeString());
        Tensor empty = Tensor.ofFloats("e", new float[0], 0, 7);
        assertEquals(0, empty.size());
        assertEquals(0, empty.toFloatArray().length);
    }

    @Test
    void integerTensors() {
        Tensor longs = Tensor.ofLongs("ids", new long[] {Long.MAX_VALUE, -1, 7}, 3);
        assertEquals(DType.I64, longs.dtype());
        assertEquals(Long.MAX_VALUE, longs.getLong(0));
        assertEquals(-1, longs.getLong(1));
        assertEquals(7.0f, longs.getFloat(2));
        Tensor ints = Tensor.ofInts("pos", new int[] {Integer.MIN_VALUE, 5}, 1, 2);
        assertEquals(DType.I32, ints.dtype());
        assertEquals(Integer.MIN_VALUE, ints.getLong(0));
        assertEquals(5.0f, ints.getFloat(1));
        Tensor bytes = Tensor.of("mask", DType.U8, new long[] {2}, MemorySegment.ofArray(new byte[] {(byte) 0xFF, 1}));
        assertEquals(255, bytes.getLong(0), "U8 is unsigned");
        assertEquals(255.0f, bytes.getFloat(0));
        assertArrayEquals(new float[] {255, 1}, bytes.toFloatArray());
    }

    @Test
    void getLongRefusesFloatTensors() {
        Tensor t = Tensor.ofFloats("w", new float[] {1}, 1);
        assertThrows(IllegalStateException.class, () -> t.getLong(0));
    }

    @Test
    void readsLittleEndianWhateverBacksTheData() {
        // 1.0f is 0x3F800000; little-endian bytes 00 00 80 3F. A byte[] has no byte order of its own.
        byte[] bytes = {0, 0, (byte) 0x80, 0x3F, 0, 0, 0, (byte) 0xC0};
        Tensor f32 = Tensor.of("f", DType.F32, new long[] {2}, MemorySegment.ofArray(bytes));
        assertArrayEquals(new float[] {1.0f, -2.0f}, f32.toFloatArray());
        Tensor f16 = Tensor.of("h", DType.F16, new long[] {2}, bytes(0, 0x3C, 0, 0xC0));
        assertArrayEquals(new float[] {1.0f, -2.0f}, f16.toFloatArray());
        Tensor bf16 = Tensor.of("b", DType.BF16, new long[] {2}, bytes(0x80, 0x3F, 0, 0xC0));
        assertArrayEquals(new float[] {1.0f, -2.0f}, bf16.toFloatArray());
        Tensor i64 = Tensor.of("i", DType.I64, new long[] {1}, bytes(1, 2, 0, 0, 0, 0, 0, 0));
        assertEquals(0x0201, i64.getLong(0));
    }

    @Test
    void readsAtUnalignedOffsets() {
        byte[] bytes = {9, 0, 0, (byte) 0x80, 0x3F};
        Tensor t = Tensor.of("odd", DType.F32, new long[] {1}, MemorySegment.ofArray(bytes).asSlice(1));
        assertEquals(1.0f, t.getFloat(0));
    }

    @Test
    void ofValidatesTheDataSize() {
        MemorySegment sixteen = MemorySegment.ofArray(new byte[16]);
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.of("w", DType.F32, new long[] {3}, sixteen));
        assertEquals("tensor 'w': F32 [3] needs 12 bytes, the data has 16", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.of("w", DType.F32, new long[] {-1, -4}, sixteen));
        long[] huge = {1L << 62, 4};
        assertThrows(IllegalArgumentException.class, () -> Tensor.of("w", DType.F32, huge, sixteen));
        assertEquals(4, Tensor.of("w", DType.F32, new long[] {2, 2}, sixteen).size());
    }

    @Test
    void factoriesCheckTheValueCount() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofFloats("w", new float[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofLongs("w", new long[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofInts("w", new int[5], 2, 3));
    }

    @Test
    void requireShapePassesTheTensorThrough() {
        Tensor t = Tensor.ofFloats("w", new float[12], 3, 4);
        assertSame(t, t.requireShape("f.safetensors", 3, 4));
    }

    @Test
    void requireShapeNamesFileTensorAndBothShapes() {
        Tensor t = Tensor.ofFloats("w", new float[12], 3, 4);
        var e = Crafted.assertWeightsError(() -> t.requireShape("f.safetensors", 4, 4), "f.safetensors");
        assertEquals("f.safetensors: tensor 'w' has shape [3, 4], expected [4, 4]", e.getMessage());
        Crafted.assertWeightsError(() -> t.requireShape("f.safetensors", 12), "f.safetensors", "expected [12]");
    }

    /** A segment over these byte values (given as ints so 0x80 and up need no casts). */
    private static MemorySegment bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return MemorySegment.ofArray(bytes);
    }
}

package videollama.weights;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The layouts every tensor byte is read and written with. Safetensors data is little-endian and its offsets
 * need not be aligned, so these are unaligned and fixed to little-endian whatever the platform or the
 * memory behind a segment.
 */
final class LittleEndian {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;

    private LittleEndian() {
    }
}

package videollama.loader.audio.aac;

/**
 * Big-endian bits of one packet, {@code data[offset, offset + length)}. Reading beyond the packet throws a
 * {@link AacException} (corrupt data) instead of touching the bytes after it; {@link #peek} may look past the end
 * (those bits read as zero) because a Huffman decoder looks ahead further than the codeword it then consumes.
 */
final class BitReader {
    private static final java.lang.invoke.VarHandle BIG_ENDIAN_INT =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.BIG_ENDIAN);

    private final byte[] data;
    private final int offset;
    private final int endByte;
    private final long endBit;
    private long position;

    BitReader(byte[] data, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > data.length) {
            throw new IllegalArgumentException("bytes [" + offset + ", " + offset + "+" + length + ") of " + data.length);
        }
        this.data = data;
        this.offset = offset;
        this.endByte = offset + length;
        this.endBit = (long) length * 8;
    }

    /** Bits read so far. */
    long position() {
        return position;
    }

    /** Bits left in the packet. */
    long remaining() {
        return endBit - position;
    }

    /** The next {@code n} bits (0 to 25) without consuming them. */
    int peek(int n) {
        int at = offset + (int) (position >>> 3);
        int word;
        if (at + 4 <= endByte) {
            word = (int) BIG_ENDIAN_INT.get(data, at);
        } else {
            word = 0;
            for (int i = 0; i < 4; i++, at++) {
                word = (word << 8) | (at < endByte ? data[at] & 0xff : 0);
            }
        }
        return n == 0 ? 0 : (word << (int) (position & 7)) >>> (32 - n);
    }

    void skip(long n) {
        if (n > endBit - position) {
            throw AacException.corrupt("the packet ends inside an element (" + (position + n - endBit) + " bits short)");
        }
        position += n;
    }

    /** The next {@code n} bits (0 to 25) as an unsigned number. */
    int read(int n) {
        int value = peek(n);
        skip(n);
        return value;
    }

    boolean readBit() {
        return read(1) == 1;
    }

    /** Skips to the next multiple of 8 bits counted from bit {@code reference} of the packet. */
    void byteAlign(long reference) {
        skip(Math.floorMod(reference - position, 8));
    }
}

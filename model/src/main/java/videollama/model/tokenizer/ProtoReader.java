package videollama.model.tokenizer;

import videollama.weights.StrictUtf8;

/**
 * Reads the protocol-buffers wire format from a byte array: a sequence of (tag, value) fields, where the tag is
 * {@code fieldNumber << 3 | wireType} as a varint and the wire type says how the value is laid out (varint, 64-bit,
 * length-delimited, 32-bit; the deprecated groups are skipped too). Just enough to read a sentencepiece
 * {@code ModelProto}; anything out of shape throws {@link Malformed} with a one-line reason.
 */
final class ProtoReader {
    /** How a field's value is laid out; the ordinal is the number the wire format gives it in the tag's low 3 bits. */
    enum WireType { VARINT, FIXED64, LENGTH_DELIMITED, START_GROUP, END_GROUP, FIXED32 }

    /** Groups may nest; a limit keeps a hostile file from overflowing the stack. */
    private static final int MAX_GROUP_DEPTH = 64;

    /** The file is not well-formed protocol buffers. */
    static final class Malformed extends RuntimeException {
        Malformed(String message) {
            super(message);
        }
    }

    private final byte[] buf;
    private int pos;
    private final int limit;

    ProtoReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    private ProtoReader(byte[] buf, int pos, int limit) {
        this.buf = buf;
        this.pos = pos;
        this.limit = limit;
    }

    boolean atEnd() {
        return pos >= limit;
    }

    /** Offset of the next byte in the whole buffer, for messages. */
    int position() {
        return pos;
    }

    static int fieldNumber(int tag) {
        return tag >>> 3;
    }

    /** The wire type of a tag {@link #readTag} returned (which checked it). */
    static WireType wireType(int tag) {
        return WireType.values()[tag & 7];
    }

    /** Reads a field's tag, checking that the field number and the wire type are legal. */
    int readTag() {
        int at = pos;
        long tag = readVarint();
        if (tag >>> 32 != 0 || (tag >>> 3) == 0) {
            throw new Malformed("bad field tag " + Long.toUnsignedString(tag) + " at byte " + at);
        }
        int wireType = (int) (tag & 7);
        if (wireType >= WireType.values().length) {
            throw new Malformed("unknown wire type " + wireType + " at byte " + at);
        }
        return (int) tag;
    }

    /** Throws unless the field just read has the wire type its declaration implies. */
    void expect(int tag, WireType wireType, String field) {
        if (wireType(tag) != wireType) {
            throw new Malformed(field + " (field " + fieldNumber(tag) + ") has wire type " + wireType(tag).ordinal()
                    + ", expected " + wireType.ordinal() + " (before byte " + pos + ")");
        }
    }

    /** The value of an int32/enum field whose tag was just read; {@code field} names it in an error. */
    int int32(int tag, String field) {
        expect(tag, WireType.VARINT, field);
        return readInt32();
    }

    /** The value of a bool field whose tag was just read. */
    boolean bool(int tag, String field) {
        expect(tag, WireType.VARINT, field);
        return readBool();
    }

    /** The value of a float field whose tag was just read. */
    float float32(int tag, String field) {
        expect(tag, WireType.FIXED32, field);
        return readFloat();
    }

    /** The value of a string field whose tag was just read; {@code what} names it if it is not UTF-8. */
    String string(int tag, String field, String what) {
        expect(tag, WireType.LENGTH_DELIMITED, field);
        return readString(what);
    }

    /** The value of a bytes field whose tag was just read. */
    byte[] bytes(int tag, String field) {
        expect(tag, WireType.LENGTH_DELIMITED, field);
        return readBytes();
    }

    /** A reader over the embedded message of a field whose tag was just read. */
    ProtoReader message(int tag, String field) {
        expect(tag, WireType.LENGTH_DELIMITED, field);
        return readMessage();
    }

    long readVarint() {
        int at = pos;
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= limit) {
                throw truncated("varint", at);
            }
            byte b = buf[pos++];
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw new Malformed("varint longer than 10 bytes at byte " + at);
    }

    /** An int32/enum field: negative values are sent as 10-byte varints and come back by truncation. */
    private int readInt32() {
        return (int) readVarint();
    }

    private boolean readBool() {
        return readVarint() != 0;
    }

    int readFixed32() {
        if (limit - pos < 4) {
            throw truncated("32-bit value", pos);
        }
        int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16 | (buf[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    private float readFloat() {
        return Float.intBitsToFloat(readFixed32());
    }

    long readFixed64() {
        if (limit - pos < 8) {
            throw truncated("64-bit value", pos);
        }
        long lo = readFixed32() & 0xFFFFFFFFL;
        long hi = readFixed32() & 0xFFFFFFFFL;
        return lo | hi << 32;
    }

    /** A length-delimited value as a reader over just its bytes. */
    private ProtoReader readMessage() {
        int[] range = readLengthDelimited();
        return new ProtoReader(buf, range[0], range[1]);
    }

    private byte[] readBytes() {
        int[] range = readLengthDelimited();
        byte[] out = new byte[range[1] - range[0]];
        System.arraycopy(buf, range[0], out, 0, out.length);
        return out;
    }

    /** A {@code string} field: must be valid UTF-8. */
    private String readString(String field) {
        int[] range = readLengthDelimited();
        return StrictUtf8.decode(buf, range[0], range[1] - range[0],
                e -> new Malformed(field + " at byte " + range[0] + " is not valid UTF-8"));
    }

    private int[] readLengthDelimited() {
        int at = pos;
        long length = readVarint();
        if (length < 0 || length > limit - pos) {
            throw new Malformed("length-delimited value at byte " + at + " of length " + Long.toUnsignedString(length)
                    + " runs past the end of its message (truncated file?)");
        }
        int start = pos;
        pos += (int) length;
        return new int[] {start, pos};
    }

    /** Skips the value of a field whose tag was just read. */
    void skip(int tag) {
        skip(tag, 0);
    }

    private void skip(int tag, int depth) {
        switch (wireType(tag)) {
            case VARINT -> readVarint();
            case FIXED64 -> readFixed64();
            case LENGTH_DELIMITED -> readLengthDelimited();
            case FIXED32 -> readFixed32();
            case START_GROUP -> {
                if (depth >= MAX_GROUP_DEPTH) {
                    throw new Malformed("groups nested too deeply at byte " + pos);
                }
                while (true) {
                    if (atEnd()) {
                        throw truncated("group " + fieldNumber(tag), pos);
                    }
                    int inner = readTag();
                    if (wireType(inner) == WireType.END_GROUP) {
                        if (fieldNumber(inner) != fieldNumber(tag)) {
                            throw new Malformed("group " + fieldNumber(tag) + " closed by field " + fieldNumber(inner)
                                    + " before byte " + pos);
                        }
                        return;
                    }
                    skip(inner, depth + 1);
                }
            }
            case END_GROUP -> throw new Malformed("unexpected end of group " + fieldNumber(tag) + " before byte " + pos);
        }
    }

    private Malformed truncated(String what, int at) {
        return new Malformed(what + " at byte " + at + " runs past the end of its message (truncated file?)");
    }
}

package videollama.model.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes protocol-buffers wire format, to craft tokenizer.model files for the tests. */
final class ProtoWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ProtoWriter tag(int field, int wireType) {
        return varint((long) field << 3 | wireType);
    }

    ProtoWriter varint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
        return this;
    }

    ProtoWriter varintField(int field, long v) {
        return tag(field, 0).varint(v);
    }

    ProtoWriter floatField(int field, float v) {
        tag(field, 5);
        int bits = Float.floatToIntBits(v);
        for (int i = 0; i < 4; i++) {
            out.write(bits >>> (8 * i));
        }
        return this;
    }

    ProtoWriter fixed64Field(int field, long v) {
        tag(field, 1);
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    ProtoWriter bytesField(int field, byte[] b) {
        tag(field, 2).varint(b.length);
        out.writeBytes(b);
        return this;
    }

    ProtoWriter stringField(int field, String s) {
        return bytesField(field, s.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter messageField(int field, ProtoWriter m) {
        return bytesField(field, m.toByteArray());
    }

    ProtoWriter raw(byte... b) {
        out.writeBytes(b);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    static ProtoWriter piece(String piece, float score, int type) {
        return new ProtoWriter().stringField(1, piece).floatField(2, score).varintField(3, type);
    }
}

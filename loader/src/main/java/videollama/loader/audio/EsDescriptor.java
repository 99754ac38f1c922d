package videollama.loader.audio;

import java.nio.ByteBuffer;
import org.jcodec.containers.mp4.boxes.Box;
import org.jcodec.containers.mp4.boxes.NodeBox;
import org.jcodec.containers.mp4.boxes.SampleEntry;

/**
 * What the {@code esds} box of an {@code mp4a} sample entry says (ISO/IEC 14496-1 §7.2.6): the object type
 * (0x40 = MPEG-4 audio, 0x66-0x69/0x6B = MPEG-2/MPEG-1 audio) and the decoder-specific info, the
 * AudioSpecificConfig for AAC. Read from the box's bytes: JCodec's EsdsBox gives up on an {@code esds} without
 * decoder-specific info, which is exactly the MP3/MP2-in-MP4 case that needs naming.
 *
 * @param objectType          objectTypeIndication, or -1 when there is no DecoderConfigDescriptor
 * @param decoderSpecificInfo the DecoderSpecificInfo bytes, or null
 */
record EsDescriptor(int objectType, byte[] decoderSpecificInfo) {
    private static final int ES_DESCRIPTOR = 0x03;
    private static final int DECODER_CONFIG = 0x04;
    private static final int DECODER_SPECIFIC = 0x05;

    /** The descriptor of the entry's {@code esds} box (QuickTime keeps it in {@code wave}), or null without one. */
    static EsDescriptor of(SampleEntry entry) {
        Box esds = find(entry);
        if (esds == null) {
            return null;
        }
        ByteBuffer raw = ByteBuffer.allocate((int) Math.min(esds.estimateSize() + 64, 1 << 20));
        esds.write(raw);
        raw.flip();
        raw.position(raw.position() + 8 + 4); // box header, FullBox version and flags
        return parse(raw);
    }

    private static Box find(NodeBox node) {
        for (Box box : node.getBoxes()) {
            String fourcc = box.getFourcc();
            if (fourcc.equals("esds")) {
                return box;
            }
            if (fourcc.equals("wave") && box instanceof NodeBox wave) {
                Box inner = find(wave);
                if (inner != null) {
                    return inner;
                }
            }
        }
        return null;
    }

    static EsDescriptor parse(ByteBuffer b) {
        int objectType = -1;
        byte[] specific = null;
        try {
            while (b.remaining() >= 2) {
                int tag = b.get() & 0xff;
                int size = size(b);
                int end = Math.min(b.position() + size, b.limit());
                switch (tag) {
                    case ES_DESCRIPTOR -> {
                        b.getShort(); // ES_ID
                        int flags = b.get() & 0xff;
                        if ((flags & 0x80) != 0) {
                            b.getShort(); // dependsOn_ES_ID
                        }
                        if ((flags & 0x40) != 0) {
                            b.position(b.position() + (b.get() & 0xff)); // URL
                        }
                        if ((flags & 0x20) != 0) {
                            b.getShort(); // OCR_ES_Id
                        }
                        continue; // its sub-descriptors follow
                    }
                    case DECODER_CONFIG -> {
                        objectType = b.get() & 0xff;
                        b.position(b.position() + 12); // stream type, buffer size, max and average bitrate
                        continue; // DecoderSpecificInfo follows
                    }
                    case DECODER_SPECIFIC -> {
                        specific = new byte[end - b.position()];
                        b.get(specific);
                    }
                    default -> b.position(end);
                }
                b.position(end);
            }
        } catch (RuntimeException e) {
            // a short or garbled descriptor: report what was read
        }
        return new EsDescriptor(objectType, specific);
    }

    private static int size(ByteBuffer b) {
        int size = 0;
        for (int i = 0; i < 4; i++) {
            int v = b.get() & 0xff;
            size = (size << 7) | (v & 0x7f);
            if ((v & 0x80) == 0) {
                break;
            }
        }
        return size;
    }
}

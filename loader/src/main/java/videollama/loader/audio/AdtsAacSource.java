package videollama.loader.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import videollama.loader.LoaderException;
import videollama.loader.audio.aac.AacConfig;
import videollama.loader.audio.aac.AacException;

/**
 * A raw AAC file in ADTS framing ({@code .aac}, ISO/IEC 14496-3 1.A.2.2): frames of a 7-byte header (9 with a CRC)
 * and one raw_data_block each, optionally after an ID3v2 tag. Opening scans the headers into a frame table (12
 * bytes a frame); the frames are read on demand. FFmpeg returns every frame's 1024 samples (no encoder delay is
 * known in ADTS, so none is dropped), and so does this source. Decoding and jumping: {@link AacTrack}.
 */
final class AdtsAacSource extends AacSource {
    static final int HEADER = 7;

    private AdtsAacSource(FileChannel channel, AacTrack track, int sampleRate) {
        super(channel, track, sampleRate);
    }

    /** A header's fields (1.A.2.2.1 Table 1.A.5/1.A.6). */
    record Header(int profile, int rateIndex, int channelConfiguration, int frameLength, boolean crc, int blocks) {
        /** The header at {@code b}'s position, or null without the ADTS syncword and layer 0 there. */
        static Header parse(ByteBuffer b) {
            int p = b.position();
            int b1 = b.get(p + 1) & 0xff;
            if ((b.get(p) & 0xff) != 0xff || (b1 & 0xf6) != 0xf0) { // syncword 0xFFF, layer 00
                return null;
            }
            int b2 = b.get(p + 2) & 0xff;
            int b3 = b.get(p + 3) & 0xff;
            int length = (b3 & 3) << 11 | (b.get(p + 4) & 0xff) << 3 | (b.get(p + 5) & 0xff) >> 5;
            return new Header(b2 >> 6, (b2 >> 2) & 15, (b2 & 1) << 2 | b3 >> 6, length, (b1 & 1) == 0,
                    b.get(p + 6) & 3);
        }

        int headerLength() {
            return crc ? HEADER + 2 : HEADER;
        }
    }

    static AdtsAacSource open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long start = id3Length(channel);
            long size = channel.size();
            long[] offsets = new long[1024];
            int[] lengths = new int[1024];
            int count = 0;
            Header first = null;
            AacConfig config = null;
            ByteBuffer buffer = ByteBuffer.allocate(1 << 16).limit(0);
            long bufferStart = start;
            for (long at = start; at < size; ) {
                if (at + HEADER > bufferStart + buffer.limit()) { // refill from the header on
                    buffer.clear();
                    bufferStart = at;
                    while (buffer.hasRemaining() && channel.read(buffer, bufferStart + buffer.position()) > 0) {
                        // until full or at the end of the file
                    }
                    buffer.flip();
                    if (buffer.limit() < HEADER) {
                        throw new LoaderException(file + ": truncated ADTS header at byte " + at);
                    }
                }
                Header h = Header.parse(buffer.position((int) (at - bufferStart)));
                if (h == null) {
                    throw new LoaderException(file + ": corrupt ADTS stream (no frame header at byte " + at + ")");
                }
                if (first == null) {
                    first = h;
                    config = configuration(file, h);
                } else if (h.profile() != first.profile() || h.rateIndex() != first.rateIndex()
                        || h.channelConfiguration() != first.channelConfiguration()) {
                    throw AacTrack.unsupported(file, "the ADTS headers change the format at byte " + at);
                }
                if (h.blocks() != 0) {
                    throw AacTrack.unsupported(file, "ADTS frames of several raw data blocks");
                }
                if (h.frameLength() <= h.headerLength()) {
                    throw new LoaderException(file + ": corrupt ADTS header at byte " + at + " (frame length "
                            + h.frameLength() + ")");
                }
                if (at + h.frameLength() > size) {
                    throw new LoaderException(file + ": truncated ADTS frame at byte " + at + " (frame " + count + ")");
                }
                if (count == offsets.length) {
                    offsets = Arrays.copyOf(offsets, count * 2);
                    lengths = Arrays.copyOf(lengths, count * 2);
                }
                offsets[count] = at + h.headerLength();
                lengths[count++] = h.frameLength() - h.headerLength();
                at += h.frameLength();
            }
            if (first == null) {
                throw new LoaderException(file + ": no ADTS frames");
            }
            long[] frameOffsets = offsets;
            int[] frameLengths = lengths;
            AacTrack.Packets packets = index -> {
                ByteBuffer b = ByteBuffer.allocate(frameLengths[index]);
                channel.read(b, frameOffsets[index]);
                if (b.hasRemaining()) {
                    throw new LoaderException(file + ": ADTS frame " + index + " cannot be read (file changed?)");
                }
                return b.array();
            };
            return new AdtsAacSource(channel, new AacTrack(file, config, packets, count, 0), config.sampleRate());
        } catch (RuntimeException | IOException e) {
            channel.close();
            throw e;
        }
    }

    private static AacConfig configuration(Path file, Header h) {
        try {
            return AacConfig.fromAdts(h.profile(), h.rateIndex(), h.channelConfiguration());
        } catch (AacException e) {
            throw e.kind() == AacException.Kind.UNSUPPORTED ? AacTrack.unsupported(file, e.getMessage())
                    : new LoaderException(file + ": corrupt ADTS header (" + e.getMessage() + ")", e);
        }
    }

    /** Whether {@code b[at, at + 2)} holds the ADTS syncword 0xFFF with layer 0 (MPEG audio layers are not 0). */
    private static boolean isAdts(byte[] b, int at, int n) {
        return n - at >= 2 && (b[at] & 0xff) == 0xff && (b[at + 1] & 0xf6) == 0xf0;
    }

    /** Whether the file starts with an ADTS header ({@code head}: its first {@code n} bytes), after an ID3v2 tag. */
    static boolean sniff(Path file, byte[] head, int n) throws IOException {
        if (isAdts(head, 0, n)) {
            return true;
        }
        if (n < 3 || head[0] != 'I' || head[1] != 'D' || head[2] != '3') {
            return false;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(2);
            channel.read(b, id3Length(channel));
            return isAdts(b.array(), 0, b.position());
        }
    }

    /** The length of the ID3v2 tag at the start of the file (0 without one): 10 bytes, a synchsafe size, a footer. */
    static long id3Length(FileChannel channel) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(10);
        channel.read(b, 0);
        byte[] h = b.array();
        if (b.position() < 10 || h[0] != 'I' || h[1] != 'D' || h[2] != '3') {
            return 0;
        }
        long size = (h[6] & 0x7f) << 21 | (h[7] & 0x7f) << 14 | (h[8] & 0x7f) << 7 | (h[9] & 0x7f);
        return 10 + size + ((h[5] & 0x10) != 0 ? 10 : 0);
    }
}

package videollama.loader.video;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Damaged copies of the test videos {@code bframes.mp4} ('moov' after 'mdat'; stts, stss, ctts, stsc, stsz, stco)
 * and {@code bframes.mkv} (FFmpeg's Matroska muxer: a SeekHead, then Info, Tracks, Tags, Clusters, each beginning
 * with a CRC-32 element), for the loader's container checks and the command line's tests of the same files.
 */
public final class DamagedMedia {
    private DamagedMedia() {}

    /** The offset of the first MP4 box of {@code type} (its size field): its four letters are unique in the test files. */
    public static int box(byte[] file, String type) {
        byte[] fourcc = type.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 4; i + 4 <= file.length; i++) {
            if (Arrays.equals(file, i, i + 4, fourcc, 0, 4)) {
                return i - 4;
            }
        }
        throw new AssertionError("no '" + type + "' box");
    }

    /** A copy of {@code file} with the 32-bit big-endian word at {@code at} set to {@code value}. */
    public static byte[] withInt(byte[] file, int at, long value) {
        byte[] copy = file.clone();
        ByteBuffer.wrap(copy).putInt(at, (int) value);
        return copy;
    }

    /** The MP4 with its 'moov' header rewritten with a 64-bit size (ISO/IEC 14496-12 4.2: size 1, then largesize). */
    public static byte[] withLargeSizeMoov(byte[] mp4, long size) {
        int moov = box(mp4, "moov");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(mp4, 0, moov);
        out.writeBytes(ByteBuffer.allocate(16).putInt(1).put("moov".getBytes(StandardCharsets.ISO_8859_1)).putLong(size)
                .array());
        out.write(mp4, moov + 8, mp4.length - moov - 8);
        return out.toByteArray();
    }

    public static final int SEEK_HEAD = 0x114D9B74;
    public static final int SEGMENT = 0x18538067;
    public static final int TRACKS = 0x1654AE6B;
    public static final int CLUSTER = 0x1F43B675;

    /**
     * The offset of the size field of the first Matroska element with this 4-byte ID: the Segment's, else the first
     * after the SeekHead, whose entries hold the IDs they point at.
     */
    public static int sizeField(byte[] file, int id) {
        if (id == SEGMENT) {
            return find(file, id, 0);
        }
        int seekHead = find(file, SEEK_HEAD, 0);
        return find(file, id, (int) (seekHead + vintLength(file[seekHead]) + size(file, seekHead)));
    }

    private static int find(byte[] file, int id, int from) {
        byte[] pattern = ByteBuffer.allocate(4).putInt(id).array();
        for (int i = from; i + 4 <= file.length; i++) {
            if (Arrays.equals(file, i, i + 4, pattern, 0, 4)) {
                return i + 4;
            }
        }
        throw new AssertionError("no element 0x" + Integer.toHexString(id));
    }

    /** Bytes of the EBML variable-size integer starting with {@code first} (RFC 8794 4.1). */
    public static int vintLength(byte first) {
        return Integer.numberOfLeadingZeros(first & 0xff) - 23;
    }

    /** The size written at {@code at}. */
    public static long size(byte[] file, int at) {
        int n = vintLength(file[at]);
        long size = file[at] & (0xff >> n);
        for (int k = 1; k < n; k++) {
            size = size << 8 | file[at + k] & 0xff;
        }
        return size;
    }

    /** The size field of child {@code skip} (0 the first) of the element whose size field is at {@code sizeAt}. */
    public static int childSizeField(byte[] file, int sizeAt, int skip) {
        int at = sizeAt + vintLength(file[sizeAt]);
        for (int i = 0; ; i++) {
            int sizeField = at + vintLength(file[at]);
            if (i == skip) {
                return sizeField;
            }
            at = (int) (sizeField + vintLength(file[sizeField]) + size(file, sizeField));
        }
    }

    /** The size field of the Tracks' first TrackEntry (ID 0xAE; child 0 is the CRC-32). */
    public static int trackEntrySize(byte[] mkv) {
        return childSizeField(mkv, sizeField(mkv, TRACKS), 1);
    }

    /** A copy of {@code file} with the size at {@code at} set to {@code value}, in the size field's own length. */
    public static byte[] withSize(byte[] file, int at, long value) {
        byte[] copy = file.clone();
        int n = vintLength(file[at]);
        long v = value | 1L << (7 * n); // the length marker bit
        for (int i = n - 1; i >= 0; i--, v >>>= 8) {
            copy[at + i] = (byte) v;
        }
        return copy;
    }
}

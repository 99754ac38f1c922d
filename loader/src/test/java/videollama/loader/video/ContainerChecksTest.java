package videollama.loader.video;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.loader.LoaderException;
import videollama.loader.TestMedia;

/**
 * {@link Mp4BoxCheck} and {@link EbmlCheck}: sizes and counts that do not fit the file are refused naming the file
 * and the box or element, before JCodec allocates what they claim; every test video passes.
 */
class ContainerChecksTest {
    @TempDir
    Path tmp;

    private interface Check {
        void run(Path file) throws IOException;
    }

    private LoaderException refused(Check check, byte[] bytes, String... mentions) throws IOException {
        Path file = Files.write(tmp.resolve("damaged"), bytes);
        LoaderException e = assertThrows(LoaderException.class, () -> check.run(file));
        assertTrue(e.getMessage().startsWith(file + ": corrupt "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "'" + m + "' in: " + e.getMessage());
        }
        return e;
    }

    @Test
    void everyTestVideoPasses() throws IOException {
        List<Path> files;
        try (Stream<Path> video = Files.list(TestMedia.video("."));
             Stream<Path> media = Files.list(TestMedia.media("."))) {
            files = Stream.concat(video, media).sorted().toList();
        }
        int checked = 0;
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (name.matches(".*\\.(mp4|mov|m4a)")) {
                assertDoesNotThrow(() -> Mp4BoxCheck.check(file), name);
                checked++;
            } else if (name.matches(".*\\.(mkv|webm)")) {
                assertDoesNotThrow(() -> EbmlCheck.check(file), name);
                checked++;
            }
        }
        assertTrue(checked >= 20, checked + " files");
    }

    // ---- MP4: bframes.mp4 keeps 'moov' after 'mdat', its video track has stts, stss, ctts, stsc, stsz, stco

    static byte[] mp4() throws IOException {
        return Files.readAllBytes(TestMedia.video("bframes.mp4"));
    }

    /** The offset of the first box of {@code type} (its size field): its four letters are unique in the test file. */
    static int box(byte[] file, String type) {
        byte[] fourcc = type.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 4; i + 4 <= file.length; i++) {
            if (Arrays.equals(file, i, i + 4, fourcc, 0, 4)) {
                return i - 4;
            }
        }
        throw new AssertionError("no '" + type + "' box");
    }

    static byte[] withInt(byte[] file, int at, long value) {
        byte[] copy = file.clone();
        ByteBuffer.wrap(copy).putInt(at, (int) value);
        return copy;
    }

    @ParameterizedTest(name = "{0} +{1} = {2}")
    @CsvSource({
            // box, byte offset in the box, new 32-bit value, what the message says
            "stsz, 16, 2147483648, 'stsz' at offset",
            "stts, 12, 2147483647, 'stts' at offset",
            "ctts, 12, 2147483647, 'ctts' at offset",
            "stss, 12, 2147483647, 'stss' at offset",
            "stsc, 12, 2147483647, 'stsc' at offset",
            "stco, 12, 1073741824, 'stco' at offset",
    })
    void tableCountsMustFitTheirBox(String type, int offset, long value, String mention) throws IOException {
        byte[] mp4 = mp4();
        refused(Mp4BoxCheck::check, withInt(mp4, box(mp4, type) + offset, value), mention, value + " entries");
    }

    @Test
    void chunksMustStartInTheFile() throws IOException {
        byte[] mp4 = mp4();
        refused(Mp4BoxCheck::check, withInt(mp4, box(mp4, "stco") + 16, 0xFFFFFFF0L), "'stco'",
                "chunk 1 at offset 4294967280, past the end of the file");
    }

    @Test
    void constantSampleSizeMustFitTheFile() throws IOException {
        byte[] mp4 = mp4();
        int stsz = box(mp4, "stsz");
        byte[] damaged = withInt(withInt(mp4, stsz + 12, 1000), stsz + 16, Integer.MAX_VALUE);
        refused(Mp4BoxCheck::check, damaged, "'stsz'", Integer.MAX_VALUE + " samples of 1000 bytes");
    }

    @ParameterizedTest(name = "moov of {0} bytes")
    @CsvSource({"2147483648", "4294967295"})
    void moovPastTheEndIsTruncated(long size) throws IOException {
        byte[] mp4 = mp4();
        refused(Mp4BoxCheck::check, withInt(mp4, box(mp4, "moov"), size), "truncated", "'moov'", "claims " + size);
    }

    @Test
    void largeSizeMoovPastTheEnd() throws IOException {
        // The same moov with a 64-bit size (ISO/IEC 14496-12 4.2: size 1, then largesize) of 2^40
        byte[] mp4 = mp4();
        int moov = box(mp4, "moov");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(mp4, 0, moov);
        out.writeBytes(ByteBuffer.allocate(16).putInt(1).put("moov".getBytes(StandardCharsets.ISO_8859_1))
                .putLong(1L << 40).array());
        out.write(mp4, moov + 8, mp4.length - moov - 8);
        refused(Mp4BoxCheck::check, out.toByteArray(), "truncated", "'moov'", "claims " + (1L << 40));
    }

    @ParameterizedTest(name = "{0} of {1} bytes")
    @CsvSource({"stbl, 3, impossible size of 3", "trak, 100000, claims 100000", "avcC, 2000, claims 2000",
            "stsd, 7, impossible size of 7"})
    void childBoxesMustFitTheirParent(String type, long size, String mention) throws IOException {
        byte[] mp4 = mp4();
        refused(Mp4BoxCheck::check, withInt(mp4, box(mp4, type), size), "'" + type + "'", mention);
    }

    @ParameterizedTest(name = "cut at {0}")
    @CsvSource({"5800, 'mdat'", "18300, 'moov'", "18240, too few", "40, no 'moov'"})
    void truncatedFiles(int length, String mention) throws IOException {
        refused(Mp4BoxCheck::check, Arrays.copyOf(mp4(), length), mention);
    }

    @Test
    void aTrailingZeroWordInAListIsAllowed() throws IOException {
        // QuickTime ends some lists with a 32-bit zero: grow 'udta' ... here 'moov' itself by four zero bytes
        byte[] mp4 = mp4();
        int moov = box(mp4, "moov");
        byte[] grown = withInt(Arrays.copyOf(mp4, mp4.length + 4), moov, mp4.length - moov + 4);
        Path file = Files.write(tmp.resolve("zero-word.mp4"), grown);
        assertDoesNotThrow(() -> Mp4BoxCheck.check(file));
    }

    // ---- Matroska: bframes.mkv, sizes written by FFmpeg's muxer (Segment with an 8-byte size)

    static byte[] mkv() throws IOException {
        return Files.readAllBytes(TestMedia.video("bframes.mkv"));
    }

    /**
     * The offset of the size field of the first element with this 4-byte ID after the SeekHead, whose entries hold
     * the IDs they point at (a unique byte pattern in the test file from there).
     */
    static int sizeField(byte[] file, int id) {
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
    static int vintLength(byte first) {
        return Integer.numberOfLeadingZeros(first & 0xff) - 23;
    }

    /** The size written at {@code at}. */
    static long size(byte[] file, int at) {
        int n = vintLength(file[at]);
        long size = file[at] & (0xff >> n);
        for (int k = 1; k < n; k++) {
            size = size << 8 | file[at + k] & 0xff;
        }
        return size;
    }

    /** {@code file} with the size at {@code at} set to {@code value}, keeping the size field's length. */
    static byte[] withSize(byte[] file, int at, long value) {
        byte[] copy = file.clone();
        int n = vintLength(file[at]);
        long v = value | 1L << (7 * n); // the length marker bit
        for (int i = n - 1; i >= 0; i--, v >>>= 8) {
            copy[at + i] = (byte) v;
        }
        return copy;
    }

    /** The size field of the first child of the element whose size field is at {@code sizeAt}, skipping {@code skip} children. */
    static int childSizeField(byte[] file, int sizeAt, int skip) {
        int at = sizeAt + vintLength(file[sizeAt]);
        for (int i = 0; ; i++) {
            int sizeField = at + vintLength(file[at]);
            if (i == skip) {
                return sizeField;
            }
            at = (int) (sizeField + vintLength(file[sizeField]) + size(file, sizeField));
        }
    }

    static final int SEEK_HEAD = 0x114D9B74;
    static final int SEGMENT = 0x18538067;
    static final int TRACKS = 0x1654AE6B;
    static final int CLUSTER = 0x1F43B675;

    @Test
    void truncatedMatroska() throws IOException {
        byte[] mkv = mkv();
        refused(EbmlCheck::check, Arrays.copyOf(mkv, mkv.length * 2 / 3), "truncated", "claims");
        refused(EbmlCheck::check, Arrays.copyOf(mkv, 42), "truncated", "cut short");
    }

    @Test
    void elementsMustFitTheirParent() throws IOException {
        byte[] mkv = mkv();
        // the Tracks' first entry after its CRC-32: an 8-byte size as FFmpeg writes it, set to 2^40
        int trackEntry = childSizeField(mkv, sizeField(mkv, TRACKS), 1);
        refused(EbmlCheck::check, withSize(mkv, trackEntry, 1L << 40), "element 0xAE", "claims " + (1L << 40),
                "its parent has");
        // the first block of the first cluster (after its CRC-32 and timestamp), as large as its size field can say
        int block = childSizeField(mkv, sizeField(mkv, CLUSTER), 2);
        long largest = (1L << (7 * vintLength(mkv[block]))) - 2;
        refused(EbmlCheck::check, withSize(mkv, block, largest), "element 0xA3", "claims " + largest);
    }

    @Test
    void unknownSizesOnlyForSegmentAndCluster() throws IOException {
        byte[] mkv = mkv();
        long unknown = (1L << 56) - 1; // all value bits of an 8-byte size set (RFC 8794 6.2)
        Path live = Files.write(tmp.resolve("live.mkv"), withSize(mkv, find(mkv, SEGMENT, 0), unknown));
        assertDoesNotThrow(() -> EbmlCheck.check(live));
        Path large = Files.write(tmp.resolve("large.mkv"), withSize(mkv, find(mkv, SEGMENT, 0), 1L << 40));
        assertDoesNotThrow(() -> EbmlCheck.check(large));
        int cluster = sizeField(mkv, CLUSTER);
        Path liveCluster = Files.write(tmp.resolve("live-cluster.mkv"),
                withSize(mkv, cluster, (1L << (7 * vintLength(mkv[cluster]))) - 1));
        assertDoesNotThrow(() -> EbmlCheck.check(liveCluster));
        int trackEntry = childSizeField(mkv, sizeField(mkv, TRACKS), 1);
        refused(EbmlCheck::check, withSize(mkv, trackEntry, unknown), "element 0xAE", "unknown size");
    }

    @Test
    void invalidIdAndDeepNesting() throws IOException {
        byte[] mkv = mkv();
        byte[] zeroId = mkv.clone();
        zeroId[childSizeField(mkv, sizeField(mkv, TRACKS), 1) - 1] = 0; // the TrackEntry's ID byte
        refused(EbmlCheck::check, zeroId, "no valid element ID at offset");
        // SimpleTag (0x67C8) inside SimpleTag, 40 deep around an empty Void element, each with a 2-byte size
        byte[] deep = {(byte) 0xEC, (byte) 0x80};
        for (int i = 0; i < 40; i++) {
            deep = ByteBuffer.allocate(deep.length + 4).putShort((short) 0x67C8).putShort((short) (0x4000 | deep.length))
                    .put(deep).array();
        }
        refused(EbmlCheck::check, deep, "nested more than 32 deep");
    }
}

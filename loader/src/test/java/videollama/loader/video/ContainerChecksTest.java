package videollama.loader.video;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static videollama.loader.video.DamagedMedia.CLUSTER;
import static videollama.loader.video.DamagedMedia.SEGMENT;
import static videollama.loader.video.DamagedMedia.box;
import static videollama.loader.video.DamagedMedia.childSizeField;
import static videollama.loader.video.DamagedMedia.sizeField;
import static videollama.loader.video.DamagedMedia.trackEntrySize;
import static videollama.loader.video.DamagedMedia.vintLength;
import static videollama.loader.video.DamagedMedia.withInt;
import static videollama.loader.video.DamagedMedia.withSize;

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
import videollama.loader.MediaDecoder;
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

    /** A chunk past the end passes the check (a track nobody reads may have one) and is refused when read. */
    @Test
    void aChunkPastTheEndIsRefusedWhenRead() throws IOException {
        byte[] mp4 = mp4();
        Path file = Files.write(tmp.resolve("dangling.mp4"), withInt(mp4, box(mp4, "stco") + 16, 0xFFFFFFF0L));
        assertDoesNotThrow(() -> Mp4BoxCheck.check(file));
        LoaderException e = assertThrows(LoaderException.class, () -> VideoLoader.load(file, 8, MediaDecoder.JAVA));
        assertTrue(e.getMessage().startsWith(file + ": cannot be read (frame 0 cannot be read)"), e.getMessage());
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
        refused(Mp4BoxCheck::check, DamagedMedia.withLargeSizeMoov(mp4(), 1L << 40), "truncated", "'moov'",
                "claims " + (1L << 40));
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

    /** Cut anywhere (every 7th length), the MP4 is refused naming the file, and JCodec never sees it. */
    @Test
    void everyCutOfTheMp4IsRefused() throws IOException {
        byte[] mp4 = mp4();
        Path file = tmp.resolve("cut.mp4");
        for (int length = 0; length < mp4.length; length += 7) {
            Files.write(file, Arrays.copyOf(mp4, length));
            LoaderException e = assertThrows(LoaderException.class, () -> VideoLoader.load(file, 8, MediaDecoder.JAVA),
                    length + " bytes");
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        }
    }

    @Test
    void aTrailingZeroWordInAListIsAllowed() throws IOException {
        // QuickTime ends some lists with a 32-bit zero: 'moov' grown by four zero bytes
        byte[] mp4 = mp4();
        int moov = box(mp4, "moov");
        byte[] grown = withInt(Arrays.copyOf(mp4, mp4.length + 4), moov, mp4.length - moov + 4);
        Path file = Files.write(tmp.resolve("zero-word.mp4"), grown);
        assertDoesNotThrow(() -> Mp4BoxCheck.check(file));
    }

    /**
     * A top-level box of size 0 ("to the end of the file") is walked as JCodec's MP4Util.getRootAtoms walks it: the
     * zero word skipped, the next word taken as the size. A last 'mdat' of size 0 ends that walk (its four letters
     * make a size past the end) and passes; a zero word followed by a small size leads JCodec on to a box of 64-bit
     * size 0, which it would read forever, and the check to the same box, which it refuses.
     */
    @Test
    void aTopLevelBoxOfSizeZeroIsWalkedAsJCodecWalksIt() throws IOException {
        byte[] faststart = Files.readAllBytes(TestMedia.video("stream-of-water.mp4")); // ftyp, moov, mdat
        int mdat = box(faststart, "mdat");
        Path toTheEnd = Files.write(tmp.resolve("mdat-to-the-end.mp4"), withInt(faststart, mdat, 0));
        assertDoesNotThrow(() -> Mp4BoxCheck.check(toTheEnd));
        byte[] hidden = ByteBuffer.allocate(mdat + 28).put(faststart, 0, mdat)
                .putInt(0).putInt(12).put("skip".getBytes(StandardCharsets.ISO_8859_1)) // JCodec: a 'skip' of 12 bytes
                .putInt(1).put("wide".getBytes(StandardCharsets.ISO_8859_1)).putLong(0) // then 64-bit size 0
                .array();
        refused(Mp4BoxCheck::check, hidden, "'wide' at offset " + (mdat + 12), "impossible size of 0");
    }

    /** An 'avc1' entry without its 'avcC' (renamed): JCodec's demuxer would throw a NullPointerException. */
    @Test
    void aVideoSampleEntryWithoutAvcCIsRefused() throws IOException {
        byte[] mp4 = mp4();
        byte[] renamed = withInt(mp4, box(mp4, "avcC") + 4, 0x70617370); // 'pasp'
        refused(Mp4BoxCheck::check, renamed, "the sample entry 'avc1' at offset ", "has no 'avcC' box");
    }

    /**
     * The children of a sound sample entry ('mp4a' in audio-only.mp4), which JCodec parses as a list of boxes after the
     * entry's fields: an 'esds' of 64-bit size 8 had JCodec's NodeBox read it in place forever (a fuzz finding).
     */
    @Test
    void soundSampleEntryChildrenAreChecked() throws IOException {
        byte[] mp4 = Files.readAllBytes(TestMedia.video("audio-only.mp4"));
        int esds = box(mp4, "esds");
        byte[] damaged = withInt(withInt(withInt(mp4, esds, 1), esds + 8, 0), esds + 12, 8);
        refused(Mp4BoxCheck::check, damaged, "'esds' at offset " + esds, "impossible size of 8");
    }

    /** Runs of chunks of 0 samples, or of 2^31 or more (negative to JCodec), which JCodec's seek steps through. */
    @ParameterizedTest(name = "{0} samples a chunk")
    @CsvSource({"0", "2147483648", "4294967295"})
    void samplesPerChunkMustBePositiveInts(long samples) throws IOException {
        byte[] mp4 = mp4();
        refused(Mp4BoxCheck::check, withInt(mp4, box(mp4, "stsc") + 20, samples), "'stsc' at offset",
                "a run of chunks of " + samples + " samples (entry 0)");
    }

    /**
     * A track fragment run ('trun'), which JCodec's TrunBox parses wherever it meets one (a 'trak' renamed 'trun' in
     * 'moov' was a fuzz finding): without per-sample fields it loops over the count doing nothing, with them it
     * allocates their arrays from the count. Made here from the video's 'stsz' renamed, its count word at +12.
     */
    @ParameterizedTest(name = "flags {0}, count {1}")
    @CsvSource({
            "0, 2147483647, a run of 2147483647 samples, ''",
            "256, 1000000, 1000000 entries, 4000000 bytes",
            "3840, 65536, 65536 entries, 1048576 bytes",
    })
    void trackRunCountsMustFitTheirBoxOrTheFile(int flags, long count, String mention, String bytes) throws IOException {
        byte[] mp4 = mp4();
        int stsz = box(mp4, "stsz");
        byte[] run = withInt(withInt(withInt(mp4, stsz + 4, 0x7472756e), stsz + 8, flags), stsz + 12, count); // 'trun'
        refused(Mp4BoxCheck::check, run, "'trun' at offset " + stsz, mention, bytes);
    }

    /** The boxes JCodec parses as lists off the way to the sample tables are walked too: here an 'stbl' renamed 'traf'. */
    @Test
    void tablesInsideOtherListsOfBoxesAreChecked() throws IOException {
        byte[] mp4 = mp4();
        byte[] fragment = withInt(mp4, box(mp4, "stbl") + 4, 0x74726166); // 'traf'
        assertDoesNotThrow(() -> Mp4BoxCheck.check(Files.write(tmp.resolve("traf.mp4"), fragment)));
        refused(Mp4BoxCheck::check, withInt(fragment, box(mp4, "stsz") + 16, 2147483648L), "'stsz' at offset",
                "2147483648 entries");
    }

    /** QuickTime's audio channel layout ('chan'), whose descriptions JCodec's ChannelBox allocates from the count. */
    @Test
    void channelLayoutCountMustFitItsBox() throws IOException {
        byte[] mp4 = Files.readAllBytes(TestMedia.video("audio-only.mp4"));
        int esds = box(mp4, "esds");
        byte[] layout = withInt(withInt(mp4, esds + 4, 0x6368616e), esds + 20, 2147483647); // 'chan'
        refused(Mp4BoxCheck::check, layout, "'chan' at offset " + esds, "2147483647 entries");
    }

    // ---- Matroska: bframes.mkv, sizes written by FFmpeg's muxer (Segment with an 8-byte size)

    static byte[] mkv() throws IOException {
        return Files.readAllBytes(TestMedia.video("bframes.mkv"));
    }

    @Test
    void truncatedMatroska() throws IOException {
        byte[] mkv = mkv();
        refused(EbmlCheck::check, Arrays.copyOf(mkv, mkv.length * 2 / 3), "truncated", "claims");
        refused(EbmlCheck::check, Arrays.copyOf(mkv, 42), "truncated", "cut short");
    }

    /**
     * Cut anywhere (every 7th length), the Matroska file is refused naming the file, or, cut where a cluster ends,
     * gives the frames before the cut.
     */
    @Test
    void everyCutOfTheMatroskaFileIsRefusedOrReadUpToTheCut() throws IOException {
        byte[] mkv = mkv();
        Path file = tmp.resolve("cut.mkv");
        int read = 0;
        for (int length = 0; length < mkv.length; length += 7) {
            Files.write(file, Arrays.copyOf(mkv, length));
            try {
                assertTrue(VideoLoader.load(file, 8, MediaDecoder.JAVA).count() > 0);
                read++;
            } catch (LoaderException e) {
                assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
                assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            }
        }
        assertTrue(read < 20, read + " cuts read");
    }

    @Test
    void elementsMustFitTheirParent() throws IOException {
        byte[] mkv = mkv();
        // the Tracks' first entry after its CRC-32: an 8-byte size as FFmpeg writes it, set to 2^40
        int trackEntry = trackEntrySize(mkv);
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
        Path live = Files.write(tmp.resolve("live.mkv"), withSize(mkv, sizeField(mkv, SEGMENT), unknown));
        assertDoesNotThrow(() -> EbmlCheck.check(live));
        Path large = Files.write(tmp.resolve("large.mkv"), withSize(mkv, sizeField(mkv, SEGMENT), 1L << 40));
        assertDoesNotThrow(() -> EbmlCheck.check(large));
        int cluster = sizeField(mkv, CLUSTER);
        Path liveCluster = Files.write(tmp.resolve("live-cluster.mkv"),
                withSize(mkv, cluster, (1L << (7 * vintLength(mkv[cluster]))) - 1));
        assertDoesNotThrow(() -> EbmlCheck.check(liveCluster));
        int trackEntry = trackEntrySize(mkv);
        refused(EbmlCheck::check, withSize(mkv, trackEntry, unknown), "element 0xAE", "unknown size");
    }

    /**
     * Sizes that all fit, but an EBML header of 34 bytes followed by elements JCodec's MKVParser takes for its
     * children (unknown IDs, then EBMLMaxIDLength): it goes back to the header's end for the binary one and reads the
     * same elements forever. Refused as it goes back (a fuzz finding, also a regression input of the fuzz test).
     */
    @Test
    void anElementJCodecPlacesInAParentThatEndedBeforeItIsRefused() throws IOException {
        byte[] elements = ByteBuffer.allocate(58).putInt(0x1A45DFA3).put((byte) 0xA2) // EBML header of 34 bytes
                .put(new byte[] {0x42, (byte) 0x86, (byte) 0x81, 1}) // EBMLVersion 1
                .put(filled(45, (byte) 0x81)) // unknown elements 0x81 of 1 byte, 10 inside the header, 5 after it
                .put(new byte[] {0x42, (byte) 0xF2, (byte) 0x81, 4}) // EBMLMaxIDLength 4: a binary child of the header
                .array();
        Path file = Files.write(tmp.resolve("loop.mkv"), elements);
        assertDoesNotThrow(() -> EbmlCheck.check(file));
        LoaderException e = assertThrows(LoaderException.class, () -> VideoLoader.load(file, 8, MediaDecoder.JAVA));
        assertTrue(e.getMessage().startsWith(file + ": corrupt or truncated Matroska file (an element lies outside"),
                e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    private static byte[] filled(int n, byte value) {
        byte[] b = new byte[n];
        Arrays.fill(b, value);
        return b;
    }

    @Test
    void invalidIdAndDeepNesting() throws IOException {
        byte[] mkv = mkv();
        byte[] zeroId = mkv.clone();
        zeroId[trackEntrySize(mkv) - 1] = 0; // the TrackEntry's ID byte
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

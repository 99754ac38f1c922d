package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static videollama.loader.video.DamagedMedia.box;
import static videollama.loader.video.DamagedMedia.trackEntrySize;
import static videollama.loader.video.DamagedMedia.withInt;
import static videollama.loader.video.DamagedMedia.withLargeSizeMoov;
import static videollama.loader.video.DamagedMedia.withSize;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Damaged and hostile videos through {@code chat}, on both decoders, in a child JVM with a 256 MB heap: each is
 * refused in one line naming the file (exit 1), or, where FFmpeg reads past the damage as it does any player's
 * file, answered; nothing else on stdout, and at most {@link ChildCli#DEFAULT_RSS_LIMIT_MIB} resident either way.
 * Before the container checks the Java path took 6.3 GB and two minutes on a 'stbl' of 3 bytes, ran out of memory
 * on table counts of 2^31, read a 2 GB 'moov', and printed JCodec's log on stdout. Every file is made here from a
 * bundled one: {@code bframes.mp4} (40 frames, 'moov' after 'mdat') and {@code bframes.mkv}.
 */
class DamagedVideoCliTest {
    @TempDir
    Path tmp;

    /**
     * A damage, what the Java path says of it and what the FFmpeg path says: a refusal's words, {@link #ANSWERED}
     * (from what it could read), or {@link #SAME_ANSWER} (it reads past the damage to every frame, so the answer is
     * the intact file's).
     */
    enum Damage {
        CUT_BEFORE_MOOV("bframes.mp4", b -> Arrays.copyOf(b, 5800), "truncated: box 'mdat'", "moov atom not found"),
        CUT_IN_MOOV("bframes.mp4", b -> Arrays.copyOf(b, 18300), "truncated: box 'moov'", "no video track"),
        STBL_OF_3_BYTES("bframes.mp4", b -> withInt(b, box(b, "stbl"), 3), "'stbl'", "no frames"),
        STSZ_COUNT_2_31("bframes.mp4", b -> withInt(b, box(b, "stsz") + 16, 1L << 31), "'stsz'", "error reading header"),
        STSZ_CONSTANT_SIZE("bframes.mp4", b -> withInt(withInt(b, box(b, "stsz") + 12, 1000), box(b, "stsz") + 16,
                Integer.MAX_VALUE), "samples of 1000 bytes", "no frames"),
        STTS_COUNT("bframes.mp4", b -> withInt(b, box(b, "stts") + 12, Integer.MAX_VALUE), "'stts'", "error reading header"),
        CTTS_COUNT("bframes.mp4", b -> withInt(b, box(b, "ctts") + 12, Integer.MAX_VALUE), "'ctts'", "error reading header"),
        STSC_COUNT("bframes.mp4", b -> withInt(b, box(b, "stsc") + 12, Integer.MAX_VALUE), "'stsc'", "error reading header"),
        MOOV_OF_2_GB("bframes.mp4", b -> withInt(b, box(b, "moov"), 1L << 31), "truncated: box 'moov'", SAME_ANSWER),
        MOOV_OF_2_40_BYTES_IN_64_BITS("bframes.mp4", b -> withLargeSizeMoov(b, 1L << 40), "truncated: box 'moov'",
                SAME_ANSWER),
        NAL_OF_2_GB("bframes.mp4", b -> withInt(b, box(b, "mdat") + 8, 1L << 31), "frame 0 cannot be read",
                "corrupt h264 data"),
        /** A broken box where nothing needs it: JCodec logged "Broken atom" on stdout, and reads on. */
        UDTA_CHILD_OF_3_BYTES("bframes.mp4", b -> withInt(b, box(b, "udta") + 8, 3), SAME_ANSWER, SAME_ANSWER),
        /**
         * Fuzzing findings: 'edts' with its header zeroed, which JCodec skips word by word to parse what follows as
         * the track's boxes, here a 'ctts' count of 2^31 - 1 (out of memory at once) and, in place of 'elst', a box
         * of 64-bit size 0 (parsed in place again and again: out of memory in a 256 MB heap after 22 s).
         */
        EDTS_ZEROED_CTTS_COUNT("bframes.mp4", b -> zeroed(withInt(b, box(b, "ctts") + 12, Integer.MAX_VALUE),
                box(b, "edts"), 8), "'ctts'", "no video track"),
        EDTS_ZEROED_BOX_OF_SIZE_0("bframes.mp4", b -> zeroed(zeroed(withInt(withInt(b, box(b, "elst"), 1),
                box(b, "elst") + 4, 0x7a7a7a7a), box(b, "elst") + 8, 8), box(b, "edts"), 8), "'zzzz'", "no video track"),
        MKV_CUT("bframes.mkv", b -> Arrays.copyOf(b, b.length * 2 / 3), "truncated", ANSWERED),
        MKV_TRACK_ENTRY_OF_2_40_BYTES("bframes.mkv", b -> withSize(b, trackEntrySize(b), 1L << 40), "element 0xAE", "no video track"),
        ;

        final String source;
        final UnaryOperator<byte[]> damage;
        final String java;
        final String ffmpeg;

        Damage(String source, UnaryOperator<byte[]> damage, String java, String ffmpeg) {
            this.source = source;
            this.damage = damage;
            this.java = java;
            this.ffmpeg = ffmpeg;
        }
    }

    static final String ANSWERED = "(answers)";
    static final String SAME_ANSWER = "(answers as for the intact file)";

    private Path make(String name, String source, UnaryOperator<byte[]> damage) throws IOException {
        byte[] bytes = Files.readAllBytes(TestFiles.root().resolve("testdata/video").resolve(source));
        return Files.write(tmp.resolve(name + source.substring(source.lastIndexOf('.'))), damage.apply(bytes));
    }

    private static byte[] zeroed(byte[] file, int at, int bytes) {
        byte[] copy = file.clone();
        Arrays.fill(copy, at, at + bytes, (byte) 0);
        return copy;
    }

    private static String[] chatArgs(Path video, String decoder) {
        return new String[] {"chat", "--model", TestFiles.root().resolve("models/videollama-demo").toString(),
                "--video", video.toString(), "--decoder", decoder, "--question", "What is it?", "--temperature", "0",
                "--max-new-tokens", "4", "--backend", "reference"};
    }

    private static ChildCli chat(Path video, String decoder) {
        return ChildCli.run(chatArgs(video, decoder));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Damage.class)
    void javaDecoder(Damage d) throws IOException {
        check(d, "java", d.java);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Damage.class)
    void ffmpegDecoder(Damage d) throws IOException {
        TestFiles.ffmpegOrSkip();
        check(d, "ffmpeg", d.ffmpeg);
    }

    private void check(Damage d, String decoder, String expected) throws IOException {
        Path file = make(d.name(), d.source, d.damage);
        ChildCli run = chat(file, decoder);
        if (expected.equals(SAME_ANSWER)) {
            Cli intact = Cli.run(chatArgs(TestFiles.root().resolve("testdata/video").resolve(d.source), decoder));
            assertEquals(0, intact.exitCode(), intact::toString);
            answered(run);
            assertEquals(intact.out(), run.out());
        } else if (expected.equals(ANSWERED)) {
            answered(run);
        } else {
            run.assertRefusedAfterProgress(1, file.toString(), expected);
        }
        System.out.println(d + " " + decoder + ": " + run.millis() + " ms, peak " + run.peakRssMiB() + " MiB: "
                + run.lastErrLine());
    }

    /** The Java sound path (AAC in MP4, demuxed by JCodec) goes through the same box checks. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Damage.class, names = {"STBL_OF_3_BYTES", "STTS_COUNT", "MOOV_OF_2_GB",
            "EDTS_ZEROED_CTTS_COUNT", "EDTS_ZEROED_BOX_OF_SIZE_0"})
    void javaSoundPath(Damage d) throws IOException {
        Path file = make(d.name(), d.source, d.damage);
        ChildCli.run("chat", "--model", TestFiles.root().resolve("models/videollama-demo").toString(), "--audio-only",
                file.toString(), "--decoder", "java", "--question", "What is it?", "--max-new-tokens", "4", "--backend",
                "reference").assertRefusedAfterProgress(1, file.toString(), d.java);
    }

    /**
     * A percent of the frame data of {@code bframes.mp4} overwritten at random (the container intact): the decoders
     * either report a frame in one line or conceal the damage and answer; never more.
     */
    @ParameterizedTest(name = "seed {0} on {1}")
    @CsvSource({"0, java", "1, java", "0, ffmpeg", "1, ffmpeg"})
    void fuzzedFrameData(long seed, String decoder) throws IOException {
        if (decoder.equals("ffmpeg")) {
            TestFiles.ffmpegOrSkip();
        }
        Path file = make("fuzzed-" + seed, "bframes.mp4", b -> {
            Random random = new Random(seed);
            byte[] fuzzed = b.clone();
            for (int i = box(b, "mdat") + 8; i < box(b, "moov"); i++) {
                if (random.nextInt(100) == 0) {
                    fuzzed[i] = (byte) random.nextInt(256);
                }
            }
            return fuzzed;
        });
        ChildCli run = chat(file, decoder);
        if (run.exitCode() == 0) {
            answered(run);
        } else {
            run.assertRefusedAfterProgress(1, file.toString(), "corrupt");
        }
        System.out.println("seed " + seed + " " + decoder + ": " + run.millis() + " ms, peak " + run.peakRssMiB() + " MiB: "
                + run.lastErrLine());
    }

    /** Exit 0, an answer and no library's log lines on stdout (the demo model's answer may span lines). */
    private static void answered(ChildCli run) {
        assertEquals(0, run.exitCode(), run::toString);
        assertFalse(run.out().isBlank(), run::toString);
        for (String log : new String[] {"[WARN]", "[ERROR]", "[INFO]", "\tat "}) {
            assertFalse(run.out().contains(log), "the answer and nothing else: " + run);
        }
        assertTrue(run.peakRssMiB() <= ChildCli.DEFAULT_RSS_LIMIT_MIB, "peak resident " + run.peakRssMiB() + " MiB: " + run);
    }
}

package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import videollama.loader.ffmpeg.Ffmpeg;

/**
 * The media decoders through the command line: {@code --decoder ffmpeg|java}, the {@code media:} line of
 * {@code devices} and of the chat's stderr, every container and codec of testdata/media answered on the FFmpeg path
 * with nothing but the answer on stdout (also in a JVM of its own, where FFmpeg's native code could write to the
 * process's stdout), and bad media on both paths: one line naming the file, exit 1.
 */
class MediaCliTest {
    @TempDir
    Path tmp;

    private static String demo() {
        return TestFiles.root().resolve("models/videollama-demo").toString();
    }

    private static String media(String name) {
        return TestFiles.root().resolve("testdata/media").resolve(name).toString();
    }

    private static Cli chat(String... args) {
        String[] base = {"chat", "--model", demo(), "--question", "What is it?", "--temperature", "0", "--max-new-tokens", "6",
                "--backend", "reference"};
        String[] all = Arrays.copyOf(base, base.length + args.length);
        System.arraycopy(args, 0, all, base.length, args.length);
        return Cli.run(all);
    }

    /**
     * A chat that answered with its media read by FFmpeg: exit code 0, the answer and nothing else on stdout, the
     * {@code media: ffmpeg} line and no {@code warning} on stderr.
     */
    private static void assertAnsweredOnFfmpeg(int exitCode, String out, String err, String warning) {
        assertEquals(0, exitCode, err);
        assertEquals(1, out.lines().count(), "the answer and nothing else: " + out);
        assertTrue(err.contains("media: ffmpeg"), err);
        assertFalse(err.contains(warning), err);
    }

    /** The golden chat's answer (ChatGoldenTest's) from either decoder: the bundled video decodes exactly on both. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ffmpeg", "java"})
    void bothDecodersGiveTheGoldenAnswer(String decoder) throws IOException {
        if (decoder.equals("ffmpeg")) {
            TestFiles.ffmpegOrSkip();
        }
        JsonNode golden = new ObjectMapper().readTree(TestFiles.golden("chat").resolve("expected.json").toFile());
        Cli run = Cli.run("chat", "--model", demo(), "--video", TestFiles.root().resolve("models/videollama-demo/stream-of-water.mp4")
                .toString(), "--question", golden.get("question").asText(), "--temperature", "0", "--max-new-tokens",
                String.valueOf(golden.get("greedy_ids").size()), "--backend", "reference", "--decoder", decoder);
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(golden.get("answer").asText() + "\n", run.out());
        assertTrue(run.err().contains("media: " + decoder + " "), run.err());
    }

    @Test
    void devicesSaysWhichDecoderAndWhy() {
        Cli run = Cli.run("devices");
        assertEquals(0, run.exitCode(), run.toString());
        String line = run.out().lines().filter(l -> l.startsWith("media: ")).findFirst().orElseThrow(() -> new AssertionError(run.out()));
        Ffmpeg.Status status = Ffmpeg.status();
        assertEquals(status.available() ? "media: ffmpeg " + status.version() + " (" + status.licence() + ", org.bytedeco:ffmpeg "
                + status.artifact().substring(status.artifact().indexOf(' ') + 1) + ")"
                : "media: java (FFmpeg natives did not load: " + status.reason() + ")", line);
        if (status.available()) {
            assertEquals("LGPL version 3 or later", status.licence());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mpeg4-mp3.avi", "vp9-opus.webm", "hevc-aac.mp4", "av1-vorbis.mkv", "phone-rotated.mov"})
    void everyContainerIsAnsweredOnFfmpeg(String name) {
        TestFiles.ffmpegOrSkip();
        Cli run = chat("--video", media(name), "--audio");
        assertAnsweredOnFfmpeg(run.exitCode(), run.out(), run.err(), "warning");
    }

    @Test
    void soundFilesAreAnsweredOnFfmpeg() {
        TestFiles.ffmpegOrSkip();
        for (String name : new String[] {"tone-44k.mp3", "sweep-48k-s24.flac", "surround-5.1.m4a"}) {
            Cli run = chat("--audio-only", media(name));
            assertEquals(0, run.exitCode(), run.toString());
            assertEquals(1, run.out().lines().count(), run.out());
        }
    }

    /** In a JVM of its own, as the launcher runs it: only the answer on stdout, no JVM or JavaCPP warning on stderr. */
    @Test
    void onlyTheAnswerOnStdoutOfTheProcess() throws Exception {
        TestFiles.ffmpegOrSkip();
        JarProcessTest.Result r = JarProcessTest.run("chat", "--model", demo(), "--video", media("vp9-opus.webm"), "--audio",
                "--question", "What is it?", "--temperature", "0", "--max-new-tokens", "6", "--backend", "reference");
        assertAnsweredOnFfmpeg(r.code(), r.out(), r.err(), "WARNING");
    }

    @Test
    void javaRefusesWhatFfmpegReads() {
        Cli.assertFailure(chat("--decoder", "java", "--video", media("vp9-opus.webm")), 1, "vp9-opus.webm", "VP9",
                "--decoder ffmpeg reads it");
        Cli.assertFailure(chat("--decoder", "java", "--video", media("mpeg4-mp3.avi")), 1, "mpeg4-mp3.avi", "AVI",
                "--decoder ffmpeg reads it");
        Cli.assertFailure(chat("--decoder", "java", "--audio-only", media("tone-44k.mp3")), 1, "tone-44k.mp3", "MP3",
                "--decoder ffmpeg reads it");
        Cli.assertFailure(chat("--decoder", "vlc", "--video", media("vp9-opus.webm")), 2, "--decoder");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ffmpeg", "java"})
    void badMediaGetsOneLineAndExit1(String decoder) throws IOException {
        if (decoder.equals("ffmpeg")) {
            TestFiles.ffmpegOrSkip();
        }
        Path empty = Files.write(tmp.resolve("empty.mp4"), new byte[0]);
        byte[] noise = new byte[50_000];
        new Random(3).nextBytes(noise);
        Path random = Files.write(tmp.resolve("random.mp4"), noise);
        byte[] whole = Files.readAllBytes(TestFiles.root().resolve("testdata/video/bframes.mp4"));
        Path cut = Files.write(tmp.resolve("cut.mp4"), Arrays.copyOf(whole, whole.length / 2));
        for (Path bad : new Path[] {empty, random, cut}) {
            Cli.assertFailure(chat("--decoder", decoder, "--video", bad.toString()), 1, bad.toString());
            Cli.assertFailure(chat("--decoder", decoder, "--audio-only", bad.toString()), 1, bad.toString());
        }
        Path audioOnly = TestFiles.root().resolve("testdata/video/audio-only.mp4");
        Cli.assertFailure(chat("--decoder", decoder, "--video", audioOnly.toString()), 1, "audio-only.mp4", "no video track");
    }
}

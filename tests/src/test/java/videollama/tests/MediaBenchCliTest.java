package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import videollama.loader.MediaDecoder;
import videollama.loader.audio.AudioLoader;

/**
 * {@code videollama bench --stage media}: a row per file and decoder with the load time, the pictures decoded and
 * their rate, the whole track's time and its speed against real time, the clips' time; what a decoder cannot read is
 * said in its row (its usage errors: {@link BenchUsageCliTest}).
 */
class MediaBenchCliTest {
    /** file, kind, decoder, load ms, decoded, frames/s, track ms, sound x, clips ms, then any note. */
    private static final Pattern ROW = Pattern.compile(
            "(\\S+) +(.+?) +(ffmpeg|java) +(\\S+) +(\\S+) +(\\S+) +(\\S+) +(\\S+) +(\\S+)(?: {2}(.*))?");

    @Test
    void bothDecodersAreTimedFileByFile() {
        TestFiles.ffmpegOrSkip();
        Path file = TestFiles.root().resolve("testdata/video/stream-of-water.mp4");
        Cli run = Cli.run("bench", "--stage", "media", "--runs", "2", "--warmup", "0", "--frames", "4",
                "--media", file.toString(),
                "--media", TestFiles.root().resolve("testdata/media/vp9-opus.webm").toString(),
                "--media", TestFiles.root().resolve("testdata/audio/jfk.wav").toString());
        assertEquals(0, run.exitCode(), run.toString());
        String out = run.out();
        assertTrue(out.startsWith("media stage: 4 frames a load, 2 timed runs after 0 warm-up, medians; decoders: ffmpeg 8.0.1"), out);
        List<String[]> rows = out.lines().map(ROW::matcher).filter(Matcher::matches)
                .map(m -> new String[] {m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6), m.group(7),
                        m.group(8), m.group(9), m.group(10)})
                .filter(r -> !r[0].equals("file")).toList();
        assertEquals(6, rows.size(), out);
        for (String[] r : rows.subList(0, 2)) { // stream-of-water.mp4 on both paths: pictures and sound
            assertEquals("stream-of-water.mp4", r[0]);
            assertEquals("MP4/MOV H.264 + AAC", r[1]);
            double loadMs = Double.parseDouble(r[3]);
            int decoded = Integer.parseInt(r[4]);
            assertTrue(decoded >= 4 && decoded <= 90, "at least the 4 sampled frames, at most the whole video: " + out);
            assertEquals(decoded / (loadMs / 1e3), Double.parseDouble(r[5]), 1 + decoded * 1e3 * 0.05 / (loadMs * loadMs), out);
            // sound x: the track's seconds over the track time, printed to 0.1 ms
            double seconds = AudioLoader.load(file, MediaDecoder.parse(r[2])).seconds();
            double trackMs = Double.parseDouble(r[6]);
            assertEquals(seconds / (trackMs / 1e3), Double.parseDouble(r[7]), 1 + seconds * 1e3 * 0.05 / (trackMs * trackMs), out);
            assertTrue(Double.parseDouble(r[8]) > 0, out);
        }
        assertEquals(List.of("ffmpeg", "java"), rows.subList(0, 2).stream().map(r -> r[2]).toList());
        String[] webmJava = rows.get(3);
        assertEquals("java", webmJava[2]);
        assertEquals("-", webmJava[3], out);
        assertTrue(webmJava[9].contains("pictures:") && webmJava[9].contains("VP9") && webmJava[9].contains("--decoder ffmpeg"), out);
        String[] webmFfmpeg = rows.get(2);
        assertTrue(Integer.parseInt(webmFfmpeg[4]) >= 4 && !webmFfmpeg[6].equals("-"), "FFmpeg reads WebM: " + out);
        for (String[] wav : rows.subList(4, 6)) { // a sound file: no pictures, no complaint
            assertEquals("jfk.wav", wav[0]);
            assertEquals("-", wav[3]);
            assertTrue(wav[9] == null, out);
            assertTrue(Double.parseDouble(wav[7]) > 1, "faster than real time: " + out);
        }
        assertTrue(run.err().contains("timing jfk.wav on java ..."), run.err());
    }

    @Test
    void theJavaPathAloneIsOneRowAFile() {
        Cli run = Cli.run("bench", "--stage", "media", "--decoder", "java", "--runs", "1", "--warmup", "0",
                "--media", TestFiles.root().resolve("testdata/video/bframes.mp4").toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(1, run.out().lines().filter(l -> l.startsWith("bframes.mp4 ")).count(), run.out());
        assertTrue(run.out().contains(" java "), run.out());
    }
}

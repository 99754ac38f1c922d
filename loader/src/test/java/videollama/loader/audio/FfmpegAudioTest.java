package videollama.loader.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.loader.FfmpegTests;
import videollama.loader.MediaDecoder;
import videollama.loader.TestMedia;
import videollama.weights.SafetensorsFile;
import videollama.weights.Tensor;

/**
 * The FFmpeg sound path against FFmpeg's own decode (PyAV's FFmpeg 8.1, make_media_golden.py: the whole track as
 * float32) and torchaudio's features on it; the bundled AAC tracks against testdata/golden/audio (torchaudio.load on
 * Debian's FFmpeg 5.1). Reads that skip ahead, jump or start again give exactly the samples of one decode.
 */
class FfmpegAudioTest {
    /** PCM to float rounding: measured 0 for every fixture but the AAC and Opus ones (see the printed errors). */
    private static final double PCM_BOUND = 1e-6;

    /** One sound of testdata/golden/media/expected.json. */
    record Sound(JsonNode json) {
        String name() {
            return json.get("name").asText();
        }

        Path file() {
            return TestMedia.media(json.get("file").asText());
        }

        float[][] pcm() {
            try (SafetensorsFile f = SafetensorsFile.open(TestMedia.mediaGolden(json.get("pcm").asText()))) {
                Tensor t = f.find("pcm").orElseThrow();
                float[] flat = t.toFloatArray();
                int channels = (int) t.shape()[0];
                int n = (int) t.shape()[1];
                float[][] out = new float[channels][n];
                for (int c = 0; c < channels; c++) {
                    System.arraycopy(flat, c * n, out[c], 0, n);
                }
                return out;
            }
        }

        @Override
        public String toString() {
            return json.get("file").asText();
        }
    }

    static Stream<Sound> sounds() {
        List<Sound> out = new ArrayList<>();
        TestMedia.readJson(TestMedia.mediaGolden("expected.json")).get("sounds").forEach(s -> out.add(new Sound(s)));
        return out.stream();
    }

    static Stream<AudioGolden> aacTracks() {
        return Stream.of("aac-mono-44k", "aac-stereo-48k", "flower", "friday", "stream-of-water").map(AudioGolden::load);
    }

    /** Every bundled sound track with torchaudio's fbank: the media fixtures' and the AAC tracks'. */
    static Stream<AudioGolden> fbankCases() {
        return Stream.concat(sounds().map(s -> AudioGolden.load(TestMedia.mediaGolden(""), s.name())), aacTracks());
    }

    @BeforeEach
    void ffmpeg() {
        FfmpegTests.assumeAvailable();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sounds")
    void decodesAsFfmpeg(Sound s) {
        Waveform w = AudioLoader.load(s.file(), MediaDecoder.FFMPEG);
        float[][] expected = s.pcm();
        assertEquals(s.json().get("sample_rate").asInt(), w.sampleRate(), "rate");
        assertEquals(expected.length, w.channelCount(), "channels");
        assertEquals(expected[0].length, w.frames(), "samples a channel");
        double max = maxError(w.channels(), expected, 0);
        System.out.printf("%s (%s): %d x %d samples, max |error| %.3g%n", s, s.json().get("decoder").asText(),
                w.channelCount(), w.frames(), max);
        assertTrue(max <= PCM_BOUND, s + ": samples differ from FFmpeg's by " + max);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("aacTracks")
    void decodesTheAacTracksAsFfmpeg(AudioGolden g) {
        Waveform w = AudioLoader.load(g.file(), MediaDecoder.FFMPEG);
        double max = g.headError(w);
        float[] blocks = g.floats().get("decode.blocks");
        long[] starts = g.longs().get("decode.block_starts");
        for (int b = 0; b < starts.length; b++) {
            for (int i = 0; i < 1024; i++) {
                max = Math.max(max, Math.abs(w.channels()[0][(int) starts[b] + i] - blocks[b * 1024 + i]));
            }
        }
        System.out.printf("%s: FFmpeg 8.0.1 against torchaudio.load (FFmpeg 5.1): max |error| %.3g%n", g, max);
        assertTrue(max <= PCM_BOUND, g + ": samples differ by " + max);
    }

    /** torchaudio's fbank of FFmpeg's decode: the bounds AudioGoldenTest holds the WAV cases to. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fbankCases")
    void fbankMatchesTorchaudio(AudioGolden g) {
        AudioInput input = AudioClips.prepare(g.file(), g.options(), MediaDecoder.FFMPEG);
        assertEquals(g.integer("samples16k"), input.samples16k());
        int[] frames = Stream.of(g.meta().get("frames").split(",")).mapToInt(Integer::parseInt).toArray();
        assertArrayEquals(frames, input.framesPerClip());
        AudioGoldenTest.Errors e = AudioGoldenTest.Errors.of(g, input);
        System.out.printf("%s: fbank |error| in log-mel units: resolvable max %.2g (%d of %d), all max %.2g mean %.2g, "
                + "mel means %.2g, frame means %.2g%n", g, e.resolvable(), e.resolvableCount(), e.cells(), e.all(),
                e.allMean(), e.melMeans(), e.frameMeans());
        assertTrue(e.resolvableCount() > 0, "no resolvable cell among the samples");
        AudioGoldenTest.Bounds bounds = AudioGoldenTest.Bounds.ALL_CASES;
        assertTrue(e.resolvable() <= bounds.resolvable(), g + ": resolvable cells differ by " + e.resolvable());
        assertTrue(e.all() <= bounds.all(), g + ": cells differ by " + e.all());
        assertTrue(e.allMean() <= bounds.mean(), g + ": cells differ by " + e.allMean() + " on average");
        assertTrue(e.melMeans() <= bounds.means() && e.frameMeans() <= bounds.means(), g + ": means differ");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sounds")
    void twoDecodesInOneJvmAreEqual(Sound s) {
        Waveform a = AudioLoader.load(s.file(), MediaDecoder.FFMPEG);
        Waveform b = AudioLoader.load(s.file(), MediaDecoder.FFMPEG);
        for (int c = 0; c < a.channelCount(); c++) {
            assertArrayEquals(a.channels()[c], b.channels()[c], s + " channel " + c);
        }
    }

    /**
     * Reads with gaps on one source, forced to jump wherever the codec may ({@link FfmpegAudioSource#JUMPING}; the
     * others decode through), and a read back to an earlier position: every sample as in one decode from the start.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("sounds")
    void readsThatSkipGiveTheContinuousSamples(Sound s) {
        float[][] all = AudioLoader.load(s.file(), MediaDecoder.FFMPEG).channels();
        int n = all[0].length;
        int chunk = Math.max(1, n / 20);
        try (FfmpegAudioSource source = FfmpegAudioSource.open(s.file())) {
            source.jumpAfter(0);
            List<Long> starts = new ArrayList<>();
            for (long at = n / 7; at + chunk <= n; at += n / 5) {
                starts.add(at);
            }
            starts.add((long) chunk); // back: the source starts again
            starts.add((long) n - chunk);
            for (long at : starts) {
                assertSame(s, all, at, source.read(at, chunk), source);
            }
            System.out.printf("%s (%s): %d reads, %d jumps, %d packets decoded, at most %d samples held%n", s,
                    source.codec(), starts.size(), source.jumps(), source.packetsDecoded(), source.maxHeld());
            assertEquals(FfmpegAudioSource.JUMPING.contains(source.codec()), source.jumps() > 0, s + ": jumps");
            assertEquals(0, source.fallbacks(), s + ": jumps that did not line up");
        }
    }

    /**
     * The measurement behind {@link FfmpegAudioSource#JUMPING}, kept: a jump to every 577th sample (a fresh source
     * each) gives the continuous decode's samples, and lines up with the counting decode without falling back.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("sounds")
    void aJumpAnywhereGivesTheContinuousSamples(Sound s) {
        float[][] all = AudioLoader.load(s.file(), MediaDecoder.FFMPEG).channels();
        int jumps = 0;
        int reads = 0;
        for (long at = 0; at + 600 <= all[0].length; at += 577) {
            try (FfmpegAudioSource source = FfmpegAudioSource.open(s.file())) {
                source.jumpAfter(0);
                assertSame(s, all, at, source.read(at, 600), source);
                assertEquals(0, source.fallbacks(), s + ": a jump to " + at + " did not line up");
                jumps += source.jumps();
                reads++;
            }
        }
        System.out.printf("%s: %d reads, %d by a jump%n", s, reads, jumps);
    }

    private static void assertSame(Sound s, float[][] all, long at, float[][] got, FfmpegAudioSource source) {
        for (int c = 0; c < all.length; c++) {
            for (int i = 0; i < got[c].length; i++) {
                if (got[c][i] != all[c][(int) at + i]) {
                    throw new AssertionError(s + ": sample " + (at + i) + " of channel " + c + " differs after "
                            + source.jumps() + " jumps: " + got[c][i] + " vs " + all[c][(int) at + i]);
                }
            }
        }
    }

    static double maxError(float[][] actual, float[][] expected, int offset) {
        double max = 0;
        for (int c = 0; c < expected.length; c++) {
            for (int i = 0; i < expected[c].length; i++) {
                max = Math.max(max, Math.abs(actual[c][offset + i] - expected[c][i]));
            }
        }
        return max;
    }
}

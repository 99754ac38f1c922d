package videollama.loader.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.loader.FfmpegTests;
import videollama.loader.MediaDecoder;
import videollama.loader.SampledFrames;
import videollama.loader.TestMedia.Difference;
import videollama.loader.TestMedia;

/**
 * The FFmpeg path against FFmpeg's own frames (PyAV, make_frame_golden.py and make_media_golden.py): every video of
 * testdata/golden/frames/expected.json and testdata/golden/media/expected.json, whatever they list. Frame count, fps,
 * sampled indices (8 and 32) and timestamp sentences equal; every sampled 224×224 frame pixel-exact (SHA-256; for the
 * media fixtures all 32 sampled frames too), and the golden PNG strips equal.
 */
class FfmpegVideoGoldenTest {
    private static final int FRAME = SampledFrames.SIZE * SampledFrames.SIZE * 3;

    /** One golden video: its expectations, the file, and the folder of its PNGs. */
    record Case(JsonNode json, Path file, Path goldenDir) {
        String name() {
            return json.get("file").asText();
        }

        @Override
        public String toString() {
            return name();
        }
    }

    static Stream<Case> videos() {
        List<Case> cases = new ArrayList<>();
        for (JsonNode v : TestMedia.json("expected.json").get("videos")) {
            cases.add(new Case(v, TestMedia.video(v.get("file").asText()), TestMedia.golden("")));
        }
        for (JsonNode v : TestMedia.readJson(TestMedia.mediaGolden("expected.json")).get("videos")) {
            cases.add(new Case(v, TestMedia.media(v.get("file").asText()), TestMedia.mediaGolden("")));
        }
        return cases.stream();
    }

    @BeforeEach
    void ffmpeg() {
        FfmpegTests.assumeAvailable();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("videos")
    void eightFramesAreFfmpegs(Case c) throws Exception {
        SampledFrames frames = new VideoLoader(MediaDecoder.FFMPEG).loadFrames(c.file(), 8);
        assertArrayEquals(ints(c.json().get("indices8")), frames.indices());
        assertEquals(c.json().get("fps").asDouble(), frames.fps(), "fps");
        assertEquals(c.json().get("sentence8").asText(), frames.timestampSentence());
        assertEquals(List.of(strings(c.json().get("sha256_8"))), sha256(frames), c + ": frames not bit-exact");
        if (hasPng(c, "bilinear")) { // the SHA-256s above decide; the strip shows where a frame differs
            assertPngFrames(c, "bilinear", frames);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("videos")
    void thirtyTwoFramesAreFfmpegs(Case c) throws Exception {
        SampledFrames frames = new VideoLoader(MediaDecoder.FFMPEG).loadFrames(c.file(), 32);
        assertArrayEquals(ints(c.json().get("indices32")), frames.indices());
        assertEquals(c.json().get("sentence32").asText(), frames.timestampSentence());
        if (c.json().has("sha256_32")) {
            assertEquals(List.of(strings(c.json().get("sha256_32"))), sha256(frames), c + ": frames not bit-exact");
        }
    }

    /**
     * The measurement behind {@link FfmpegPictures}' choice, kept: on 8-bit 4:2:0 frames libavfilter's
     * {@code scale=224:224:flags=bilinear} gives the golden pixels as {@link SwsScaler} does.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("videos")
    void libavfilterGivesTheSamePixels(Case c) throws Exception {
        SampledFrames frames = new VideoLoader(MediaDecoder.FFMPEG).libavfilterOnly().loadFrames(c.file(), 8);
        assertEquals(List.of(strings(c.json().get("sha256_8"))), sha256(frames), c + ": frames not bit-exact");
    }

    /** The videos with a golden bicubic strip (the golden scripts keep one for a few of them, for size). */
    static Stream<Case> videosWithBicubic() {
        return videos().filter(c -> hasPng(c, "bicubic"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("videosWithBicubic")
    void bicubicIsCurrentFfmpegsDefault(Case c) {
        assertPngFrames(c, "bicubic", new VideoLoader(ScaleAlgorithm.BICUBIC, MediaDecoder.FFMPEG).loadFrames(c.file(), 8));
    }

    private static boolean hasPng(Case c, String kind) {
        JsonNode png = c.json().get(kind);
        return png != null && png.has("png");
    }

    /** The frames of the golden PNG strip of {@code kind} ("bilinear", "bicubic"): equal. */
    private static void assertPngFrames(Case c, String kind, SampledFrames frames) {
        JsonNode png = c.json().get(kind);
        byte[] expected = TestMedia.pngRgb(c.goldenDir().resolve(png.get("png").asText()));
        int[] wanted = ints(png.get("indices"));
        for (int j = 0; j < wanted.length; j++) {
            int slot = List.of(boxed(frames.indices())).indexOf(wanted[j]);
            Difference d = Difference.of(frames.rgb(), slot * FRAME, expected, j * FRAME, FRAME);
            assertEquals(0, d.max(), c + " frame " + wanted[j] + " (" + kind + "): " + d);
        }
    }

    static List<String> sha256(SampledFrames frames) throws Exception {
        List<String> out = new ArrayList<>();
        for (int k = 0; k < frames.count(); k++) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(frames.rgb(), k * FRAME, FRAME);
            out.add(HexFormat.of().formatHex(sha.digest()));
        }
        return out;
    }

    private static int[] ints(JsonNode array) {
        return VideoGoldenTest.ints(array);
    }

    private static Integer[] boxed(int[] values) {
        return java.util.Arrays.stream(values).boxed().toArray(Integer[]::new);
    }

    private static String[] strings(JsonNode array) {
        String[] out = new String[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asText();
        }
        return out;
    }
}

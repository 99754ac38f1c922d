package videollama.loader.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.loader.FrameSampling;
import videollama.loader.MediaDecoder;
import videollama.loader.SampledFrames;
import videollama.loader.TestMedia.Difference;
import videollama.loader.TestMedia;
import videollama.loader.TimestampSentence;

/**
 * Frames against PyAV/FFmpeg (scripts/reference/make_frame_golden.py): frame count, fps, indices, the
 * timestamp sentence, and the 224×224 RGB24 pictures of FFmpeg's filter graph
 * {@code [transpose,]scale=224:224:flags=bilinear,format=rgb24}. {@link SwsScaler} is libswscale's integer
 * arithmetic, so where JCodec decodes a frame exactly as FFmpeg does, the picture is identical (SHA-256 of
 * every sampled frame).
 *
 * <p>JCodec 0.2.5 does not decode every B-frame of the bundled flower.mp4 (x264, B-pyramid) and friday.mp4
 * bit-exactly: a few macroblocks differ (decoded luma: 3% of pixels, up to 46 levels), and in flower the
 * difference propagates to the frames that reference them until the next IDR. For those two videos every
 * sampled frame must still match in its 4×4 block means (the right frame in the right order) and the full
 * PNG frames stay within {@link #JCODEC_MAX} / {@link #JCODEC_MEAN} (measured: max 28, mean 0.22 for flower
 * frame 93; max 19, mean 0.10 for friday frame 23).
 */
class VideoGoldenTest {
    private static final int FRAME = SampledFrames.SIZE * SampledFrames.SIZE * 3;
    /** Videos with frames JCodec decodes slightly differently from FFmpeg (see above). */
    private static final Set<String> JCODEC_DEVIATES = Set.of("flower.mp4", "friday.mp4");
    private static final int JCODEC_MAX = 40;
    private static final double JCODEC_MEAN = 0.3;

    static Stream<JsonNode> videos() {
        return Stream.of(TestMedia.json("expected.json").get("videos")).flatMap(v -> {
            Stream.Builder<JsonNode> b = Stream.builder();
            v.forEach(b);
            return b.build();
        });
    }

    private static Path file(JsonNode c) {
        String name = c.get("file").asText();
        return switch (name) {
            case "flower.mp4", "friday.mp4", "stream-of-water.mp4" -> TestMedia.sharedVideo(name);
            default -> TestMedia.video(name);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("videos")
    void eightFramesMatchFfmpeg(JsonNode c) throws Exception {
        Path file = file(c);
        VideoLoader loader = new VideoLoader(MediaDecoder.JAVA);
        SampledFrames frames = loader.loadFrames(file, 8);
        int[] expected = ints(c.get("indices8"));
        assertArrayEquals(expected, frames.indices());
        assertEquals(expected.length, frames.count());
        assertEquals(c.get("fps").asDouble(), frames.fps(), "fps");
        assertEquals(c.get("sentence8").asText(), frames.timestampSentence());

        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (int k = 0; k < frames.count(); k++) {
            sha.update(frames.rgb(), k * FRAME, FRAME);
            String digest = HexFormat.of().formatHex(sha.digest());
            double[] means = blockMeans(frames.rgb(), k * FRAME);
            double[] expectedMeans = doubles(c.get("block_means8").get(k));
            double worst = 0;
            for (int i = 0; i < means.length; i++) {
                worst = Math.max(worst, Math.abs(means[i] - expectedMeans[i]));
            }
            assertTrue(worst < 0.5, c.get("file").asText() + " frame " + frames.indices()[k]
                    + ": block means differ by " + worst + " (wrong frame?)");
            if (!JCODEC_DEVIATES.contains(c.get("file").asText())) {
                assertEquals(c.get("sha256_8").get(k).asText(), digest,
                        c.get("file").asText() + " frame " + frames.indices()[k] + " is not bit-exact");
            }
        }
        comparePng(c, "bilinear", frames);
    }

    /** 32 frames: indices and sentence from the frame table and fps alone (decoding is covered above). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("videos")
    void thirtyTwoFramesHaveTheReferenceIndicesAndSentence(JsonNode c) throws Exception {
        try (VideoTrack track = VideoLoader.open(file(c))) {
            assertEquals(c.get("frames").asInt(), track.frames().count());
            int[] indices = FrameSampling.indices(track.frames().count(), 32);
            assertArrayEquals(ints(c.get("indices32")), indices);
            assertEquals(c.get("sentence32").asText(), TimestampSentence.of(indices, track.averageFps()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("videos")
    void bicubicMatchesCurrentFfmpegDefault(JsonNode c) {
        JsonNode bicubic = c.get("bicubic");
        if (!bicubic.has("png")) {
            return;
        }
        SampledFrames frames = new VideoLoader(ScaleAlgorithm.BICUBIC, MediaDecoder.JAVA).loadFrames(file(c), 8);
        comparePng(c, "bicubic", frames);
    }

    private static void comparePng(JsonNode c, String kind, SampledFrames frames) {
        JsonNode golden = c.get(kind);
        if (!golden.has("png")) {
            return;
        }
        byte[] expected = TestMedia.pngRgb(golden.get("png").asText());
        int[] wanted = ints(golden.get("indices"));
        for (int j = 0; j < wanted.length; j++) {
            int slot = indexOf(frames.indices(), wanted[j]);
            Difference d = Difference.of(frames.rgb(), slot * FRAME, expected, j * FRAME, FRAME);
            String what = c.get("file").asText() + " frame " + wanted[j] + " (" + kind + "): " + d;
            System.out.println(what);
            if (JCODEC_DEVIATES.contains(c.get("file").asText())) {
                assertTrue(d.max() <= JCODEC_MAX && d.mean() <= JCODEC_MEAN, what);
            } else {
                assertEquals(0, d.max(), what);
            }
        }
    }

    /** Per-channel means over a 4×4 grid of 56×56 blocks, as the script computes them. */
    private static double[] blockMeans(byte[] rgb, int offset) {
        int size = SampledFrames.SIZE;
        int block = size / 4;
        double[] out = new double[4 * 4 * 3];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                for (int ch = 0; ch < 3; ch++) {
                    out[((y / block) * 4 + x / block) * 3 + ch] += rgb[offset + (y * size + x) * 3 + ch] & 0xff;
                }
            }
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= block * block;
        }
        return out;
    }

    private static int indexOf(int[] values, int value) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == value) {
                return i;
            }
        }
        throw new AssertionError(value + " not among the sampled indices");
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }
}

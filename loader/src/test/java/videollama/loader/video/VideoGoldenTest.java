package videollama.loader.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
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
 * <p>JCodec 0.2.5 gets two kinds of B-slices wrong ({@link JCodecFaults}): flower.mp4 and friday.mp4 (temporal
 * direct prediction, x264's {@code direct=auto}) and the temporal-direct and implicit-bipred test videos have them.
 * So every sampled frame is bit-exact, or the load carries a warning naming the file; and a warning is no false
 * alarm: FFmpeg's reading of the slice headers finds such B-slices in the file, and a sampled frame does differ.
 */
class VideoGoldenTest {
    private static final int FRAME = SampledFrames.SIZE * SampledFrames.SIZE * 3;

    static Stream<JsonNode> videos() {
        return Stream.of(TestMedia.json("expected.json").get("videos")).flatMap(v -> {
            Stream.Builder<JsonNode> b = Stream.builder();
            v.forEach(b);
            return b.build();
        });
    }

    static Path file(JsonNode c) {
        String name = c.get("file").asText();
        return switch (name) {
            case "flower.mp4", "friday.mp4", "stream-of-water.mp4" -> TestMedia.sharedVideo(name);
            default -> TestMedia.video(name);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("videos")
    void eightFramesMatchFfmpegOrTheFileIsWarnedAbout(JsonNode c) throws Exception {
        Path file = file(c);
        String name = c.get("file").asText();
        VideoLoader loader = new VideoLoader(MediaDecoder.JAVA);
        SampledFrames frames = loader.loadFrames(file, 8);
        int[] expected = ints(c.get("indices8"));
        assertArrayEquals(expected, frames.indices());
        assertEquals(expected.length, frames.count());
        assertEquals(c.get("fps").asDouble(), frames.fps(), "fps");
        assertEquals(c.get("sentence8").asText(), frames.timestampSentence());

        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        List<Integer> inexact = new ArrayList<>();
        for (int k = 0; k < frames.count(); k++) {
            sha.update(frames.rgb(), k * FRAME, FRAME);
            String digest = HexFormat.of().formatHex(sha.digest());
            if (!c.get("sha256_8").get(k).asText().equals(digest)) {
                inexact.add(frames.indices()[k]);
            }
        }
        if (frames.warnings().isEmpty()) {
            assertEquals(List.of(), inexact, name + ": frames not bit-exact, and no warning");
            if (c.get("bilinear").has("png")) { // the SHA-256s above decide; the strip shows where a frame differs
                comparePng(c, "bilinear", frames);
            }
            return;
        }
        assertEquals(1, frames.warnings().size(), frames.warnings().toString());
        String warning = frames.warnings().getFirst();
        assertTrue(warning.startsWith(file + ": ") && warning.contains("--decoder ffmpeg"), warning);
        for (JCodecFaults.Fault fault : JCodecFaults.Fault.values()) {
            if (warning.contains(fault.description)) {
                assertFalse(c.get("b_slices").get(goldenKey(fault)).isEmpty(),
                        name + ": warned about " + fault + ", which FFmpeg does not find in its slice headers");
            }
        }
        assertFalse(inexact.isEmpty(), name + ": warned about, yet every sampled frame is bit-exact");
    }

    /** The list of expected.json's {@code b_slices} that holds the frames with {@code fault}. */
    static String goldenKey(JCodecFaults.Fault fault) {
        return switch (fault) {
            case TEMPORAL_DIRECT -> "temporal_direct";
            case WEIGHTS_WITHOUT_WEIGHTED_PRED_FLAG -> "weighted_bipred_without_weighted_pred";
        };
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

    /** The videos with a golden bicubic strip (make_frame_golden.py keeps one for two of them, for size). */
    static Stream<JsonNode> videosWithBicubic() {
        return videos().filter(c -> c.get("bicubic").has("png"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("videosWithBicubic")
    void bicubicMatchesCurrentFfmpegDefault(JsonNode c) {
        SampledFrames frames = new VideoLoader(ScaleAlgorithm.BICUBIC, MediaDecoder.JAVA).loadFrames(file(c), 8);
        comparePng(c, "bicubic", frames);
    }

    private static void comparePng(JsonNode c, String kind, SampledFrames frames) {
        JsonNode golden = c.get(kind);
        byte[] expected = TestMedia.pngRgb(golden.get("png").asText());
        int[] wanted = ints(golden.get("indices"));
        for (int j = 0; j < wanted.length; j++) {
            int slot = indexOf(frames.indices(), wanted[j]);
            Difference d = Difference.of(frames.rgb(), slot * FRAME, expected, j * FRAME, FRAME);
            String what = c.get("file").asText() + " frame " + wanted[j] + " (" + kind + "): " + d;
            assertEquals(0, d.max(), what);
        }
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
}

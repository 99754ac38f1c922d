package videollama.loader.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.loader.TestMedia;
import videollama.loader.video.JCodecFaults.Fault;
import videollama.loader.video.JCodecFaults.FrameFaults;

/**
 * {@link JCodecFaults} against FFmpeg's own reading of the slice headers (its trace_headers bitstream filter, in
 * expected.json): for every test video, the same frames flagged for each fault; and only faults that reach the
 * output count.
 */
class JCodecFaultsTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("videollama.loader.video.VideoGoldenTest#videos")
    void flagsTheFramesWhoseBSlicesFfmpegReadsAsFaulty(JsonNode c) throws IOException {
        Map<Fault, List<Integer>> flagged = new EnumMap<>(Fault.class);
        for (Fault fault : Fault.values()) {
            flagged.put(fault, new ArrayList<>());
        }
        Path video = VideoGoldenTest.file(c);
        try (VideoTrack track = VideoLoader.open(video)) {
            JCodecFaults faults = new JCodecFaults(video, track.codecPrivate());
            for (int i = 0; i < track.frames().count(); i++) {
                for (Fault fault : faults.read(track.frame(i)).faults()) {
                    flagged.get(fault).add(i);
                }
            }
        }
        for (Fault fault : Fault.values()) {
            List<Integer> expected = new ArrayList<>();
            c.get("b_slices").get(VideoGoldenTest.goldenKey(fault)).forEach(n -> expected.add(n.asInt()));
            assertEquals(expected, flagged.get(fault), c.get("file").asText() + ": frames with " + fault);
        }
    }

    @Test
    void aFaultyFrameCountsOnlyWhenWantedOrPredictedFrom() throws IOException {
        Path video = TestMedia.video("temporal-direct.mp4");
        try (VideoTrack track = VideoLoader.open(video)) {
            JCodecFaults probe = new JCodecFaults(video, track.codecPrivate());
            int nonReference = -1;
            int reference = -1;
            for (int i = 0; i < track.frames().count() && (nonReference < 0 || reference < 0); i++) {
                FrameFaults f = probe.read(track.frame(i));
                if (f.faults().contains(Fault.TEMPORAL_DIRECT)) {
                    if (f.reference()) {
                        reference = reference < 0 ? i : reference;
                    } else {
                        nonReference = nonReference < 0 ? i : nonReference;
                    }
                }
            }
            assertTrue(nonReference >= 0 && reference >= 0, "x264's b-pyramid makes both kinds of B-frame");

            JCodecFaults passedBy = new JCodecFaults(video, track.codecPrivate());
            passedBy.inspect(track.frame(nonReference), false);
            assertEquals(List.of(), passedBy.warnings(), "a non-reference B-frame decoded on the way");

            JCodecFaults wanted = new JCodecFaults(video, track.codecPrivate());
            wanted.inspect(track.frame(nonReference), true);
            assertEquals(1, wanted.warnings().size());

            JCodecFaults predictedFrom = new JCodecFaults(video, track.codecPrivate());
            predictedFrom.inspect(track.frame(reference), false);
            String warning = predictedFrom.warnings().getFirst();
            assertTrue(warning.startsWith(video + ": ") && warning.contains(Fault.TEMPORAL_DIRECT.description)
                    && warning.contains("--decoder ffmpeg"), warning);
        }
    }

    @Test
    void readingAFrameLeavesItsBytesAsTheDecoderWillReadThem() throws IOException {
        Path video = TestMedia.video("temporal-direct.mp4");
        try (VideoTrack track = VideoLoader.open(video)) {
            JCodecFaults faults = new JCodecFaults(video, track.codecPrivate());
            for (int i = 0; i < track.frames().count(); i++) {
                ByteBuffer frame = track.frame(i);
                ByteBuffer before = ByteBuffer.allocate(frame.remaining()).put(frame.duplicate()).flip();
                faults.read(frame);
                assertEquals(before, frame, "frame " + i);
            }
        }
    }
}

package videollama.loader.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import videollama.loader.TestMedia;

/** Decode order vs presentation order, keyframe starts, rotation angles. */
class FrameOrderTest {
    @Test
    void bFramesAreReorderedByPresentationTime() throws Exception {
        for (Path file : new Path[] {TestMedia.video("bframes.mp4"), TestMedia.video("bframes.mkv")}) {
            try (VideoTrack track = VideoLoader.open(file)) {
                FrameTable table = track.frames();
                assertTrue(table.hasBFrames(), file + " should have B-frames");
                assertEquals(45, table.count());
                boolean reordered = false;
                for (int p = 0; p < table.count(); p++) {
                    reordered |= table.decodeIndex(p) != p;
                }
                assertTrue(reordered, file.toString());
                // Every frame maps to a distinct packet.
                boolean[] seen = new boolean[table.count()];
                for (int p = 0; p < table.count(); p++) {
                    assertFalse(seen[table.decodeIndex(p)]);
                    seen[table.decodeIndex(p)] = true;
                }
            }
        }
    }

    @Test
    void decodingStartsAtAKeyframeShownNoLaterThanTheTarget() {
        // decode order: I0 P4 B2 B1 B3 | I5 (pts) ...
        FrameTable table = new FrameTable(new long[] {0, 4, 2, 1, 3, 5, 7, 6}, new boolean[] {true, false, false, false, false, true, false, false});
        assertEquals(0, table.decodeIndex(0));
        assertEquals(3, table.decodeIndex(1));
        assertEquals(1, table.decodeIndex(4));
        assertEquals(0, table.decodeStart(3));
        assertEquals(5, table.decodeStart(6));
        // A leading frame decoded after keyframe 5 but shown before it starts at the previous keyframe.
        FrameTable open = new FrameTable(new long[] {0, 3, 1, 2, 6, 4, 5}, new boolean[] {true, false, false, false, true, false, false});
        assertEquals(0, open.decodeStart(5));
        assertEquals(4, open.decodeStart(4));
    }

    @Test
    void flowerHasBFramesInDecodeOrder() throws Exception {
        try (VideoTrack track = VideoLoader.open(TestMedia.sharedVideo("flower.mp4"))) {
            FrameTable table = track.frames();
            assertTrue(table.hasBFrames());
            assertEquals(150, table.count());
            assertNotEquals(1, table.decodeIndex(1));
            assertEquals(30000.0 / 1001, track.averageFps());
        }
    }

    @Test
    void rotationFromTheTrackHeaderMatrix() {
        int one = 0x10000;
        int w = 0x40000000;
        assertEquals(0, Mp4VideoTrack.rotation(new int[] {one, 0, 0, 0, one, 0, 0, 0, w}));
        assertEquals(90, Mp4VideoTrack.rotation(new int[] {0, one, 0, -one, 0, 0, 0, 0, w}));
        assertEquals(180, Mp4VideoTrack.rotation(new int[] {-one, 0, 0, 0, -one, 0, 0, 0, w}));
        assertEquals(270, Mp4VideoTrack.rotation(new int[] {0, -one, 0, one, 0, 0, 0, 0, w}));
        assertEquals(0, Mp4VideoTrack.rotation(new int[] {46341, 46341, 0, -46341, 46341, 0, 0, 0, w})); // 45°: ignored
    }

    @Test
    void rotatedFilesAreDetected() throws Exception {
        for (int degrees : new int[] {90, 180, 270}) {
            try (VideoTrack track = VideoLoader.open(TestMedia.video("rotated" + degrees + ".mp4"))) {
                assertEquals(degrees, track.rotation());
            }
        }
    }
}

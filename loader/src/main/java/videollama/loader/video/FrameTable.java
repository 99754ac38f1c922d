package videollama.loader.video;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * The frames of a video track as the container lists them, in decode order: presentation time and
 * whether decoding may start there. Presentation order (the order decord indexes frames in) is decode
 * order sorted by presentation time; B-frames make the two differ.
 */
final class FrameTable {
    private final long[] pts;
    private final boolean[] keyframe;
    private final int[] decodeIndexOf; // presentation index -> decode index

    FrameTable(long[] pts, boolean[] keyframe) {
        if (pts.length != keyframe.length) {
            throw new IllegalArgumentException("pts and keyframe flags differ in length");
        }
        this.pts = pts;
        this.keyframe = keyframe;
        this.decodeIndexOf = IntStream.range(0, pts.length).boxed()
                .sorted(Comparator.<Integer>comparingLong(i -> pts[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }

    int count() {
        return pts.length;
    }

    /** The decode index of the frame shown {@code presentationIndex}-th. */
    int decodeIndex(int presentationIndex) {
        return decodeIndexOf[presentationIndex];
    }

    /**
     * Where to start decoding to get the frame at {@code decodeIndex}: the last keyframe at or before it in
     * decode order that is also shown no later than it (a frame shown before its keyframe, a leading
     * B-frame of an open GOP, may reference the previous GOP). 0 if the track marks no such keyframe.
     */
    int decodeStart(int decodeIndex) {
        for (int k = decodeIndex; k >= 0; k--) {
            if (keyframe[k] && pts[k] <= pts[decodeIndex]) {
                return k;
            }
        }
        return 0;
    }

    boolean hasBFrames() {
        for (int i = 1; i < pts.length; i++) {
            if (pts[i] < pts[i - 1]) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "FrameTable[" + pts.length + " frames, keyframes at " + Arrays.toString(
                IntStream.range(0, pts.length).filter(i -> keyframe[i]).limit(20).toArray()) + "]";
    }
}

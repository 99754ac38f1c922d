package videollama.loader;

import java.util.StringJoiner;

/**
 * The sentence the demo appends to the video placeholder (docs/model.md section 5.1):
 * {@code "The video contains {n} frames sampled at {s0}, {s1}, ... seconds. "} with
 * {@code s = str(round(index / fps, 1))} and the trailing space.
 */
public final class TimestampSentence {
    private TimestampSentence() {}

    public static String of(int[] indices, double fps) {
        StringJoiner seconds = new StringJoiner(", ");
        for (int index : indices) {
            seconds.add(PythonFloats.repr(PythonFloats.round(index / fps, 1)));
        }
        return "The video contains " + indices.length + " frames sampled at " + seconds + " seconds. ";
    }
}

package videollama.loader;

import java.util.List;

/**
 * The pictures the vision tower sees, ready to run.
 *
 * @param rgb               {@code count × SIZE × SIZE} RGB24 pixels (row-major, R G B), before normalisation:
 *                          what {@code --dump} and the pixel tests compare
 * @param pixels            {@code float[count][3][SIZE][SIZE]} flattened, normalised with
 *                          {@link ClipNormalization}
 * @param count             T, the number of frames (1 for an image)
 * @param indices           the sampled frame indices in presentation order ({@code {0}} for an image)
 * @param fps               the video's average frame rate (NaN for an image)
 * @param timestampSentence the sentence of docs/model.md section 5.1 for the prompt (empty for an image)
 * @param warnings          what the user should be told about these pictures, one line each: for a video whose
 *                          frames the decoder is known to get wrong, that they differ from the reference's
 */
public record SampledFrames(byte[] rgb, float[] pixels, int count, int[] indices, double fps,
                            String timestampSentence, List<String> warnings) {
    /** The side of the square the vision tower takes. */
    public static final int SIZE = 224;

    public SampledFrames {
        if (rgb.length != count * SIZE * SIZE * 3 || pixels.length != count * 3 * SIZE * SIZE) {
            throw new IllegalArgumentException("frame buffers do not hold " + count + " frames of " + SIZE + "x" + SIZE);
        }
        warnings = List.copyOf(warnings);
    }

    /** Normalises {@code count} RGB frames of {@link #SIZE}², with nothing to warn about. */
    public static SampledFrames of(byte[] rgb, int count, int[] indices, double fps, String timestampSentence) {
        return of(rgb, count, indices, fps, timestampSentence, List.of());
    }

    /** Normalises {@code count} RGB frames of {@link #SIZE}². */
    public static SampledFrames of(byte[] rgb, int count, int[] indices, double fps, String timestampSentence,
                                   List<String> warnings) {
        return new SampledFrames(rgb, ClipNormalization.normalize(rgb, count, SIZE, SIZE), count, indices, fps,
                timestampSentence, warnings);
    }
}

package videollama.model.videollama;

import java.util.function.Consumer;
import videollama.kernels.Profile;

/**
 * The vision-language branch on one backend: frames in, soft tokens (and every stage before them) out.
 * Get one from {@link VideoBranch#encoder}.
 */
public interface VisionEncoder extends AutoCloseable {

    /**
     * Encodes one video or image.
     *
     * @param frames   [t, 3, imageSize, imageSize], normalised with the CLIP mean and std
     * @param t        frames, 1 .. {@link VisionSizes#maxFrames()}
     * @param progress receives a line now and then for long work ({@code "vision: frame 3/8"}); the caller decides
     *                 where it goes (the command line: stderr)
     * @throws videollama.model.ModelException for a frame count the frame embedding does not cover
     */
    VisionOutputs encode(float[] frames, int t, Consumer<String> progress);

    default VisionOutputs encode(float[] frames, int t) {
        return encode(frames, t, line -> {});
    }

    /**
     * Records the device time of every kernel of every later encode into {@code profile} (null stops it). The
     * reference path has no kernels and records nothing.
     */
    default void profile(Profile profile) {}

    @Override
    void close();
}

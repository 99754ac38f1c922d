package videollama.model.videollama;

import java.util.function.Consumer;
import videollama.kernels.Profile;

/**
 * A media branch on one backend: its inputs in ({@code count} frames or clips), its soft tokens and every stage
 * before them out ({@code O}). The vision and audio branches are this with their own inputs and outputs
 * ({@link VisionEncoder}, {@link AudioEncoder}); each has a reference and a device implementation.
 */
public interface BranchEncoder<O extends BranchOutputs> extends AutoCloseable {

    /**
     * Encodes one upload.
     *
     * @param input    {@code count} inputs laid out one after another (see the branch's interface)
     * @param count    frames or clips, 1 .. the most the branch's position table covers
     * @param progress receives a line now and then for long work ({@code "vision: frame 3/8"}); the caller decides
     *                 where it goes (the command line: stderr)
     * @throws videollama.model.ModelException for a count the branch's position embedding does not cover
     */
    O encode(float[] input, int count, Consumer<String> progress);

    default O encode(float[] input, int count) {
        return encode(input, count, line -> {});
    }

    /**
     * Records the device time of every kernel of every later encode into {@code profile} (null stops it). The
     * reference path has no kernels and records nothing.
     */
    default void profile(Profile profile) {}

    @Override
    void close();
}

package videollama.model.videollama;

import java.util.function.Consumer;
import videollama.kernels.Profile;

/**
 * The audio-language branch on one backend: fbank clips in, soft tokens (and every stage before them) out.
 * Get one from {@link AudioBranch#encoder}.
 */
public interface AudioEncoder extends AutoCloseable {

    /**
     * Encodes one sound track.
     *
     * @param fbank    [clips, 1, melBins, frames]: each clip's normalised log-mel fbank (docs/model.md section 5.3)
     * @param clips    clips, 1 .. {@link AudioSizes#maxClips()}
     * @param progress receives a line now and then for long work ({@code "audio: clip 3/8"}); the caller decides
     *                 where it goes (the command line: stderr)
     * @throws videollama.model.ModelException for a clip count the clip position embedding does not cover
     */
    AudioOutputs encode(float[] fbank, int clips, Consumer<String> progress);

    default AudioOutputs encode(float[] fbank, int clips) {
        return encode(fbank, clips, line -> {});
    }

    /**
     * Records the device time of every kernel of every later encode into {@code profile} (null stops it). The
     * reference path has no kernels and records nothing.
     */
    default void profile(Profile profile) {}

    @Override
    void close();
}

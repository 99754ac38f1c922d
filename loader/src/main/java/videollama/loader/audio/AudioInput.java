package videollama.loader.audio;

import java.util.List;

/**
 * What the audio encoder hears (docs/model.md section 5.3 step 5): 8 clips of normalised log mel energies.
 *
 * @param fbank          {@code float[8][1][128][204]} flattened: per clip and mel bin, 204 frames of
 *                       {@code (log-mel + 4.268) / 9.138}; frames past the clip's end are the padding value
 *                       {@link AudioClips#PADDING}
 * @param clips          the 8 clips' exact start times and 16 kHz sample slices
 * @param framesPerClip  the fbank frames each clip had before padding or truncation to 204 (198 for a whole 2 s clip;
 *                       the reference logs a warning when they differ from 204 by more than 20%)
 * @param samples16k     samples a channel after resampling to 16 kHz
 * @param sourceRate     the file's sample rate
 * @param sourceChannels the file's channel count
 */
public record AudioInput(float[] fbank, List<ClipSampler.Clip> clips, int[] framesPerClip, long samples16k,
                         int sourceRate, int sourceChannels) {
    public static final int CLIPS = ClipSampler.CLIPS;
    public static final int MEL_BINS = KaldiFbank.MEL_BINS;
    /** Frames per clip the encoder takes (ImageBind's {@code target_length}). */
    public static final int TARGET_LENGTH = 204;

    public AudioInput {
        if (fbank.length != CLIPS * MEL_BINS * TARGET_LENGTH || clips.size() != CLIPS || framesPerClip.length != CLIPS) {
            throw new IllegalArgumentException("an audio input holds " + CLIPS + " clips of " + MEL_BINS + "x" + TARGET_LENGTH);
        }
        clips = List.copyOf(clips);
    }

    /** The 16 kHz duration in seconds ({@code samples / 16000}, the value the clip sampler starts from). */
    public double durationSeconds() {
        return (double) samples16k / ClipSampler.SAMPLE_RATE;
    }

    /** The normalised value at clip {@code k}, mel bin {@code bin}, frame {@code frame}. */
    public float at(int k, int bin, int frame) {
        return fbank[(k * MEL_BINS + bin) * TARGET_LENGTH + frame];
    }
}

package videollama.loader.audio;

/**
 * Choices where the reference's behaviour is debatable (docs/model.md section 5.3).
 *
 * @param step        how far apart the 8 clips start ({@link ClipSampler.Step#EIGHTHS}, pytorchvideo 0.1.5, by default)
 * @param inPlaceMean subtract each clip's mean from the shared waveform, so that an overlapping later clip sees
 *                    samples already shifted by an earlier clip's mean, as the reference's {@code waveform -=
 *                    waveform.mean()} on a view does (docs/model.md section 5.3 4a, the default); false subtracts it from a copy.
 *                    Each fbank frame removes its own DC offset, so the two differ only in float rounding.
 */
public record ClipOptions(ClipSampler.Step step, boolean inPlaceMean) {
    /** What the reference demo does. */
    public static final ClipOptions REFERENCE = new ClipOptions(ClipSampler.Step.EIGHTHS, true);

    public ClipOptions {
        java.util.Objects.requireNonNull(step, "step");
    }
}

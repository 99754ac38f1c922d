package videollama.loader.audio;

import java.util.ArrayList;
import java.util.List;

/**
 * The clip times of docs/model.md section 5.3 step 3: pytorchvideo's {@code ConstantClipsPerVideoSampler(clip_duration=2,
 * clips_per_video=8)} as ImageBind's {@code get_clip_timepoints} drives it, over the 16 kHz waveform.
 *
 * <p>The reference passes the duration as a Python float ({@code samples / 16000}); {@code duration - Fraction(2)}
 * is then a float too, so the largest start is the exact value of the double {@code D - 2}, and every later
 * step is exact rational arithmetic. The sample slice truncates the exact product: {@code [int(start * 16000),
 * int((start + 2) * 16000))}. Audio shorter than 2 s gives 8 clips that all start at 0.
 */
public final class ClipSampler {
    public static final int CLIPS = 8;
    public static final int CLIP_SECONDS = 2;
    public static final int SAMPLE_RATE = 16000;

    /** How far apart the clip starts lie. */
    public enum Step {
        /** {@code max_start / 8}: pytorchvideo 0.1.5 from PyPI, pinned by Video-LLaMA's environment (the default). */
        EIGHTHS(8),
        /** {@code max_start / 7}: pytorchvideo from git after 2022-04-28, as ImageBind pins it; the last clip ends the audio. */
        SEVENTHS(7);

        private final int divisor;

        Step(int divisor) {
            this.divisor = divisor;
        }

        public int divisor() {
            return divisor;
        }
    }

    /**
     * One clip: its start in seconds (exact) and its sample slice {@code [from, to)} at 16 kHz, before the slice
     * is cut to the waveform ({@code to} may lie past the end for audio shorter than 2 s).
     */
    public record Clip(Fraction start, long from, long to) {}

    private ClipSampler() {}

    /** The 8 clips of a waveform of {@code samples} samples at 16 kHz. */
    public static List<Clip> clips(long samples, Step step) {
        if (samples < 0) {
            throw new IllegalArgumentException("negative sample count " + samples);
        }
        double duration = (double) samples / SAMPLE_RATE;
        double margin = duration - CLIP_SECONDS;
        Fraction maxStart = margin > 0 ? Fraction.ofDouble(margin) : Fraction.ZERO;
        Fraction stride = maxStart.dividedBy(step.divisor());
        List<Clip> clips = new ArrayList<>(CLIPS);
        for (int index = 0; ; ) {
            Fraction start = stride.times(index);
            long from = start.times(SAMPLE_RATE).floor();
            long to = start.plus(Fraction.of(CLIP_SECONDS, 1)).times(SAMPLE_RATE).floor();
            clips.add(new Clip(start, from, to));
            index++;
            // pytorchvideo's is_last_clip: enough clips, or the next start would pass the largest start.
            if (index >= CLIPS || stride.times(index).compareTo(maxStart) > 0) {
                return clips;
            }
        }
    }
}

package videollama.loader.audio;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import videollama.loader.LoaderException;
import videollama.loader.MediaDecoder;

/**
 * A sound file to the audio encoder's input, as ImageBind's {@code load_and_transform_audio_data(..., clips_per_video=8)}
 * makes it (ImageBind's {@code load_and_transform_audio_data}, as Video-LLaMA's demo calls it): the waveform resampled to 16 kHz ({@link Resampler}), 8 clips of 2 s ({@link ClipSampler}),
 * per clip in order: its mean over all channels and samples subtracted (in place, {@link ClipOptions}), the Kaldi
 * fbank of channel 0 ({@link KaldiFbank}), transposed to [128, frames], right-padded with zeros or truncated to 204
 * frames, then normalised {@code (x - (-4.268)) / 9.138} in float32 (so padded cells become about 0.467).
 *
 * <p>Memory is bounded whatever the file's length: only the 16 kHz samples under the clips are made, as runs of
 * overlapping clips. Clips overlap only while the audio is at most 18 s long (2 s + 8 steps of at most 2 s), and a
 * run then spans at most 16 s; longer audio gives 8 separate runs of 2 s. So at most {@code channels × 16 s ×
 * (16 kHz + source rate)} floats are held at once, about 8 MB for stereo 48 kHz, for 20 s or 2 hours alike: a WAV
 * is read only at the clips' positions, and only the AAC packets under the clips (plus one of warm-up each) are
 * decoded. ({@link AudioLoader#load} is different: it holds the whole decoded file, as {@code torchaudio.load}.)
 *
 * <p>Behaviour at the edges, as the reference: audio shorter than 2 s gives 8 identical clips of all its samples
 * (0.5 s: 48 frames, padded to 204); fewer than 400 samples at 16 kHz (25 ms, one fbank frame) is an error, where the
 * reference fails an assertion; any number of channels is resampled, all take part in the mean and channel 0 alone in
 * the fbank; 8 kHz audio is upsampled, so the mel bins above 4 kHz see only the resampling filter's stopband.
 */
public final class AudioClips {
    public static final float MEAN = -4.268f;
    public static final float STD = 9.138f;
    /** The normalised value of a padded frame: {@code (0 - MEAN) / STD}. */
    public static final float PADDING = (0f - MEAN) / STD;

    /**
     * The highest sample rate read: the highest in use (DXD, 768 kHz) with room. Each clip reads 2 s of input at the
     * file's rate at once, so a header claiming 2 GHz would mean 4e9 samples a clip.
     */
    public static final int MAX_SAMPLE_RATE = 1_536_000;

    private AudioClips() {}

    /** {@code prepare(file, ClipOptions.REFERENCE)}. */
    public static AudioInput prepare(Path file) {
        return prepare(file, ClipOptions.REFERENCE);
    }

    /** {@code prepare(file, options, MediaDecoder.preferred())}. */
    public static AudioInput prepare(Path file, ClipOptions options) {
        return prepare(file, options, MediaDecoder.preferred());
    }

    /**
     * The 8 normalised fbank clips of a WAV file or of a file's sound track.
     *
     * @throws NoAudioTrackException for a file without a sound track
     * @throws LoaderException       naming the file: missing, unsupported format or codec, corrupt, no samples,
     *                               shorter than 25 ms
     */
    public static AudioInput prepare(Path file, ClipOptions options, MediaDecoder decoder) {
        try (AudioSource source = AudioLoader.open(file, decoder)) {
            return prepare(file, source, options);
        } catch (IOException e) {
            throw new LoaderException(file + ": cannot be read (" + AudioLoader.describe(e) + ")", e);
        }
    }

    static AudioInput prepare(Path file, AudioSource source, ClipOptions options) throws IOException {
        long frames = source.frames();
        if (frames == 0) {
            throw new LoaderException(file + ": no audio samples");
        }
        int rate = source.sampleRate();
        if (rate > MAX_SAMPLE_RATE) {
            throw new LoaderException(file + ": sample rate " + rate + " Hz is above the " + MAX_SAMPLE_RATE
                    + " Hz this reads (a damaged header?)");
        }
        Resampler resampler = rate == ClipSampler.SAMPLE_RATE ? null : Resampler.of(rate, ClipSampler.SAMPLE_RATE);
        long samples16k = resampler == null ? frames : resampler.outputLength(frames);
        List<ClipSampler.Clip> clips = ClipSampler.clips(samples16k, options.step());
        ClipWaveform waveform = ClipWaveform.read(file, source, resampler, samples16k, clips);

        float[] fbank = new float[AudioInput.CLIPS * AudioInput.MEL_BINS * AudioInput.TARGET_LENGTH];
        int[] framesPerClip = new int[AudioInput.CLIPS];
        for (int k = 0; k < clips.size(); k++) {
            ClipSampler.Clip clip = clips.get(k);
            long from = clip.from();
            long to = Math.min(clip.to(), samples16k);
            int length = (int) (to - from);
            if (length < KaldiFbank.FRAME_LENGTH) {
                throw new LoaderException(file + ": too short: " + length + " samples at 16 kHz, the fbank needs at least "
                        + KaldiFbank.FRAME_LENGTH + " (25 ms)");
            }
            float[] channel0;
            int offset;
            if (options.inPlaceMean()) {
                waveform.subtractMean(from, to);
                channel0 = waveform.channel0();
                offset = waveform.offsetOf(from);
            } else {
                channel0 = waveform.channel0CopyLessMean(from, to);
                offset = 0;
            }
            float[] logMel = KaldiFbank.compute(channel0, offset, length);
            requireFiniteFbank(file, k, logMel, channel0, offset, length);
            int clipFrames = logMel.length / KaldiFbank.MEL_BINS;
            framesPerClip[k] = clipFrames;
            writeNormalised(logMel, clipFrames, fbank, k);
        }
        return new AudioInput(fbank, clips, framesPerClip, samples16k, rate, source.channels());
    }

    /**
     * Finite samples far above full scale pass the resampler, as in torchaudio, but from about 1e18 the power spectrum
     * overflows float32: torchaudio's fbank is then NaN (measured with 0.13.1: all cells NaN at 1e30, all but 2 at
     * 1e18, none at 1e17), and so would every answer after it. Such a clip is refused naming the file.
     */
    private static void requireFiniteFbank(Path file, int clip, float[] logMel, float[] samples, int offset, int length) {
        for (float v : logMel) {
            if (!Float.isFinite(v)) {
                float loudest = 0;
                for (int i = offset; i < offset + length; i++) {
                    loudest = Math.max(loudest, Math.abs(samples[i]));
                }
                throw new LoaderException(file + ": the sound is too loud: clip " + clip + " has samples up to " + loudest
                        + " (full scale is 1), whose power spectrum overflows float32, which torchaudio's fbank turns into NaN");
            }
        }
    }

    /**
     * Refuses samples that are not finite (NaN, ±infinity: a float WAV can hold them), naming the file, the channel and
     * the time; {@code first} is the index in the file of {@code samples[c][0]}, at {@code rate} Hz. {@code resampled}:
     * the samples are the resampler's output, finite input that overflowed float32 as torchaudio's would.
     */
    static void requireFinite(Path file, float[][] samples, long first, int rate, boolean resampled) {
        for (int c = 0; c < samples.length; c++) {
            for (int i = 0; i < samples[c].length; i++) {
                float v = samples[c][i];
                if (!Float.isFinite(v)) {
                    String at = String.format(java.util.Locale.ROOT, "%.3f s", (first + i) / (double) rate);
                    throw new LoaderException(file + (resampled
                            ? ": the sound is too loud to resample: its samples reach " + v + " in float32 at " + at
                                    + " of channel " + c + " at 16 kHz (full scale is 1)"
                            : ": sample " + (first + i) + " of channel " + c + " (at " + at + ") is " + v
                                    + "; sound samples must be finite numbers"));
                }
            }
        }
    }

    /** Transposes clip {@code k}'s [frames][128] to [128][204] (pad or truncate) and normalises it. */
    private static void writeNormalised(float[] logMel, int frames, float[] fbank, int k) {
        int bins = AudioInput.MEL_BINS;
        int target = AudioInput.TARGET_LENGTH;
        int kept = Math.min(frames, target);
        for (int b = 0; b < bins; b++) {
            int row = (k * bins + b) * target;
            for (int f = 0; f < kept; f++) {
                fbank[row + f] = (logMel[f * bins + b] - MEAN) / STD;
            }
            for (int f = kept; f < target; f++) {
                fbank[row + f] = PADDING;
            }
        }
    }

    /**
     * The 16 kHz samples under the clips, all channels: one run per group of overlapping clips (clips of one run
     * share their samples, which the in-place mean subtraction relies on).
     */
    static final class ClipWaveform {
        private final long from;
        private final List<Run> runs;
        private Run current;

        private record Run(long from, long to, float[][] samples) {}

        private ClipWaveform(List<Run> runs) {
            this.runs = runs;
            this.from = runs.getFirst().from;
        }

        static ClipWaveform read(Path file, AudioSource source, Resampler resampler, long samples16k,
                List<ClipSampler.Clip> clips) throws IOException {
            List<long[]> spans = new ArrayList<>();
            for (ClipSampler.Clip clip : clips) {
                long a = clip.from();
                long b = Math.min(clip.to(), samples16k);
                long[] last = spans.isEmpty() ? null : spans.getLast();
                if (last != null && a <= last[1]) {
                    last[1] = Math.max(last[1], b);
                } else {
                    spans.add(new long[] {a, b});
                }
            }
            List<Run> runs = new ArrayList<>();
            for (long[] span : spans) {
                runs.add(new Run(span[0], span[1], read16k(file, source, resampler, span[0], span[1])));
            }
            return new ClipWaveform(runs);
        }

        /** Samples {@code [from, to)} at 16 kHz of every channel; non-finite samples refused naming {@code file}. */
        static float[][] read16k(Path file, AudioSource source, Resampler resampler, long from, long to) throws IOException {
            int count = Math.toIntExact(to - from);
            if (resampler == null) {
                float[][] samples = source.read(from, count);
                requireFinite(file, samples, from, source.sampleRate(), false);
                return samples;
            }
            long frames = source.frames();
            long inTo = resampler.inputTo(to, frames);
            long inFrom = Math.min(resampler.inputFrom(from), inTo);
            float[][] input = source.read(inFrom, Math.toIntExact(inTo - inFrom));
            requireFinite(file, input, inFrom, source.sampleRate(), false);
            float[][] out = new float[input.length][count];
            for (int c = 0; c < input.length; c++) {
                resampler.resample(input[c], inFrom, frames, from, out[c]);
            }
            requireFinite(file, out, from, resampler.targetRate(), true);
            return out;
        }

        private Run runOf(long a, long b) {
            if (current != null && a >= current.from && b <= current.to) {
                return current;
            }
            for (Run run : runs) {
                if (a >= run.from && b <= run.to) {
                    current = run;
                    return run;
                }
            }
            throw new IllegalArgumentException("[" + a + ", " + b + ") lies in no run");
        }

        /** {@code waveform[:, a:b] -= waveform[:, a:b].mean()} in float32, on the shared samples. */
        void subtractMean(long a, long b) {
            Run run = runOf(a, b);
            float mean = mean(run, a, b);
            int lo = (int) (a - run.from);
            int hi = (int) (b - run.from);
            for (float[] channel : run.samples) {
                for (int i = lo; i < hi; i++) {
                    channel[i] -= mean;
                }
            }
        }

        /** Channel 0 of {@code [a, b)} less the mean of all channels, in a fresh array. */
        float[] channel0CopyLessMean(long a, long b) {
            Run run = runOf(a, b);
            float mean = mean(run, a, b);
            float[] out = new float[(int) (b - a)];
            float[] channel = run.samples[0];
            int lo = (int) (a - run.from);
            for (int i = 0; i < out.length; i++) {
                out[i] = channel[lo + i] - mean;
            }
            return out;
        }

        private static float mean(Run run, long a, long b) {
            int lo = (int) (a - run.from);
            int hi = (int) (b - run.from);
            double sum = 0;
            for (float[] channel : run.samples) {
                for (int i = lo; i < hi; i++) {
                    sum += channel[i];
                }
            }
            return (float) (sum / ((double) run.samples.length * (hi - lo)));
        }

        /** Channel 0 of the run that the last clip lay in. */
        float[] channel0() {
            return current.samples[0];
        }

        /** The index in {@link #channel0()} of 16 kHz sample {@code a}. */
        int offsetOf(long a) {
            return (int) (a - current.from);
        }

        /** Channel 0 at 16 kHz sample {@code index} as it is now (for tests). */
        float sample(long index) {
            Run run = runOf(index, index + 1);
            return run.samples[0][(int) (index - run.from)];
        }

        /** The first 16 kHz sample held. */
        long from() {
            return from;
        }
    }
}

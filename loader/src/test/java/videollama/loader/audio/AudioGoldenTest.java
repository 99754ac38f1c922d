package videollama.loader.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.loader.MediaDecoder;

/**
 * The sound path against torchaudio 0.13.1 (scripts/reference/make_audio_golden.py): decoding, resampling, clip
 * times and the normalised fbank of every bundled case.
 */
class AudioGoldenTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("videollama.loader.audio.AudioGolden#all")
    void decodesAsTorchaudioLoad(AudioGolden g) {
        Waveform w = AudioLoader.load(g.file(), MediaDecoder.JAVA);
        double maxError = g.headError(w);
        int n = g.floats().get("waveform.head").length / w.channelCount();
        System.out.printf("%s: decode max |error| over the first %d samples %.3g%n", g, n, maxError);
        // Integer PCM is exact; sox (torchaudio's WAV reader) passes float samples through 32-bit integers; FFmpeg
        // decodes AAC in float32 and our decoder in double, so AAC samples differ by FFmpeg's rounding (measured
        // 1.2e-7 at amplitudes up to 0.5, aac-mono-44k and aac-stereo-48k; AacGoldenTest checks whole tracks).
        double limit = g.isAac() ? 5e-7 : g.name().contains("f32") ? 6e-8 : 0;
        assertTrue(maxError <= limit, g + ": decoded samples differ by " + maxError);
    }

    /**
     * The cases not at 16 kHz. Sounds at 16 kHz are not resampled, by torchaudio (the reference resamples only
     * when the rate differs) nor by {@link AudioClips}; fbankMatchesTorchaudio covers them end to end.
     */
    static Stream<AudioGolden> resampledCases() {
        return AudioGolden.all().filter(g -> g.integer("sample_rate") != 16000);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resampledCases")
    void resamplesAsTorchaudio(AudioGolden g) {
        Waveform w = AudioLoader.load(g.file(), MediaDecoder.JAVA);
        float[] y = Resampler.of(w.sampleRate(), 16000).resample(w.channels()[0]);
        assertEquals(g.integer("samples16k"), y.length, "resampled length");
        double maxError = 0;
        maxError = Math.max(maxError, maxAbs(y, 0, g.floats().get("resampled.head")));
        maxError = Math.max(maxError, maxAbs(y, g.integer("resampled_mid"), g.floats().get("resampled.mid")));
        maxError = Math.max(maxError, maxAbs(y, g.integer("resampled_tail"), g.floats().get("resampled.tail")));
        System.out.printf("%s: resample %d -> 16000 Hz max |error| %.3g%n", g, w.sampleRate(), maxError);
        assertTrue(maxError < 2e-6, g + ": resampled samples differ by " + maxError);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("videollama.loader.audio.AudioGolden#all")
    void clipTimesAreExact(AudioGolden g) {
        List<ClipSampler.Clip> clips = ClipSampler.clips(g.integer("samples16k"), g.options().step());
        String[] starts = g.meta().get("clip_starts").split(",");
        assertEquals(starts.length, clips.size());
        for (int k = 0; k < clips.size(); k++) {
            assertEquals(starts[k], clips.get(k).start().toString(), "clip " + k + " start");
            assertEquals(g.longs().get("clips.start")[k], clips.get(k).from(), "clip " + k + " first sample");
            assertEquals(g.longs().get("clips.end")[k], clips.get(k).to(), "clip " + k + " end");
        }
    }

    /**
     * The normalised fbank against torchaudio's, compared in log-mel units (normalised × 9.138). torchaudio computes in
     * float32, and its FFT's rounding moves cells far below the loudest cell of their frame: its own float32 and
     * float64 runs differ by up to 2 log units there (make_audio_golden.py's cases, measured). So the 3e-4 bound
     * (measured at most 6.1e-5 with either decoder) holds for the cells above that noise, those within 10 log units
     * (43 dB) of their frame's loudest cell and above -12 (the floor is log(1.19e-7) = -15.94); all cells and the
     * marginal means get the bounds of {@link Bounds}.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("videollama.loader.audio.AudioGolden#all")
    void fbankMatchesTorchaudio(AudioGolden g) {
        AudioInput input = AudioClips.prepare(g.file(), g.options(), MediaDecoder.JAVA);
        assertEquals(g.integer("samples16k"), input.samples16k());
        assertEquals(g.integer("sample_rate"), input.sourceRate());
        assertEquals(g.integer("channels"), input.sourceChannels());
        int[] frames = Stream.of(g.meta().get("frames").split(",")).mapToInt(Integer::parseInt).toArray();
        assertArrayEquals(frames, input.framesPerClip());

        Errors e = Errors.of(g, input);
        Bounds bounds = Bounds.ALL_CASES;
        System.out.printf("%s: fbank |error| in log-mel units: resolvable cells max %.2g (%d of %d), all cells max %.2g "
                        + "mean %.2g, mel means %.2g, frame means %.2g%s%n", g, e.resolvable, e.resolvableCount, e.cells,
                e.all, e.allMean, e.melMeans, e.frameMeans, Double.isNaN(e.clip) ? "" : String.format(
                        ", whole clip %d: resolvable %.2g, all %.2g", g.integer("fbank_clip"), e.clipResolvable, e.clip));
        assertTrue(e.resolvable <= bounds.resolvable, g + ": resolvable cells differ by " + e.resolvable);
        assertTrue(e.all <= bounds.all && !(e.clip > bounds.all), g + ": cells differ by " + Math.max(e.all, e.clip));
        assertTrue(e.allMean <= bounds.mean, g + ": cells differ by " + e.allMean + " on average");
        assertTrue(e.melMeans <= bounds.means && e.frameMeans <= bounds.means,
                g + ": means differ by " + Math.max(e.melMeans, e.frameMeans));
        assertTrue(e.resolvableCount > 0, "no resolvable cell among the samples");
    }

    /**
     * Bounds in log-mel units: resolvable cells, any cell, the mean cell error, the marginal means (measured at most
     * 6.1e-5, 0.010, 1.6e-4 and 6.2e-4 over the cases here and FfmpegAudioTest's).
     */
    record Bounds(double resolvable, double all, double mean, double means) {
        static final Bounds ALL_CASES = new Bounds(3e-4, 0.05, 5e-4, 1e-3);
    }

    record Errors(double resolvable, int resolvableCount, int cells, double all, double allMean, double melMeans,
                  double frameMeans, double clip, double clipResolvable) {
        static final double WITHIN = 10;
        static final double FLOOR = -12;

        static Errors of(AudioGolden g, AudioInput input) {
            int bins = AudioInput.MEL_BINS;
            int target = AudioInput.TARGET_LENGTH;
            float std = AudioClips.STD;
            long[] index = g.longs().get("fbank.cells.index");
            float[] value = g.floats().get("fbank.cells.value");
            double resolvable = 0;
            int resolvableCount = 0;
            double all = 0;
            double sum = 0;
            for (int i = 0; i < index.length; i++) {
                int at = (int) index[i];
                double error = Math.abs(input.fbank()[at] - value[i]) * std;
                all = Math.max(all, error);
                sum += error;
                if (resolvable(input, at, value[i])) {
                    resolvable = Math.max(resolvable, error);
                    resolvableCount++;
                }
            }
            float[] melMeans = g.floats().get("fbank.mel_means");
            float[] frameMeans = g.floats().get("fbank.frame_means");
            double mel = 0;
            double frame = 0;
            for (int k = 0; k < AudioInput.CLIPS; k++) {
                for (int b = 0; b < bins; b++) {
                    double s = 0;
                    for (int f = 0; f < target; f++) {
                        s += input.at(k, b, f);
                    }
                    mel = Math.max(mel, Math.abs(s / target - melMeans[k * bins + b]) * std);
                }
                for (int f = 0; f < target; f++) {
                    double s = 0;
                    for (int b = 0; b < bins; b++) {
                        s += input.at(k, b, f);
                    }
                    frame = Math.max(frame, Math.abs(s / bins - frameMeans[k * target + f]) * std);
                }
            }
            double clip = Double.NaN;
            double clipResolvable = Double.NaN;
            if (g.floats().containsKey("fbank.clip")) {
                int k = g.integer("fbank_clip");
                float[] expected = g.floats().get("fbank.clip");
                clip = 0;
                clipResolvable = 0;
                for (int b = 0; b < bins; b++) {
                    for (int f = 0; f < target; f++) {
                        float v = expected[b * target + f];
                        int at = (k * bins + b) * target + f;
                        double error = Math.abs(input.fbank()[at] - v) * std;
                        clip = Math.max(clip, error);
                        if (resolvable(input, at, v)) {
                            clipResolvable = Math.max(clipResolvable, error);
                        }
                    }
                }
                resolvable = Math.max(resolvable, clipResolvable);
            }
            return new Errors(resolvable, resolvableCount, index.length, all, sum / index.length, mel, frame, clip,
                    clipResolvable);
        }

        /** Whether the expected cell lies within 10 log units of its frame's loudest cell and above -12. */
        static boolean resolvable(AudioInput input, int at, float expected) {
            int bins = AudioInput.MEL_BINS;
            int target = AudioInput.TARGET_LENGTH;
            int k = at / (bins * target);
            int f = at % target;
            float loudest = -Float.MAX_VALUE;
            for (int b = 0; b < bins; b++) {
                loudest = Math.max(loudest, input.at(k, b, f));
            }
            double level = logMel(expected);
            return level >= FLOOR && level >= logMel(loudest) - WITHIN;
        }

        static double logMel(float normalised) {
            return normalised * AudioClips.STD + AudioClips.MEAN;
        }
    }

    static double maxAbs(float[] actual, int offset, float[] expected) {
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(actual[offset + i] - expected[i]));
        }
        return max;
    }
}

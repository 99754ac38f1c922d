package videollama.loader.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ImageBind's {@code load_and_transform_audio_data}: {@code waveform -= waveform.mean()} on a clip that is a view of the 16 kHz waveform. The golden data
 * holds channel 0 around the start of clip 1 before the loop and after it (all 8 clips); where clips overlap, samples
 * are shifted by the mean of every clip that covers them, in order.
 */
class InPlaceMeanTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("videollama.loader.audio.AudioGolden#all")
    void overlappingClipsSeeShiftedSamples(AudioGolden g) throws Exception {
        float[] before = g.floats().get("after.before");
        float[] after = g.floats().get("after.value");
        long at = g.integer("after_start");
        try (AudioSource source = AudioLoader.open(g.file())) {
            Resampler resampler = source.sampleRate() == 16000 ? null : Resampler.of(source.sampleRate(), 16000);
            long samples16k = g.integer("samples16k");
            List<ClipSampler.Clip> clips = ClipSampler.clips(samples16k, g.options().step());
            AudioClips.ClipWaveform waveform = AudioClips.ClipWaveform.read(g.file(), source, resampler, samples16k, clips);
            double beforeError = 0;
            for (int i = 0; i < before.length; i++) {
                if (covered(clips, at + i, samples16k)) {
                    beforeError = Math.max(beforeError, Math.abs(waveform.sample(at + i) - before[i]));
                }
            }
            if (g.options().inPlaceMean()) {
                for (ClipSampler.Clip clip : clips) {
                    waveform.subtractMean(clip.from(), Math.min(clip.to(), samples16k));
                }
            }
            double afterError = 0;
            for (int i = 0; i < after.length; i++) {
                if (covered(clips, at + i, samples16k)) {
                    afterError = Math.max(afterError, Math.abs(waveform.sample(at + i) - after[i]));
                }
            }
            System.out.printf("%s: 16 kHz samples before %.2g, after the 8 mean subtractions %.2g%n", g, beforeError, afterError);
            // float32 samples of order 1 resampled in double here and in float32 by torchaudio (the AAC decode adds
            // FFmpeg's float rounding): measured at most 3.0e-7 (aac-mono-44k), 2.4e-7 for the WAVs.
            double limit = 1e-6;
            assertTrue(beforeError <= limit, g + ": samples differ by " + beforeError);
            assertTrue(afterError <= limit, g + ": shifted samples differ by " + afterError);
            if (g.name().equals("jfk")) {
                // Clips 0 and 1 overlap here: the reference's samples moved by more than one clip mean.
                assertNotEquals(before[before.length - 1], after[after.length - 1]);
                assertEquals(clips.get(0).to() > clips.get(1).from(), true);
            }
        }
    }

    private static boolean covered(List<ClipSampler.Clip> clips, long index, long samples16k) {
        for (ClipSampler.Clip clip : clips) {
            if (index >= clip.from() && index < Math.min(clip.to(), samples16k)) {
                return true;
            }
        }
        return false;
    }
}

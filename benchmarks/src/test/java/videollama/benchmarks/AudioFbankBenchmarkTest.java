package videollama.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import videollama.loader.audio.AudioInput;
import videollama.loader.audio.AudioLoader;

/** Setup (the 60-second track) and one call of each benchmark method. */
class AudioFbankBenchmarkTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"aac-44k-stereo", "wav-48k-stereo", "wav-16k-mono"})
    void sixtySecondsGiveEightClipsAndAllFrames(String track) throws Exception {
        AudioFbankBenchmark b = new AudioFbankBenchmark();
        b.track = track;
        Smoke.setUpOrSkipWithoutMedia(b::setup);
        try {
            double seconds = AudioLoader.load(b.file).seconds();
            assertTrue(seconds >= 60 && seconds < 62, track + ": " + seconds + " s");
            AudioInput input = b.clips();
            assertEquals(8, input.clips().size());
            for (int frames : input.framesPerClip()) {
                assertEquals(198, frames);
            }
            float[] fbank = b.wholeTrack();
            long samples16k = Math.round(Math.ceil(seconds * 16000 - 1e-6));
            assertEquals((1 + (samples16k - 400) / 160) * 128, fbank.length, track);
        } finally {
            b.tearDown();
        }
    }
}

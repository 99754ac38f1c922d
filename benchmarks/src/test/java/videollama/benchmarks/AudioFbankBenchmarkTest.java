package videollama.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.loader.MediaDecoder;
import videollama.loader.audio.AudioInput;
import videollama.loader.audio.AudioLoader;

/** Setup (the 60-second track) and one call of each benchmark method. */
class AudioFbankBenchmarkTest {
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"aac-44k-stereo, ffmpeg", "aac-44k-stereo, java", "wav-48k-stereo, ffmpeg", "wav-16k-mono, java"})
    void sixtySecondsGiveEightClipsAndAllFrames(String track, String decoder) throws Exception {
        AudioFbankBenchmark b = new AudioFbankBenchmark();
        b.track = track;
        b.decoder = decoder;
        Smoke.assumeDecoder(decoder);
        Smoke.setUpOrSkipWithoutMedia(b::setup);
        try {
            double seconds = AudioLoader.load(b.file, MediaDecoder.parse(decoder)).seconds();
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

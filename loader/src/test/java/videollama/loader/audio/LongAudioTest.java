package videollama.loader.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jcodec.containers.mp4.boxes.Box;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.loader.TestMedia;
import videollama.loader.video.Mp4Boxes;

/**
 * Two hours of sound: only the samples under the 8 clips are read (WAV) or decoded (AAC), so memory and time stay
 * those of 16 s of audio. Asserted on the frames read and packets decoded; the times are printed.
 */
class LongAudioTest {
    private static final long TWO_HOURS = 7200;

    /** 2 h of 16 kHz mono 16-bit PCM (230 MB, sparse: silent but for a tone under clip 3). */
    @Test
    void twoHourWavReadsOnlyTheClips(@TempDir Path dir) throws Exception {
        long frames = TWO_HOURS * 16000;
        List<ClipSampler.Clip> clips = ClipSampler.clips(frames, ClipSampler.Step.EIGHTHS);
        ClipSampler.Clip third = clips.get(3);
        Path wav = TestWavs.sparse16(dir.resolve("two-hours.wav"), 16000, frames, third.from(), third.to());
        long start = System.nanoTime();
        AudioInput input;
        long read;
        try (WavSource source = WavSource.open(wav)) {
            input = AudioClips.prepare(wav, source, ClipOptions.REFERENCE);
            read = source.framesRead();
        }
        System.out.printf("2-hour WAV: 8 clips in %.2f s, %d frames read%n", (System.nanoTime() - start) / 1e9, read);
        assertEquals(8 * 32000, read);
        assertEquals("3599/4", input.clips().get(1).start().toString()); // (7200 - 2) / 8 s
        float silent = (float) ((Math.log(KaldiFbank.EPSILON) - AudioClips.MEAN) / AudioClips.STD);
        for (int k = 0; k < 8; k++) {
            // Only clip 3 holds the 1 kHz tone: its loudest cell is far above the floor, the others are silent.
            float loudest = -Float.MAX_VALUE;
            for (int b = 0; b < AudioInput.MEL_BINS; b++) {
                loudest = Math.max(loudest, input.at(k, b, 100));
            }
            if (k == 3) {
                assertTrue(loudest > 0.5f, "clip 3 is the tone: " + loudest);
            } else {
                assertEquals(silent, loudest, 1e-6f, "clip " + k + " is silence");
            }
        }
    }

    /**
     * 2 h of 44.1 kHz AAC (aac-mono-44k.mp4's 113 packets 2750 times, 1.3 MB): the clips' packets are decoded, the
     * packets between them only parsed (for the noise generator, AacTrack).
     */
    @Test
    void twoHourAacDecodesOnlyTheClips(@TempDir Path dir) throws Exception {
        Path mp4 = Mp4Boxes.repeatAudio(TestMedia.root().resolve("testdata/audio/aac-mono-44k.mp4"), 2750, dir.resolve("long.mp4"));
        long start = System.nanoTime();
        AudioInput input;
        long decoded;
        long skipped;
        try (Mp4AacSource source = Mp4AacSource.open(mp4)) {
            assertEquals(2750L * 113 * 1024, source.frames());
            input = AudioClips.prepare(mp4, source, ClipOptions.REFERENCE);
            decoded = source.packetsDecoded();
            skipped = source.packetsSkipped();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("2-hour AAC (%.0f s): 8 clips in %.2f s, %d of %d packets decoded, %d parsed only%n",
                input.durationSeconds(), seconds, decoded, 2750 * 113, skipped);
        // Per clip: 2 s + the resampling filter's reach = 88 packets at most, plus one packet of warm-up.
        assertTrue(decoded <= 8 * 90, decoded + " packets decoded");
        // Every packet up to the last clip's was parsed or decoded, each once: the last clip starts 7/8 of the way in.
        long lastClip = input.clips().get(7).from() * 44100 / 16000 / 1024;
        assertTrue(skipped + decoded >= lastClip && skipped + decoded <= 2750 * 113, skipped + " + " + decoded);
        // ceil(160 * 318208000 / 441), and the clips of that length, from make_audio_golden.py's clip_cases.json.
        assertEquals(115_449_615L, input.samples16k());
        JsonNode expected = null;
        for (JsonNode c : new ObjectMapper().readTree(TestMedia.root().resolve("testdata/golden/audio/clip_cases.json").toFile())) {
            if (c.get("samples").asLong() == input.samples16k() && c.get("step").asInt() == 8) {
                expected = c;
            }
        }
        for (int k = 0; k < 8; k++) {
            assertEquals(expected.get("starts").get(k).asText(), input.clips().get(k).start().toString());
            assertEquals(expected.get("from").get(k).asLong(), input.clips().get(k).from());
        }
        for (int k = 0; k < 8; k++) {
            assertEquals(198, input.framesPerClip()[k]);
        }
        for (float v : input.fbank()) {
            assertTrue(Float.isFinite(v));
        }
    }
}

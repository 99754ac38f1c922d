package videollama.loader.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import videollama.loader.TestMedia;

/** Clip times against pytorchvideo's sampler written out in Python (golden/audio/clip_cases.json): exact. */
class ClipSamplerTest {
    @Test
    void everyCaseMatchesPythonFractions() throws Exception {
        JsonNode cases = new ObjectMapper().readTree(TestMedia.root().resolve("testdata/golden/audio/clip_cases.json").toFile());
        assertTrue(cases.size() >= 100);
        for (JsonNode c : cases) {
            long samples = c.get("samples").asLong();
            ClipSampler.Step step = c.get("step").asInt() == 7 ? ClipSampler.Step.SEVENTHS : ClipSampler.Step.EIGHTHS;
            List<ClipSampler.Clip> clips = ClipSampler.clips(samples, step);
            String what = samples + " samples, /" + step.divisor();
            assertEquals(c.get("starts").size(), clips.size(), what);
            for (int k = 0; k < clips.size(); k++) {
                assertEquals(c.get("starts").get(k).asText(), clips.get(k).start().toString(), what + " clip " + k);
                assertEquals(c.get("from").get(k).asLong(), clips.get(k).from(), what + " clip " + k + " from");
                assertEquals(c.get("to").get(k).asLong(), clips.get(k).to(), what + " clip " + k + " to");
            }
        }
    }

    /**
     * The reference starts from the float {@code samples / 16000}, not the exact ratio: for 32016 samples the double
     * 2.001 - 2 lies just below 1/1000, so clip 1 starts at sample 1 (int(1.99...)), where the exact ratio would give 2.
     */
    @Test
    void theDurationIsTheFloatNotTheRatio() {
        List<ClipSampler.Clip> clips = ClipSampler.clips(32016, ClipSampler.Step.EIGHTHS);
        assertEquals(Fraction.ofDouble(32016 / 16000.0 - 2).dividedBy(8), clips.get(1).start());
        assertEquals(1, clips.get(1).from());
        assertEquals(32001, clips.get(1).to());
    }

    @Test
    void shortAudioGivesEightClipsAtZero() {
        List<ClipSampler.Clip> clips = ClipSampler.clips(8000, ClipSampler.Step.EIGHTHS);
        assertEquals(8, clips.size());
        for (ClipSampler.Clip clip : clips) {
            assertEquals(Fraction.ZERO, clip.start());
            assertEquals(0, clip.from());
            assertEquals(32000, clip.to());
        }
    }

    @Test
    void fractionsOfDoublesAreExact() {
        assertEquals("1/10", Fraction.of(3, 30).toString());
        assertEquals("3602879701896397/36028797018963968", Fraction.ofDouble(0.1).toString());
        assertEquals("5/1", Fraction.ofDouble(5.0).toString());
        assertEquals(0, Fraction.ofDouble(4.144).compareTo(Fraction.ofDouble(4.144)));
        assertEquals(2, Fraction.of(7, 3).floor());
    }
}

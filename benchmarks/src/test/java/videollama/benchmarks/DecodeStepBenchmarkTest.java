package videollama.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Setup (which writes a random stories260K into a temporary folder and checks the backend's first-step logits
 * against the reference path), then one timed step from BOS: its greedy token must be the reference's.
 */
class DecodeStepBenchmarkTest {
    @TempDir
    Path cache;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"reference", "opencl"})
    void theFirstStepGivesTheReferenceToken(String backend) {
        DecodeStepBenchmark b = new DecodeStepBenchmark();
        b.shape = "stories260K";
        b.dtype = "f32";
        b.backend = backend;
        b.cacheDir = cache;
        try {
            Smoke.setUpOrSkip(b::setup);
            b.newSequence();
            assertEquals(b.referenceFirstToken(), b.step(new Traffic()));
        } finally {
            b.tearDown();
        }
    }
}

package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import videollama.app.serve.ServeLoad;

/**
 * The load test ({@link ServeLoad}) run briefly: 4 clients for a few seconds against a server on the demo model, every
 * request answered in full (streamed or not), none refused or dropped. Its speed and memory are measured by running
 * ServeLoad itself (docs/benchmarks.md), not asserted here.
 */
class ServeLoadTest {
    @Test
    void fourClientsForAFewSecondsAllAnswered() throws Exception {
        ServeLoad.Result result = ServeLoad.run(TestFiles.root().resolve("models/videollama-demo"), 4, Duration.ofSeconds(4), 8);
        assertEquals(java.util.List.of(), result.failures(), result.summary());
        assertTrue(result.requests() >= 4, "requests were answered: " + result.summary());
    }
}

package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every random input of a test can be replayed: a test draws from a fixed seed (shown in its name or output) or from
 * {@code SeededRandom}, which prints the fresh seed it takes; none seeds from the clock or takes an unseeded
 * generator. Each failure names file:line.
 */
class RandomSeedTest {
    /** Unseeded generators and clock seeds. */
    private static final Pattern UNSEEDED = Pattern.compile("new (Splittable)?Random\\(\\s*\\)|ThreadLocalRandom\\.current"
            + "|Math\\.random\\(|Random\\([^)]*(nanoTime|currentTimeMillis)|[sS]eed\\w*\\s*=\\s*System\\.(nanoTime|currentTimeMillis)"
            + "|RandomGenerator\\.(of|getDefault)");
    /** The one place a fresh seed is taken, and printed. */
    private static final String SEEDED_RANDOM = "weights/src/test/java/videollama/testing/SeededRandom.java";
    /** Not scanned: this class, which plants cases to find. */
    private static final String SELF = "tests/src/test/java/videollama/tests/RandomSeedTest.java";
    /** Randomness that decides no input of an assertion, with why. */
    private static final Map<String, String> ALLOWED = Map.of(
            "paper-repro/src/test/java/videollama/repro/judge/JudgeCommandTest.java",
            "the fake judge's reply delay (0-29 ms), which only shuffles the timing of concurrent requests");

    @Test
    void noTestSeedsFromTheClockOrDrawsUnseeded() throws IOException {
        Path root = RepositoryTextTest.root();
        List<String> problems = new ArrayList<>();
        int files = 0;
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path file : tree.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/test/")
                    && !f.toString().contains("/target/")).toList()) {
                String name = root.relativize(file).toString();
                files++;
                if (!name.equals(SEEDED_RANDOM) && !name.equals(SELF) && !ALLOWED.containsKey(name)) {
                    problems.addAll(unseeded(name, Files.readString(file)));
                }
            }
        }
        assertTrue(files > 100, "test sources found: " + files);
        assertTrue(problems.isEmpty(), "random draws that cannot be replayed (use SeededRandom or a fixed seed):\n"
                + String.join("\n", problems));
    }

    @Test
    void findsPlantedCases() {
        String planted = String.join("\n",
                "Random r = new Random(7);",
                "var s = new SplittableRandom();",
                "long seed = System.nanoTime();",
                "Random q = new Random(System.currentTimeMillis());",
                "double d = Math.random();",
                "long deadline = System.nanoTime() + 5;");
        assertEquals(List.of("A.java:2", "A.java:3", "A.java:4", "A.java:5"),
                LineFindings.places(unseeded("A.java", planted)));
    }

    static List<String> unseeded(String file, String text) {
        return LineFindings.of(file, text, line -> UNSEEDED.matcher(line).find() ? List.of(line.strip()) : List.of());
    }
}

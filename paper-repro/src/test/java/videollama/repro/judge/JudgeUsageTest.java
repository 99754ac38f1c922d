package videollama.repro.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.repro.Cli;
import videollama.repro.Prediction;
import videollama.repro.TestPredictions;

/** Bad command lines and inputs: one line naming the flag or file, before any request. */
class JudgeUsageTest {
    @TempDir
    Path dir;

    private FakeJudgeEndpoint endpoint;
    private Path predictions;

    @BeforeEach
    void start() throws IOException {
        endpoint = new FakeJudgeEndpoint(JudgeCommandTest::judgeByRule);
        predictions = TestPredictions.write(dir.resolve("p.jsonl"), TestPredictions.mixed());
    }

    @AfterEach
    void stop() {
        assertEquals(0, endpoint.received().size(), "a request was sent before the inputs were checked");
        endpoint.close();
    }

    private Cli judge(String... args) {
        List<String> all = new ArrayList<>(List.of("eval", "judge", "--out", dir.resolve("out").toString(), "--judge-model", "m"));
        all.addAll(List.of(args));
        if (!all.contains("--judge-url")) {
            all.addAll(List.of("--judge-url", endpoint.url()));
        }
        if (!all.contains("--predictions")) {
            all.addAll(List.of("--predictions", predictions.toString()));
        }
        return Cli.run(all.toArray(String[]::new));
    }

    private static void assertOneLine(Cli run, int code, String message) {
        assertEquals(code, run.code(), run.toString());
        assertEquals(List.of(), run.out().lines().toList(), "stdout");
        List<String> lines = run.err().lines().toList();
        assertEquals(1, lines.size(), run.err());
        assertTrue(lines.getFirst().startsWith("videollama: ") && lines.getFirst().contains(message), run.err());
    }

    @Test
    void anUnsetKeyVariable() {
        assertOneLine(judge("--judge-key-env", "VIDEOLLAMA_TEST_UNSET_KEY"), 2,
                "--judge-key-env VIDEOLLAMA_TEST_UNSET_KEY: the environment variable VIDEOLLAMA_TEST_UNSET_KEY is not set (see videollama eval judge --help)");
    }

    @Test
    void badUrlsAndNumbers() {
        assertOneLine(judge("--judge-url", "ftp://example.org/v1"), 2, "--judge-url must be an http:// or https:// URL");
        assertOneLine(judge("--judge-url", "http://user:secret@127.0.0.1:9/v1"), 2, "--judge-url must not hold credentials");
        assertOneLine(judge("--judge-url", "http://a b/"), 2, "--judge-url 'http://a b/' is not a URL");
        assertOneLine(judge("--concurrency", "0"), 2, "--concurrency must be 1..256, got 0");
        assertOneLine(judge("--retries", "-1"), 2, "--retries must be 0..50");
        assertOneLine(judge("--timeout", "0"), 2, "--timeout must be in (0, 3600] seconds");
        assertOneLine(judge("--judge-temperature", "NaN"), 2, "--judge-temperature must be in [0, 2]");
        assertFalse(Files.exists(dir.resolve("out")), "the output folder was made for a refused command line");
    }

    @Test
    void badPredictionFiles() throws IOException {
        assertOneLine(judge("--predictions", dir.resolve("none.jsonl").toString()), 1, dir.resolve("none.jsonl") + ": not found");
        Path empty = Files.writeString(dir.resolve("empty.jsonl"), "");
        assertOneLine(judge("--predictions", empty.toString()), 1, empty + ": no predictions to judge");
        Path unknown = TestPredictions.write(dir.resolve("u.jsonl"), List.of(TestPredictions.qa("nextqa", "1", null, "q", "a", "p")));
        assertOneLine(judge("--predictions", unknown.toString()), 1, unknown + ": dataset 'nextqa' of question 1 is not one eval judge knows");
        Path again = TestPredictions.write(dir.resolve("again.jsonl"), TestPredictions.mixed().subList(2, 3));
        assertOneLine(judge("--predictions", predictions.toString(), again.toString()), 1,
                again + ": msvd question 3 is there twice (also in " + predictions + ")");
        Prediction pairWithoutSecond = new Prediction("consistency", "c9", "c9.mp4", "q1", null, "a", null, "p1", null, null, null);
        Path pair = TestPredictions.write(dir.resolve("pair.jsonl"), List.of(pairWithoutSecond));
        assertOneLine(judge("--predictions", pair.toString()), 1, pair + ": consistency question c9 is a consistency pair without question2 or prediction2");
        Path broken = Files.writeString(dir.resolve("broken.jsonl"), "{\"dataset\": \"msvd\"}\n[1, 2]\n");
        assertOneLine(judge("--predictions", broken.toString()), 1, broken + ": line 2 is not a prediction");
    }

    @Test
    void badTemplates() throws IOException {
        Path qa = Files.writeString(dir.resolve("qa.txt"), "kind: qa\n[system]\ns\n[user]\n{question} {answer} {prediction}\n");
        Path qa2 = Files.writeString(dir.resolve("qa2.txt"), "kind: qa\n[system]\nt\n[user]\n{question} {answer} {prediction}\n");
        assertOneLine(judge("--template", qa.toString(), "--template", qa2.toString()), 2,
                "--template " + qa2 + " and " + qa + " are both for kind qa");
        Path typo = Files.writeString(dir.resolve("typo.txt"), "kind: qa\n[system]\ns\n[user]\n{question} {answer} {predicton}\n");
        assertOneLine(judge("--template", typo.toString()), 1, typo + ": unknown placeholder {predicton}");
        assertOneLine(judge("--template", dir.resolve("missing.txt").toString()), 1, dir.resolve("missing.txt") + ": cannot read the judge template");
    }
}

package videollama.repro.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static videollama.repro.judge.FakeJudgeEndpoint.completion;
import static videollama.repro.judge.FakeJudgeEndpoint.field;
import static videollama.repro.judge.FakeJudgeEndpoint.status;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.repro.Cli;
import videollama.repro.Prediction;
import videollama.repro.TestPredictions;

/** The judge client against an endpoint that answers badly: malformed replies, errors, slowness, dropped connections. */
class JudgeEndpointFailuresTest {
    @TempDir
    Path dir;

    private static final FakeJudgeEndpoint.Reply GOOD = completion("{'pred': 'yes', 'score': 4}");

    private Path oneQuestion() throws IOException {
        return TestPredictions.write(dir.resolve("one.jsonl"),
                List.of(TestPredictions.qa("msvd", "1", null, "what is the man doing?", "cooking", "He is cooking.")));
    }

    private Cli judge(FakeJudgeEndpoint endpoint, Path predictions, String out, String... more) {
        List<String> args = new ArrayList<>(List.of("eval", "judge", "--predictions", predictions.toString(), "--out",
                dir.resolve(out).toString(), "--judge-url", endpoint.url(), "--judge-model", "m"));
        args.addAll(List.of(more));
        if (!args.contains("--backoff")) {
            args.addAll(List.of("--backoff", "0.01"));
        }
        return Cli.run(args.toArray(String[]::new));
    }

    private static JsonNode onlyJudgement(Path out) throws IOException {
        List<JsonNode> lines = JudgeCommandTest.jsonLines(out.resolve("judged.jsonl"));
        assertEquals(1, lines.size());
        return lines.getFirst();
    }

    /** Each question of these predictions names how the judge misbehaves for it. */
    private static FakeJudgeEndpoint.Response malformed(FakeJudgeEndpoint.Received r) {
        return switch (field(r.user(), "Question: ")) {
            case "not json" -> new FakeJudgeEndpoint.Reply(200, Map.of(), "<html>proxy error</html>", 0);
            case "no choices" -> new FakeJudgeEndpoint.Reply(200, Map.of(), "{\"object\": \"chat.completion\", \"choices\": []}", 0);
            case "null content" -> new FakeJudgeEndpoint.Reply(200, Map.of(),
                    "{\"choices\": [{\"message\": {\"role\": \"assistant\", \"content\": null}}]}", 0);
            case "prose" -> completion("The predicted answer matches the correct answer, so yes.");
            case "fenced" -> completion("```python\n{'pred': 'yes', 'score': 5}\n```");
            case "out of range" -> completion("{'pred': 'yes', 'score': 7}");
            case "no pred" -> completion("{'score': 3}");
            case "string score" -> completion("{'pred': 'yes', 'score': '4'}");
            case "float score" -> completion("{\"pred\": \"no\", \"score\": 2.8}");
            case "maybe" -> completion("{'pred': 'partly', 'score': 3}");
            default -> throw new AssertionError(r.user());
        };
    }

    private Path malformedPredictions() throws IOException {
        List<Prediction> ps = new ArrayList<>();
        int id = 0;
        for (String q : List.of("not json", "no choices", "null content", "prose", "fenced", "out of range", "no pred",
                "string score", "float score", "maybe")) {
            ps.add(TestPredictions.qa("msvd", String.valueOf(++id), null, q, "x", "y"));
        }
        return TestPredictions.write(dir.resolve("malformed.jsonl"), ps);
    }

    @Test
    void malformedRepliesAreCountedShownAndLeftOutOfTheMetrics() throws IOException {
        Path predictions = malformedPredictions();
        try (FakeJudgeEndpoint endpoint = new FakeJudgeEndpoint(JudgeEndpointFailuresTest::malformed)) {
            Cli run = judge(endpoint, predictions, "out");
            assertEquals(0, run.code(), run.toString());
            assertEquals(10, endpoint.received().size(), "a malformed reply is not a reason to retry");
            assertTrue(run.err().contains("judge: 7 replies were not in the asked form"), run.err());
            assertTrue(run.err().contains("msvd 4 (qa): not a Python literal"), run.err());

            Metrics m = Metrics.read(dir.resolve("out"));
            Metrics.Scores s = m.datasets().getFirst().scores().getFirst();
            // judged: '4' -> 4 (int() of a string), 2.8 -> 2 (int() truncates), 'partly' -> neither yes nor no
            assertEquals(List.of(3, 7, 0), List.of(s.judged(), s.unparseable(), s.failed()));
            assertEquals(List.of(1, 1, 1), List.of(s.yes(), s.no(), s.neither()));
            assertEquals(0.5, s.accuracy(), 1e-12, "neither counts in no accuracy");
            assertEquals(3.0, s.meanScore(), 1e-12, "(4 + 2 + 3) / 3");
            List<String> shown = m.unparseable().stream().map(u -> u.id() + ": " + u.problem()).toList();
            assertEquals(List.of(
                    "1: the response is not JSON",
                    "2: the response has no choices[0].message",
                    "3: the message has no text content",
                    "4: not a Python literal (not a literal at character 1)",
                    "5: not a Python literal (not a literal at character 1)",
                    "6: the score 7 is outside 0..5",
                    "7: no 'pred' key"), shown);
            assertEquals("<html>proxy error</html>", m.unparseable().getFirst().reply());
            assertEquals("The predicted answer matches the correct answer, so yes.", m.unparseable().get(3).reply());

            // well-formed completions are cached whatever they say; malformed responses are asked again
            Cli again = judge(endpoint, predictions, "again", "--cache", dir.resolve("out/judge-cache").toString());
            assertEquals(0, again.code(), again.toString());
            assertEquals(12, endpoint.received().size());
            assertTrue(again.err().contains("2 requests sent, 8 answers from the cache"), again.err());
        }
    }

    @Test
    void extractDictTakesTheDictOutOfACodeFence() throws IOException {
        Path predictions = malformedPredictions();
        try (FakeJudgeEndpoint endpoint = new FakeJudgeEndpoint(JudgeEndpointFailuresTest::malformed)) {
            Cli run = judge(endpoint, predictions, "out", "--extract-dict");
            assertEquals(0, run.code(), run.toString());
        }
        JsonNode fenced = JudgeCommandTest.jsonLines(dir.resolve("out/judged.jsonl")).get(4);
        assertEquals(List.of("judged", "yes", "5", "true"), List.of(fenced.get("status").asText(), fenced.get("verdict").asText(),
                fenced.get("score").asText(), fenced.get("extracted").asText()));
        Metrics m = Metrics.read(dir.resolve("out"));
        assertEquals(4, m.datasets().getFirst().scores().getFirst().judged());
        assertTrue(m.judge().extractDict());
        assertEquals("no Python dict in the reply", m.unparseable().get(3).problem());
    }

    @Test
    void a429WaitsAsLongAsRetryAfterSays() throws IOException {
        try (FakeJudgeEndpoint endpoint = new FakeJudgeEndpoint(r -> r.attempt() == 1 ? status(429, Map.of("Retry-After", "1")) : GOOD)) {
            Cli run = judge(endpoint, oneQuestion(), "out");
            assertEquals(0, run.code(), run.toString());
            List<FakeJudgeEndpoint.Received> got = endpoint.received();
            assertEquals(2, got.size());
            double waited = (got.get(1).nanoTime() - got.get(0).nanoTime()) / 1e9;
            assertTrue(waited >= 1.0, "retried after " + waited + " s, Retry-After said 1 s (and --backoff 0.01)");
        }
        assertEquals("judged", onlyJudgement(dir.resolve("out")).get("status").asText());
    }

    @Test
    void serverErrorsAreRetriedWithGrowingJitteredDelays() throws IOException {
        try (FakeJudgeEndpoint endpoint = new FakeJudgeEndpoint(r -> switch (r.attempt()) {
            case 1 -> status(500, Map.of());
            case 2 -> status(503, Map.of());
            default -> GOOD;
        })) {
            Cli run = judge(endpoint, oneQuestion(), "out", "--backoff", "0.2");
            assertEquals(0, run.code(), run.toString());
            List<FakeJudgeEndpoint.Received> got = endpoint.received();
            assertEquals(3, got.size());
            // first retry after 0.1..0.2 s, second after 0.2..0.4 s (the upper half of base * 2^attempt)
            assertTrue(got.get(1).nanoTime() - got.get(0).nanoTime() >= 100_000_000L);
            assertTrue(got.get(2).nanoTime() - got.get(1).nanoTime() >= 200_000_000L);
        }
        assertEquals(4, onlyJudgement(dir.resolve("out")).get("score").asInt());
    }

    @Test
    void aSlowAnswerTimesOutAndIsAskedAgain() throws IOException {
        try (FakeJudgeEndpoint endpoint = new FakeJudgeEndpoint(r -> r.attempt() == 1
                ? new FakeJudgeEndpoint.Reply(200, Map.of(), GOOD.body(), 3000) : GOOD)) {
            judgedOnTheSecondTry(endpoint, "0.3", 2.5, "waited for the slow answer instead of timing out");
        }
    }

    @Test
    void aConnectionDroppedMidResponseIsAskedAgain() throws IOException {
        try (FakeJudgeEndpoint endpoint = new FakeJudgeEndpoint(r -> r.attempt() == 1 ? new FakeJudgeEndpoint.Drop(400) : GOOD)) {
            judgedOnTheSecondTry(endpoint, "20", 10, "the drop was not noticed: the request timed out");

            endpoint.behaviour(r -> new FakeJudgeEndpoint.Drop(400));
            Cli noRetry = judge(endpoint, oneQuestion(), "dropped", "--retries", "0", "--timeout", "20");
            assertEquals(1, noRetry.code(), noRetry.toString());
        }
        JsonNode dropped = onlyJudgement(dir.resolve("dropped"));
        assertTrue(dropped.get("problem").asText().startsWith("connection failed: "), dropped.get("problem").asText());
    }

    @Test
    void whatFailsAfterItsRetriesIsListedAndAskedAgainByTheNextRun() throws IOException {
        List<Prediction> two = List.of(TestPredictions.qa("msvd", "1", null, "ok", "a", "a"),
                TestPredictions.qa("msvd", "2", null, "broken", "a", "b"));
        Path predictions = TestPredictions.write(dir.resolve("two.jsonl"), two);
        try (FakeJudgeEndpoint endpoint = new FakeJudgeEndpoint(r -> field(r.user(), "Question: ").equals("ok") ? GOOD : status(502, Map.of()))) {
            Cli run = judge(endpoint, predictions, "out", "--retries", "2");
            assertEquals(1, run.code(), run.toString());
            assertTrue(run.err().contains("videollama: 1 requests failed after their retries"), run.err());
            assertEquals(1 + 3, endpoint.received().size(), "1 + the failing one 3 times (--retries 2)");
            Metrics m = Metrics.read(dir.resolve("out"));
            assertEquals(1, m.failed().size());
            assertEquals("2", m.failed().getFirst().id());
            assertTrue(m.failed().getFirst().problem().startsWith("HTTP 502"), m.failed().getFirst().problem());
            assertTrue(m.failed().getFirst().problem().endsWith("(after 3 attempts)"), m.failed().getFirst().problem());
            assertEquals(List.of(1, 1), List.of(m.datasets().getFirst().scores().getFirst().judged(), m.datasets().getFirst().scores().getFirst().failed()));

            endpoint.behaviour(r -> GOOD);
            Cli again = judge(endpoint, predictions, "out");
            assertEquals(0, again.code(), again.toString());
            assertEquals(5, endpoint.received().size(), "only the failed request is asked again");
            assertTrue(Metrics.read(dir.resolve("out")).failed().isEmpty());
        }
    }

    @Test
    void aTimeoutWithoutRetriesFailsThatRequest() throws IOException {
        try (FakeJudgeEndpoint endpoint = new FakeJudgeEndpoint(r -> new FakeJudgeEndpoint.Reply(200, Map.of(), GOOD.body(), 2000))) {
            Cli run = judge(endpoint, oneQuestion(), "out", "--timeout", "0.2", "--retries", "0");
            assertEquals(1, run.code(), run.toString());
        }
        JsonNode j = onlyJudgement(dir.resolve("out"));
        assertEquals(List.of("failed", "no answer within 0.2 s (after 1 attempts)"), List.of(j.get("status").asText(), j.get("problem").asText()));
    }

    @Test
    void aHugeResponseIsRefusedNotRead() throws IOException {
        String huge = "{\"choices\": [{\"message\": {\"content\": \"" + "x".repeat(3 << 20) + "\"}}]}";
        try (FakeJudgeEndpoint endpoint = new FakeJudgeEndpoint(r -> new FakeJudgeEndpoint.Reply(200, Map.of(), huge, 0))) {
            Cli run = judge(endpoint, oneQuestion(), "out", "--retries", "0");
            assertEquals(1, run.code(), run.toString());
        }
        JsonNode j = onlyJudgement(dir.resolve("out"));
        assertEquals("connection failed: the response is larger than 1 MiB (after 1 attempts)", j.get("problem").asText());
    }

    @Test
    void aBadRequestIsNotRetried() throws IOException {
        try (FakeJudgeEndpoint endpoint = new FakeJudgeEndpoint(r -> status(400, Map.of()))) {
            Cli run = judge(endpoint, oneQuestion(), "out");
            assertEquals(1, run.code(), run.toString());
            assertEquals(1, endpoint.received().size());
        }
        JsonNode j = onlyJudgement(dir.resolve("out"));
        assertEquals("HTTP 400: {\"error\": {\"message\": \"status 400\"}}", j.get("problem").asText());
    }

    /**
     * One question judged into {@code out} with {@code --timeout timeout}: the run succeeds, the endpoint was asked twice,
     * all of it took less than {@code withinSeconds} ({@code slow} says what a longer run means), and the answer is judged.
     */
    private void judgedOnTheSecondTry(FakeJudgeEndpoint endpoint, String timeout, double withinSeconds, String slow) throws IOException {
        long start = System.nanoTime();
        Cli run = judge(endpoint, oneQuestion(), "out", "--timeout", timeout);
        assertEquals(0, run.code(), run.toString());
        assertEquals(2, endpoint.received().size());
        assertTrue(System.nanoTime() - start < withinSeconds * 1e9, slow);
        assertEquals("judged", onlyJudgement(dir.resolve("out")).get("status").asText());
    }
}

package videollama.repro.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static videollama.repro.judge.FakeJudgeEndpoint.completion;
import static videollama.repro.judge.FakeJudgeEndpoint.field;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.repro.Cli;
import videollama.repro.Prediction;
import videollama.repro.TestPredictions;

/** {@code eval judge} end to end against a judge on loopback that follows a fixed rule. */
public class JudgeCommandTest {
    @TempDir
    Path dir;

    /**
     * The test judge's rule, applied to the fields it reads back from the built-in templates' user message: QA says
     * yes when the answer contains the reference, with a score from the answer's word count; the benchmark's
     * dimensions score the word count shifted by the dimension; a consistency pair scores 5 when its answers agree.
     */
    static String verdict(JudgeKind kind, String answer, String prediction, String prediction2) {
        int words = prediction.split(" ").length;
        return switch (kind) {
            case QA -> {
                boolean yes = prediction.toLowerCase(Locale.ROOT).contains(answer.toLowerCase(Locale.ROOT));
                yield "{'pred': '" + (yes ? "yes" : "no") + "', 'score': " + (yes ? 3 + words % 3 : words % 3) + "}";
            }
            case CONSISTENCY -> "{'score': " + (prediction.equalsIgnoreCase(prediction2) ? 5 : 2) + "}";
            default -> "{'score': " + (words + kind.ordinal()) % 6 + "}";
        };
    }

    public static FakeJudgeEndpoint.Response judgeByRule(FakeJudgeEndpoint.Received r) {
        JudgeKind kind = kindOf(r.system());
        String user = r.user();
        if (kind == JudgeKind.CONSISTENCY) {
            return completion(verdict(kind, field(user, "Reference answer to both: "),
                    field(user, "Model's answer to the first question: "), field(user, "Model's answer to the second question: ")));
        }
        return completion(verdict(kind, field(user, "Reference answer: "), field(user, "Model's answer: "), null));
    }

    static JudgeKind kindOf(String system) {
        for (JudgeKind k : JudgeKind.values()) {
            if (JudgeTemplate.builtIn(k).system().equals(system)) {
                return k;
            }
        }
        throw new AssertionError("not a built-in system message: " + system);
    }

    private Cli judge(FakeJudgeEndpoint endpoint, Path predictions, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("eval", "judge", "--predictions", predictions.toString(), "--out", out.toString(),
                "--judge-url", endpoint.url(), "--judge-model", "judge-7b", "--backoff", "0.01"));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void metricsFollowTheJudgesRepliesAsVideoChatGptAggregatesThem() throws IOException {
        Path predictions = TestPredictions.write(dir.resolve("predictions.jsonl"), TestPredictions.mixed());
        try (FakeJudgeEndpoint endpoint = new FakeJudgeEndpoint(JudgeCommandTest::judgeByRule)) {
            Cli run = judge(endpoint, predictions, dir.resolve("out"));
            assertEquals(0, run.code(), run.toString());
            // 12 answered questions; generic's 2 are asked three times: 10 + 2*2 more requests; msvd 4 asks nothing
            assertEquals(16, endpoint.received().size());
            endpoint.received().forEach(r -> assertEquals("judge-7b", r.body().get("model").asText()));
            endpoint.received().forEach(r -> assertNull(r.body().get("temperature"), "no temperature unless asked for"));
            endpoint.received().forEach(r -> assertNull(r.authorization(), "no key unless --judge-key-env"));
        }
        Metrics m = Metrics.read(dir.resolve("out"));
        Metrics.DatasetMetrics msvd = m.datasets().getFirst();
        assertEquals("msvd", msvd.dataset());
        assertEquals(6, msvd.questions());
        assertEquals(1, msvd.notAnswered());
        Metrics.Scores qa = msvd.scores().getFirst();
        // by hand from the rule: answers 1, 3, 5 contain the reference (scores 4, 3, 5), 2 and 6 do not (2, 1)
        assertEquals(5, qa.judged());
        assertEquals(List.of(3, 2, 0), List.of(qa.yes(), qa.no(), qa.neither()));
        assertEquals(0.6, qa.accuracy(), 1e-12);
        assertEquals(3.0, qa.meanScore(), 1e-12);
        assertEquals(List.of(0, 1, 1, 1, 1, 1), qa.histogram());
        Metrics.Scores what = qa.byType().get(0);
        Metrics.Scores who = qa.byType().get(1);
        assertEquals(List.of("what", 3, 2.0 / 3, 11.0 / 3), List.of(what.type(), what.judged(), what.accuracy(), what.meanScore()));
        assertEquals(List.of("who", 2, 0.5, 2.0), List.of(who.type(), who.judged(), who.accuracy(), who.meanScore()));

        // every other dataset and dimension against the rule applied to the predictions themselves
        for (Metrics.DatasetMetrics d : m.datasets()) {
            List<Prediction> ps = TestPredictions.mixed().stream().filter(p -> p.dataset().equals(d.dataset()) && p.answered()).toList();
            assertEquals(JudgeKind.forDataset(d.dataset()).stream().map(JudgeKind::id).toList(), d.scores().stream().map(Metrics.Scores::kind).toList());
            for (Metrics.Scores s : d.scores()) {
                JudgeKind kind = JudgeKind.ofId(s.kind());
                double sum = 0;
                for (Prediction p : ps) {
                    String v = verdict(kind, p.answer(), p.prediction(), p.prediction2());
                    sum += Integer.parseInt(v.replaceAll(".*'score': (\\d).*", "$1"));
                }
                assertEquals(sum / ps.size(), s.meanScore(), 1e-12, d.dataset() + " " + s.kind());
                assertEquals(ps.size(), s.judged());
                assertEquals(kind == JudgeKind.QA, s.accuracy() != null, d.dataset() + " " + s.kind());
            }
        }
        assertEquals(List.of("fake-judge-2026-01-01"), m.judge().answeredBy());
        assertEquals("judge-7b", m.judge().model());
        assertTrue(m.judge().url().matches("http://127\\.0\\.0\\.1:\\d+/v1/chat/completions"), m.judge().url());
        assertEquals("built-in", m.judge().templates().get("qa").source());
        assertEquals(0, m.unparseable().size() + m.failed().size());
        Metrics.DatasetMetrics consistency = m.datasets().getLast();
        assertEquals(List.of(2, 2), List.of(consistency.scores().getFirst().judged(), consistency.timings().answered()));
        assertEquals(3.5, consistency.scores().getFirst().meanScore(), 1e-12); // c1's answers agree (5), c2's do not (2)
    }

    @Test
    void judgedLinesComeInThePredictionsOrderWithTheRepliesAsWritten() throws IOException {
        Path predictions = TestPredictions.write(dir.resolve("predictions.jsonl"), TestPredictions.mixed());
        try (FakeJudgeEndpoint endpoint = new FakeJudgeEndpoint(JudgeCommandTest::judgeByRule)) {
            assertEquals(0, judge(endpoint, predictions, dir.resolve("out")).code());
        }
        List<JsonNode> lines = jsonLines(dir.resolve("out/judged.jsonl"));
        List<String> expected = new ArrayList<>();
        for (Prediction p : TestPredictions.mixed()) {
            JudgeKind.forDataset(p.dataset()).forEach(k -> expected.add(p.dataset() + "/" + p.id() + "/" + k.id()));
        }
        assertEquals(expected, lines.stream().map(l -> l.get("dataset").asText() + "/" + l.get("id").asText() + "/" + l.get("kind").asText()).toList());
        JsonNode first = lines.getFirst();
        assertEquals("judged", first.get("status").asText());
        assertEquals("{'pred': 'yes', 'score': 4}", first.get("reply").asText());
        assertEquals(List.of("yes", "4", "what"), List.of(first.get("verdict").asText(), first.get("score").asText(), first.get("type").asText()));
        JsonNode unanswered = lines.get(3);
        assertEquals(List.of("4", "not-answered", "v4.avi: cannot read the video"),
                List.of(unanswered.get("id").asText(), unanswered.get("status").asText(), unanswered.get("problem").asText()));
    }

    @Test
    void aSecondRunAsksNothingAndWritesTheSameFiles() throws IOException {
        Path predictions = TestPredictions.write(dir.resolve("predictions.jsonl"), TestPredictions.mixed());
        try (FakeJudgeEndpoint endpoint = new FakeJudgeEndpoint(JudgeCommandTest::judgeByRule)) {
            assertEquals(0, judge(endpoint, predictions, dir.resolve("first")).code());
            int asked = endpoint.received().size();
            Cli again = judge(endpoint, predictions, dir.resolve("second"), "--cache", dir.resolve("first/judge-cache").toString());
            assertEquals(0, again.code(), again.toString());
            assertEquals(asked, endpoint.received().size(), "the second run sent requests");
            assertTrue(again.err().contains("0 requests sent, 16 answers from the cache"), again.err());
            // a changed template is a different request: asked again
            Path template = dir.resolve("qa.txt");
            Files.writeString(template, "kind: qa\n[system]\n" + JudgeTemplate.builtIn(JudgeKind.QA).system() + " Be strict.\n[user]\n"
                    + JudgeTemplate.builtIn(JudgeKind.QA).user() + "\n");
            endpoint.behaviour(r -> completion("{'pred': 'no', 'score': 0}"));
            Cli changed = judge(endpoint, predictions, dir.resolve("third"), "--cache", dir.resolve("first/judge-cache").toString(),
                    "--template", template.toString());
            assertEquals(0, changed.code(), changed.toString());
            assertEquals(asked + 7, endpoint.received().size(), "the 7 answered QA questions are asked again, the rest is cached");
        }
        assertEquals(Files.readString(dir.resolve("first/judged.jsonl")), Files.readString(dir.resolve("second/judged.jsonl")));
        Metrics first = Metrics.read(dir.resolve("first"));
        Metrics second = Metrics.read(dir.resolve("second"));
        assertEquals(first.datasets(), second.datasets());
    }

    @Test
    void concurrentRequestsAnsweredInAnyOrderGiveTheSameFilesAsOneAtATime() throws IOException {
        List<Prediction> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add(TestPredictions.qa("msrvtt", "q" + i, i % 3 == 0 ? "what" : "who", "question " + i + "?", "answer" + i % 4,
                    "it is answer" + i % 5 + " " + "word ".repeat(i % 7).strip()));
        }
        Path predictions = TestPredictions.write(dir.resolve("predictions.jsonl"), many);
        try (FakeJudgeEndpoint endpoint = new FakeJudgeEndpoint(r -> {
            FakeJudgeEndpoint.Reply reply = (FakeJudgeEndpoint.Reply) judgeByRule(r);
            return new FakeJudgeEndpoint.Reply(200, reply.headers(), reply.body(), ThreadLocalRandom.current().nextLong(30));
        })) {
            assertEquals(0, judge(endpoint, predictions, dir.resolve("one"), "--concurrency", "1").code());
            assertEquals(1, endpoint.mostInFlight());
            Cli eight = judge(endpoint, predictions, dir.resolve("eight"), "--concurrency", "8");
            assertEquals(0, eight.code(), eight.toString());
            assertTrue(endpoint.mostInFlight() > 1, "requests were never concurrent");
            assertTrue(endpoint.mostInFlight() <= 8, "more than --concurrency requests at once: " + endpoint.mostInFlight());
            assertEquals(80, endpoint.received().size());
        }
        assertEquals(Files.readString(dir.resolve("one/judged.jsonl")), Files.readString(dir.resolve("eight/judged.jsonl")));
        assertEquals(Metrics.read(dir.resolve("one")).datasets(), Metrics.read(dir.resolve("eight")).datasets());
    }

    @Test
    void videoChatGptFilesHoldTheAnswersInItsScriptsFormat() throws IOException {
        Path predictions = TestPredictions.write(dir.resolve("predictions.jsonl"), TestPredictions.mixed());
        try (FakeJudgeEndpoint endpoint = new FakeJudgeEndpoint(JudgeCommandTest::judgeByRule)) {
            assertEquals(0, judge(endpoint, predictions, dir.resolve("out")).code());
        }
        Path vcg = dir.resolve("out").resolve(VideoChatGptFiles.FOLDER);
        JsonNode msvd = FakeJudgeEndpoint.JSON.readTree(vcg.resolve("msvd_qa_pred.json").toFile());
        assertEquals(5, msvd.size(), "the unanswered question is left out");
        assertEquals("{\"video_name\":\"v1\",\"id\":\"1\",\"Q\":\"what is the man doing?\",\"A\":\"cooking\",\"pred\":\"The man is cooking.\"}",
                msvd.get(0).toString());
        for (String name : List.of("correctness_pred.json", "detailed_orientation_pred.json", "contextual_pred.json")) {
            JsonNode generic = FakeJudgeEndpoint.JSON.readTree(vcg.resolve(name).toFile());
            assertEquals(2, generic.size(), name);
            assertEquals(List.of("video_name", "Q", "A", "pred"), fieldNames(generic.get(0)), name);
        }
        JsonNode consistency = FakeJudgeEndpoint.JSON.readTree(vcg.resolve("consistency_pred.json").toFile());
        assertEquals("{\"video_name\":\"c2\",\"Q1\":\"Where is the man?\",\"Q2\":\"In what place is the man?\",\"A\":\"A beach.\","
                + "\"pred1\":\"On a beach.\",\"pred2\":\"In a forest.\"}", consistency.get(1).toString());
        assertTrue(Files.isRegularFile(vcg.resolve("temporal_understanding_pred.json")));
        assertTrue(Files.isRegularFile(vcg.resolve("activitynet_qa_pred.json")));
    }

    @Test
    void theRunManifestBesideThePredictionsIsCarriedIntoTheMetrics() throws IOException {
        Path run = Files.createDirectories(dir.resolve("run"));
        Path predictions = TestPredictions.write(run.resolve("predictions.jsonl"), TestPredictions.mixed().subList(0, 3));
        String manifest = "{\"answering\": {\"dataset\": \"msvd\", \"frames\": 8}, \"questions\": 3, \"started\": \"2026-12-06T10:00:00Z\"}";
        Files.writeString(run.resolve("run.json"), manifest);
        try (FakeJudgeEndpoint endpoint = new FakeJudgeEndpoint(JudgeCommandTest::judgeByRule)) {
            assertEquals(0, judge(endpoint, predictions, dir.resolve("out")).code());
        }
        Metrics m = Metrics.read(dir.resolve("out"));
        assertEquals(List.of(new Metrics.RunInfo(predictions.toString(), FakeJudgeEndpoint.JSON.readTree(manifest))), m.runs());
        assertEquals(List.of(predictions.toString()), m.datasets().getFirst().predictions());

        // a run.json this version cannot read costs the report its setup, not the judging
        Files.writeString(run.resolve("run.json"), "{\"answering\": ");
        try (FakeJudgeEndpoint endpoint = new FakeJudgeEndpoint(JudgeCommandTest::judgeByRule)) {
            Cli broken = judge(endpoint, predictions, dir.resolve("out2"));
            assertEquals(0, broken.code(), broken.toString());
            assertTrue(broken.err().contains("warning: " + run.resolve("run.json") + ": not a JSON object"), broken.err());
        }
        assertEquals(List.of(new Metrics.RunInfo(predictions.toString(), null)), Metrics.read(dir.resolve("out2")).runs());
    }

    @Test
    void theKeyComesFromTheNamedEnvironmentVariableAndTheTemperatureWhenAsked() throws IOException {
        // VIDEOLLAMA_TEST_JUDGE_KEY is set for the tests in this module's pom
        String key = System.getenv("VIDEOLLAMA_TEST_JUDGE_KEY");
        assertTrue(key != null && !key.isBlank(), "the pom sets VIDEOLLAMA_TEST_JUDGE_KEY for the tests");
        Path predictions = TestPredictions.write(dir.resolve("predictions.jsonl"), TestPredictions.mixed().subList(0, 2));
        try (FakeJudgeEndpoint endpoint = new FakeJudgeEndpoint(r -> "Bearer ".concat(key).equals(r.authorization())
                ? judgeByRule(r) : FakeJudgeEndpoint.status(401, java.util.Map.of()))) {
            Cli run = judge(endpoint, predictions, dir.resolve("out"), "--judge-key-env", "VIDEOLLAMA_TEST_JUDGE_KEY", "--judge-temperature", "0");
            assertEquals(0, run.code(), run.toString());
            assertEquals(0.0, endpoint.received().getFirst().body().get("temperature").asDouble());
            assertTrue(!Files.readString(dir.resolve("out/metrics.json")).contains(key), "the key was written to metrics.json");
            Cli wrong = judge(endpoint, predictions, dir.resolve("out2"));
            assertEquals(1, wrong.code(), wrong.toString());
            assertTrue(wrong.err().startsWith("videollama: the judge endpoint http://127.0.0.1:") && wrong.err().contains("answered HTTP 401"), wrong.err());
            assertEquals(1, wrong.err().lines().filter(l -> l.startsWith("videollama:")).count(), wrong.err());
        }
    }

    static List<JsonNode> jsonLines(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add(FakeJudgeEndpoint.JSON.readTree(line));
        }
        return out;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}

package videollama.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import videollama.testing.RepositoryFiles;

/**
 * {@code eval qa} end to end on the tiny datasets (testdata/eval) with the bundled demo model, greedy on the reference
 * backend: its answers mean nothing but are deterministic. Every format gives a prediction per question in the
 * schedule's order, errors exactly for the corrupt and the missing video; a run killed with SIGKILL and resumed, and
 * two shards merged, give the file one uninterrupted run gives; the soft-token cache serves a second run.
 */
class EvalQaCliTest {
    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    /** Short answers keep the tests quick; the kill test answers at full length so that it has time to kill. */
    private static final String SHORT = "40";

    @BeforeAll
    static void media() {
        TinyData.ffmpegOrSkip();
    }

    /** The uninterrupted run of a dataset, made once per dataset for the tests that compare with it. */
    private static Path reference(Dataset dataset, String maxNewTokens) {
        Path out = shared.resolve("reference-" + dataset.id() + "-" + maxNewTokens);
        if (!Files.exists(out.resolve("predictions.jsonl"))) {
            TinyData.run(TinyData.qaArgs(dataset, out, shared.resolve("cache-reference"), "--max-new-tokens", maxNewTokens)).ok();
        }
        return out.resolve("predictions.jsonl");
    }

    /** The videos of the tiny datasets that must fail: corrupt (the first 2 KB of a real video) or absent. */
    private static final Set<String> BROKEN = Set.of("tinyClipB02_4_9.avi", "tinyClipC03_1_3.avi", "video9003.mp4", "video9004.mp4",
            "v_tinyAnet003.mp4", "v_tinyAnet004.mp4", "tumblr_tinygif02o1_400.gif", "tumblr_tinygif03o1_250.gif",
            "v_tinyBench03.mp4", "v_tinyBench04.mp4");

    @ParameterizedTest
    @EnumSource(Dataset.class)
    void everyQuestionOfEveryFormatGetsOneLineInScheduleOrder(Dataset dataset) throws IOException {
        Path file = reference(dataset, SHORT);
        List<Prediction> predictions = PredictionFile.read(file);
        List<Question> questions = dataset.read(TinyData.annotations(dataset));
        List<String> order = new ArrayList<>();
        Schedule.byVideo(questions).forEach(g -> g.questions().forEach(q -> order.add(q.id())));
        assertEquals(order, predictions.stream().map(Prediction::id).toList());

        Map<String, Question> byId = questions.stream().collect(Collectors.toMap(Question::id, q -> q));
        for (Prediction p : predictions) {
            Question q = byId.get(p.id());
            assertEquals(dataset.id(), p.dataset());
            assertEquals(q.question(), p.question());
            assertEquals(q.question2(), p.question2());
            assertEquals(q.answer(), p.answer());
            assertEquals(q.type(), p.type());
            if (BROKEN.contains(p.video())) {
                assertNotNull(p.error(), p.toString());
                assertNull(p.prediction());
                assertNull(p.timings());
                // the message names the file: the corrupt one read, or the one the dataset expects
                assertTrue(p.error().contains(TinyData.videos().resolve(p.video()).toString()), p.error());
            } else {
                assertNull(p.error(), p.toString());
                assertTrue(q.video().fileNames().contains(p.video()), p.video());
                assertNotNull(p.prediction());
                assertEquals(q.question2() != null, p.prediction2() != null, p.toString());
                assertTrue(p.timings().promptTokens() > 32 && p.timings().generatedTokens() > 0, p.toString());
                assertTrue(p.timings().prefillMs() > 0 && p.timings().decodeMs() >= 0, p.toString());
            }
        }
        assertTrue(predictions.stream().anyMatch(p -> p.error() == null), "some answered");
        assertTrue(predictions.stream().anyMatch(p -> p.error() != null && p.error().startsWith("missing video: expected ")), "a missing video");
        assertTrue(predictions.stream().anyMatch(p -> p.error() != null && !p.error().startsWith("missing video: expected ")), "a corrupt video");
    }

    @Test
    void aVideosFirstAnsweredQuestionCarriesItsVisionTime() throws IOException {
        List<Prediction> predictions = PredictionFile.read(reference(Dataset.GENERIC, SHORT));
        String previous = null;
        for (Prediction p : predictions) {
            if (p.error() == null) {
                boolean first = !p.video().equals(previous);
                assertEquals(first, p.timings().visionMs() > 0, p.toString());
            }
            previous = p.video();
        }
    }

    @Test
    void answersAreWhatChatAnswersToTheSameQuestionAboutTheSameVideo() throws IOException {
        // chat is checked against the PyTorch pipeline (ChatGoldenTest): the same prompt, soft tokens and clean-up;
        // generic has two readable videos, so its second video's answers come from the encoder the first one used
        for (Dataset dataset : List.of(Dataset.MSVD, Dataset.CONSISTENCY, Dataset.TGIF, Dataset.GENERIC)) {
            assertAnswersAsChat(PredictionFile.read(reference(dataset, SHORT)), "reference");
        }
    }

    @Test
    void onOpenClTooEachVideosAnswersAreChats() throws IOException {
        TinyData.openClOrSkip();
        Path out = tmp.resolve("opencl");
        List<String> args = new ArrayList<>(TinyData.qaArgs(Dataset.GENERIC, out, tmp.resolve("cache"), "--max-new-tokens", SHORT));
        args.set(args.indexOf("--backend") + 1, "opencl");
        TinyData.run(args).ok();
        List<Prediction> predictions = PredictionFile.read(out.resolve("predictions.jsonl"));
        assertEquals(10, predictions.size());
        assertEquals("opencl", RunInfo.read(out).orElseThrow().answering().get("backend").asText());
        assertAnswersAsChat(predictions, "opencl");
    }

    /** The first answered question of each video, asked with {@code chat} on {@code backend}, gets the same answer. */
    private static void assertAnswersAsChat(List<Prediction> predictions, String backend) {
        Set<String> videos = new java.util.HashSet<>();
        for (Prediction p : predictions) {
            if (p.error() != null || !videos.add(p.video())) {
                continue;
            }
            String question = p.question2() != null ? p.question2() : p.question();
            String expected = p.question2() != null ? p.prediction2() : p.prediction();
            TinyData.Run chat = TinyData.run("chat", "--model", TinyData.demoModel().toString(), "--video",
                    TinyData.videos().resolve(p.video()).toString(), "--question", question, "--temperature", "0",
                    "--max-new-tokens", SHORT, "--backend", backend).ok();
            assertEquals(expected + "\n", chat.out(), p.dataset() + " " + p.id() + " on " + backend);
        }
        assertTrue(videos.size() >= 1);
    }

    @Test
    void aRunKilledWithSigkillAndResumedWritesTheUninterruptedRunsFile() throws Exception {
        Path expected = reference(Dataset.GENERIC, "300");
        int total = Files.readAllLines(expected).size();
        Path out = tmp.resolve("killed");
        Path predictions = out.resolve("predictions.jsonl");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dvideollama.home=" + RepositoryFiles.root(), "-cp",
                System.getProperty("java.class.path"), "videollama.app.Main"));
        command.addAll(TinyData.qaArgs(Dataset.GENERIC, out, tmp.resolve("cache"), "--max-new-tokens", "300"));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (completeLines(predictions) < 1 && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        child.destroyForcibly(); // SIGKILL
        assertTrue(child.waitFor(1, TimeUnit.MINUTES));
        int written = completeLines(predictions);
        assertNotEquals(0, child.exitValue(), "killed, not finished: " + Files.readString(tmp.resolve("child.log")));
        assertTrue(written >= 1 && written < total, written + " of " + total + " lines when killed");
        System.out.println("eval qa killed with SIGKILL after " + written + " of " + total + " predictions");

        TinyData.Run resumed = TinyData.run(TinyData.qaArgs(Dataset.GENERIC, out, tmp.resolve("cache"), "--max-new-tokens", "300")).ok();
        assertTrue(resumed.err().contains("resuming: " + written + " of " + total + " questions already in"), resumed.err());
        assertEquals(TinyData.withoutTimes(expected), TinyData.withoutTimes(predictions));
    }

    private static int completeLines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        byte[] bytes = Files.readAllBytes(file);
        int n = 0;
        for (byte b : bytes) {
            n += b == '\n' ? 1 : 0;
        }
        return n;
    }

    @Test
    void aLineCutShortByAKillIsRedoneAndTheFileComesOutWhole() throws IOException {
        Path expected = reference(Dataset.MSRVTT, SHORT);
        Path out = Files.createDirectories(tmp.resolve("cut"));
        List<String> lines = Files.readAllLines(expected, StandardCharsets.UTF_8);
        String cut = String.join("\n", lines.subList(0, 2)) + "\n" + lines.get(2).substring(0, lines.get(2).length() / 2);
        Files.writeString(out.resolve("predictions.jsonl"), cut, StandardCharsets.UTF_8);
        Files.copy(expected.resolveSibling(RunInfo.FILE), out.resolve(RunInfo.FILE));
        TinyData.Run run = TinyData.run(TinyData.qaArgs(Dataset.MSRVTT, out, tmp.resolve("cache"), "--max-new-tokens", SHORT)).ok();
        assertTrue(run.err().contains("resuming: 2 of 6 questions already in"), run.err());
        assertEquals(TinyData.withoutTimes(expected), TinyData.withoutTimes(out.resolve("predictions.jsonl")));
    }

    @Test
    void twoShardsMergedAreTheUnshardedRun() throws IOException {
        Path expected = reference(Dataset.ACTIVITYNET, SHORT);
        Path one = tmp.resolve("shard1");
        Path two = tmp.resolve("shard2");
        TinyData.run(TinyData.qaArgs(Dataset.ACTIVITYNET, one, tmp.resolve("cache"), "--max-new-tokens", SHORT, "--shard", "1/2")).ok();
        TinyData.run(TinyData.qaArgs(Dataset.ACTIVITYNET, two, tmp.resolve("cache"), "--max-new-tokens", SHORT, "--shard", "2/2")).ok();
        assertNotEquals(0, PredictionFile.read(one.resolve("predictions.jsonl")).size());
        assertNotEquals(0, PredictionFile.read(two.resolve("predictions.jsonl")).size());
        Path merged = tmp.resolve("merged");
        TinyData.Run run = TinyData.run("eval", "merge", "--out", merged.toString(), two.toString(), one.toString()).ok();
        assertEquals(merged.resolve("predictions.jsonl") + "\n", run.out());
        assertEquals(TinyData.withoutTimes(expected), TinyData.withoutTimes(merged.resolve("predictions.jsonl")));
        RunInfo info = RunInfo.read(merged).orElseThrow();
        assertNull(info.shard());
        assertEquals(7, info.questions());
        assertEquals(RunInfo.read(expected.getParent()).orElseThrow().answering(), info.answering());
    }

    @Test
    void aSecondRunTakesEveryReadableVideosTokensFromTheCache() throws IOException {
        Path cache = tmp.resolve("cache");
        Path first = tmp.resolve("first");
        TinyData.run(TinyData.qaArgs(Dataset.TGIF, first, cache, "--max-new-tokens", SHORT)).ok();
        TinyData.Run second = TinyData.run(TinyData.qaArgs(Dataset.TGIF, tmp.resolve("second"), cache, "--max-new-tokens", SHORT)).ok();
        assertTrue(second.err().contains("3 videos (0 encoded, 1 from the cache, 2 unreadable or missing)"), second.err());
        assertEquals(TinyData.withoutTimes(first.resolve("predictions.jsonl")),
                TinyData.withoutTimes(tmp.resolve("second/predictions.jsonl")));
        // another frame count makes other tokens: not from the cache
        TinyData.Run four = TinyData.run(TinyData.qaArgs(Dataset.TGIF, tmp.resolve("four"), cache, "--max-new-tokens", SHORT, "--frames", "4")).ok();
        assertTrue(four.err().contains("3 videos (1 encoded, 0 from the cache, 2 unreadable or missing)"), four.err());
        long entries;
        try (var files = Files.list(cache.resolve("soft-tokens"))) {
            entries = files.count();
        }
        assertEquals(2, entries, "8 and 4 frames of the one readable GIF");
        // --no-cache encodes again and keeps nothing
        TinyData.Run uncached = TinyData.run(TinyData.qaArgs(Dataset.TGIF, tmp.resolve("uncached"), cache, "--max-new-tokens", SHORT, "--no-cache")).ok();
        assertTrue(uncached.err().contains("3 videos (1 encoded, 0 from the cache, 2 unreadable or missing)"), uncached.err());
        try (var files = Files.list(cache.resolve("soft-tokens"))) {
            assertEquals(entries, files.count());
        }
    }

    @Test
    void aLimitAnswersTheFirstQuestionsAndALargerOneResumesThem() throws IOException {
        Path expected = reference(Dataset.GENERIC, SHORT);
        Path out = tmp.resolve("limited");
        TinyData.run(TinyData.qaArgs(Dataset.GENERIC, out, tmp.resolve("cache"), "--max-new-tokens", SHORT, "--limit", "3")).ok();
        assertEquals(TinyData.withoutTimes(expected).subList(0, 3), TinyData.withoutTimes(out.resolve("predictions.jsonl")));
        TinyData.run(TinyData.qaArgs(Dataset.GENERIC, out, tmp.resolve("cache"), "--max-new-tokens", SHORT)).ok();
        assertEquals(TinyData.withoutTimes(expected), TinyData.withoutTimes(out.resolve("predictions.jsonl")));
    }

    @Test
    void theSummarySaysWhatWasDoneAndWhereTheTimeWent() throws IOException {
        TinyData.Run run = TinyData.run(TinyData.qaArgs(Dataset.MSVD, tmp.resolve("out"), tmp.resolve("cache"), "--max-new-tokens", SHORT)).ok();
        assertEquals(tmp.resolve("out/predictions.jsonl") + "\n", run.out(), "only the file on stdout");
        assertTrue(run.err().contains("eval qa: 6 questions (3 answered, 3 errors), 3 videos (1 encoded, 0 from the cache, 2 unreadable or missing) in "), run.err());
        assertTrue(run.err().matches("(?s).*videos/s, [0-9.]+ questions/s \\(readable videos, answered questions\\)\ntime: vision [0-9.]+%, prefill [0-9.]+%, decode [0-9.]+%, other [0-9.]+%.*"), run.err());
        assertTrue(run.err().contains("video 1/3, question 3/6, "), run.err());
        assertTrue(run.err().contains("error: missing video: expected " + TinyData.videos().resolve("tinyClipC03_1_3.avi")), run.err());
    }

    @Test
    void sampledAnswersAreReproducibleFromTheSeedAndTheQuestionAlone() throws IOException {
        // sampling: each question's seed comes from --seed and its id, so a shard samples as the whole run does
        List<String> sampled = List.of("--max-new-tokens", SHORT, "--temperature", "1.0", "--seed", "7");
        Path whole = tmp.resolve("whole");
        runSampled(whole, sampled);
        Path part = tmp.resolve("part");
        List<String> shard = new ArrayList<>(sampled);
        shard.addAll(List.of("--shard", "2/2"));
        runSampled(part, shard);
        List<String> all = TinyData.withoutTimes(whole.resolve("predictions.jsonl"));
        List<String> second = TinyData.withoutTimes(part.resolve("predictions.jsonl"));
        assertEquals(all.subList(all.size() - second.size(), all.size()), second);
        Path other = tmp.resolve("other");
        List<String> otherSeed = new ArrayList<>(sampled);
        otherSeed.set(otherSeed.indexOf("7"), "8");
        runSampled(other, otherSeed);
        assertNotEquals(all, TinyData.withoutTimes(other.resolve("predictions.jsonl")));
    }

    private void runSampled(Path out, List<String> options) {
        TinyData.run(TinyData.qaArgs(Dataset.GENERIC, out, tmp.resolve("cache"), options.toArray(String[]::new))).ok();
    }
}

package videollama.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.repro.judge.FakeJudgeEndpoint;
import videollama.repro.judge.JudgeCommandTest;
import videollama.repro.judge.Metrics;

/**
 * The whole path on the tiny datasets with the demo model: {@code eval qa} (MSVD-QA, the benchmark's generic questions
 * and consistency pairs, each with a video that cannot be read), {@code eval judge} against the loopback judge of the
 * judge's tests, {@code eval report}: the report shows what eval qa's run.json recorded and the answers' own timings.
 */
class EvalEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void qaThenJudgeThenReport() throws IOException {
        TinyData.ffmpegOrSkip();
        List<String> predictionFiles = new ArrayList<>();
        for (Dataset d : List.of(Dataset.MSVD, Dataset.GENERIC, Dataset.CONSISTENCY)) {
            Path out = dir.resolve("answers").resolve(d.id());
            TinyData.run(TinyData.qaArgs(d, out, dir.resolve("tokens"))).ok();
            predictionFiles.add(out.resolve("predictions.jsonl").toString());
        }
        Path judged = dir.resolve("judged");
        try (FakeJudgeEndpoint endpoint = new FakeJudgeEndpoint(JudgeCommandTest::judgeByRule)) {
            List<String> args = new ArrayList<>(List.of("eval", "judge", "--predictions"));
            args.addAll(predictionFiles);
            args.addAll(List.of("--out", judged.toString(), "--judge-url", endpoint.url(), "--judge-model", "judge"));
            TinyData.run(args).ok();
        }
        Metrics metrics = Metrics.read(judged);
        for (int i = 0; i < predictionFiles.size(); i++) {
            Path file = Path.of(predictionFiles.get(i));
            List<Prediction> ps = PredictionFile.read(file);
            Metrics.DatasetMetrics d = metrics.datasets().get(i);
            assertEquals(List.of(ps.size(), (int) ps.stream().filter(p -> !p.answered()).count()), List.of(d.questions(), d.notAnswered()), d.dataset());
            assertTrue(d.notAnswered() > 0, d.dataset() + ": the tiny datasets hold an unreadable video");
            assertEquals(ps.size() - d.notAnswered(), d.scores().getFirst().judged(), d.dataset());
            assertEquals(PredictionFile.JSON.readTree(file.resolveSibling("run.json").toFile()), metrics.runs().get(i).run());
        }

        Path md = dir.resolve("report/report.md");
        TinyData.run("eval", "report", "--runs", judged.toString(), "--out", md.toString()).ok();
        String report = Files.readString(md);
        JsonNode run = PredictionFile.JSON.readTree(Path.of(predictionFiles.getFirst()).resolveSibling("run.json").toFile());
        assertTrue(report.contains("| Model of " + predictionFiles.getFirst() + " | videollama-demo (" + TinyData.demoModel().toAbsolutePath().normalize()), report);
        assertTrue(report.contains("| Frames | 8 |") && report.contains("| Conversation template | llama2 |"), report);
        assertTrue(report.contains("| Sampling | greedy, beams 1, length penalty 1, repetition penalty 1, min length 1, at most 300 new tokens |"), report);
        assertTrue(report.contains("| Seed | " + run.path("answering").path("generation").path("sampling").path("seed").asLong() + " |"), report);
        assertTrue(report.contains("| Decoder, backend | ffmpeg, reference on " + run.path("device").asText() + " |"), report);
        assertTrue(report.contains("* Sampling differs from the reference answer()'s defaults (the paper states none): temperature 0 instead of 1"), report);

        // the timings row from the MSVD answers themselves
        List<Prediction> msvd = PredictionFile.read(Path.of(predictionFiles.getFirst())).stream().filter(Prediction::answered).toList();
        long videos = msvd.stream().filter(p -> p.timings().visionMs() > 0).count();
        double decodeMs = msvd.stream().mapToDouble(p -> p.timings().decodeMs()).sum() / msvd.size();
        String row = String.format(Locale.ROOT, "| judged | MSVD-QA | %d | %d | ", msvd.size(), videos);
        assertTrue(report.contains(row), row + "\n" + report);
        assertTrue(report.contains(String.format(Locale.ROOT, " | %.0f | ", decodeMs)), report);
        assertTrue(Files.isRegularFile(md.resolveSibling("report-scores.png")));
    }
}

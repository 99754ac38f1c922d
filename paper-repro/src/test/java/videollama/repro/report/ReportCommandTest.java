package videollama.repro.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.repro.Cli;
import videollama.repro.Prediction;
import videollama.repro.TestPredictions;
import videollama.repro.judge.FakeJudgeEndpoint;
import videollama.repro.judge.JudgeCommandTest;

/** {@code eval report} from runs judged end to end (eval judge against the loopback judge of its tests). */
class ReportCommandTest {
    @TempDir
    Path dir;

    /** A run.json as eval qa writes it (EvalEndToEndTest checks the real one), with 16 frames and 4 beams. */
    private static final String MANIFEST = """
            {"answering": {"dataset": "msvd", "annotations": [{"path": "/data/msvd/test_qa.json", "sha256": "ab"}],
              "videos": "/data/msvd/videos", "model": "/models/Video-LLaMA-2-7B-Finetuned/", "vision_branch_sha256": "0123456789abcdef",
              "frames": 16, "template": "llama2", "backend": "opencl", "decoder": "ffmpeg",
              "generation": {"max_new_tokens": 300, "sampling": {"temperature": 1.0, "top_k": 50, "top_p": 0.9, "seed": 42},
                             "num_beams": 4, "length_penalty": 1.0, "repetition_penalty": 1.0, "min_length": 1}},
             "shard": "2/4", "limit": null, "questions": 6, "dataset_questions": 13157, "device": "PoCL cpu",
             "machine": "Linux 6.1 amd64, 2 CPU threads, 4.0 GiB heap, Java 25", "started": "2026-12-06T10:00:00Z"}
            """;

    /** Judges {@code predictions} (in a run folder with {@code manifest} when not null) into {@code name}. */
    private Path judged(String name, List<Prediction> predictions, String manifest, FakeJudgeEndpoint.Behaviour judge) throws IOException {
        Path run = Files.createDirectories(dir.resolve("answers-" + name));
        if (manifest != null) {
            Files.writeString(run.resolve("run.json"), manifest);
        }
        Path file = TestPredictions.write(run.resolve("predictions.jsonl"), predictions);
        Path out = dir.resolve(name);
        try (FakeJudgeEndpoint endpoint = new FakeJudgeEndpoint(judge)) {
            Cli result = Cli.run("eval", "judge", "--predictions", file.toString(), "--out", out.toString(),
                    "--judge-url", endpoint.url(), "--judge-model", "judge-7b");
            assertTrue(result.code() == 0 || result.code() == 1, result.toString());
        }
        return out;
    }

    @Test
    void theReportPutsOurRowsBesideThePublishedOnesWithSetupTimingsAndDeviations() throws IOException {
        Path run = judged("vl2-msvd", TestPredictions.mixed(), MANIFEST, JudgeCommandTest::judgeByRule);
        Path md = dir.resolve("reports/report.md");
        Cli cli = Cli.run("eval", "report", "--runs", run.toString(), "--out", md.toString());
        assertEquals(0, cli.code(), cli.toString());
        assertEquals("", cli.out());
        String report = Files.readString(md);

        // MSVD-QA: published 51.6 / 2.5; ours by the test judge's rule 3 yes of 5 and scores 4, 2, 3, 5, 1 (JudgeCommandTest)
        assertContainsAll(report,
                "| MSVD-QA | 51.6 | 2.5 | vl2-msvd | 60.0 | 3.00 | 5 | 0 / 0 / 1 |",
                "| MSRVTT-QA | 29.6 | 1.8 | (not run) |",
                "| Consistency | 1.79 | vl2-msvd | 3.50 | 2 | 0 / 0 / 0 |",
                "| Correctness of information | 1.96 | vl2-msvd |");

        assertTrue(report.contains("| Model of " + run.getParent().resolve("answers-vl2-msvd/predictions.jsonl")
                + " | Video-LLaMA-2-7B-Finetuned (/models/Video-LLaMA-2-7B-Finetuned/, branches' SHA-256 0123456789ab) |"), report);
        assertTrue(report.contains("| Questions | 6 of the 13157 in msvd's annotation files, shard 2/4 |"), report);
        assertTrue(report.matches("(?s).*\\| Judge \\| judge-7b at 127\\.0\\.0\\.1:\\d+ \\(answered by fake-judge-2026-01-01\\) \\|.*"), report);
        assertContainsAll(report,
                "| Sampling | temperature 1, top-k 50, top-p 0.9, beams 4, length penalty 1, repetition penalty 1, min length 1, at most 300 new tokens |",
                "| Seed | 42 |",
                "| Decoder, backend | ffmpeg, opencl on PoCL cpu |",
                "| Machine | Linux 6.1 amd64, 2 CPU threads, 4.0 GiB heap, Java 25 |",
                "| Answered | from 2026-12-06T10:00:00Z |");
        assertTrue(report.matches("(?s).*\\| Judge templates \\(kind, SHA-256\\) \\| built-in: qa [0-9a-f]{12}, correctness [0-9a-f]{12}, detail [0-9a-f]{12}, "
                + "context [0-9a-f]{12}, temporal [0-9a-f]{12}, consistency [0-9a-f]{12} \\|.*"), report);

        assertContainsAll(report,
                "* Judge: judge-7b at 127.0.0.1:",
                "* Judge instructions: this project's own wording",
                "with the LLaMA-2-Chat template (Video-LLaMA-2); the published rows predate it",
                "* Frames: 16 per video instead of 8",
                "* Sampling differs from the reference answer()'s defaults (the paper states none): beams 4 instead of 1",
                "* A part of the dataset only: shard 2/4 (",
                "* Arithmetic: our opencl backend on PoCL cpu, not PyTorch on a GPU",
                "* MSVD-QA: 6 questions, not the test split's 13,157.",
                "* MSVD-QA: 1 questions eval qa could not answer are left out");
        // msvd timings: 5 answers, videos 2 and 6 encoded at 800 ms (TestPredictions), 120 ms prefill, 900 ms and
        // 12 tokens decode: 13.3 tokens/s; 1.6 + 0.6 + 4.5 = 6.7 s, 22.3 minutes per 1,000 questions
        assertContainsAll(report,
                "| vl2-msvd | MSVD-QA | 5 | 2 | 800 | 120 | 900 | 180 | 12.0 | 13.3 | 6.7 | 22.3 |",
                "| vl2-msvd | MSVD-QA | what | 3 | 66.7 | 3.67 |",
                "| vl2-msvd | MSVD-QA | qa | 0 | 1 | 1 | 1 | 1 | 1 |",
                "None: every reply parsed and every request was answered.");

        assertContainsAll(report,
                "![Judge scores](report-scores.png)",
                "![Accuracy per question type](report-types.png)");
        assertPlot(md.resolveSibling("report-scores.png"), 6);
        assertPlot(md.resolveSibling("report-types.png"), 1);
    }

    /** Each of {@code parts} is in the report (the failure names the missing part and shows the report). */
    private static void assertContainsAll(String report, String... parts) {
        for (String part : parts) {
            assertTrue(report.contains(part), part + "\n" + report);
        }
    }

    /** A PNG of the plot's size with bars in the first {@code series} series colours. */
    private static void assertPlot(Path png, int series) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(List.of(ReportPlots.WIDTH, ReportPlots.HEIGHT), List.of(image.getWidth(), image.getHeight()), png.toString());
        for (int s = 0; s < series; s++) {
            int rgb = ReportPlots.COLORS[s].getRGB() & 0xffffff;
            int pixels = 0;
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                        pixels++;
                    }
                }
            }
            assertTrue(pixels > 50, png + ": series " + s + " has " + pixels + " pixels of its colour");
        }
    }

    @Test
    void twoRunsOneWithoutManifestAndWithLeftOutReplies() throws IOException {
        Path first = judged("run", TestPredictions.mixed().subList(0, 3), MANIFEST, JudgeCommandTest::judgeByRule);
        List<Prediction> activitynet = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            activitynet.add(TestPredictions.qa("activitynet", "a" + i, "color", "q" + i, "red", "red"));
        }
        Path second = Files.createDirectories(dir.resolve("other/run"));
        Path judgedSecond = judged("other-run", activitynet, null,
                r -> r.user().contains("Question: q1\n") ? FakeJudgeEndpoint.completion("It | matches, `yes`.")
                        : FakeJudgeEndpoint.completion("{'pred': 'yes', 'score': 5}"));
        Files.move(judgedSecond, second, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path md = dir.resolve("two.md");
        Cli cli = Cli.run("eval", "report", "--runs", first.toString(), second.toString(), "--out", md.toString());
        assertEquals(0, cli.code(), cli.toString());
        String report = Files.readString(md);
        assertContainsAll(report,
                "| MSVD-QA | 51.6 | 2.5 | run |",
                "| ActivityNet-QA | 12.4 | 1.1 | run (2) | 100.0 | 5.00 | 2 | 1 / 0 / 0 |",
                "### run (2)",
                "* No run.json beside ",
                "* 1 judge replies were not in the asked form and are left out of the metrics; Video-ChatGPT's scripts ask again",
                "run (2): 1 unparseable, 0 failed requests",
                "| activitynet | a1 | qa | not a Python literal (not a literal at character 1) | `It \\| matches, 'yes'.` |");
        assertPlot(md.resolveSibling("two-types.png"), 2);
    }

    @Test
    void badArgumentsAreOneLine() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Cli noMetrics = Cli.run("eval", "report", "--runs", empty.toString(), "--out", dir.resolve("r.md").toString());
        assertEquals(1, noMetrics.code());
        assertEquals("videollama: " + empty.resolve("metrics.json") + ": not found (is " + empty + " an eval judge --out folder?)\n", noMetrics.err());
        Files.writeString(empty.resolve("metrics.json"), "{\"datasets\": 3}");
        Cli broken = Cli.run("eval", "report", "--runs", empty.toString(), "--out", dir.resolve("r.md").toString());
        assertEquals(1, broken.code());
        assertTrue(broken.err().startsWith("videollama: " + empty.resolve("metrics.json") + ": not the metrics of eval judge"), broken.err());
        Cli notMd = Cli.run("eval", "report", "--runs", empty.toString(), "--out", dir.resolve("r.html").toString());
        assertEquals(2, notMd.code());
        assertTrue(notMd.err().contains("--out must name a .md file"), notMd.err());
    }
}

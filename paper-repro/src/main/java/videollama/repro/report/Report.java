package videollama.repro.report;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import videollama.repro.judge.Metrics;
import videollama.repro.judge.StageTimings;

/**
 * The Markdown of {@code eval report}: the published rows beside ours, how ours were made, every deviation from the
 * published setup, the time per stage, accuracy per question type, the plots, and the replies left out. One section
 * builder per part; numbers as the paper prints them (accuracy in percent with one decimal, scores with two).
 */
public final class Report {
    /** A judged run and the label it has in the report's tables. */
    public record Run(String label, Metrics metrics) {}

    /** The most left-out replies shown per run; all of them are in its metrics.json. */
    static final int SHOWN_LEFT_OUT = 20;

    private final List<Run> runs;
    private final StringBuilder md = new StringBuilder();

    private Report(List<Run> runs) {
        this.runs = runs;
    }

    /**
     * The report of {@code runs}; {@code scoresPng} and {@code typesPng} are the plots' file names beside it (null:
     * not drawn, {@code plotProblem} says why).
     */
    public static String markdown(List<Run> runs, String generatedAt, String tool, String scoresPng, String typesPng, String plotProblem) {
        Report r = new Report(runs);
        r.md.append("# Video-LLaMA: published results and ours\n\n");
        r.md.append("Made by ").append(tool).append(" on ").append(generatedAt).append(" from ")
                .append(String.join(", ", runs.stream().map(run -> "`" + run.label() + "`").toList())).append(". ")
                .append("The published rows are Video-LLaMA's in the Video-ChatGPT paper (Maaz et al., 2023): zero-shot QA judged by ")
                .append("GPT-3.5 (accuracy %, mean score 0-5) and the video-based generative benchmark (mean score per dimension). ")
                .append("Ours are aggregated as Video-ChatGPT's scripts aggregate: accuracy = yes / (yes + no), score = mean of the ")
                .append("integer scores, over the replies that parse.\n\n");
        r.qaTable();
        r.benchmarkTable();
        r.setup();
        r.deviations();
        r.timings();
        r.types(typesPng);
        r.histograms(scoresPng, plotProblem);
        r.leftOut();
        return r.md.toString();
    }

    private void qaTable() {
        md.append("## Zero-shot video QA\n\n");
        md.append("| Dataset | Published accuracy | Published score | Run | Accuracy | Score | Judged | Left out: unparseable / failed / not answered |\n");
        md.append("|---|---:|---:|---|---:|---:|---:|---|\n");
        List<String> datasets = new ArrayList<>(Published.QA.stream().map(Published.QaRow::dataset).toList());
        datasets.add("tgif");
        for (String dataset : datasets) {
            Published.QaRow row = Published.QA.stream().filter(q -> q.dataset().equals(dataset)).findFirst().orElse(null);
            String published = row == null ? "| - | - " : String.format(Locale.ROOT, "| %.1f | %.1f ", row.accuracyPercent(), row.score());
            boolean any = false;
            for (Run run : runs) {
                for (Metrics.DatasetMetrics d : run.metrics().datasets()) {
                    if (!d.dataset().equals(dataset)) {
                        continue;
                    }
                    Metrics.Scores s = d.scores().getFirst();
                    md.append("| ").append(Published.datasetName(dataset)).append(' ').append(published).append("| ").append(run.label())
                            .append(" | ").append(percent(s.accuracy())).append(" | ").append(score(s.meanScore())).append(" | ")
                            .append(s.judged()).append(" | ").append(leftOut(s, d)).append(" |\n");
                    any = true;
                }
            }
            if (!any && row != null) {
                md.append("| ").append(row.name()).append(' ').append(published).append("| (not run) | | | | |\n");
            }
        }
        md.append('\n');
    }

    private void benchmarkTable() {
        md.append("## Video-based generative benchmark\n\n");
        md.append("| Dimension | Published score | Run | Score | Judged | Left out: unparseable / failed / not answered |\n");
        md.append("|---|---:|---|---:|---:|---|\n");
        for (Published.BenchmarkRow row : Published.BENCHMARK) {
            boolean any = false;
            for (Run run : runs) {
                for (Metrics.DatasetMetrics d : run.metrics().datasets()) {
                    for (Metrics.Scores s : d.scores()) {
                        if (d.dataset().equals(row.dataset()) && s.kind().equals(row.kind())) {
                            md.append(String.format(Locale.ROOT, "| %s | %.2f | %s | %s | %d | %s |%n", row.name(), row.score(),
                                    run.label(), score(s.meanScore()), s.judged(), leftOut(s, d)));
                            any = true;
                        }
                    }
                }
            }
            if (!any) {
                md.append(String.format(Locale.ROOT, "| %s | %.2f | (not run) | | | |%n", row.name(), row.score()));
            }
        }
        md.append('\n');
    }

    private void setup() {
        md.append("## How ours were made\n\n");
        for (Run run : runs) {
            Metrics.JudgeInfo j = run.metrics().judge();
            md.append("### ").append(run.label()).append("\n\n| | |\n|---|---|\n");
            row("Judge", j.model() + " at " + host(j.url()) + (j.answeredBy().isEmpty() ? "" : " (answered by " + String.join(", ", j.answeredBy()) + ")"));
            row("Judge temperature", j.temperature() == null ? "none sent (the endpoint's default)" : number(j.temperature()));
            Map<String, List<String>> bySource = new LinkedHashMap<>();
            j.templates().forEach((kind, t) -> bySource.computeIfAbsent(t.source(), s -> new ArrayList<>())
                    .add(kind + " " + t.sha256().substring(0, 12)));
            row("Judge templates (kind, SHA-256)", String.join("; ", bySource.entrySet().stream()
                    .map(e -> e.getKey() + ": " + String.join(", ", e.getValue())).toList()));
            row("Judged", j.judgedAt() + " by " + j.tool());
            for (Metrics.RunInfo info : run.metrics().runs()) {
                String of = " of " + info.predictions();
                if (info.run() == null) {
                    row("Answers" + of, "no run.json beside them: model, frames, template, sampling unknown");
                    continue;
                }
                RunSettings r = RunSettings.of(info.run());
                row("Model" + of, r.modelName() + " (" + r.model() + (r.visionBranchSha256() == null ? ""
                        : ", branches' SHA-256 " + r.visionBranchSha256().substring(0, Math.min(12, r.visionBranchSha256().length()))) + ")");
                row("Questions", (r.questions() == null ? "?" : r.questions()) + " of the " + (r.datasetQuestions() == null ? "?" : r.datasetQuestions())
                        + " in " + r.dataset() + "'s annotation files" + (r.shard() == null ? "" : ", shard " + r.shard())
                        + (r.limit() == null ? "" : ", --limit " + r.limit()));
                row("Frames", r.frames() == null ? "not recorded" : r.frames().toString());
                row("Conversation template", r.template());
                RunSettings.Generation g = r.generation();
                if (g != null) {
                    row("Sampling", (g.temperature() == 0 ? "greedy" : String.format(Locale.ROOT, "temperature %s, top-k %d, top-p %s",
                            number(g.temperature()), g.topK(), number(g.topP()))) + String.format(Locale.ROOT,
                            ", beams %d, length penalty %s, repetition penalty %s, min length %d, at most %d new tokens", g.numBeams(),
                            number(g.lengthPenalty()), number(g.repetitionPenalty()), g.minLength(), g.maxNewTokens()));
                    row("Seed", g.seed() == null ? "not recorded" : g.seed().toString());
                }
                row("Decoder, backend", r.decoder() + ", " + r.backend() + (r.device() == null ? "" : " on " + r.device()));
                row("Machine", r.machine() == null ? "not recorded" : r.machine());
                row("Answered", r.started() == null ? "not recorded" : "from " + r.started());
            }
            md.append('\n');
        }
    }

    private void row(String name, String value) {
        md.append("| ").append(name).append(" | ").append(cell(value)).append(" |\n");
    }

    private void deviations() {
        md.append("## Deviations from the published setup\n\n");
        for (Run run : runs) {
            if (runs.size() > 1) {
                md.append("### ").append(run.label()).append("\n\n");
            }
            Deviations.of(run.metrics()).forEach(d -> md.append("* ").append(d).append('\n'));
            md.append('\n');
        }
    }

    private void timings() {
        md.append("## Time per stage\n\n");
        md.append("From the timings eval qa recorded with each answer. Vision: decoding and encoding a video, once per video; ")
                .append("prefill: the prompt through the LLaMA; decode: the answer's tokens.\n\n");
        md.append("| Run | Dataset | Answers | Videos encoded | Vision ms/video | Prefill ms/question | Decode ms/question | Prompt tokens | Answer tokens | Decode tokens/s | Total s | Minutes per 1,000 questions |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Run run : runs) {
            for (Metrics.DatasetMetrics d : run.metrics().datasets()) {
                StageTimings t = d.timings();
                if (t == null) {
                    continue;
                }
                md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %.0f | %.0f | %.0f | %.0f | %.1f | %.1f | %.1f | %.1f |%n",
                        run.label(), Published.datasetName(d.dataset()), t.answered(), t.videosEncoded(), t.visionMsPerVideo(),
                        t.prefillMsPerQuestion(), t.decodeMsPerQuestion(), t.promptTokensPerQuestion(), t.generatedTokensPerQuestion(),
                        t.decodeTokensPerSecond(), t.totalSeconds(), t.totalSeconds() / t.answered() * 1000 / 60));
            }
        }
        md.append('\n');
    }

    private void types(String typesPng) {
        List<String[]> rows = new ArrayList<>();
        for (Run run : runs) {
            for (Metrics.DatasetMetrics d : run.metrics().datasets()) {
                Metrics.Scores s = d.scores().getFirst();
                if (s.byType() == null) {
                    continue;
                }
                for (Metrics.Scores t : s.byType()) {
                    rows.add(new String[] {run.label(), Published.datasetName(d.dataset()), t.type(), String.valueOf(t.judged()),
                            percent(t.accuracy()), score(t.meanScore())});
                }
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        md.append("## Accuracy per question type\n\n| Run | Dataset | Type | Judged | Accuracy | Score |\n|---|---|---|---:|---:|---:|\n");
        rows.forEach(r -> md.append("| ").append(String.join(" | ", r)).append(" |\n"));
        md.append('\n');
        if (typesPng != null) {
            md.append("![Accuracy per question type](").append(typesPng).append(")\n\n");
        }
    }

    private void histograms(String scoresPng, String plotProblem) {
        md.append("## Judge scores\n\nHow many judged replies gave each score.\n\n");
        md.append("| Run | Dataset | Dimension | 0 | 1 | 2 | 3 | 4 | 5 |\n|---|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (Run run : runs) {
            for (Metrics.DatasetMetrics d : run.metrics().datasets()) {
                for (Metrics.Scores s : d.scores()) {
                    md.append("| ").append(run.label()).append(" | ").append(Published.datasetName(d.dataset())).append(" | ").append(s.kind())
                            .append(" | ").append(String.join(" | ", s.histogram().stream().map(String::valueOf).toList())).append(" |\n");
                }
            }
        }
        md.append('\n');
        if (scoresPng != null) {
            md.append("![Judge scores](").append(scoresPng).append(")\n\n");
        }
        if (plotProblem != null) {
            md.append("The plots could not be drawn: ").append(plotProblem).append("\n\n");
        }
    }

    private void leftOut() {
        md.append("## Replies left out\n\n");
        boolean any = false;
        for (Run run : runs) {
            Metrics m = run.metrics();
            if (m.unparseable().isEmpty() && m.failed().isEmpty()) {
                continue;
            }
            any = true;
            md.append(String.format(Locale.ROOT, "%s: %d unparseable, %d failed requests (all in its metrics.json)", run.label(),
                    m.unparseable().size(), m.failed().size()));
            md.append("\n\n| Dataset | Id | Dimension | Why | Reply |\n|---|---|---|---|---|\n");
            List<Metrics.Shown> all = new ArrayList<>(m.unparseable());
            all.addAll(m.failed());
            all.stream().limit(SHOWN_LEFT_OUT).forEach(s -> md.append("| ").append(cell(s.dataset())).append(" | ").append(cell(s.id()))
                    .append(" | ").append(s.kind()).append(" | ").append(cell(s.problem())).append(" | ")
                    .append(s.reply() == null ? "" : "`" + cell(shortened(s.reply())).replace("`", "'") + "`").append(" |\n"));
            md.append('\n');
        }
        if (!any) {
            md.append("None: every reply parsed and every request was answered.\n");
        }
    }

    private static String leftOut(Metrics.Scores s, Metrics.DatasetMetrics d) {
        return s.unparseable() + " / " + s.failed() + " / " + d.notAnswered();
    }

    static String percent(Double fraction) {
        return fraction == null ? "-" : String.format(Locale.ROOT, "%.1f", 100 * fraction);
    }

    static String score(Double mean) {
        return mean == null ? "-" : String.format(Locale.ROOT, "%.2f", mean);
    }

    /** A number as short as it reads: 1 not 1.0, 0.9 not 0.90000001. */
    static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf((float) v);
    }

    /** The host (and port) of an endpoint URL, what the report names the judge by. */
    static String host(String url) {
        URI u = URI.create(url);
        return u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
    }

    /** Text safe inside a Markdown table cell: one line, pipes escaped. */
    static String cell(String text) {
        return text == null ? "" : text.replaceAll("\\s+", " ").replace("|", "\\|").strip();
    }

    private static String shortened(String text) {
        return text.length() <= 160 ? text : text.substring(0, 157) + "...";
    }
}

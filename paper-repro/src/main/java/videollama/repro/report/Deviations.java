package videollama.repro.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import videollama.repro.judge.Metrics;

/**
 * Every way one judged run differs from the published setup ({@link Published}), in words for the report: the judge
 * and its instructions, how unreadable replies were handled, the model and its answering settings from the run
 * manifests, and what each dataset leaves out.
 */
final class Deviations {
    private Deviations() {}

    static List<String> of(Metrics m) {
        List<String> out = new ArrayList<>();
        judge(m.judge(), out);
        if (!m.unparseable().isEmpty()) {
            out.add(m.unparseable().size() + " judge replies were not in the asked form and are left out of the metrics;"
                    + " Video-ChatGPT's scripts ask again, without bound, until every reply parses.");
        }
        if (!m.failed().isEmpty()) {
            out.add(m.failed().size() + " judge requests failed after their retries and are left out of the metrics.");
        }
        for (Metrics.RunInfo run : m.runs()) {
            manifest(run, out);
        }
        for (Metrics.DatasetMetrics d : m.datasets()) {
            dataset(d, out);
        }
        return out;
    }

    private static void judge(Metrics.JudgeInfo judge, List<String> out) {
        String answeredBy = judge.answeredBy().isEmpty() ? "" : " (the endpoint said " + String.join(", ", judge.answeredBy()) + " answered)";
        if (judge.model().equals(Published.JUDGE_MODEL)) {
            out.add("Judge: " + judge.model() + answeredBy + " today is a later snapshot than the mid-2023 one that judged the published rows.");
        } else {
            out.add("Judge: " + judge.model() + " at " + Report.host(judge.url()) + answeredBy + " instead of OpenAI's "
                    + Published.JUDGE_MODEL + " (mid-2023).");
        }
        boolean builtIn = judge.templates().values().stream().allMatch(t -> t.source().equals("built-in"));
        out.add(builtIn
                ? "Judge instructions: this project's own wording, asking for the same reply (a Python dict with 'pred' yes/no and a 0-5 'score'; 'score' alone for the benchmark), not Video-ChatGPT's prompt text."
                : "Judge instructions: user templates (" + String.join(", ", judge.templates().entrySet().stream()
                        .filter(e -> !e.getValue().source().equals("built-in"))
                        .map(e -> e.getKey() + ": " + e.getValue().source()).toList()) + "); the rest in this project's own wording.");
        if (judge.temperature() != null) {
            out.add(String.format(Locale.ROOT, "Judge temperature %s sent with each request; Video-ChatGPT's scripts send none (the API's default, 1).",
                    judge.temperature()));
        }
        if (judge.extractDict()) {
            out.add("--extract-dict: a dict inside other text counted as the reply; Video-ChatGPT's scripts count only a reply that is the dict.");
        }
    }

    private static void manifest(Metrics.RunInfo run, List<String> out) {
        String which = " (" + run.predictions() + ")";
        if (run.run() == null) {
            out.add("No run.json beside " + run.predictions() + ": the model, frames, template and sampling of those answers are unknown.");
            return;
        }
        RunSettings r = RunSettings.of(run.run());
        if ("llama2".equals(r.template())) {
            out.add("Model: " + r.modelName() + " with the LLaMA-2-Chat template (Video-LLaMA-2); the published rows predate it and come from a Vicuna-based Video-LLaMA" + which + ".");
        } else {
            out.add("Model: " + r.modelName() + " with the " + (r.template() == null ? "unrecorded" : r.template())
                    + " template; which Vicuna-based checkpoint the published rows used is not stated" + which + ".");
        }
        if (r.frames() != null && r.frames() != Published.FRAMES) {
            out.add("Frames: " + r.frames() + " per video instead of " + Published.FRAMES + which + ".");
        }
        if ("java".equals(r.decoder())) {
            out.add("Videos decoded by our Java decoders (H.264 only) instead of decord on FFmpeg 4" + which + ".");
        } else {
            out.add("Videos decoded by FFmpeg 8 with decord's frame choice and scaling reproduced, instead of decord on FFmpeg 4" + which + ".");
        }
        out.add("Arithmetic: our " + r.backend() + " backend" + (r.device() == null ? "" : " on " + r.device())
                + ", not PyTorch on a GPU (the reference loads the LLaMA in bf16)" + which + ".");
        RunSettings.Generation g = r.generation();
        if (g != null) {
            List<String> differ = new ArrayList<>();
            differ(differ, "temperature", g.temperature(), Published.TEMPERATURE);
            differ(differ, "top-p", g.topP(), Published.TOP_P);
            differ(differ, "top-k", g.topK(), Published.TOP_K);
            differ(differ, "max new tokens", g.maxNewTokens(), Published.MAX_NEW_TOKENS);
            differ(differ, "beams", g.numBeams(), Published.NUM_BEAMS);
            differ(differ, "length penalty", g.lengthPenalty(), Published.LENGTH_PENALTY);
            differ(differ, "repetition penalty", g.repetitionPenalty(), Published.REPETITION_PENALTY);
            differ(differ, "min length", g.minLength(), Published.MIN_LENGTH);
            out.add(differ.isEmpty()
                    ? "Sampling: the reference answer()'s defaults, which the published rows presumably used (the paper does not say)" + which + "."
                    : "Sampling differs from the reference answer()'s defaults (the paper states none): " + String.join(", ", differ) + which + ".");
        }
        if (r.shard() != null || r.limit() != null) {
            out.add("A part of the dataset only: " + (r.shard() != null ? "shard " + r.shard() : "") + (r.shard() != null && r.limit() != null ? ", " : "")
                    + (r.limit() != null ? "--limit " + r.limit() : "") + which + ".");
        }
    }

    private static void differ(List<String> out, String name, double ours, double theirs) {
        if (ours != theirs) {
            out.add(name + " " + Report.number(ours) + " instead of " + Report.number(theirs));
        }
    }

    private static void dataset(Metrics.DatasetMetrics d, List<String> out) {
        String name = Published.datasetName(d.dataset());
        Published.QaRow row = Published.QA.stream().filter(q -> q.dataset().equals(d.dataset())).findFirst().orElse(null);
        if (row != null && d.questions() < row.testQuestions()) {
            out.add(String.format(Locale.ROOT, "%s: %,d questions, not the test split's %,d.", name, d.questions(), row.testQuestions()));
        }
        if (d.dataset().equals("tgif")) {
            out.add("TGIF-QA: no published Video-LLaMA row to compare with.");
        }
        if (d.notAnswered() > 0) {
            out.add(name + ": " + d.notAnswered() + " questions eval qa could not answer are left out (Video-ChatGPT's inference scripts skip a failing video too).");
        }
    }
}

package videollama.repro.judge;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import videollama.app.Errors;
import videollama.repro.Prediction;
import videollama.repro.PredictionFile;
import videollama.repro.judge.Judgement.Status;

/**
 * {@code metrics.json}: what {@code eval judge} found, per dataset and {@link JudgeKind}, and how: the judge, its
 * templates, the runs whose answers were judged. Aggregated as Video-ChatGPT's scripts do it, over the judged replies:
 * accuracy = yes / (yes + no) (a reply whose 'pred' is neither counts in the mean score only), mean score = sum of
 * the integer scores / judged replies. Unparseable replies, failed requests and questions {@code eval qa} could not
 * answer are counted beside them and are in no mean.
 */
public record Metrics(JudgeInfo judge, List<RunInfo> runs, List<DatasetMetrics> datasets, List<Shown> unparseable,
                      List<Shown> failed) {
    public static final String FILE = "metrics.json";

    /**
     * @param url        the endpoint, without credentials or query
     * @param answeredBy the models the endpoint said answered, each once
     * @param templates  kind to template
     */
    public record JudgeInfo(String url, String model, List<String> answeredBy, Double temperature, boolean extractDict,
                            Map<String, TemplateInfo> templates, String judgedAt, String tool) {}

    public record TemplateInfo(String source, String sha256) {}

    /**
     * A predictions file and the {@code run.json} {@code eval qa} wrote beside it, as it is (null when there is none):
     * the report reads the settings it knows from it and ignores the rest.
     */
    public record RunInfo(String predictions, JsonNode run) {
        public RunInfo {
            run = run == null || run.isNull() ? null : run; // JSON's null reads back as a NullNode
        }
    }

    /**
     * @param questions   the dataset's questions in the predictions
     * @param notAnswered questions {@code eval qa} recorded an error for (not judged)
     */
    public record DatasetMetrics(String dataset, List<String> predictions, int questions, int notAnswered,
                                 StageTimings timings, List<Scores> scores) {}

    /**
     * The judge's scores of one kind over a dataset, or over one question type of it ({@code type} set, {@code
     * byType} null).
     *
     * @param histogram judged replies per score 0..5
     * @param accuracy  yes / (yes + no), null when there is neither or the kind asks no yes/no
     * @param meanScore null when nothing was judged
     */
    public record Scores(String kind, String type, int judged, int unparseable, int failed, Integer yes, Integer no,
                         Integer neither, Double accuracy, Double meanScore, List<Integer> histogram, List<Scores> byType) {}

    /** A reply left out of the metrics, or a request that failed: which answer, why, what came back. */
    public record Shown(String dataset, String id, String kind, String problem, String reply) {}

    /** The metrics of {@code judgements}, which belong to {@code predictions} by dataset and id. */
    public static Metrics of(JudgeInfo judge, List<RunInfo> runs, Map<String, List<String>> filesByDataset,
                             List<Prediction> predictions, List<Judgement> judgements) {
        Map<String, List<Prediction>> byDataset = new LinkedHashMap<>();
        predictions.forEach(p -> byDataset.computeIfAbsent(p.dataset(), d -> new ArrayList<>()).add(p));
        List<DatasetMetrics> datasets = new ArrayList<>();
        byDataset.forEach((dataset, ps) -> {
            List<Scores> scores = new ArrayList<>();
            for (JudgeKind kind : JudgeKind.forDataset(dataset)) {
                List<Judgement> js = judgements.stream()
                        .filter(j -> j.dataset().equals(dataset) && j.kind().equals(kind.id())).toList();
                List<String> types = js.stream().map(Judgement::type).filter(Objects::nonNull).distinct().sorted().toList();
                List<Scores> byType = types.isEmpty() ? null
                        : types.stream().map(t -> scores(kind, t, js, j -> t.equals(j.type()), null)).toList();
                scores.add(scores(kind, null, js, j -> true, byType));
            }
            int notAnswered = (int) ps.stream().filter(p -> !p.answered()).count();
            datasets.add(new DatasetMetrics(dataset, filesByDataset.get(dataset), ps.size(), notAnswered,
                    StageTimings.of(ps), scores));
        });
        return new Metrics(judge, runs, datasets, shown(judgements, Status.UNPARSEABLE), shown(judgements, Status.FAILED));
    }

    private static Scores scores(JudgeKind kind, String type, List<Judgement> all, Predicate<Judgement> in, List<Scores> byType) {
        List<Judgement> these = all.stream().filter(in).toList();
        List<Judgement> judged = withStatus(these, Status.JUDGED);
        long sum = 0;
        Integer[] histogram = new Integer[6];
        Arrays.fill(histogram, 0);
        for (Judgement j : judged) {
            sum += j.score();
            histogram[j.score()]++;
        }
        boolean yesNo = kind.asksYesNo();
        int yes = verdicts(judged, "yes");
        int no = verdicts(judged, "no");
        return new Scores(kind.id(), type, judged.size(), withStatus(these, Status.UNPARSEABLE).size(),
                withStatus(these, Status.FAILED).size(), yesNo ? yes : null, yesNo ? no : null,
                yesNo ? verdicts(judged, "neither") : null, yesNo && yes + no > 0 ? (double) yes / (yes + no) : null,
                judged.isEmpty() ? null : (double) sum / judged.size(), List.of(histogram), byType);
    }

    private static List<Judgement> withStatus(List<Judgement> judgements, Status status) {
        return judgements.stream().filter(j -> j.status() == status).toList();
    }

    /** How many of the judged replies gave {@code verdict} (the benchmark's kinds give none). */
    private static int verdicts(List<Judgement> judged, String verdict) {
        return (int) judged.stream().filter(j -> verdict.equals(j.verdict())).count();
    }

    private static List<Shown> shown(List<Judgement> judgements, Status status) {
        return withStatus(judgements, status).stream()
                .map(j -> new Shown(j.dataset(), j.id(), j.kind(), j.problem(), j.reply())).toList();
    }

    public void write(Path dir) throws IOException {
        PredictionFile.JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(FILE).toFile(), this);
    }

    /** The metrics in {@code dir}; a missing or broken file is an error naming it. */
    public static Metrics read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new Errors.UsageFailure(file + ": not found (is " + dir + " an eval judge --out folder?)");
        }
        try {
            return PredictionFile.JSON.readValue(file.toFile(), Metrics.class);
        } catch (IOException e) {
            throw new Errors.UsageFailure(file + ": not the metrics of eval judge (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }
}

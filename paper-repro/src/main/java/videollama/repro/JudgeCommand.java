package videollama.repro;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import videollama.app.Errors;
import videollama.repro.judge.ChatEndpoint;
import videollama.repro.judge.JudgeKind;
import videollama.repro.judge.JudgeTemplate;
import videollama.repro.judge.Judgement;
import videollama.repro.judge.Judging;
import videollama.repro.judge.Metrics;
import videollama.repro.judge.ReplyCache;
import videollama.repro.judge.VideoChatGptFiles;

/**
 * {@code videollama eval judge}: Video-ChatGPT's judging step (README.md of this module, "Judging") against any
 * OpenAI-compatible chat endpoint. Everything is checked before the first request; the outputs are written when the
 * last answer is in, in the order of the predictions.
 */
@Command(name = "judge", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Judge answers with a language model behind an OpenAI-compatible chat endpoint, as Video-ChatGPT's "
                + "scripts do: zero-shot QA (yes/no and a 0-5 score) and the generative benchmark's five dimensions (0-5).",
                "Writes judged.jsonl, metrics.json and video-chatgpt/ (the answers in the format Video-ChatGPT's scripts read) "
                        + "into --out, and the metrics on stdout."})
public final class JudgeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--predictions", arity = "1..*", required = true, paramLabel = "FILE",
            description = "predictions.jsonl files of eval qa (several datasets, or shards, at once).")
    List<Path> predictions;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the outputs (created).")
    Path out;

    @Option(names = "--judge-url", required = true, paramLabel = "URL",
            description = "The endpoint: a base such as https://api.openai.com/v1 or http://127.0.0.1:8080/v1, or the full .../chat/completions URL.")
    String judgeUrl;

    @Option(names = "--judge-model", required = true, paramLabel = "NAME",
            description = "The model the endpoint should judge with (Video-ChatGPT's: gpt-3.5-turbo).")
    String judgeModel;

    @Option(names = "--judge-key-env", paramLabel = "VAR",
            description = "The environment variable that holds the endpoint's key (sent as a bearer token); none is sent without it.")
    String keyEnv;

    @Option(names = "--template", paramLabel = "FILE",
            description = "A judge template in place of the built-in one of its kind (the file's 'kind:' line says which; repeatable).")
    List<Path> templates = new ArrayList<>();

    @Option(names = "--judge-temperature", paramLabel = "T",
            description = "Sampling temperature sent with each request (default: none sent, the endpoint's default, as Video-ChatGPT's scripts do).")
    Double temperature;

    @Option(names = "--extract-dict",
            description = "Also take a dict written inside other text (a code fence, a sentence); the original scripts count such a reply as unreadable.")
    boolean extractDict;

    @Option(names = "--concurrency", defaultValue = "4", paramLabel = "N", description = "Requests at a time (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--retries", defaultValue = "5", paramLabel = "N",
            description = "Further tries of a request after a 429, 408, 5xx, timeout or dropped connection (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--timeout", defaultValue = "120", paramLabel = "S", description = "Seconds a request may take (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    @Option(names = "--backoff", defaultValue = "1", paramLabel = "S",
            description = "Seconds before the first retry, doubled for each further one up to 60, with jitter; a Retry-After header overrides it (default: ${DEFAULT-VALUE}).")
    double backoffSeconds;

    @Option(names = "--cache", paramLabel = "DIR", description = "Where the judge's answers are kept (default: OUT/judge-cache).")
    Path cacheDir;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        URI url = endpointUrl();
        String apiKey = apiKey();
        checkNumbers();
        Map<JudgeKind, JudgeTemplate> chosen = templates();
        Inputs inputs = readPredictions();

        Files.createDirectories(out);
        ChatEndpoint endpoint = new ChatEndpoint(new ChatEndpoint.Settings(url, apiKey, seconds(timeoutSeconds), retries,
                seconds(backoffSeconds), Duration.ofSeconds(60)));
        Judging.Judge judge = new Judging.Judge(url.toString(), judgeModel, temperature, chosen, extractDict);
        Judging judging = new Judging(judge, endpoint, new ReplyCache(cacheDir != null ? cacheDir : out.resolve("judge-cache")), concurrency, err);
        Judging.Result judged = judging.judge(inputs.predictions());
        List<Judgement> judgements = judged.judgements();

        writeJudged(judgements);
        Metrics metrics = Metrics.of(judgeInfo(url, chosen, judgements), inputs.runs(), inputs.filesByDataset(), inputs.predictions(), judgements);
        metrics.write(out);
        VideoChatGptFiles.write(out, inputs.predictions());
        printMetrics(stdout, metrics);
        err.printf(Locale.ROOT, "judge: %d requests sent, %d answers from the cache; outputs in %s%n", judged.asked(), judged.cached(), out);
        showProblems(err, metrics);
        if (!metrics.failed().isEmpty()) {
            throw new Errors.UsageFailure(metrics.failed().size() + " requests failed after their retries (left out of the metrics, listed in "
                    + out.resolve(Metrics.FILE) + "); run the same command again to ask them again, the rest comes from the cache");
        }
        return 0;
    }

    private URI endpointUrl() {
        URI url;
        try {
            url = ChatEndpoint.completionsUrl(judgeUrl);
        } catch (IllegalArgumentException e) {
            throw usage("--judge-url '" + judgeUrl + "' is not a URL");
        }
        if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
            throw usage("--judge-url must be an http:// or https:// URL with a host, got '" + judgeUrl + "'");
        }
        if (url.getRawUserInfo() != null) {
            throw usage("--judge-url must not hold credentials; put the key in an environment variable and name it with --judge-key-env");
        }
        if (judgeModel.isBlank()) {
            throw usage("--judge-model must not be empty");
        }
        return url;
    }

    private String apiKey() {
        if (keyEnv == null) {
            return null;
        }
        String key = System.getenv(keyEnv);
        if (key == null || key.isBlank()) {
            throw usage("--judge-key-env " + keyEnv + ": the environment variable " + keyEnv + " is not set");
        }
        return key.strip();
    }

    private void checkNumbers() {
        if (concurrency < 1 || concurrency > 256) {
            throw usage("--concurrency must be 1..256, got " + concurrency);
        }
        if (retries < 0 || retries > 50) {
            throw usage("--retries must be 0..50, got " + retries);
        }
        if (!(timeoutSeconds > 0 && timeoutSeconds <= 3600)) {
            throw usage("--timeout must be in (0, 3600] seconds, got " + timeoutSeconds);
        }
        if (!(backoffSeconds >= 0 && backoffSeconds <= 60)) {
            throw usage("--backoff must be in [0, 60] seconds, got " + backoffSeconds);
        }
        if (temperature != null && !(temperature >= 0 && temperature <= 2)) {
            throw usage("--judge-temperature must be in [0, 2], got " + temperature);
        }
    }

    private Map<JudgeKind, JudgeTemplate> templates() {
        Map<JudgeKind, JudgeTemplate> chosen = new EnumMap<>(JudgeKind.class);
        for (JudgeKind kind : JudgeKind.values()) {
            chosen.put(kind, JudgeTemplate.builtIn(kind));
        }
        Map<JudgeKind, Path> given = new EnumMap<>(JudgeKind.class);
        for (Path file : templates) {
            JudgeTemplate t = JudgeTemplate.read(file);
            Path before = given.put(t.kind(), file);
            if (before != null) {
                throw usage("--template " + file + " and " + before + " are both for kind " + t.kind().id());
            }
            chosen.put(t.kind(), t);
        }
        return chosen;
    }

    /** The predictions of every file, checked; the run manifest beside each file. */
    private record Inputs(List<Prediction> predictions, List<Metrics.RunInfo> runs, Map<String, List<String>> filesByDataset) {}

    private Inputs readPredictions() {
        List<Prediction> all = new ArrayList<>();
        List<Metrics.RunInfo> runs = new ArrayList<>();
        Map<String, List<String>> filesByDataset = new LinkedHashMap<>();
        Map<String, Path> seen = new HashMap<>();
        for (Path file : new LinkedHashSet<>(predictions)) {
            if (!Files.isRegularFile(file)) {
                throw new Errors.UsageFailure(file + ": not found");
            }
            List<Prediction> ps = PredictionFile.read(file);
            for (Prediction p : ps) {
                check(file, p);
                Path before = seen.put(p.dataset() + "\n" + p.id(), file);
                if (before != null) {
                    throw new Errors.UsageFailure(file + ": " + p.dataset() + " question " + p.id() + " is there twice"
                            + (before.equals(file) ? "" : " (also in " + before + ")"));
                }
                List<String> files = filesByDataset.computeIfAbsent(p.dataset(), d -> new ArrayList<>());
                if (!files.contains(file.toString())) {
                    files.add(file.toString());
                }
            }
            all.addAll(ps);
            runs.add(new Metrics.RunInfo(file.toString(), runBeside(file)));
        }
        if (all.isEmpty()) {
            throw new Errors.UsageFailure(String.join(", ", predictions.stream().map(Path::toString).toList()) + ": no predictions to judge");
        }
        return new Inputs(all, runs, filesByDataset);
    }

    /** The run.json beside a predictions file; one that cannot be read costs the report its setup, not the judging. */
    private JsonNode runBeside(Path predictionsFile) {
        Path file = predictionsFile.toAbsolutePath().getParent().resolve("run.json");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode run = PredictionFile.JSON.readTree(file.toFile());
            if (run != null && run.isObject()) {
                return run;
            }
        } catch (IOException e) {
            // said below
        }
        spec.commandLine().getErr().println("warning: " + file + ": not a JSON object; the report will not know how these answers were made");
        return null;
    }

    private static void check(Path file, Prediction p) {
        String where = file + ": " + p.dataset() + " question " + p.id();
        if (p.dataset() == null || JudgeKind.forDataset(p.dataset()) == null) {
            throw new Errors.UsageFailure(file + ": dataset '" + p.dataset() + "' of question " + p.id() + " is not one eval judge knows ("
                    + String.join(", ", JudgeKind.QA_DATASETS) + ", " + String.join(", ", JudgeKind.BENCHMARK_DATASETS) + ")");
        }
        if (p.id() == null || p.question() == null || p.answer() == null || p.video() == null) {
            throw new Errors.UsageFailure(where + " lacks its id, video, question or answer");
        }
        if (p.answered() && p.prediction() == null) {
            throw new Errors.UsageFailure(where + " has neither a prediction nor an error");
        }
        if (p.dataset().equals("consistency") && (p.question2() == null || p.answered() && p.prediction2() == null)) {
            throw new Errors.UsageFailure(where + " is a consistency pair without question2 or prediction2");
        }
    }

    private Metrics.JudgeInfo judgeInfo(URI url, Map<JudgeKind, JudgeTemplate> chosen, List<Judgement> judgements) throws IOException {
        Map<String, Metrics.TemplateInfo> used = new LinkedHashMap<>();
        chosen.forEach((kind, t) -> used.put(kind.id(), new Metrics.TemplateInfo(t.source(), t.sha256())));
        List<String> answeredBy = judgements.stream().map(Judgement::judgeModel).filter(Objects::nonNull).distinct().sorted().toList();
        String shown;
        try {
            shown = new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), null, null).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return new Metrics.JudgeInfo(shown, judgeModel, answeredBy, temperature, extractDict, used, Instant.now().toString(),
                spec.root().version()[0]);
    }

    private void writeJudged(List<Judgement> judgements) throws IOException {
        ObjectWriter line = PredictionFile.JSON.writer();
        try (BufferedWriter w = Files.newBufferedWriter(out.resolve("judged.jsonl"), StandardCharsets.UTF_8)) {
            for (Judgement j : judgements) {
                w.write(line.writeValueAsString(j));
                w.write('\n');
            }
        }
    }

    private static void printMetrics(PrintWriter stdout, Metrics metrics) {
        stdout.printf(Locale.ROOT, "%-12s %-12s %7s %12s %7s %13s %9s %6s%n", "dataset", "kind", "judged", "unparseable",
                "failed", "not answered", "accuracy", "score");
        for (Metrics.DatasetMetrics d : metrics.datasets()) {
            for (Metrics.Scores s : d.scores()) {
                stdout.printf(Locale.ROOT, "%-12s %-12s %7d %12d %7d %13d %9s %6s%n", d.dataset(), s.kind(), s.judged(),
                        s.unparseable(), s.failed(), d.notAnswered(),
                        s.accuracy() == null ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * s.accuracy()),
                        s.meanScore() == null ? "-" : String.format(Locale.ROOT, "%.2f", s.meanScore()));
            }
        }
        stdout.flush();
    }

    private static void showProblems(PrintWriter err, Metrics metrics) {
        if (metrics.unparseable().isEmpty()) {
            return;
        }
        err.printf("judge: %d replies were not in the asked form and are left out of the metrics (all in metrics.json), e.g.:%n",
                metrics.unparseable().size());
        metrics.unparseable().stream().limit(5).forEach(s -> err.printf("  %s %s (%s): %s: %s%n", s.dataset(), s.id(), s.kind(),
                s.problem(), shortened(s.reply())));
    }

    /** {@code text} on one line, at most 120 characters. */
    static String shortened(String text) {
        String one = text == null ? "" : text.replaceAll("\\s+", " ").strip();
        return one.length() <= 120 ? one : one.substring(0, 117) + "...";
    }

    private static Duration seconds(double s) {
        return Duration.ofNanos(Math.round(s * 1e9));
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}

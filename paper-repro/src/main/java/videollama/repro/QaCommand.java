package videollama.repro;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import videollama.app.BackendOption;
import videollama.app.ChatSession;
import videollama.app.Errors;
import videollama.app.MediaEncoder;
import videollama.app.OptionValues;
import videollama.app.Progress;
import videollama.app.SamplingOptions;
import videollama.app.TemplateOption;
import videollama.kernels.Backend;
import videollama.loader.FrameSampling;
import videollama.loader.MediaDecoder;
import videollama.model.chat.ChatTemplate;
import videollama.model.generate.GenerationSettings;
import videollama.model.generate.SamplingSettings;
import videollama.model.videollama.VideoLlamaConfig;

/**
 * {@code videollama eval qa}: answers a dataset's questions about its videos into {@code OUT/predictions.jsonl}, as
 * README.md of this module describes: the dataset read as distributed ({@link Dataset}), the order and the shards
 * ({@link Schedule}), each video encoded once ({@link QaRun}, {@link SoftTokenCache}), a killed run resumed where it
 * stopped.
 *
 * <p>Resuming: the predictions already in the folder must be the first ones of this run's order, made with the same
 * settings ({@link RunInfo#answering}); a last line a kill cut short is removed; the questions after them are
 * answered. Each question's sampling seed comes from the run's seed and its id, so the final file is the one an
 * uninterrupted run writes, line for line, apart from the times in {@code timings}.
 */
@Command(name = "qa", mixinStandardHelpOptions = true,
        description = {"Answer a video QA dataset's questions (MSVD-QA, MSRVTT-QA, ActivityNet-QA, TGIF-QA FrameQA, or the "
                + "video-based generative benchmark) into OUT/predictions.jsonl, resumably.",
                "Each video is encoded once for all its questions (soft tokens cached on disk); each question is asked in a "
                        + "fresh conversation with the reference demo's prompt."})
final class QaCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dataset", paramLabel = "NAME", required = true,
            description = "msvd, msrvtt, activitynet, tgif (FrameQA), or the generative benchmark's generic, temporal, consistency.")
    String dataset;

    @Option(names = "--annotations", paramLabel = "FILE", arity = "1..*", required = true,
            description = "The dataset's files as distributed: msvd: test_qa.json [youtube_mapping.txt]; msrvtt: test_qa.json; "
                    + "activitynet: test_q.json test_a.json; tgif: Test_frameqa_question.csv; generic: generic_qa.json; "
                    + "temporal: temporal_qa.json; consistency: consistency_qa.json.")
    List<Path> annotations;

    @Option(names = "--videos", paramLabel = "DIR", required = true, description = "The folder of the dataset's video files.")
    Path videos;

    @Option(names = "--model", paramLabel = "DIR", required = true,
            description = "Video-LLaMA folder (videollama convert writes it; models/videollama-demo is the bundled demo).")
    Path model;

    @Option(names = "--out", paramLabel = "DIR", required = true,
            description = "Where predictions.jsonl and run.json go; a folder with a killed run's predictions is resumed.")
    Path out;

    @Option(names = "--frames", paramLabel = "N", description = "Frames sampled from each video, 1 to 32 (default: videollama.json's, else 8).")
    Integer frames;

    @Mixin
    TemplateOption template;

    @Mixin
    BackendOption backend;

    @Option(names = "--decoder", paramLabel = "NAME", description = "ffmpeg or java (default: ffmpeg where its natives load).")
    String decoder;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--limit", paramLabel = "N", description = "Answer only the first N questions (of the shard).")
    Integer limit;

    @Option(names = "--shard", paramLabel = "I/N",
            description = "Answer the I-th of N parts (1 <= I <= N), split by video; eval merge joins the parts' folders.")
    String shard;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "Where videos' soft tokens and files' hashes are kept (default: $XDG_CACHE_HOME/videollama/eval or ~/.cache/videollama/eval).")
    Path cache;

    @Option(names = "--no-cache", description = "Neither read nor keep videos' soft tokens: every video is encoded (files' hashes are still remembered).")
    boolean noCache;

    @Option(names = "--verbose", description = "Print each video's decoding and encoding steps, and stack traces of errors.")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        CommandLine cli = spec.commandLine();
        Dataset data = parse(cli, "--dataset", () -> Dataset.parse(dataset));
        Schedule.Shard part = shard == null ? null : parse(cli, "--shard", () -> Schedule.Shard.parse(shard));
        int[] count = data.fileCount();
        if (annotations.size() < count[0] || annotations.size() > count[1]) {
            throw new CommandLine.ParameterException(cli, "--annotations: " + data.id() + " takes " + data.expectedFiles()
                    + ", got " + annotations.size() + " file(s)");
        }
        if (limit != null && limit < 1) {
            throw new CommandLine.ParameterException(cli, "--limit must be positive, got " + limit);
        }
        if (frames != null) {
            parse(cli, "--frames", () -> {
                FrameSampling.checkRequested(frames);
                return frames;
            });
        }
        ChatTemplate chosenTemplate = template.chosen(cli);
        MediaDecoder mediaDecoder = OptionValues.decoder(cli, decoder);
        SamplingSettings samplingSettings = sampling.settings(cli);
        if (part != null && !sampling.seedGiven() && !samplingSettings.isGreedy()) {
            throw new CommandLine.ParameterException(cli, "--shard with sampling needs --seed, so that every shard samples as one run would");
        }
        if (!Files.isDirectory(videos)) {
            throw new Errors.UsageFailure(videos + ": " + (Files.exists(videos) ? "not a folder" : "not found") + " (--videos)");
        }
        if (!Files.isDirectory(model)) {
            throw new Errors.UsageFailure(model + ": " + (Files.exists(model) ? "not a folder" : "not found") + " (--model)");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new Errors.UsageFailure(out + ": not a folder (--out)");
        }

        List<Question> questions = data.read(annotations);
        List<VideoGroup> all = Schedule.byVideo(questions);
        List<VideoGroup> groups = part == null ? all : Schedule.shard(all, part);
        if (limit != null) {
            groups = Schedule.limit(groups, limit);
        }
        checkSomeVideoExists(all);

        Files.createDirectories(out);
        PrintWriter err = cli.getErr();
        // the folder's lock, released when the channel closes: two runs never append to one predictions file
        try (FileChannel lockFile = FileChannel.open(out.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            lock(lockFile);
            return run(cli, err, data, part, all, groups, chosenTemplate, mediaDecoder, samplingSettings);
        }
    }

    private void lock(FileChannel lockFile) throws IOException {
        FileLock lock;
        try {
            lock = lockFile.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null; // held by this JVM
        }
        if (lock == null) {
            throw new Errors.UsageFailure(out + ": another eval qa is writing into this folder");
        }
    }

    private int run(CommandLine cli, PrintWriter err, Dataset data, Schedule.Shard part, List<VideoGroup> all, List<VideoGroup> groups,
                    ChatTemplate chosenTemplate, MediaDecoder mediaDecoder, SamplingSettings samplingSettings) throws IOException {
        Optional<RunInfo> earlier = RunInfo.read(out);
        if (!sampling.seedGiven()) {
            // greedy answers need no seed: 0 makes every greedy run's settings alike (shards, resumed runs); a resumed
            // sampled run samples on with the seed its first run drew
            samplingSettings = samplingSettings.withSeed(samplingSettings.isGreedy() ? 0 : earlier.map(RunInfo::seed)
                    .orElse(samplingSettings.seed()));
        }
        Path predictionsFile = out.resolve("predictions.jsonl");
        if (earlier.isEmpty() && Files.exists(predictionsFile)) {
            throw new Errors.UsageFailure(predictionsFile + " exists without " + RunInfo.FILE + ": not a folder eval qa wrote; use another --out");
        }
        Path cacheDir = cache != null ? cache : defaultCache();
        ContentHashes hashes = new ContentHashes(cacheDir.resolve("hashes"));
        Progress progress = new Progress(err);
        PrintWriter log = verbose ? err : new PrintWriter(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);

        try (ChatSession session = ChatSession.open(model, backend.open(cli, model), mediaDecoder, chosenTemplate,
                false, err);
             MediaEncoder encoder = new MediaEncoder(model, session.backend(), session.llama().config().hiddenSize(), log, null, null)) {
            Backend compute = session.backend();
            session.hidePrefillProgress();
            encoder.openVision();
            VideoLlamaConfig config = session.config();
            ChatTemplate chatTemplate = session.template();
            int frameCount = frames != null ? frames : config.frames();
            GenerationSettings generation = sampling.generation(cli, samplingSettings, chatTemplate.stopStrings(),
                    chatTemplate.stopTokenIds(), false);
            String how = SamplingOptions.describe(generation);
            if (how != null) {
                err.println(how);
            }
            String branchHash = progress.time("hashing the vision branch's weights", () -> VisionBranchHash.of(model, hashes), h -> h.substring(0, 12));

            List<RunInfo.Annotation> files = annotations.stream()
                    .map(a -> new RunInfo.Annotation(a.toAbsolutePath().normalize().toString(), hashes.ofUnchecked(a))).toList();
            ObjectNode answering = RunInfo.answering(data, files, videos, model, branchHash, frameCount, chatTemplate, compute.name(),
                    mediaDecoder, generation);
            String shardText = part == null ? null : part.toString();
            if (earlier.isPresent()) {
                RunInfo before = earlier.get();
                Optional<String> difference = RunInfo.difference(answering, before.answering(), "now", "in " + out.resolve(RunInfo.FILE));
                if (difference.isPresent() || !java.util.Objects.equals(shardText, before.shard())) {
                    throw new Errors.UsageFailure(out + " holds a run with other settings ("
                            + difference.orElse("shard: " + shardText + " now, " + before.shard() + " there")
                            + "); resume it with the same settings or use another --out");
                }
            }
            int total = Schedule.questions(groups);
            List<Prediction> done = PredictionFile.resume(predictionsFile);
            Set<String> doneIds = checkPrefix(done, groups, predictionsFile);
            String started = earlier.map(RunInfo::started).orElse(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            new RunInfo(answering, shardText, limit, total, Schedule.questions(all), compute.device(), RunInfo.thisMachine(), started).write(out);
            if (!done.isEmpty()) {
                err.println("resuming: " + done.size() + " of " + total + " questions already in " + predictionsFile);
            }
            if (!samplingSettings.isGreedy()) {
                err.println("sampling: temperature " + samplingSettings.temperature() + ", top-k " + samplingSettings.topK()
                        + ", top-p " + samplingSettings.topP() + ", seed " + samplingSettings.seed() + " (each question's own seed derived from it)");
            }
            SoftTokenCache tokenCache = new SoftTokenCache(noCache ? null : cacheDir.resolve("soft-tokens"));
            QaRun run = new QaRun(new QaRun.Setup(data, session, encoder, generation, frameCount, mediaDecoder,
                    new VideoFolder(videos), tokenCache, hashes, branchHash), err);
            RunStats stats;
            try (PredictionFile predictions = PredictionFile.append(predictionsFile)) {
                stats = run.answer(groups, doneIds, predictions);
            }
            err.println(stats.summary(done.size()));
            cli.getOut().println(predictionsFile);
        }
        return 0;
    }

    private static <T> T parse(CommandLine cli, String flag, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(cli, flag + ": " + e.getMessage());
        }
    }

    /**
     * The predictions of an earlier run must be this run's first ones, in order (the run was killed, or stopped at a
     * smaller --limit), or the file would not be the one an uninterrupted run writes.
     */
    private static Set<String> checkPrefix(List<Prediction> done, List<VideoGroup> groups, Path file) {
        List<String> order = new ArrayList<>();
        groups.forEach(g -> g.questions().forEach(q -> order.add(q.id())));
        for (int i = 0; i < done.size(); i++) {
            if (i >= order.size() || !done.get(i).id().equals(order.get(i))) {
                throw new Errors.UsageFailure(file + ": line " + (i + 1) + " holds question " + done.get(i).id() + ", where this run has "
                        + (i < order.size() ? "question " + order.get(i) : "no more questions") + "; use another --out");
            }
        }
        Set<String> ids = new HashSet<>();
        done.forEach(p -> ids.add(p.id()));
        return ids;
    }

    /**
     * A --videos folder without any of the dataset's videos is a mistake to report at once, not a file full of errors
     * (the whole dataset is looked at: a shard may hold only missing videos).
     */
    private void checkSomeVideoExists(List<VideoGroup> all) {
        VideoFolder folder = new VideoFolder(videos);
        if (all.stream().noneMatch(g -> folder.find(g.video()).isPresent())) {
            throw new Errors.UsageFailure(videos + ": none of the dataset's " + all.size() + " videos is here (--videos; the first: "
                    + folder.missing(all.getFirst().video()) + ")");
        }
    }

    /** {@code $XDG_CACHE_HOME/videollama/eval}, else {@code ~/.cache/videollama/eval}. */
    private static Path defaultCache() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("videollama").resolve("eval");
    }
}

package videollama.app;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import videollama.benchmarks.stages.AudioBench;
import videollama.benchmarks.stages.BenchReport;
import videollama.benchmarks.stages.BranchStage;
import videollama.benchmarks.stages.DecodeBench;
import videollama.benchmarks.stages.MediaBench;
import videollama.benchmarks.stages.RooflineChart;
import videollama.benchmarks.stages.VisionBench;
import videollama.kernels.Backend;
import videollama.kernels.Backends;
import videollama.loader.MediaDecoder;
import videollama.model.llama.Llama;
import videollama.model.llama.SyntheticLlama;
import videollama.model.videollama.AudioBranch;
import videollama.model.videollama.MediaBranch;
import videollama.model.videollama.SyntheticAudioBranch;
import videollama.model.videollama.SyntheticVisionBranch;
import videollama.model.videollama.VideoBranch;
import videollama.weights.DType;

/**
 * {@code videollama bench}: the options of the stage benchmarks of the benchmarks module, checked here as usage
 * errors, then the stage run: batch-1 greedy decode of a random model ({@link DecodeBench}, with {@code --prompt-tokens}
 * also its prefill, with {@code --num-beams} a beam search), {@code --stage vision} the vision-language branch over one
 * video ({@link VisionBench}), {@code --stage audio} the audio-language branch over one sound track ({@link AudioBench}),
 * {@code --stage media} reading media on each decoder path ({@link MediaBench}).
 */
@Command(name = "bench",
        description = {"Decode benchmark on a model shape with seeded random weights: tokens/s, GB/s, per-kernel profile.",
                "--stage vision: ViT + Q-Formers over one video of --frames frames: ms/video, frames/s, time per stage.",
                "--stage audio: ImageBind + audio Q-Former over one sound track of --clips clips: ms/track, clips/s,"
                        + " time per stage.",
                "--stage media: reading media on the FFmpeg and Java paths, file by file: decoded frames/s of a --frames"
                        + " load, seconds of sound decoded a second."})
final class BenchCommand extends AppCommand {
    private static final List<String> STAGES = List.of("decode", "vision", "audio", "media");
    /** The options that only some stages read: given with another stage they are an error, not ignored. */
    private static final List<Map.Entry<String, List<String>>> STAGES_OF_OPTION = List.of(
            Map.entry("--tokens", List.of("decode")), Map.entry("--prompt-tokens", List.of("decode")),
            Map.entry("--prompt-runs", List.of("decode")), Map.entry("--num-beams", List.of("decode")), Map.entry("--dtype", List.of("decode", "vision")),
            Map.entry("--frames", List.of("vision", "media")), Map.entry("--clips", List.of("audio")),
            Map.entry("--runs", List.of("vision", "audio", "media")), Map.entry("--decoder", List.of("media")),
            Map.entry("--media", List.of("media")), Map.entry("--json", List.of("decode", "vision", "audio")), Map.entry("--chart", List.of("decode")),
            Map.entry("--chart-size", List.of("decode")));

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--stage", defaultValue = "decode",
            description = "What to time: decode (the LLaMA), vision (ViT + Q-Formers + llama_proj) or audio (ImageBind + audio"
                    + " Q-Former + audio_llama_proj) (default: ${DEFAULT-VALUE}).")
    String stage;

    @Option(names = "--shape", description = {"decode: stories260K, stories15M, stories110M, llama2-7b, or NAME-N: its first N layers"
            + " (default: stories110M).",
            "vision: demo (the bundled Video-LLaMA demo), released (random weights of the released sizes, 39 ViT blocks),"
                    + " released-N (the same with N ViT blocks, whose per-block time extrapolates to 39) (default: demo).",
            "audio: demo, released (12 ImageBind blocks), released-N (N ImageBind blocks, extrapolated to 12) (default: demo)."})
    String shape;

    @Option(names = "--dtype", description = "Weight dtype: f32, f16, bf16, q8_0 (decode only: the linear layers in 8-bit blocks as"
            + " convert --quantize q8_0 writes them, the embeddings f16) (default: f32; vision: the ViT matrices of a random branch,"
            + " default f16 as released, q8_0 that branch's ViT and Q-Former linears quantised as convert --quantize q8_0 does;"
            + " audio: always f32, as released).")
    String dtype;

    @Option(names = "--backend", paramLabel = "NAME", description = OptionValues.BACKEND_HELP)
    String backend;

    @Option(names = "--tokens", defaultValue = "64", description = "Timed decode steps (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--warmup", paramLabel = "N", description = "Untimed steps first (default: 8; vision: untimed encodes after the"
            + " first, default 1).")
    Integer warmup;

    @Option(names = "--frames", defaultValue = "8", description = "vision: frames per video; media: frames a load (default:"
            + " ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = "--decoder", paramLabel = "NAME", description = "media: ffmpeg, java or both (default: both where FFmpeg's"
            + " natives load, else java).")
    String decoder;

    @Option(names = "--media", paramLabel = "FILE", description = "media: a file to time (repeatable; default: the repository's"
            + " bundled videos and testdata/media).")
    List<Path> media;

    @Option(names = "--clips", defaultValue = "8", description = "audio: 2-second clips per sound track (default: ${DEFAULT-VALUE}).")
    int clips;

    @Option(names = "--runs", defaultValue = "5",
            description = "vision, audio: timed encodes; media: timed loads; the median reported (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--prompt-tokens", paramLabel = "N", defaultValue = "0",
            description = "Also time the prefill of an N-token prompt, batched and one position at a time, each in a fresh "
                    + "session (0: leave out; default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--prompt-runs", defaultValue = "3",
            description = "Timed prefills of each kind with --prompt-tokens, after one untimed (default: ${DEFAULT-VALUE}).")
    int promptRuns;

    @Option(names = "--num-beams", paramLabel = "N", defaultValue = "1",
            description = "decode: also time a beam search of N beams over --tokens steps (ms per step against a greedy step"
                    + " with logits back, and one beam's cache copy) (1: leave out; default: ${DEFAULT-VALUE}).")
    int numBeams;

    @Option(names = "--bandwidth-gbs", paramLabel = "GB/s", defaultValue = "0",
            description = "The device's memory bandwidth, to report the share of it achieved (0: decode: the read bandwidth measured in"
                    + " the run; vision, audio: leave out).")
    double bandwidth;

    @Option(names = "--profile", description = "Also print the per-kernel table of one more profiled step set (vision, audio:"
            + " encode).")
    boolean profile;

    @Option(names = "--json", paramLabel = "FILE", description = "decode, vision, audio: also write every figure, the machine and the"
            + " command as JSON (its JSON Schema: bench-report.schema.json in the benchmarks module).")
    Path json;

    @Option(names = "--chart", paramLabel = "FILE.png", description = "decode: also draw the profiled kernels' GB/s and GFLOP/s against"
            + " the roofline measured in the run, as a PNG (turns on --profile).")
    Path chart;

    @Option(names = "--chart-size", paramLabel = "WxH", defaultValue = "1400x700",
            description = "The PNG's size in pixels (default: ${DEFAULT-VALUE}).")
    String chartSize;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Where the random models are kept (default: ~/.cache/videollama/bench).")
    Path cacheDir;

    @Override
    public Integer call() {
        CommandLine cli = spec.commandLine();
        if (!STAGES.contains(stage)) {
            throw new CommandLine.ParameterException(cli, "--stage must be decode, vision, audio or media, got " + stage);
        }
        for (Map.Entry<String, List<String>> option : STAGES_OF_OPTION) {
            if (!option.getValue().contains(stage) && cli.getParseResult().hasMatchedOption(option.getKey())) {
                throw new CommandLine.ParameterException(cli, option.getKey() + " is for --stage " + String.join(" or ", option.getValue()));
            }
        }
        if (dtype == null) {
            dtype = stage.equals("vision") ? "f16" : "f32";
        }
        DType weights = switch (dtype) {
            case "f32" -> DType.F32;
            case "f16" -> DType.F16;
            case "bf16" -> DType.BF16;
            case "q8_0" -> DType.Q8_0;
            default -> throw new CommandLine.ParameterException(cli, "--dtype must be f32, f16, bf16 or q8_0, got " + dtype);
        };
        Path cache = cacheDir != null ? cacheDir : Path.of(System.getProperty("user.home"), ".cache", "videollama", "bench");
        return switch (stage) {
            case "vision" -> vision(cli, weights, cache);
            case "audio" -> audio(cli, cache);
            case "media" -> media(cli);
            default -> decode(cli, weights, cache);
        };
    }

    /** The shape of a branch stage, checked by {@code parse}: its message as a usage error. */
    private String branchShape(CommandLine cli, Consumer<String> parse) {
        String name = shape != null ? shape : "demo";
        if (!name.equals("demo")) {
            try {
                parse.accept(name);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cli, "--shape: " + e.getMessage() + "; or demo");
            }
        }
        return name;
    }

    /** --warmup of a branch stage (default 1) after checking it and --runs. */
    private int branchWarmup(CommandLine cli) {
        int warm = warmup != null ? warmup : 1;
        if (runs < 1 || warm < 0) {
            throw new CommandLine.ParameterException(cli, "--runs/--warmup: need at least one timed run and no negative warm-up");
        }
        return warm;
    }

    private int vision(CommandLine cli, DType vitDType, Path cache) {
        String name = branchShape(cli, SyntheticVisionBranch::parse);
        int warm = branchWarmup(cli);
        if (frames < 1) {
            throw new CommandLine.ParameterException(cli, "--frames: need at least one frame, got " + frames);
        }
        checkOutput(cli, "--json", json);
        return branch(cli, "vision", new VisionBench(name, frames, warm, runs, vitDType, cache, profile, bandwidth), VideoBranch::open,
                b -> "ViT " + b.vit().blocks.size() + " blocks, width " + b.sizes().vitWidth(), "frame", frames, b -> b.sizes().maxFrames());
    }

    private int audio(CommandLine cli, Path cache) {
        String name = branchShape(cli, SyntheticAudioBranch::parse);
        int warm = branchWarmup(cli);
        if (clips < 1) {
            throw new CommandLine.ParameterException(cli, "--clips: need at least one clip, got " + clips);
        }
        checkOutput(cli, "--json", json);
        return branch(cli, "audio", new AudioBench(name, clips, warm, runs, cache, profile, bandwidth), AudioBranch::open,
                b -> "ImageBind " + b.imageBind().blocks.size() + " blocks, width " + b.sizes().encoderWidth(), "clip", clips,
                b -> b.sizes().maxClips());
    }

    /**
     * A branch stage: the branch loaded ({@code open}, said on stderr with its {@code summary}), {@code items} of
     * {@code item} checked against the {@code maxItems} its position embedding has rows for, then timed on the backend.
     */
    private <B extends MediaBranch<?>> int branch(CommandLine cli, String stage, BranchStage<B> bench, Function<Path, B> open,
                                                  Function<B, String> summary, String item, int items, ToIntFunction<B> maxItems) {
        PrintWriter err = cli.getErr();
        Progress progress = new Progress(err);
        Path dir = bench.modelDir(CommonOptions.bundledVideoLlama(), progress::time);
        try (B branch = progress.time("loading the " + stage + " branch " + dir, () -> open.apply(dir), summary);
             Backend compute = backend == null ? Backends.openBest() : Backends.open(backend)) {
            int max = maxItems.applyAsInt(branch);
            if (items > max) {
                throw new CommandLine.ParameterException(cli, "--" + item + "s: " + items + " " + item + "s, but the " + item
                        + " position embedding has " + max + " rows: at most " + max);
            }
            err.println("backend: " + compute.name() + " (" + compute.device() + ")");
            writeJson(err, bench.run(branch, compute, cli.getOut(), progress::time, commandLine()));
        }
        return 0;
    }

    private int media(CommandLine cli) {
        int warm = branchWarmup(cli);
        if (frames < 1 || frames > 32) {
            throw new CommandLine.ParameterException(cli, "--frames: 1 to 32 frames a load, got " + frames);
        }
        List<MediaDecoder> decoders;
        if (decoder == null || decoder.equals("both")) {
            decoders = MediaDecoder.preferred() == MediaDecoder.FFMPEG ? List.of(MediaDecoder.FFMPEG, MediaDecoder.JAVA)
                    : List.of(MediaDecoder.JAVA);
        } else {
            decoders = List.of(OptionValues.decoder(cli, decoder));
        }
        List<Path> files = media != null ? media : bundledMedia();
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                throw new CommandLine.ParameterException(cli, "--media: " + file + (Files.exists(file) ? " is not a regular file"
                        : " does not exist"));
            }
        }
        if (decoders.size() == 1 && decoder == null) {
            cli.getErr().println("media: " + MediaDecoder.FFMPEG.describe() + "; timing the Java path alone");
        }
        new MediaBench(files, decoders, frames, warm, runs).run(cli.getOut(), cli.getErr());
        return 0;
    }

    /** --chart-size as {width, height}, each 200 to 8000 pixels, or a usage error. */
    private int[] chartSize(CommandLine cli) {
        String[] parts = chartSize.split("x", -1);
        try {
            int[] size = {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
            if (parts.length == 2 && size[0] >= 200 && size[1] >= 200 && size[0] <= 8000 && size[1] <= 8000) {
                return size;
            }
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            // the message below
        }
        throw new CommandLine.ParameterException(cli, "--chart-size must be WIDTHxHEIGHT, each 200 to 8000 pixels, got " + chartSize);
    }

    /** An output file's folder must exist (checked before the benchmark runs, not after). */
    private static void checkOutput(CommandLine cli, String option, Path file) {
        if (file == null) {
            return;
        }
        Path folder = file.toAbsolutePath().getParent();
        if (folder == null || !Files.isDirectory(folder) || Files.isDirectory(file)) {
            throw new CommandLine.ParameterException(cli, option + ": " + file + (Files.isDirectory(file) ? " is a folder"
                    : ": its folder " + folder + " does not exist"));
        }
        if (option.equals("--chart") && !file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png")) {
            throw new CommandLine.ParameterException(cli, "--chart: " + file + " must end in .png (the chart is a PNG)");
        }
    }

    /** With {@code --json}: the report written there, and said on stderr. */
    private void writeJson(PrintWriter err, BenchReport report) {
        if (json != null) {
            report.write(json);
            err.println("wrote " + json);
        }
    }

    /** The command as typed, for the report: "videollama bench --shape ...". */
    private String commandLine() {
        return "videollama " + String.join(" ", spec.root().commandLine().getParseResult().originalArgs().stream()
                .map(a -> a.isEmpty() || a.matches(".*[\\s'\"$].*") ? "'" + a.replace("'", "'\\''") + "'" : a).toList());
    }

    /** The repository's bundled videos and codec fixtures, or a usage failure naming the folder that cannot be listed. */
    private static List<Path> bundledMedia() {
        Path testdata = CommonOptions.bundledModel().getParent().getParent().resolve("testdata");
        try {
            return MediaBench.bundled(testdata);
        } catch (UncheckedIOException e) {
            throw new Errors.UsageFailure(testdata.resolve("media") + ": cannot be listed (bench --stage media without --media"
                    + " needs the repository's testdata): " + e.getCause().getMessage());
        }
    }

    private int decode(CommandLine cli, DType weights, Path cache) {
        SyntheticLlama.Shape s;
        try {
            s = SyntheticLlama.shape(shape != null ? shape : "stories110M");
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, "--shape: " + e.getMessage());
        }
        int warmup = this.warmup != null ? this.warmup : 8;
        if (tokens < 1 || warmup < 0 || tokens + warmup + 1 > s.context()) {
            throw new CommandLine.ParameterException(cli, "--tokens/--warmup: need 1 <= tokens and tokens + warmup < " + s.context());
        }
        if (numBeams < 1) {
            throw new CommandLine.ParameterException(cli, "--num-beams must be 1 or more, got " + numBeams);
        }
        if (promptTokens < 0 || promptTokens > s.context() || promptRuns < 1) {
            throw new CommandLine.ParameterException(cli, "--prompt-tokens/--prompt-runs: need 0 <= prompt tokens <= "
                    + s.context() + " and at least one run");
        }
        PrintWriter out = cli.getOut();
        PrintWriter err = cli.getErr();
        // a tokenizer of the shape's vocabulary: the bundled model's (512 pieces) or LLaMA's (32000)
        Path tokenizer = s.vocab() == 512 ? CommonOptions.bundledModel().resolve("tokenizer.model")
                : CommonOptions.bundledModel().getParent().getParent().resolve("testdata/tokenizer/tokenizer.model");
        if (!Files.isRegularFile(tokenizer)) {
            throw new Errors.UsageFailure(tokenizer + ": not found (bench needs the repository's LLaMA tokenizer)");
        }
        int[] size = chartSize(cli);
        checkOutput(cli, "--json", json);
        checkOutput(cli, "--chart", chart);
        Progress progress = new Progress(err);
        DecodeBench bench = new DecodeBench(s, weights, tokens, warmup, promptTokens, promptRuns, numBeams, bandwidth, profile || chart != null);
        Path dir = bench.modelDir(cache, tokenizer, progress.parts("writing random " + s.name() + " " + dtype + " weights to "
                + bench.modelPath(cache) + " (once)"));
        try (Llama llama = progress.time("loading", () -> Llama.load(dir), ModelSummary::of);
             Backend compute = backend == null ? Backends.openBest() : Backends.open(backend)) {
            err.println("backend: " + compute.name() + " (" + compute.device() + ")");
            BenchReport report = bench.run(llama, compute, out, progress::time, commandLine());
            writeJson(err, report);
            if (chart != null) {
                RooflineChart.write(chart, size[0], size[1], report);
                err.println("wrote " + chart + " (" + size[0] + "x" + size[1] + ")");
            }
        }
        return 0;
    }
}

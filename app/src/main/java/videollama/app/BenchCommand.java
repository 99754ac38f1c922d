package videollama.app;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import videollama.kernels.Backend;
import videollama.kernels.Backends;
import videollama.kernels.Profile;
import videollama.model.llama.Llama;
import videollama.model.llama.LlamaSession;
import videollama.model.llama.SyntheticLlama;
import videollama.weights.DType;

/**
 * {@code videollama bench decode}: batch-1 greedy decode speed of a model shape with random weights, as
 * tokens/s and achieved memory bandwidth (decode streams every weight once per token), medians after warm-up.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Decode benchmark on a model shape with seeded random weights: tokens/s, GB/s, per-kernel profile.")
final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--shape", defaultValue = "stories110M",
            description = "Model shape: stories260K, stories15M, stories110M, llama2-7b (default: ${DEFAULT-VALUE}).")
    String shape;

    @Option(names = "--dtype", defaultValue = "f32", description = "Weight dtype: f32, f16, bf16 (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--backend", paramLabel = "NAME", description = "reference, opencl or cuda (default: the best available).")
    String backend;

    @Option(names = "--tokens", defaultValue = "64", description = "Timed decode steps (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--warmup", defaultValue = "8", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--bandwidth-gbs", paramLabel = "GB/s", defaultValue = "0",
            description = "The device's memory bandwidth, to report the share of it achieved (0: leave out).")
    double bandwidth;

    @Option(names = "--profile", description = "Also print the per-kernel table of one more profiled step set.")
    boolean profile;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Where the random models are kept (default: ~/.cache/videollama/bench).")
    Path cacheDir;

    @Override
    public Integer call() {
        CommandLine cli = spec.commandLine();
        SyntheticLlama.Shape s;
        try {
            s = SyntheticLlama.shape(shape);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, "--shape: " + e.getMessage());
        }
        DType weights = switch (dtype) {
            case "f32" -> DType.F32;
            case "f16" -> DType.F16;
            case "bf16" -> DType.BF16;
            default -> throw new CommandLine.ParameterException(cli, "--dtype must be f32, f16 or bf16, got " + dtype);
        };
        if (tokens < 1 || warmup < 0 || tokens + warmup + 1 > s.context()) {
            throw new CommandLine.ParameterException(cli, "--tokens/--warmup: need 1 <= tokens and tokens + warmup < " + s.context());
        }
        PrintWriter out = cli.getOut();
        PrintWriter err = cli.getErr();
        Path dir = (cacheDir != null ? cacheDir : Path.of(System.getProperty("user.home"), ".cache", "videollama", "bench"))
                .resolve(s.name() + "-" + dtype);
        // a tokenizer of the shape's vocabulary: the bundled model's (512 pieces) or LLaMA's (32000)
        Path tokenizer = s.vocab() == 512 ? CommonOptions.bundledModel().resolve("tokenizer.model")
                : CommonOptions.bundledModel().getParent().getParent().resolve("testdata/tokenizer/tokenizer.model");
        if (!Files.isRegularFile(tokenizer)) {
            throw new Errors.UsageFailure(tokenizer + ": not found (bench needs the repository's LLaMA tokenizer)");
        }
        Progress progress = new Progress(err);
        progress.time("writing random " + s.name() + " " + dtype + " weights to " + dir + " (once)",
                () -> SyntheticLlama.write(dir, s, weights, tokenizer), p -> "ready");
        try (Llama llama = progress.time("loading", () -> Llama.load(dir), ModelSummary::of);
             Backend compute = backend == null ? Backends.openBest() : Backends.open(backend)) {
            err.println("backend: " + compute.name() + " (" + compute.device() + ")");
            long[] nanos = new long[tokens];
            try (LlamaSession session = progress.time("first session (uploads the weights)",
                    () -> llama.newSession(compute, tokens + warmup + 2), x -> "done")) {
                int token = session.forwardGreedy(llama.tokenizer().bosId());
                for (int i = 0; i < warmup; i++) {
                    token = session.forwardGreedy(token);
                }
                for (int i = 0; i < tokens; i++) {
                    long t0 = System.nanoTime();
                    token = session.forwardGreedy(token);
                    nanos[i] = System.nanoTime() - t0;
                }
                Profile p = null;
                if (profile) {
                    p = new Profile();
                    session.profile(p);
                    for (int i = 0; i < Math.min(8, session.capacity() - session.position()); i++) {
                        token = session.forwardGreedy(token);
                    }
                }
                report(out, s, weights, compute, nanos);
                if (p != null) {
                    out.println();
                    out.print(p.replays() == 0 ? "no kernels to profile on the reference backend\n" : p.table(bandwidth));
                }
            }
        }
        return 0;
    }

    private void report(PrintWriter out, SyntheticLlama.Shape s, DType weights, Backend compute, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2] / 1e6;
        double p10 = sorted[sorted.length / 10] / 1e6;
        double p90 = sorted[Math.min(sorted.length - 1, sorted.length * 9 / 10)] / 1e6;
        // bytes a decode step must stream: every matrix but the embedding table (one row of it is read)
        long perToken = (s.parameters() - (long) s.vocab() * s.dim()) * weights.byteSize();
        double gbs = perToken / (median * 1e6);
        out.println(String.format(Locale.ROOT, "shape %s, weights %s, %d timed steps after %d warm-up, backend %s (%s)",
                s.name(), dtype, tokens, warmup, compute.name(), compute.device()));
        out.println(String.format(Locale.ROOT, "ms/token  median %.3f  p10 %.3f  p90 %.3f", median, p10, p90));
        out.println(String.format(Locale.ROOT, "tokens/s  %.1f", 1000 / median));
        out.println(String.format(Locale.ROOT, "weights   %.3f GB/token, %.1f GB/s achieved%s", perToken / 1e9, gbs,
                bandwidth > 0 ? String.format(Locale.ROOT, " = %.0f%% of %.0f GB/s (limit %.1f tok/s)", 100 * gbs / bandwidth, bandwidth,
                        bandwidth * 1e9 / perToken) : ""));
    }
}

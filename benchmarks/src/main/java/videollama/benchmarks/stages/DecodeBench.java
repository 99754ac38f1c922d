package videollama.benchmarks.stages;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import videollama.kernels.Backend;
import videollama.kernels.DeviceBackend;
import videollama.kernels.Profile;
import videollama.model.llama.Llama;
import videollama.model.llama.LlamaSession;
import videollama.model.llama.LlamaWeights;
import videollama.model.llama.SyntheticLlama;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * {@code videollama bench} (the decode stage): batch-1 greedy decode speed of a model shape with random weights, as
 * tokens/s and achieved memory bandwidth (decode streams every weight once per token), medians after warm-up, against
 * the roofline measured in the same run ({@link Roofline}), with the peak resident memory. With {@code promptTokens > 0}
 * also the prefill of a prompt of that many tokens, batched and one position at a time; with {@code numBeams > 1} also a
 * beam search ({@link BeamBench}). Everything printed is also in the returned {@link BenchReport} ({@code --json}).
 *
 * @param shape       the model shape, written once with random weights ({@link #modelDir})
 * @param dtype       the weights' dtype (Q8_0: the linear layers' matrices, the embedding table F16)
 * @param tokens      timed decode steps
 * @param warmup      untimed decode steps first
 * @param promptTokens the prompt length of the prefill timing (0: leave out)
 * @param promptRuns  timed prefills of each kind, after one untimed
 * @param numBeams    beams of the beam-search timing (1: leave out)
 * @param bandwidth   the device's GB/s, to report the share of it achieved (0: the read bandwidth measured in the run)
 * @param profile     also print the per-kernel table of a few more steps
 */
public record DecodeBench(SyntheticLlama.Shape shape, DType dtype, int tokens, int warmup, int promptTokens, int promptRuns,
                          int numBeams, double bandwidth, boolean profile) {

    /** The folder of the random model in {@code cacheDir}: where {@link #modelDir} writes it. */
    public Path modelPath(Path cacheDir) {
        return cacheDir.resolve(shape.name() + "-" + dtypeName());
    }

    /**
     * The random model of the shape in the cache folder, written once with {@code tokenizer} after checking the disk
     * has room ({@link SyntheticLlama#write}); {@code progress} gets "MB written k/n" lines while it is written.
     */
    public Path modelDir(Path cacheDir, Path tokenizer, Consumer<String> progress) {
        return SyntheticLlama.write(modelPath(cacheDir), shape, dtype, tokenizer, progress);
    }

    /** Times, prints the report on {@code out} and returns every figure; {@code command} is the command line, for the report. */
    public BenchReport run(Llama llama, Backend compute, PrintWriter out, StepTimer steps, String command) {
        Machine machine = Machine.describe();
        long[] nanos = new long[tokens];
        Profile p = null;
        try (LlamaSession session = steps.time("first session (uploads the weights)",
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
            if (profile) {
                p = new Profile();
                session.profile(p);
                for (int i = 0; i < Math.min(8, session.capacity() - session.position()); i++) {
                    token = session.forwardGreedy(token);
                }
            }
        }
        ModelFigures figures = figures(llama.weights());
        BenchReport.Memory memory = BenchReport.memory(compute, figures.allBytes());
        Roofline roofline = steps.time("measuring the roofline (read bandwidth, GEMM)", () -> Roofline.measure(compute, machine),
                Roofline::summary);
        BenchReport.ModelInfo model = new BenchReport.ModelInfo(shape.name(), figures.weightType(), shape.parameters(),
                figures.allBytes(), shape.layers(), shape.dim(), shape.vocab());
        BenchReport.Decode decode = decode(nanos, figures.bytesPerToken(), roofline, machine);
        List<BenchReport.TestResult> tests = new ArrayList<>();
        tests.add(TestTable.test("tg" + tokens, "greedy decode, tokens/s of each timed step", 1, rates(nanos, 1)));
        printDecode(out, compute, model, decode, memory, roofline, machine);
        List<BenchReport.Kernel> kernels = p == null || p.replays() == 0 ? List.of() : BenchReport.kernels(p, decode.bandwidthGBs(), machine);
        if (p != null) {
            out.println();
            out.print(p.replays() == 0 ? "no kernels to profile on the reference backend\n"
                    : p.table(decode.bandwidthGBs(), machine.lastLevelCacheBytes()));
        }
        BenchReport.Beams beams = numBeams > 1 ? new BeamBench(llama, compute, numBeams, tokens, warmup).run(out) : null;
        BenchReport.Prefill prefill = promptTokens > 0 ? prefill(llama, compute, out, tests) : null;
        out.println();
        out.print(TestTable.of(model, compute.name(), tests));
        return new BenchReport(BenchReport.SCHEMA_VERSION, "decode", command, BenchReport.now(), machine,
                new BenchReport.BackendInfo(compute.name(), compute.device()), model, tests, decode, memory, roofline, kernels, beams,
                prefill, null);
    }

    /** Times the prefill of a random {@code promptTokens}-token prompt, prints it, adds its {@code ppN} test. */
    private BenchReport.Prefill prefill(Llama llama, Backend compute, PrintWriter out, List<BenchReport.TestResult> tests) {
        int[] prompt = new SplittableRandom(promptTokens).ints(promptTokens, 3, shape.vocab()).toArray();
        prompt[0] = llama.tokenizer().bosId();
        long[] batchedRuns = prefillNanos(llama, compute, prompt, "batched");
        long batched = median(batchedRuns);
        tests.add(TestTable.test("pp" + promptTokens, "prefill, batched, tokens/s of each run", promptTokens,
                rates(batchedRuns, promptTokens)));
        out.println();
        out.println(String.format(Locale.ROOT, "prefill of %d tokens, median of %d runs, each in a fresh session:",
                promptTokens, promptRuns));
        out.println(String.format(Locale.ROOT, "  batched             %9.1f ms  %8.1f prompt tokens/s", batched / 1e6,
                promptTokens / (batched / 1e9)));
        Double positionsMs = null;
        if (compute instanceof DeviceBackend) { // the reference path has only its own batched form
            long positions = median(prefillNanos(llama, compute, prompt, "positions"));
            positionsMs = positions / 1e6;
            out.println(String.format(Locale.ROOT, "  position by position %8.1f ms  %8.1f prompt tokens/s", positions / 1e6,
                    promptTokens / (positions / 1e9)));
            out.println(String.format(Locale.ROOT, "  speed-up            %9.2fx", positions / (double) batched));
        }
        return new BenchReport.Prefill(promptTokens, promptRuns, batched / 1e6, positionsMs);
    }

    /** "f32", "f16", "bf16", "q8_0": the dtype as the option names it. */
    private String dtypeName() {
        return dtype.name().toLowerCase(Locale.ROOT);
    }

    /**
     * What the model's tensors weigh: the layers' matrix dtype as stored, all bytes, and the bytes a decode step
     * streams (every matrix and norm but the embedding table, of which one row is read), counted from the tensors as
     * loaded, so a folder of any weight type is counted right.
     */
    private record ModelFigures(String weightType, long allBytes, long bytesPerToken) {}

    private static ModelFigures figures(LlamaWeights w) {
        long layers = 0;
        for (LlamaWeights.Layer<Tensor, Tensor> l : w.layers) {
            for (Tensor t : List.of(l.inputNorm(), l.wq(), l.wk(), l.wv(), l.wo(), l.postAttentionNorm(), l.gate(), l.up(), l.down())) {
                layers += bytes(t);
            }
        }
        long head = w.lmHead == w.embedTokens ? 0 : bytes(w.lmHead);
        long perToken = layers + bytes(w.finalNorm) + (head > 0 ? head : bytes(w.embedTokens));
        String type = w.layers.isEmpty() ? w.embedTokens.dtype().name() : w.layers.getFirst().wq().dtype().name();
        return new ModelFigures(type.toLowerCase(Locale.ROOT), layers + bytes(w.finalNorm) + head + bytes(w.embedTokens), perToken);
    }

    /** A tensor's bytes as stored: a Q8_0 matrix's quants and its scales. */
    private static long bytes(Tensor t) {
        return t.data().byteSize() + (t.dtype() == DType.Q8_0 ? t.scales().data().byteSize() : 0);
    }

    /**
     * The decode step's figures. Its share of DRAM bandwidth only where its weights came from DRAM: not when they fit in
     * the last-level cache (stories260K's 1 MB), where they stay between steps, nor when they came faster than DRAM.
     */
    private BenchReport.Decode decode(long[] nanos, long perToken, Roofline roofline, Machine machine) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2] / 1e6;
        double p10 = sorted[sorted.length / 10] / 1e6;
        double p90 = sorted[Math.min(sorted.length - 1, sorted.length * 9 / 10)] / 1e6;
        double gbs = perToken / (median * 1e6);
        double limit = bandwidth > 0 ? bandwidth : roofline.readGBs();
        Profile.Source source = machine.lastLevelCacheBytes() > 0 && perToken <= machine.lastLevelCacheBytes() ? Profile.Source.CACHE
                : gbs > limit ? Profile.Source.ABOVE_MEASURED : Profile.Source.DRAM;
        double mean = Arrays.stream(nanos).sum() / 1e6 / nanos.length;
        return new BenchReport.Decode(tokens, warmup, median, p10, p90, mean, 1000 / median, perToken, gbs, limit,
                bandwidth > 0 ? "--bandwidth-gbs" : "measured read bandwidth", BenchReport.from(source),
                source == Profile.Source.DRAM ? gbs / limit : null);
    }

    private void printDecode(PrintWriter out, Backend compute, BenchReport.ModelInfo model, BenchReport.Decode d, BenchReport.Memory m,
                             Roofline roofline, Machine machine) {
        out.println(String.format(Locale.ROOT, "shape %s, weights %s, %d timed steps after %d warm-up, backend %s (%s)",
                shape.name(), model.weightType(), tokens, warmup, compute.name(), compute.device()));
        out.println(String.format(Locale.ROOT, "ms/token  median %.3f  p10 %.3f  p90 %.3f  mean %.3f", d.msMedian(), d.msP10(), d.msP90(),
                d.msMean()));
        out.println(String.format(Locale.ROOT, "tokens/s  %.1f", d.tokensPerSecond()));
        String share = switch (d.bytesFrom()) {
            case "dram" -> String.format(Locale.ROOT, "= %.0f%% of %.1f GB/s (%s; limit %.1f tok/s)", 100 * d.shareOfBandwidth(),
                    d.bandwidthGBs(), d.bandwidthSource(), d.bandwidthGBs() * 1e9 / d.bytesPerToken());
            case "cache" -> String.format(Locale.ROOT, "from cache, not DRAM (the weights fit in the %d MiB last-level cache;"
                    + " DRAM: %.1f GB/s, %s)", machine.lastLevelCacheBytes() >> 20, d.bandwidthGBs(), d.bandwidthSource());
            default -> String.format(Locale.ROOT, "above the %.1f GB/s of the %s, with more weights than the cache holds: that"
                    + " bandwidth is low for this run", d.bandwidthGBs(), d.bandwidthSource());
        };
        out.println(String.format(Locale.ROOT, "weights   %.3f GB/token, %.1f GB/s achieved %s", d.bytesPerToken() / 1e9,
                d.gigabytesPerSecond(), share));
        out.println(String.format(Locale.ROOT, "memory    peak RSS %s; weights on the device: %.2f GB in place (the file mapping), %.2f GB copied",
                m.peakRssBytes() < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f GB", m.peakRssBytes() / 1e9),
                m.weightBytesInPlace() / 1e9, m.weightBytesCopied() / 1e9));
        out.println("roofline  " + roofline.summary());
    }

    /** Tokens/s of each timing: {@code tokensEach} tokens in each of {@code nanos}. */
    private static double[] rates(long[] nanos, int tokensEach) {
        return Arrays.stream(nanos).mapToDouble(n -> tokensEach / (n / 1e9)).toArray();
    }

    private static long median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /**
     * The times of {@code promptRuns} prefills of {@code prompt} (last row's logits back), each in a new session made
     * with {@code videollama.prefill=mode}, after one untimed prefill that compiles the kernels.
     */
    private long[] prefillNanos(Llama llama, Backend compute, int[] prompt, String mode) {
        String before = System.getProperty("videollama.prefill");
        System.setProperty("videollama.prefill", mode);
        try {
            long[] nanos = new long[promptRuns];
            for (int run = -1; run < promptRuns; run++) {
                try (LlamaSession session = llama.newSession(compute, prompt.length)) {
                    long t0 = System.nanoTime();
                    session.forwardTokens(prompt, false);
                    if (run >= 0) {
                        nanos[run] = System.nanoTime() - t0;
                    }
                }
            }
            return nanos;
        } finally {
            if (before == null) {
                System.clearProperty("videollama.prefill");
            } else {
                System.setProperty("videollama.prefill", before);
            }
        }
    }
}

package videollama.benchmarks.stages;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import videollama.kernels.Backend;
import videollama.kernels.DeviceBackend;
import videollama.kernels.Profile;
import videollama.model.llama.Llama;
import videollama.model.llama.LlamaSession;
import videollama.model.llama.SyntheticLlama;
import videollama.weights.DType;

/**
 * {@code videollama bench} (the decode stage): batch-1 greedy decode speed of a model shape with random weights, as
 * tokens/s and achieved memory bandwidth (decode streams every weight once per token), medians after warm-up. With
 * {@code promptTokens > 0} also the prefill of a prompt of that many tokens, batched and one position at a time;
 * with {@code numBeams > 1} also a beam search ({@link BeamBench}).
 *
 * @param shape       the model shape, written once with random weights ({@link #modelDir})
 * @param dtype       the weights' dtype
 * @param tokens      timed decode steps
 * @param warmup      untimed decode steps first
 * @param promptTokens the prompt length of the prefill timing (0: leave out)
 * @param promptRuns  timed prefills of each kind, after one untimed
 * @param numBeams    beams of the beam-search timing (1: leave out)
 * @param bandwidth   the device's GB/s, to report the share of it achieved (0: leave out)
 * @param profile     also print the per-kernel table of a few more steps
 */
public record DecodeBench(SyntheticLlama.Shape shape, DType dtype, int tokens, int warmup, int promptTokens, int promptRuns,
                          int numBeams, double bandwidth, boolean profile) {

    /** The random model of the shape in the cache folder, written once with {@code tokenizer}. */
    public Path modelDir(Path cacheDir, Path tokenizer, StepTimer steps) {
        Path dir = cacheDir.resolve(shape.name() + "-" + dtypeName());
        return steps.time("writing random " + shape.name() + " " + dtypeName() + " weights to " + dir + " (once)",
                () -> SyntheticLlama.write(dir, shape, dtype, tokenizer), p -> "ready");
    }

    public void run(Llama llama, Backend compute, PrintWriter out, StepTimer steps) {
        long[] nanos = new long[tokens];
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
            Profile p = null;
            if (profile) {
                p = new Profile();
                session.profile(p);
                for (int i = 0; i < Math.min(8, session.capacity() - session.position()); i++) {
                    token = session.forwardGreedy(token);
                }
            }
            report(out, compute, nanos);
            if (p != null) {
                out.println();
                out.print(p.replays() == 0 ? "no kernels to profile on the reference backend\n" : p.table(bandwidth));
            }
        }
        if (numBeams > 1) {
            new BeamBench(llama, compute, numBeams, tokens, warmup).run(out);
        }
        if (promptTokens > 0) {
            int[] prompt = new SplittableRandom(promptTokens).ints(promptTokens, 3, shape.vocab()).toArray();
            prompt[0] = llama.tokenizer().bosId();
            long batched = medianPrefillNanos(llama, compute, prompt, "batched");
            out.println();
            out.println(String.format(Locale.ROOT, "prefill of %d tokens, median of %d runs, each in a fresh session:",
                    promptTokens, promptRuns));
            out.println(String.format(Locale.ROOT, "  batched             %9.1f ms  %8.1f prompt tokens/s", batched / 1e6,
                    promptTokens / (batched / 1e9)));
            if (compute instanceof DeviceBackend) { // the reference path has only its own batched form
                long positions = medianPrefillNanos(llama, compute, prompt, "positions");
                out.println(String.format(Locale.ROOT, "  position by position %8.1f ms  %8.1f prompt tokens/s", positions / 1e6,
                        promptTokens / (positions / 1e9)));
                out.println(String.format(Locale.ROOT, "  speed-up            %9.2fx", positions / (double) batched));
            }
        }
    }

    /** "f32", "f16", "bf16": the dtype as the option names it. */
    private String dtypeName() {
        return dtype.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The median time of {@code promptRuns} prefills of {@code prompt} (last row's logits back), each in a new
     * session made with {@code videollama.prefill=mode}, after one untimed prefill that compiles the kernels.
     */
    private long medianPrefillNanos(Llama llama, Backend compute, int[] prompt, String mode) {
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
            Arrays.sort(nanos);
            return nanos[nanos.length / 2];
        } finally {
            if (before == null) {
                System.clearProperty("videollama.prefill");
            } else {
                System.setProperty("videollama.prefill", before);
            }
        }
    }

    private void report(PrintWriter out, Backend compute, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2] / 1e6;
        double p10 = sorted[sorted.length / 10] / 1e6;
        double p90 = sorted[Math.min(sorted.length - 1, sorted.length * 9 / 10)] / 1e6;
        // bytes a decode step must stream: every matrix but the embedding table (one row of it is read)
        long perToken = (shape.parameters() - (long) shape.vocab() * shape.dim()) * dtype.byteSize();
        double gbs = perToken / (median * 1e6);
        out.println(String.format(Locale.ROOT, "shape %s, weights %s, %d timed steps after %d warm-up, backend %s (%s)",
                shape.name(), dtypeName(), tokens, warmup, compute.name(), compute.device()));
        out.println(String.format(Locale.ROOT, "ms/token  median %.3f  p10 %.3f  p90 %.3f", median, p10, p90));
        out.println(String.format(Locale.ROOT, "tokens/s  %.1f", 1000 / median));
        out.println(String.format(Locale.ROOT, "weights   %.3f GB/token, %.1f GB/s achieved%s", perToken / 1e9, gbs,
                bandwidth > 0 ? String.format(Locale.ROOT, " = %.0f%% of %.0f GB/s (limit %.1f tok/s)", 100 * gbs / bandwidth, bandwidth,
                        bandwidth * 1e9 / perToken) : ""));
    }
}

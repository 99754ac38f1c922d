package videollama.benchmarks.stages;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import videollama.kernels.Backend;
import videollama.kernels.DeviceBackend;
import videollama.model.generate.BeamSearch;
import videollama.model.generate.Generation;
import videollama.model.generate.GenerationSettings;
import videollama.model.generate.Sampler;
import videollama.model.generate.SamplingSettings;
import videollama.model.llama.Llama;
import videollama.model.llama.LlamaSession;

/**
 * {@code bench --num-beams N}: a beam search's time per step against a greedy step that brings its logits back (what
 * a beam step runs once per beam), and the time of one beam's cache copy at the search's end length, the price of a
 * beam that changes parent. EOS is blocked ({@code min-length} at its maximum) so every run lasts {@code tokens} steps.
 */
public record BeamBench(Llama llama, Backend compute, int beams, int tokens, int warmup) {

    /** Prints the timings and returns them. */
    public BenchReport.Beams run(PrintWriter out) {
        int[] prompt = {llama.tokenizer().bosId()};
        float[] embeddings = llama.embed(prompt);
        GenerationSettings settings = new GenerationSettings(tokens, SamplingSettings.greedy(), beams, 1.0, 1f, tokens + 1,
                List.of(), List.of(), false);
        BeamSearch search = new BeamSearch(llama.tokenizer());
        long[] stepNanos = new long[3];
        for (int run = -1; run < stepNanos.length; run++) {
            try (LlamaSession session = llama.newSession(compute, 1 + tokens)) {
                Generation g = search.generate(session, embeddings, 1, settings, false, text -> {}, null);
                if (run >= 0) {
                    stepNanos[run] = g.decodeNanos() / Math.max(1, g.decodeSteps());
                }
            }
        }
        Arrays.sort(stepNanos);
        double beamStep = stepNanos[stepNanos.length / 2] / 1e6;
        double greedyStep = greedyWithLogitsNanos() / 1e6;
        double copy = copyNanos() / 1e6;
        out.println();
        out.println(String.format(Locale.ROOT, "beam search, %d beams, %d steps (median of %d runs):", beams, tokens, stepNanos.length));
        out.println(String.format(Locale.ROOT, "  ms/step   %.3f = %.2f greedy steps with logits back (%.3f ms each)", beamStep,
                beamStep / greedyStep, greedyStep));
        out.println(String.format(Locale.ROOT, "  beam tokens/s %.1f, answer tokens/s %.1f", beams * 1000 / beamStep, 1000 / beamStep));
        out.println(String.format(Locale.ROOT, "  one beam's cache copy of %d positions: %.3f ms (%.1f%% of a beam step)", tokens, copy,
                100 * copy / beamStep));
        return new BenchReport.Beams(beams, tokens, beamStep, greedyStep, copy);
    }

    /** The median greedy step that returns the whole logits row, as each beam's step does. */
    private long greedyWithLogitsNanos() {
        try (LlamaSession session = llama.newSession(compute, 1 + warmup + tokens)) {
            int token = llama.tokenizer().bosId();
            long[] nanos = new long[tokens];
            for (int i = -warmup; i < tokens; i++) {
                long t0 = System.nanoTime();
                float[] logits = session.forwardTokens(new int[] {token}, false);
                if (i >= 0) {
                    nanos[i] = System.nanoTime() - t0;
                }
                token = Sampler.argmax(logits, 0, logits.length);
            }
            Arrays.sort(nanos);
            return nanos[nanos.length / 2];
        }
    }

    /** The median time to copy {@code tokens} cache positions into a forked session (waiting for the device). */
    private long copyNanos() {
        try (LlamaSession source = llama.newSession(compute, 1 + tokens)) {
            int token = llama.tokenizer().bosId();
            for (int i = 0; i < tokens; i++) {
                token = source.forwardGreedy(token);
            }
            try (LlamaSession target = source.fork()) {
                long[] nanos = new long[5];
                for (int run = -1; run < nanos.length; run++) {
                    long t0 = System.nanoTime();
                    target.copyCacheFrom(source, 0);
                    if (compute instanceof DeviceBackend device) {
                        device.finish();
                    }
                    if (run >= 0) {
                        nanos[run] = System.nanoTime() - t0;
                    }
                }
                Arrays.sort(nanos);
                return nanos[nanos.length / 2];
            }
        }
    }
}

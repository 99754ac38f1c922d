package videollama.benchmarks;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import videollama.benchmarks.stages.Machine;
import videollama.benchmarks.stages.Roofline;
import videollama.kernels.Backend;
import videollama.kernels.Backends;
import videollama.kernels.reference.Q8_0;
import videollama.model.llama.Llama;
import videollama.model.llama.LlamaSession;
import videollama.model.llama.LlamaWeights;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * Whole greedy decode steps of two or more LLaMA folders (e.g. the bf16 and the Q8_0 copy of one {@code bench}
 * shape) on one backend, interleaved in rounds with the host read-bandwidth probe of {@link Roofline}: a round
 * measures the bandwidth (best of 3 passes), then decodes a few tokens with each model in an order that rotates from
 * round to round; each model's weight GB/s is taken over the bandwidth of its own round and its tokens/s over the
 * first model's, so every ratio is measured under the same load. A model's bytes per token are its layers' matrices
 * and norms (quants and scales for Q8_0), the final norm and lm_head, as {@code bench} counts them. A folder written
 * {@code q8_0-activations:DIR} runs on a backend of its own opened under {@code -Dvideollama.q8_0.activations=q8_0}
 * (which a backend reads when it makes its ops), so its Q8_0 decode GEMVs quantise their input: the same folder can
 * be timed both ways in one run.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar videollama.benchmarks.DecodeRounds \
 *     BACKEND TOKENS ROUNDS DIR... (a DIR may be q8_0-activations:DIR)</pre>
 */
public final class DecodeRounds {
    private DecodeRounds() {}

    public static void main(String[] args) {
        if (args.length < 4) {
            System.err.println("usage: DecodeRounds BACKEND TOKENS ROUNDS DIR...");
            System.exit(2);
        }
        int tokens = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        List<String> names = Arrays.stream(args, 3, args.length).toList();
        List<Path> dirs = names.stream().map(a -> Path.of(a.replaceFirst("^" + QUANTISED, ""))).toList();
        Machine machine = Machine.describe();
        try (Backend backend = Backends.open(args[0]); Backend quantised = quantisedBackend(args[0], names)) {
            int n = dirs.size();
            Llama[] models = new Llama[n];
            LlamaSession[] sessions = new LlamaSession[n];
            long[] bytes = new long[n];
            for (int i = 0; i < n; i++) {
                models[i] = Llama.load(dirs.get(i));
                bytes[i] = bytesPerToken(models[i].weights());
                sessions[i] = models[i].newSession(names.get(i).startsWith(QUANTISED) ? quantised : backend, 1 + (rounds + 1) * tokens);
                sessions[i].forwardGreedy(1); // BOS: compiles and touches every weight
            }
            long[][] probe = Roofline.hostProbe(machine);
            System.out.printf(Locale.ROOT, "%s; backend %s; %d tokens a model a round; load average before: %s%n",
                    machine.summary(), args[0], tokens, DecodeGemvRounds.loadAverage());
            double[][] share = new double[n][rounds];
            double[][] speedup = new double[n][rounds];
            int[] next = new int[n];
            Arrays.fill(next, 1);
            for (int round = 0; round < rounds; round++) {
                double bandwidth = Arrays.stream(Roofline.hostReadPasses(probe, machine.cores(), 3)).max().orElseThrow();
                double[] seconds = new double[n];
                for (int k = 0; k < n; k++) {
                    int i = (k + round) % n;
                    long t0 = System.nanoTime();
                    for (int t = 0; t < tokens; t++) {
                        next[i] = sessions[i].forwardGreedy(next[i]);
                    }
                    seconds[i] = (System.nanoTime() - t0) * 1e-9 / tokens;
                }
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %d: read %.1f GB/s", round + 1, bandwidth));
                for (int i = 0; i < n; i++) {
                    double gbs = bytes[i] / seconds[i] / 1e9;
                    share[i][round] = gbs / bandwidth;
                    speedup[i][round] = seconds[0] / seconds[i];
                    line.append(String.format(Locale.ROOT, " | %s %.0f ms/token %.1f GB/s %.0f%% %.2fx", label(names.get(i), dirs.get(i)),
                            1e3 * seconds[i], gbs, 100 * share[i][round], speedup[i][round]));
                }
                System.out.println(line + " | load " + DecodeGemvRounds.loadAverage());
            }
            System.out.printf(Locale.ROOT, "median of %d rounds (share of the round's best read pass; tokens/s against %s):%n", rounds,
                    dirs.getFirst().getFileName());
            for (int i = 0; i < n; i++) {
                System.out.printf(Locale.ROOT, "  %-32s %.3f GB/token, %4.0f%% of read bandwidth (range %.0f-%.0f%%), %.2fx%n",
                        label(names.get(i), dirs.get(i)), bytes[i] / 1e9, 100 * DecodeGemvRounds.median(share[i]),
                        100 * Arrays.stream(share[i]).min().orElseThrow(), 100 * Arrays.stream(share[i]).max().orElseThrow(),
                        DecodeGemvRounds.median(speedup[i]));
            }
            System.out.println("load average after: " + DecodeGemvRounds.loadAverage());
            for (int i = 0; i < n; i++) {
                sessions[i].close();
                models[i].close();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static final String QUANTISED = "q8_0-activations:";

    private static String label(String name, Path dir) {
        return dir.getFileName() + (name.startsWith(QUANTISED) ? " x q8_0" : "");
    }

    /** A second backend whose Q8_0 GEMVs quantise their input, when a folder asks for one; null otherwise. */
    private static Backend quantisedBackend(String name, List<String> folders) {
        if (folders.stream().noneMatch(f -> f.startsWith(QUANTISED))) {
            return null;
        }
        System.setProperty(Q8_0.ACTIVATIONS_PROPERTY, "q8_0");
        try {
            return Backends.open(name);
        } finally {
            System.clearProperty(Q8_0.ACTIVATIONS_PROPERTY);
        }
    }

    /** The bytes a decode step streams: every layer matrix (with its Q8_0 scales) and norm, the final norm, lm_head. */
    static long bytesPerToken(LlamaWeights w) {
        long sum = 0;
        for (LlamaWeights.Layer<Tensor, Tensor> l : w.layers) {
            for (Tensor t : List.of(l.inputNorm(), l.wq(), l.wk(), l.wv(), l.wo(), l.postAttentionNorm(), l.gate(), l.up(), l.down())) {
                sum += bytes(t);
            }
        }
        return sum + bytes(w.finalNorm) + bytes(w.lmHead);
    }

    private static long bytes(Tensor t) {
        return t.data().byteSize() + (t.dtype() == DType.Q8_0 ? t.scales().data().byteSize() : 0);
    }
}

package videollama.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.model.ModelSupport;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.KvBufferCache;
import com.github.tjake.jlama.tensor.operations.TensorOperationsProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import videollama.kernels.Backend;
import videollama.kernels.Backends;
import videollama.model.llama.Llama;
import videollama.model.llama.LlamaSession;
import videollama.model.llama.SyntheticLlama;
import videollama.model.tokenizer.SentencePieceTokenizer;
import videollama.weights.DType;

/**
 * Batch-1 greedy decode of one safetensors folder (a {@link SyntheticLlama} shape, float32) by this project and by
 * Jlama 0.8.4 (Maven Central's {@code com.github.tjake:jlama-core}, with {@code jlama-native}'s SIMD library where it
 * loads), in rounds that alternate the two in one JVM, so a load change on a shared machine moves both; prints each
 * round's tokens/s and the ratio ours/Jlama, and their medians. Before timing, both decode the same steps from BOS and
 * must pick the same greedy tokens: the two really run the same model.
 *
 * <p>Jlama reads a Hugging Face folder: besides {@code config.json} (whose {@code hidden_act}, {@code bos_token_id} and
 * {@code eos_token_id} it requires) and {@code model.safetensors} it wants a {@code tokenizer.json}. Decoding token ids
 * needs none of the tokenizer's merges, so the one written here holds the SentencePiece vocabulary only.
 *
 * <pre>java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
 *     videollama.benchmarks.JlamaSideBySide [--shape stories110M] [--tokens 64] [--warmup 8] [--rounds 5] [--backend opencl]</pre>
 */
public final class JlamaSideBySide {
    /** One engine: a fresh decode from BOS of {@code warmup + tokens} steps, the last {@code tokens} timed. */
    interface Engine {
        /** The greedy tokens of the steps, and the nanoseconds of the timed ones. */
        Run decode(int warmup, int tokens);
    }

    record Run(int[] tokens, long timedNanos, int timedSteps) {
        double tokensPerSecond() {
            return timedSteps / (timedNanos / 1e9);
        }
    }

    private JlamaSideBySide() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        SyntheticLlama.Shape shape = SyntheticLlama.shape(options.getOrDefault("--shape", "stories110M"));
        int tokens = Integer.parseInt(options.getOrDefault("--tokens", "64"));
        int warmup = Integer.parseInt(options.getOrDefault("--warmup", "8"));
        int rounds = Integer.parseInt(options.getOrDefault("--rounds", "5"));
        if (tokens < 1 || warmup < 0 || rounds < 1 || warmup + tokens + 1 > shape.context()) {
            throw new IllegalArgumentException("need tokens >= 1, warmup >= 0, rounds >= 1 and warmup + tokens < " + shape.context());
        }
        Path cache = Path.of(options.getOrDefault("--cache-dir",
                Path.of(System.getProperty("user.home"), ".cache", "videollama", "bench").toString()));
        Path tokenizer = BenchSupport.repositoryFile(shape.vocab() == 512 ? "models/stories260K/tokenizer.model"
                : "testdata/tokenizer/tokenizer.model");
        Path dir = SyntheticLlama.write(cache.resolve(shape.name() + "-f32"), shape, DType.F32, tokenizer);
        writeTokenizerJson(dir, tokenizer);
        String backendName = options.get("--backend");
        try (Llama llama = Llama.load(dir);
             Backend compute = backendName == null ? Backends.openBest() : Backends.open(backendName)) {
            AbstractModel jlama = ModelSupport.loadModel(dir.toFile(), com.github.tjake.jlama.safetensors.DType.F32,
                    com.github.tjake.jlama.safetensors.DType.I8);
            Engine ours = (w, n) -> decodeOurs(llama, compute, w, n);
            Engine theirs = (w, n) -> decodeJlama(jlama, w, n);
            System.out.println(String.format(Locale.ROOT, "%s f32 (%s), %d timed steps after %d warm-up, %d rounds alternating;"
                            + " ours: %s (%s); Jlama 0.8.4: %s, %d threads", shape.name(), dir, tokens, warmup, rounds,
                    compute.name(), compute.device(), TensorOperationsProvider.get().name(),
                    com.github.tjake.jlama.util.PhysicalCoreExecutor.instance.get().getCoreCount()));
            int[] a = ours.decode(warmup, tokens).tokens();
            int[] b = theirs.decode(warmup, tokens).tokens();
            int agree = 0;
            while (agree < a.length && a[agree] == b[agree]) {
                agree++;
            }
            System.out.println("greedy tokens: the same for " + agree + " of " + a.length + " steps");
            if (agree < Math.min(8, a.length)) {
                throw new IllegalStateException("the two decode different models: ours " + Arrays.toString(a) + ", Jlama "
                        + Arrays.toString(b));
            }
            double[] ratios = new double[rounds];
            double[] oursRates = new double[rounds];
            double[] jlamaRates = new double[rounds];
            System.out.println("round  ours tok/s  Jlama tok/s  ours/Jlama");
            for (int r = 0; r < rounds; r++) {
                oursRates[r] = ours.decode(warmup, tokens).tokensPerSecond();
                jlamaRates[r] = theirs.decode(warmup, tokens).tokensPerSecond();
                ratios[r] = oursRates[r] / jlamaRates[r];
                System.out.println(String.format(Locale.ROOT, "%5d  %10.1f  %11.1f  %9.2fx", r + 1, oursRates[r], jlamaRates[r],
                        ratios[r]));
            }
            System.out.println(String.format(Locale.ROOT, "median %10.1f  %11.1f  %9.2fx (ratio: median of the rounds' ratios)",
                    median(oursRates), median(jlamaRates), median(ratios)));
            jlama.close();
        }
    }

    static Run decodeOurs(Llama llama, Backend compute, int warmup, int tokens) {
        int[] out = new int[warmup + tokens];
        try (LlamaSession session = llama.newSession(compute, warmup + tokens + 1)) {
            int token = llama.tokenizer().bosId();
            long start = 0;
            for (int i = 0; i < out.length; i++) {
                if (i == warmup) {
                    start = System.nanoTime();
                }
                token = session.forwardGreedy(token);
                out[i] = token;
            }
            return new Run(out, System.nanoTime() - start, tokens);
        }
    }

    /** Jlama's own decode loop ({@code AbstractModel.generate}) without its prompt, sampling at temperature 0 (argmax). */
    static Run decodeJlama(AbstractModel model, int warmup, int tokens) {
        int[] out = new int[warmup + tokens];
        try (KvBufferCache cache = new KvBufferCache(model);
             KvBufferCache.KvBuffer kv = cache.getKvBuffer(UUID.randomUUID());
             AbstractTensor logits = model.makeDenseTensor(model.getConfig().vocabularySize)) {
            int token = model.getConfig().bosToken;
            long start = 0;
            for (int i = 0; i < out.length; i++) {
                if (i == warmup) {
                    start = System.nanoTime();
                }
                try (AbstractTensor output = model.forward(token, i, kv, Optional.empty())) {
                    token = model.sample(output, 0f, 0f, logits);
                }
                kv.incrementContextPosition();
                out[i] = token;
            }
            return new Run(out, System.nanoTime() - start, tokens);
        }
    }

    /**
     * A {@code tokenizer.json} of the SentencePiece vocabulary (piece to id; no merges), unless the folder has one: what
     * Jlama's tokenizer needs to load a folder whose tokens are given as ids.
     */
    static void writeTokenizerJson(Path dir, Path tokenizerModel) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        if (Files.exists(file)) {
            return;
        }
        SentencePieceTokenizer sp = SentencePieceTokenizer.load(tokenizerModel);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int id = 0; id < sp.vocabSize(); id++) {
            vocab.put(sp.piece(id), id);
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("unk_token", sp.piece(sp.unkId()));
        model.put("byte_fallback", true);
        model.put("vocab", vocab);
        model.put("merges", List.of());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", "1.0");
        json.put("added_tokens", List.of());
        json.put("model", model);
        Path partial = dir.resolve("tokenizer.json.partial");
        new ObjectMapper().writeValue(partial.toFile(), json);
        Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("options come as --name value pairs: " + String.join(" ", args));
            }
            options.put(args[i], args[i + 1]);
        }
        return options;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}

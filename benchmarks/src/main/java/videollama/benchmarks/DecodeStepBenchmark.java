package videollama.benchmarks;

import static videollama.benchmarks.BenchSupport.check;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import videollama.kernels.Backend;
import videollama.kernels.Backends;
import videollama.model.llama.Llama;
import videollama.model.llama.LlamaSession;
import videollama.model.llama.SyntheticLlama;
import videollama.weights.DType;

/**
 * One whole greedy decode step (a token in, every layer, the logits' argmax out) of a {@link SyntheticLlama}
 * shape with seeded random weights, as {@code videollama bench} runs it: the model is written once into
 * {@code ~/.cache/videollama/bench/<shape>-<dtype>} (the same folder bench uses), loaded, and decoded on the
 * backend under test. The score is tokens/s; {@code :gigabytes} is the weight traffic (every matrix but the
 * embedding table, once per token), so it compares with the machine's memory bandwidth.
 *
 * <p>Backends: {@code reference} (plain Java) and {@code opencl}; {@code cuda} should work where there is a
 * driver (not run yet). Before timing, the first step's logits on the backend are checked against the reference
 * path (1e-4 relative with float32 weights, 1e-2 with fp16/bf16, as the golden tests). Each iteration decodes a fresh
 * sequence from BOS, so every iteration covers the same positions and the attention cost (under 3 % of a step
 * at these lengths) is that of a short context. Run from the repository root, which holds the tokenizer the
 * model folder needs (or pass {@code -Dvideollama.root=DIR}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DecodeStepBenchmark extends ForkedBenchmark {
    /** A shape name of {@link SyntheticLlama#SHAPES}. */
    @Param({"stories110M"})
    public String shape;

    @Param({"f32"})
    public String dtype;

    @Param({"reference", "opencl"})
    public String backend;

    /** Where the random models are kept; the smoke test points it at a temporary folder. */
    Path cacheDir = Path.of(System.getProperty("user.home"), ".cache", "videollama", "bench");

    private SyntheticLlama.Shape s;
    private Llama llama;
    private Backend compute;
    private LlamaSession session;
    private int bos;
    private int token;
    /** The reference path's greedy token after BOS: the benchmark's first step must give the same. */
    private int referenceFirstToken;
    /** The weights a step multiplies with (every matrix but the embedding table) and their bytes. */
    private long weightsPerToken;
    private long bytesPerToken;

    @Setup(Level.Trial)
    public void setup() {
        s = SyntheticLlama.shape(shape);
        DType weights = switch (dtype) {
            case "f32" -> DType.F32;
            case "f16" -> DType.F16;
            case "bf16" -> DType.BF16;
            default -> throw new IllegalArgumentException("dtype must be f32, f16 or bf16, not " + dtype);
        };
        Path dir = SyntheticLlama.write(cacheDir.resolve(s.name() + "-" + dtype), s, weights, tokenizer(s));
        llama = Llama.load(dir);
        // every matrix but the embedding table, of which one row is read: what a step must stream
        weightsPerToken = s.parameters() - (long) s.vocab() * s.dim();
        bytesPerToken = weightsPerToken * weights.byteSize();
        bos = llama.tokenizer().bosId();
        float[] expected;
        try (Backend reference = Backends.open("reference"); LlamaSession check = llama.newSession(reference, 1)) {
            expected = check.forwardTokens(new int[] {bos}, false);
        }
        referenceFirstToken = argmax(expected);
        compute = Backends.open(backend);
        if (!backend.equals("reference")) {
            try (LlamaSession check = llama.newSession(compute, 1)) {
                check(backend + " " + shape + " " + dtype + " first-step logits", expected,
                        check.forwardTokens(new int[] {bos}, false), weights == DType.F32 ? 1e-4 : 1e-2);
            }
        }
    }

    /** A tokenizer of the shape's vocabulary: the bundled model's (512 pieces) or LLaMA's (32000), as bench takes it. */
    private static Path tokenizer(SyntheticLlama.Shape s) {
        return BenchSupport.repositoryFile(s.vocab() == 512 ? "models/stories260K/tokenizer.model" : "testdata/tokenizer/tokenizer.model");
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    /** A fresh sequence for each iteration (its setup time is not measured). */
    @Setup(Level.Iteration)
    public void newSequence() {
        if (session != null) {
            session.close();
        }
        session = llama.newSession(compute, s.context());
        token = bos;
    }

    /** One token through the model; starts a new sequence when the context is full. */
    @Benchmark
    public int step(Traffic traffic) {
        if (session.position() == session.capacity()) {
            newSequence();
        }
        token = session.forwardGreedy(token);
        traffic.add(bytesPerToken, 2 * weightsPerToken);
        return token;
    }

    int referenceFirstToken() {
        return referenceFirstToken;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        BenchSupport.close(session, compute, llama);
    }
}

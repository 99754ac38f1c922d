package videollama.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import videollama.model.NonFiniteWeights;
import videollama.weights.DType;
import videollama.weights.SafetensorsWriter;
import videollama.weights.Tensor;

/**
 * What looking for a NaN or infinity in every weight costs ({@link NonFiniteWeights#first}: the diagnosis run once
 * the logits went NaN), on a folder of 16 tensors of 16 Mi elements, all finite so every byte is read, in the page
 * cache. One call is one whole-folder scan (ms); the bytes divided by it give the scan's GB/s, which decides whether
 * checking every model at load would be cheap (a 7B model in fp16 is 13.5 GB).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class NonFiniteScanBenchmark {
    static final int TENSORS = 16;
    static final int ELEMENTS = 16 << 20;

    @Param({"f16", "bf16", "f32"})
    public String dtype;

    Path dir;

    @Setup(Level.Trial)
    public void setup() {
        try {
            dir = Files.createTempDirectory("nonfinite-bench");
            Random random = new Random(20261206);
            float[] values = new float[ELEMENTS];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian();
            }
            Tensor f32 = Tensor.ofFloats("w", values, ELEMENTS);
            Tensor stored = f32.convertTo(DType.valueOf(dtype.toUpperCase(java.util.Locale.ROOT)));
            List<Tensor> tensors = new ArrayList<>();
            for (int t = 0; t < TENSORS; t++) {
                tensors.add(Tensor.of("layer." + t, stored.dtype(), stored.shape(), stored.data()));
            }
            SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (NonFiniteWeights.first(dir).isPresent()) {
            throw new IllegalStateException("finite weights reported as damaged");
        }
    }

    @Benchmark
    public boolean scan() {
        return NonFiniteWeights.first(dir).isPresent();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

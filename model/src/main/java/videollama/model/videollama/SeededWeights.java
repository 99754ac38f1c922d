package videollama.model.videollama;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import videollama.model.DiskSpace;
import videollama.weights.DType;
import videollama.weights.SafetensorsWriter;
import videollama.weights.Tensor;

/**
 * Seeded Gaussian tensors at realistic scales for the synthetic branches: projections of gain / √fan_in,
 * biases of std 0.05, LayerNorm weights 1 + N(0, 0.1) (as {@code scripts/reference/make_vision_golden.py}).
 */
record SeededWeights(SplittableRandom random) {
    SeededWeights(long seed) {
        this(new SplittableRandom(seed));
    }

    /** A weight of gain / √fan_in, fan_in being the product of all dimensions but the first. */
    Tensor matrix(String name, DType dtype, double gain, long... shape) {
        long fanIn = 1;
        for (int i = 1; i < shape.length; i++) {
            fanIn *= shape[i];
        }
        return normal(name, dtype, gain / Math.sqrt(fanIn), shape);
    }

    Tensor bias(String name, DType dtype, int n) {
        return normal(name, dtype, 0.05, n);
    }

    /** {@code prefix.weight} near 1 and {@code prefix.bias} near 0, float32. */
    List<Tensor> layerNorm(String prefix, int n) {
        float[] w = normal(prefix + ".weight", DType.F32, 0.1, n).toFloatArray();
        for (int i = 0; i < n; i++) {
            w[i] += 1f;
        }
        return List.of(Tensor.ofFloats(prefix + ".weight", w, n), normal(prefix + ".bias", DType.F32, 0.05, n));
    }

    /** A Q-Former attention block {@code p} (self or cross) of width {@code h} over inputs of {@code inputWidth}. */
    void qformerAttention(List<Tensor> t, String p, int h, int inputWidth) {
        t.add(matrix(p + "self.query.weight", DType.F32, 1.5, h, h));
        t.add(bias(p + "self.query.bias", DType.F32, h));
        t.add(matrix(p + "self.key.weight", DType.F32, 1.5, h, inputWidth));
        t.add(bias(p + "self.key.bias", DType.F32, h));
        t.add(matrix(p + "self.value.weight", DType.F32, 1.0, h, inputWidth));
        t.add(bias(p + "self.value.bias", DType.F32, h));
        t.add(matrix(p + "output.dense.weight", DType.F32, 1.0, h, h));
        t.add(bias(p + "output.dense.bias", DType.F32, h));
        t.addAll(layerNorm(p + "output.LayerNorm", h));
    }

    Tensor normal(String name, DType dtype, double std, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] values = new float[Math.toIntExact(n)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (gaussian() * std);
        }
        Tensor t = Tensor.ofFloats(name, values, shape);
        return dtype == DType.F32 ? t : t.convertTo(dtype);
    }

    private double gaussian() {
        double u = 1.0 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /**
     * Writes a synthetic branch folder: {@code file} with the tensors {@code tensors} makes (each a branch of the
     * shape {@code shape}) and {@code config} as {@code videollama.json}, unless a complete folder of that branch is
     * already there (a marker file written last says so), checking the disk has room first.
     */
    static Path writeFolder(Path dir, String branch, String shape, String file, Supplier<List<Tensor>> tensors,
                            Map<String, String> metadata, String config) {
        try {
            Path done = dir.resolve(".complete-" + branch);
            if (Files.exists(done)) {
                return dir;
            }
            List<Tensor> all = tensors.get();
            DiskSpace.check(dir, all.stream().mapToLong(t -> t.data().byteSize()).sum(), "writing a random " + shape + " " + branch + " branch");
            Files.createDirectories(dir);
            SafetensorsWriter.write(dir.resolve(file), all, metadata);
            Files.writeString(dir.resolve(VideoLlamaConfig.FILE_NAME), config);
            Files.writeString(done, shape);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

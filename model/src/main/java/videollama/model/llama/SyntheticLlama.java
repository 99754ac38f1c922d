package videollama.model.llama;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import videollama.kernels.reference.Q8_0;
import videollama.model.DiskSpace;
import videollama.weights.DType;
import videollama.weights.QuantizedTensors;
import videollama.weights.SafetensorsWriter;
import videollama.weights.Tensor;

/**
 * A LLaMA of a real model's shape with seeded random weights, written as a Hugging Face folder, for
 * benchmarks: decode speed depends on the shape and the dtype, not on what the weights say.
 */
public final class SyntheticLlama {
    /** A model shape. */
    public record Shape(String name, int dim, int layers, int heads, int kvHeads, int hidden, int vocab, int context) {
        public long parameters() {
            long headDim = dim / heads;
            long attention = (long) dim * dim * 2 + 2L * dim * kvHeads * headDim;
            return layers * (attention + 3L * dim * hidden + 2L * dim) + 2L * vocab * dim + dim;
        }
    }

    public static final List<Shape> SHAPES = List.of(
            new Shape("stories260K", 64, 5, 8, 4, 172, 512, 512),
            new Shape("stories15M", 288, 6, 6, 6, 768, 32000, 256),
            new Shape("stories110M", 768, 12, 12, 12, 2048, 32000, 1024),
            new Shape("llama2-7b", 4096, 32, 32, 32, 11008, 32000, 4096));

    private SyntheticLlama() {}

    /**
     * A shape by name; {@code NAME-N} is NAME with only its first N layers (every width kept), as the vision bench's
     * {@code released-N}: {@code llama2-7b-8} measures what a 7B model's layers cost where the whole model would not fit.
     */
    public static Shape shape(String name) {
        java.util.regex.Matcher fewer = java.util.regex.Pattern.compile("(.+)-([1-9][0-9]*)").matcher(name);
        if (fewer.matches() && SHAPES.stream().anyMatch(s -> s.name().equals(fewer.group(1)))) {
            Shape full = shape(fewer.group(1));
            int layers = Integer.parseInt(fewer.group(2));
            if (layers > full.layers()) {
                throw new IllegalArgumentException("'" + name + "': " + full.name() + " has " + full.layers() + " layers, not " + layers);
            }
            return new Shape(name, full.dim(), layers, full.heads(), full.kvHeads(), full.hidden(), full.vocab(), full.context());
        }
        return SHAPES.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("unknown shape '" + name + "' (choose one of "
                        + String.join(", ", SHAPES.stream().map(Shape::name).toList()) + ", or NAME-N for its first N layers)"));
    }

    /**
     * Writes {@code config.json}, {@code model.safetensors} (weights of {@code dtype}, seeded) and a copy of
     * {@code tokenizer} into {@code dir}, unless a complete folder is already there.
     */
    public static Path write(Path dir, Shape s, DType dtype, Path tokenizer) {
        return write(dir, s, dtype, tokenizer, line -> {});
    }

    /**
     * {@link #write(Path, Shape, DType, Path)} after checking that the disk has room for it ({@link DiskSpace}: a
     * {@link videollama.model.ModelException} naming the folder, the bytes needed and free), telling {@code progress}
     * "MB written k/n" ("MB written 0/12853" first, "MB written 12853/12853" last) as the tensors are made and written one at a
     * time (a 7B model is never in memory whole).
     */
    public static Path write(Path dir, Shape s, DType dtype, Path tokenizer, Consumer<String> progress) {
        try {
            Path done = dir.resolve(".complete");
            if (Files.exists(done) && Files.readString(done).equals(complete(s))) {
                return dir;
            }
            SplittableRandom random = new SplittableRandom(s.name().hashCode());
            List<SafetensorsWriter.Planned> tensors = plan(s, dtype, random);
            Map<String, String> metadata = Map.of("synthetic", s.name());
            long fileBytes = SafetensorsWriter.fileBytes(tensors, metadata);
            DiskSpace.check(dir, fileBytes + Files.size(tokenizer), "writing random " + s.name() + " "
                    + dtype.name().toLowerCase(Locale.ROOT) + " weights");
            Files.createDirectories(dir);
            writeConfig(dir, s, dtype);
            Files.copy(tokenizer, dir.resolve("tokenizer.model"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            long dataBytes = tensors.stream().mapToLong(SafetensorsWriter.Planned::bytes).sum();
            long totalMb = Math.max(1, (dataBytes + (1 << 20) - 1) >> 20);
            progress.accept("MB written 0/" + totalMb);
            SafetensorsWriter.writePlanned(dir.resolve("model.safetensors"), tensors, metadata, bytes -> progress.accept(
                    "MB written " + (bytes == dataBytes ? totalMb : Math.min(totalMb - 1, bytes >> 20)) + "/" + totalMb));
            Files.writeString(done, complete(s));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What {@code .complete} says: the shape, that the data starts on a page (a folder of an older writer, whose
     * weights a device that shares host memory would copy, is written again), and that {@code config.json} names the
     * activation and the special ids, which other loaders (Jlama) require.
     */
    private static String complete(Shape s) {
        return s.name() + ", data aligned to " + SafetensorsWriter.DATA_ALIGNMENT + ", config with hidden_act and special ids";
    }

    private static void writeConfig(Path dir, Shape s, DType dtype) throws IOException {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architectures", List.of("LlamaForCausalLM"));
        config.put("model_type", "llama");
        config.put("hidden_size", s.dim());
        config.put("intermediate_size", s.hidden());
        config.put("num_hidden_layers", s.layers());
        config.put("num_attention_heads", s.heads());
        config.put("num_key_value_heads", s.kvHeads());
        config.put("vocab_size", s.vocab());
        config.put("max_position_embeddings", s.context());
        config.put("hidden_act", "silu");
        config.put("bos_token_id", 1);
        config.put("eos_token_id", 2);
        config.put("rms_norm_eps", 1e-5);
        config.put("rope_theta", 10000.0);
        config.put("tie_word_embeddings", false);
        // Q8_0: the float tensors' type, as convert --quantize q8_0 keeps it from an f16 model
        config.put("torch_dtype", dtype == DType.F32 ? "float32" : dtype == DType.BF16 ? "bfloat16" : "float16");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("config.json").toFile(), config);
    }

    /**
     * The tensors in file order, each made from {@code random} when the writer reaches it (so in this order). With
     * {@link DType#Q8_0} the linear layers' matrices are quantised as {@code convert --quantize q8_0} writes them (the I8
     * quants and their F16 scales, {@link QuantizedTensors#planned}) and the embedding table is F16.
     */
    private static List<SafetensorsWriter.Planned> plan(Shape s, DType dtype, SplittableRandom random) {
        int kvDim = s.kvHeads() * (s.dim() / s.heads());
        List<SafetensorsWriter.Planned> tensors = new ArrayList<>();
        tensors.add(random("model.embed_tokens.weight", random, dtype == DType.Q8_0 ? DType.F16 : dtype, 1.0, s.vocab(), s.dim()));
        for (int l = 0; l < s.layers(); l++) {
            String p = "model.layers." + l + ".";
            tensors.add(random(p + "input_layernorm.weight", random, DType.F32, 0, s.dim()));
            tensors.addAll(matrix(p + "self_attn.q_proj.weight", random, dtype, s.dim(), s.dim()));
            tensors.addAll(matrix(p + "self_attn.k_proj.weight", random, dtype, kvDim, s.dim()));
            tensors.addAll(matrix(p + "self_attn.v_proj.weight", random, dtype, kvDim, s.dim()));
            tensors.addAll(matrix(p + "self_attn.o_proj.weight", random, dtype, s.dim(), s.dim()));
            tensors.add(random(p + "post_attention_layernorm.weight", random, DType.F32, 0, s.dim()));
            tensors.addAll(matrix(p + "mlp.gate_proj.weight", random, dtype, s.hidden(), s.dim()));
            tensors.addAll(matrix(p + "mlp.up_proj.weight", random, dtype, s.hidden(), s.dim()));
            tensors.addAll(matrix(p + "mlp.down_proj.weight", random, dtype, s.dim(), s.hidden()));
        }
        tensors.add(random("model.norm.weight", random, DType.F32, 0, s.dim()));
        tensors.addAll(matrix("lm_head.weight", random, dtype, s.vocab(), s.dim()));
        return tensors;
    }

    /**
     * A linear layer's [rows, cols] matrix of standard deviation 1/sqrt(cols), in {@code dtype}: one tensor, or Q8_0's
     * two; a Q8_0 matrix whose rows are not whole blocks (stories260K's 172-wide down_proj) is F16, as convert leaves it.
     */
    private static List<SafetensorsWriter.Planned> matrix(String name, SplittableRandom random, DType dtype, int rows, int cols) {
        double std = 1 / Math.sqrt(cols);
        if (dtype == DType.Q8_0 && cols % DType.Q8_0_BLOCK == 0) {
            return QuantizedTensors.planned(name, rows, cols, () -> Q8_0.quantize(randomTensor(name, random, DType.F32, std, rows, cols)));
        }
        return List.of(random(name, random, dtype == DType.Q8_0 ? DType.F16 : dtype, std, rows, cols));
    }

    /** Gaussian values of standard deviation {@code std}, made when written; std 0 gives norm weights around 1. */
    private static SafetensorsWriter.Planned random(String name, SplittableRandom random, DType dtype, double std, long... shape) {
        return new SafetensorsWriter.Planned(name, dtype, shape, () -> randomTensor(name, random, dtype, std, shape));
    }

    private static Tensor randomTensor(String name, SplittableRandom random, DType dtype, double std, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] values = new float[Math.toIntExact(n)];
        for (int i = 0; i < values.length; i++) {
            values[i] = std == 0 ? (float) (0.5 + random.nextDouble()) : (float) (gaussian(random) * std);
        }
        Tensor t = Tensor.ofFloats(name, values, shape);
        return dtype == DType.F32 ? t : t.convertTo(dtype);
    }

    private static double gaussian(SplittableRandom r) {
        // Box-Muller; enough randomness for timing
        double u = 1.0 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}

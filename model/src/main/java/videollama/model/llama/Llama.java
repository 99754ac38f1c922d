package videollama.model.llama;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import videollama.kernels.Backend;
import videollama.kernels.DeviceBackend;
import videollama.kernels.KvCacheType;
import videollama.kernels.reference.WeightMatrix;
import videollama.model.ModelException;
import videollama.model.UnconvertedFolder;
import videollama.model.tokenizer.SentencePieceTokenizer;
import videollama.weights.DType;
import videollama.weights.QuantizedTensors;
import videollama.weights.ShardedTensors;
import videollama.weights.TensorSource;

/**
 * A LLaMA-1/2 or Vicuna model from a Hugging Face folder: {@code config.json}, one or more
 * {@code *.safetensors} files (sharded or not) and {@code tokenizer.model}. The weights stay memory-mapped
 * for as long as this object is open.
 */
public final class Llama implements AutoCloseable {
    private final Path dir;
    private final LlamaConfig config;
    private final SentencePieceTokenizer tokenizer;
    private final TensorSource tensors;
    private final LlamaWeights weights;
    private final Map<DeviceBackend, DeviceLlamaWeights> deviceWeights = new IdentityHashMap<>();

    private Llama(Path dir, LlamaConfig config, SentencePieceTokenizer tokenizer, TensorSource tensors) {
        this.dir = dir;
        this.config = config;
        this.tokenizer = tokenizer;
        this.tensors = tensors;
        this.weights = new LlamaWeights(config, tensors);
    }

    /** Loads and checks the folder; each error names the file or tensor at fault. */
    public static Llama load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ModelException(dir + ": not a model folder (expected a folder with config.json, *.safetensors and tokenizer.model)");
        }
        UnconvertedFolder.check(dir);
        LlamaConfig config = LlamaConfig.load(dir.resolve("config.json"));
        Path tokenizerFile = dir.resolve("tokenizer.model");
        if (!Files.exists(tokenizerFile)) { // a pipe or device is refused by name when read
            throw new ModelException(tokenizerFile + ": not found (a LLaMA model folder needs tokenizer.model)");
        }
        SentencePieceTokenizer tokenizer = SentencePieceTokenizer.load(tokenizerFile);
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new ModelException(tokenizerFile + ": " + tokenizer.vocabSize() + " pieces, but config.json has vocab_size "
                    + config.vocabSize());
        }
        TensorSource tensors = QuantizedTensors.of(ShardedTensors.open(dir));
        try {
            return new Llama(dir, config, tokenizer, tensors);
        } catch (RuntimeException e) {
            tensors.close();
            throw e;
        }
    }

    public Path dir() {
        return dir;
    }

    public LlamaConfig config() {
        return config;
    }

    public SentencePieceTokenizer tokenizer() {
        return tokenizer;
    }

    public LlamaWeights weights() {
        return weights;
    }

    /**
     * The rows of {@code embed_tokens} for these ids [ids.length, hidden], read on the host: how a prompt of text
     * segments and soft tokens is put together before any session exists (its length decides the session's size).
     */
    public float[] embed(int... ids) {
        return AbstractLlamaSession.embedRows(new WeightMatrix(weights.embedTokens), ids);
    }

    /**
     * A fresh sequence of at most {@code capacity} positions, computed on {@code backend}. On a device the
     * weights are uploaded at the first session and shared by later ones; the key/value cache is float32 for
     * float32 weights (exact against the reference path) and fp16 for fp16/bf16 weights.
     */
    public LlamaSession newSession(Backend backend, int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        if (backend instanceof DeviceBackend device) {
            DeviceLlamaWeights uploaded = deviceWeights.computeIfAbsent(device, d -> new DeviceLlamaWeights(weights, d));
            KvCacheType cache = weights.embedTokens.dtype() == DType.F32 ? KvCacheType.F32 : KvCacheType.F16;
            return new DeviceLlamaSession(config, weights, uploaded, device, capacity, cache);
        }
        return new ReferenceLlamaSession(config, weights, capacity);
    }

    @Override
    public void close() {
        tensors.close();
    }
}

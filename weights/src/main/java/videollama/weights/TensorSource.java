package videollama.weights;

import java.util.List;
import java.util.Optional;

/** Anything that hands out tensors by name: one safetensors file, or a folder of shards. */
public interface TensorSource extends AutoCloseable {

    /** The file or folder, as given when opened; every error message starts with it. */
    String describe();

    /** Every tensor name, in file order (for shards: shard order, then file order). */
    List<String> names();

    /** The tensor with this name, if there is one. */
    Optional<Tensor> find(String name);

    /**
     * The tensor with this name.
     *
     * @throws WeightsException "DESCRIBE: missing tensor 'NAME'"
     */
    default Tensor get(String name) {
        return find(name).orElseThrow(() -> new WeightsException(describe() + ": missing tensor '" + name + "'"));
    }

    default boolean contains(String name) {
        return find(name).isPresent();
    }

    /** Releases the mapping(s); tensors handed out before become unusable (access throws, never crashes). */
    @Override
    void close();
}

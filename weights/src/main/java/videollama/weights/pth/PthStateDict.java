package videollama.weights.pth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import videollama.weights.Tensor;
import videollama.weights.TensorSource;
import videollama.weights.WeightsException;

/**
 * The tensors of one dict in a checkpoint, by name, in the dict's order: a {@link TensorSource} like a
 * safetensors file, so they can go straight to {@link videollama.weights.SafetensorsWriter}.
 *
 * <p>Every entry must be a tensor under a string key: anything else where a tensor belongs (a quantized or sparse
 * tensor, a number, a nested dict) is refused when the dict is taken, naming the key, rather than left out, so a
 * weight is never silently missing. {@link #find} builds the {@link Tensor} when asked (a slice of the mapping for
 * a contiguous tensor), so a tensor of a type the project does not store is an error only if it is asked for. The
 * dict shares its file's mapping: closing it closes the file.
 */
public final class PthStateDict implements TensorSource {
    private final PthFile file;
    private final String where;
    private final Map<String, TorchTensor> tensors;
    private final List<String> names;

    PthStateDict(PthFile file, String where, Map<?, ?> dict) {
        this.file = file;
        this.where = where;
        Map<String, TorchTensor> found = new LinkedHashMap<>();
        dict.forEach((key, value) -> {
            if (!(key instanceof String name)) {
                throw new WeightsException(describe() + ": a key that is a " + Unpickler.typeName(key)
                        + ", not a tensor name");
            }
            if (!(value instanceof TorchTensor tensor)) {
                throw new WeightsException(describe() + ": '" + AllowedGlobals.printable(name) + "' is "
                        + article(Unpickler.typeName(value)) + ", not a tensor videollama reads");
            }
            found.put(name, tensor);
        });
        this.tensors = Collections.unmodifiableMap(found);
        this.names = List.copyOf(found.keySet());
    }

    /** "a dict", "an int", or a description that has its own article. */
    private static String article(String typeName) {
        if (typeName.startsWith("a ") || typeName.startsWith("an ") || typeName.startsWith("the ")) {
            return typeName;
        }
        return ("aeiou".indexOf(typeName.charAt(0)) >= 0 ? "an " : "a ") + typeName;
    }

    /** The file the dict is in. */
    public PthFile file() {
        return file;
    }

    /** The file, and the keys that lead to the dict if it is not the root: {@code ckpt.pth["model"]}. */
    @Override
    public String describe() {
        return file.path() + where;
    }

    @Override
    public List<String> names() {
        return names;
    }

    /** The tensors as the checkpoint describes them, without reading them. */
    public Map<String, TorchTensor> torchTensors() {
        return tensors;
    }

    /**
     * @throws videollama.weights.WeightsException naming the file and tensor if the tensor cannot be read
     *         (see {@link TorchTensor#toTensor})
     */
    @Override
    public Optional<Tensor> find(String name) {
        TorchTensor tensor = tensors.get(name);
        return tensor == null ? Optional.empty() : Optional.of(tensor.toTensor(name));
    }

    /** Closes the file the dict is in. */
    @Override
    public void close() {
        file.close();
    }

    @Override
    public String toString() {
        return "PthStateDict[" + describe() + ", " + names.size() + " tensors]";
    }
}

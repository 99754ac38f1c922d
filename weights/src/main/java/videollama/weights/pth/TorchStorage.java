package videollama.weights.pth;

/**
 * A storage a checkpoint's tensors point into: the persistent id {@code ('storage', storage_type, key, location,
 * numel)} that {@code torch.save} writes for it. Its bytes are the archive entry {@code <archive>/data/<key>}.
 *
 * @param type     the element type named by the storage class
 * @param key      the entry name under {@code data/}, e.g. {@code "0"}
 * @param location the device it was saved from, e.g. {@code "cpu"} or {@code "cuda:0"} (irrelevant here)
 * @param numel    its length in elements
 */
public record TorchStorage(ElementType type, String key, String location, long numel) {
}

package videollama.weights.pth;

/**
 * A value made by a global torch allows but this reader does not interpret: a quantized, sparse or nested tensor,
 * a device, a complex number. It stands where the pickle put it, so a checkpoint whose optimizer state holds one
 * still gives its model tensors, and it is refused, saying what it is, wherever a tensor is wanted.
 *
 * @param description e.g. {@code "a quantized tensor of torch.qint8 (torch._utils._rebuild_qtensor)"}
 */
public record UnreadValue(String description) {
    @Override
    public String toString() {
        return description;
    }
}

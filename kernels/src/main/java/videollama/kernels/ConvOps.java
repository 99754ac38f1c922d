package videollama.kernels;

/** The vision and audio encoders' patch embedding and token assembly ({@code patch_embed.cl}, {@code patch_embed.cu}). One of the {@link DeviceOps} families; docs/ops.md lists each op. */
public interface ConvOps {
    /**
     * The patch-embedding convolution as tokens: {@code out [batch, outH·outW, cout]} = Conv2d(images
     * [batch, cin, height, width], weight [cout, cin, k, k], stride, no padding) + bias (null: none).
     */
    void patchEmbedding(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer images, DeviceTensor weight,
                        DeviceBuffer bias, int batch, int height, int width, int stride);

    /** {@code out [batch, patches+1, dim]}: the class token, then the tokens, plus positions (null: none). */
    void prependClassToken(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer tokens, DeviceBuffer cls,
                           DeviceBuffer positions, int batch, int patches, int dim);

    /** {@code x [batch, tokens, dim] += positions [tokens, dim]}, in place. */
    void addPositions(TaskGraph g, String name, DeviceBuffer x, DeviceBuffer positions, int batch, int tokens, int dim);
}

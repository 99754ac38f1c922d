package videollama.kernels;

/**
 * What both backends' {@link ConvOps} share: the class token and the positions are element-wise tasks, launched
 * alike on OpenCL and CUDA (an item per element, in groups of the backend's size); only the convolution is each
 * backend's own.
 */
public abstract class AbstractConvOps implements ConvOps {
    /** Work-items (threads) per group of the element-wise kernels. */
    private final int group;

    protected AbstractConvOps(int group) {
        this.group = group;
    }

    /**
     * Appends the class-token task ({@code class_token} of {@code patch_embed.cl} / {@code .cu}, one item per
     * output element in groups of {@code group}): {@code out} [batch, patches + 1, dim] gets {@code cls} [dim] at
     * token 0 of each image and token {@code p} of {@code tokens} [batch, patches, dim] at token {@code p + 1};
     * unless {@code positions} is null, its row {@code t} ([patches + 1, dim]) is added to token {@code t} in the
     * same pass. All float32; {@code out} must not overlap {@code tokens}.
     */
    @Override
    public final void prependClassToken(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer tokens, DeviceBuffer cls,
                                        DeviceBuffer positions, int batch, int patches, int dim) {
        long elements = (long) batch * (patches + 1) * dim;
        if (elements > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": more than 2^31 elements");
        }
        PatchConvolution.requireBytes(name, out, elements * 4);
        PatchConvolution.requireBytes(name, tokens, (long) batch * patches * dim * 4);
        PatchConvolution.requireBytes(name, cls, dim * 4L);
        if (positions != null) {
            PatchConvolution.requireBytes(name, positions, (long) (patches + 1) * dim * 4);
        }
        g.task(name, new KernelSource("patch_embed", "class_token"), Launch.items(elements, group),
                new Cost((long) batch * patches * dim * 4 + elements * 4 + (positions != null ? (long) (patches + 1) * dim * 4 : 0) + dim * 4L,
                        positions != null ? elements : 0),
                out, tokens, cls, positions != null ? positions : cls, positions != null ? 1 : 0, batch, patches, dim);
    }

    /** Appends {@code x} [batch, tokens, dim] += {@code positions} [tokens, dim] for each image, in place ({@code add_positions}). */
    @Override
    public final void addPositions(TaskGraph g, String name, DeviceBuffer x, DeviceBuffer positions, int batch, int tokens, int dim) {
        long elements = (long) batch * tokens * dim;
        if (elements > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": more than 2^31 elements");
        }
        PatchConvolution.requireBytes(name, x, elements * 4);
        PatchConvolution.requireBytes(name, positions, (long) tokens * dim * 4);
        g.task(name, new KernelSource("patch_embed", "add_positions"), Launch.items(elements, group),
                new Cost(elements * 8 + (long) tokens * dim * 4, elements), x, positions, batch, tokens, dim);
    }
}

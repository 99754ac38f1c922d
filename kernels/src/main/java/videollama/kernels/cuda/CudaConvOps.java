package videollama.kernels.cuda;

import videollama.kernels.Cost;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.ConvOps;
import videollama.kernels.DeviceTensor;
import videollama.kernels.KernelSource;
import videollama.kernels.Launch;
import videollama.kernels.PatchConvolution;
import videollama.kernels.TaskGraph;

/**
 * The stem of the vision transformers in CUDA C ({@code patch_embed.cu}): the patch-embedding convolution (a tiled
 * GEMM over patches gathered straight from the images, 64 × 64 outputs per block of 256 threads, one entry point
 * per weight dtype), the class token and the learned positions. Same arguments, checks and {@link Cost}s as the
 * OpenCL ops; the twin is {@link videollama.kernels.reference.PatchEmbedding}.
 */
final class CudaConvOps implements ConvOps {
    /** The convolution's block: 16 × 16 threads, each computing 4 × 4 outputs of a 64 × 64 tile. */
    static final int CONV_THREADS = 256;
    static final int CONV_TILE = 64;
    /** Threads per block of the element-wise kernels. */
    static final int THREADS = 256;

    private static String suffix(DeviceTensor w) {
        return switch (w.dtype()) {
            case F32 -> "f32";
            case F16 -> "f16";
            case BF16 -> "bf16";
            default -> throw new IllegalArgumentException("weights must be F32, F16 or BF16, not " + w.dtype());
        };
    }

    /**
     * {@code out} [batch, outHeight · outWidth, cout] (float32, patch index {@code oy · outWidth + ox}) = Conv2d of
     * {@code images} [batch, cin, height, width] (float32) with {@code weight} [cout, cin, k, k] (F32/F16/BF16),
     * stride {@code stride}, no padding, plus {@code bias} [cout] (float32) unless it is null.
     */
    @Override
    public void patchEmbedding(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer images, DeviceTensor weight,
                        DeviceBuffer bias, int batch, int height, int width, int stride) {
        PatchConvolution c = PatchConvolution.check(name, out, images, weight, bias, batch, height, width, stride);
        int cout = c.cout();
        int channels = c.channels();
        int k = c.k();
        int outWidth = c.outWidth();
        int patchesPerImage = c.patchesPerImage();
        int totalPatches = c.totalPatches();
        Cost cost = c.cost(weight, bias != null);
        String entry = "patch_embed_" + suffix(weight);
        // Tiles of patches along x (no grid limit there), of channels along y.
        Launch launch = new Launch(
                new long[] {(long) (totalPatches + CONV_TILE - 1) / CONV_TILE * CONV_THREADS, (cout + CONV_TILE - 1) / CONV_TILE},
                new long[] {CONV_THREADS, 1});
        // Without a bias the kernel never reads its bias argument; the images stand in for it (a null has no address).
        g.task(name, new KernelSource("patch_embed", entry), launch, cost,
                out, images, weight.buffer(), bias != null ? bias : images, bias != null ? 1 : 0, channels, height, width, k, stride,
                outWidth, patchesPerImage, totalPatches, cout);
    }

    /**
     * {@code out} [batch, patches + 1, dim] gets {@code cls} [dim] at token 0 of each image and token {@code p} of
     * {@code tokens} [batch, patches, dim] at token {@code p + 1}; unless {@code positions} is null, its row {@code t}
     * ([patches + 1, dim]) is added to token {@code t} in the same pass. {@code out} must not overlap {@code tokens}.
     */
    @Override
    public void prependClassToken(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer tokens, DeviceBuffer cls,
                           DeviceBuffer positions, int batch, int patches, int dim) {
        long elements = (long) batch * (patches + 1) * dim;
        if (elements > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": more than 2^31 elements");
        }
        requireBytes(name, out, elements * 4);
        requireBytes(name, tokens, (long) batch * patches * dim * 4);
        requireBytes(name, cls, dim * 4L);
        if (positions != null) {
            requireBytes(name, positions, (long) (patches + 1) * dim * 4);
        }
        g.task(name, new KernelSource("patch_embed", "class_token"), Launch.items(elements, THREADS),
                new Cost((long) batch * patches * dim * 4 + elements * 4 + (positions != null ? (long) (patches + 1) * dim * 4 : 0) + dim * 4L,
                        positions != null ? elements : 0),
                out, tokens, cls, positions != null ? positions : cls, positions != null ? 1 : 0, batch, patches, dim);
    }

    /** {@code x} [batch, tokens, dim] += {@code positions} [tokens, dim] for each image, in place. */
    @Override
    public void addPositions(TaskGraph g, String name, DeviceBuffer x, DeviceBuffer positions, int batch, int tokens, int dim) {
        long elements = (long) batch * tokens * dim;
        if (elements > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": more than 2^31 elements");
        }
        requireBytes(name, x, elements * 4);
        requireBytes(name, positions, (long) tokens * dim * 4);
        g.task(name, new KernelSource("patch_embed", "add_positions"), Launch.items(elements, THREADS),
                new Cost(elements * 8 + (long) tokens * dim * 4, elements), x, positions, batch, tokens, dim);
    }

    private static void requireBytes(String op, DeviceBuffer buffer, long bytes) {
        PatchConvolution.requireBytes(op, buffer, bytes);
    }
}

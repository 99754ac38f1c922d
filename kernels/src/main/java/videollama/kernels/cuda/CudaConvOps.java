package videollama.kernels.cuda;

import videollama.kernels.Cost;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.AbstractConvOps;
import videollama.kernels.DeviceTensor;
import videollama.kernels.KernelSource;
import videollama.kernels.Launch;
import videollama.kernels.OpChecks;
import videollama.kernels.PatchConvolution;
import videollama.kernels.TaskGraph;

/**
 * The stem of the vision transformers in CUDA C ({@code patch_embed.cu}): the patch-embedding convolution (a tiled
 * GEMM over patches gathered straight from the images, 64 × 64 outputs per block of 256 threads, one entry point
 * per weight dtype), the class token and the learned positions. Same arguments, checks and {@link Cost}s as the
 * OpenCL ops; the twin is {@link videollama.kernels.reference.PatchEmbedding}.
 */
final class CudaConvOps extends AbstractConvOps {
    /** The convolution's block: 16 × 16 threads, each computing 4 × 4 outputs of a 64 × 64 tile. */
    static final int CONV_THREADS = 256;
    static final int CONV_TILE = 64;
    /** Threads per block of the element-wise kernels. */
    static final int THREADS = 256;

    CudaConvOps() {
        super(THREADS);
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
        String entry = "patch_embed_" + OpChecks.floatWeight(weight.dtype());
        // Tiles of patches along x (no grid limit there), of channels along y.
        long patchTiles = (c.totalPatches() + CONV_TILE - 1) / CONV_TILE;
        Launch launch = new Launch(new long[] {patchTiles * CONV_THREADS, (c.cout() + CONV_TILE - 1) / CONV_TILE},
                new long[] {CONV_THREADS, 1});
        g.task(name, new KernelSource("patch_embed", entry), launch, c.cost(weight, bias != null),
                c.kernelArgs(out, images, weight, bias));
    }
}

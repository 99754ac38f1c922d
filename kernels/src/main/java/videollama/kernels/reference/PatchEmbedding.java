package videollama.kernels.reference;

import java.util.stream.IntStream;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * The stem of a vision transformer: cut the image into (possibly overlapping) square patches, project each
 * patch to a token, then prepend the class token and add the learned positions (docs/model.md sections 2.1, 2.5, 4.1,
 * 4.3).
 *
 * <p>The projection is PyTorch's {@code Conv2d(cin, cout, kernel_size=k, stride=s)} without padding followed by
 * {@code flatten(2).transpose(1, 2)}: images [batch, cin, height, width] become tokens
 * [batch, outHeight · outWidth, cout], patch {@code oy · outWidth + ox} covering the pixels from
 * {@code (oy · s, ox · s)} to {@code (oy · s + k − 1, ox · s + k − 1)}. Trailing rows and columns that no whole
 * patch covers are ignored, as PyTorch does. EVA ViT-g: 3 × 224 × 224, k = s = 14, 256 patches, 1408 wide,
 * with bias. ImageBind audio: 1 × 128 × 204 (mel × time), k = 16, s = 10 (overlapping), 12 × 19 = 228
 * patches, 768 wide, no bias.
 *
 * <p>Each output is one dot product of the patch's pixels in (cin, ky, kx) row-major order (the order of the
 * weight's last three dimensions) with the weight row of its output channel, accumulated in float32 in that
 * order, and the bias added last.
 */
public final class PatchEmbedding {
    /** Below this many multiply-adds one thread is faster than the fork-join pool. */
    private static final long PARALLEL_THRESHOLD = 1L << 16;

    private PatchEmbedding() {}

    /** Patch positions along one axis: {@code (input − kernel) / stride + 1}, no padding, partial patches dropped. */
    public static int outputSize(int input, int kernel, int stride) {
        if (kernel < 1 || stride < 1 || input < kernel) {
            throw new IllegalArgumentException("an axis of " + input + " pixels holds no patch of " + kernel + " with stride " + stride);
        }
        return (input - kernel) / stride + 1;
    }

    /**
     * Projects every patch of {@code batch} images.
     *
     * @param out    [batch, outHeight · outWidth, cout]
     * @param images [batch, cin, height, width]
     * @param weight [cout, cin, k, k] in F32, F16 or BF16, read in place
     * @param bias   [cout], or null for none
     */
    public static void patchEmbed(float[] out, float[] images, Tensor weight, float[] bias,
                                  int batch, int height, int width, int stride) {
        checkWeight(weight);
        int cout = Math.toIntExact(weight.dim(0));
        int cin = Math.toIntExact(weight.dim(1));
        int k = Math.toIntExact(weight.dim(2));
        int outHeight = outputSize(height, k, stride);
        int outWidth = outputSize(width, k, stride);
        int patches = outHeight * outWidth;
        int patchSize = cin * k * k;
        MatMul.checkLength("images", images, (long) batch * cin * height * width);
        MatMul.checkLength("out", out, (long) batch * patches * cout);
        if (bias != null) {
            MatMul.checkLength("bias", bias, cout);
        }
        // The weight viewed as the matrix [cout, cin·k·k] it is in memory: row c is output channel c's filter.
        WeightMatrix filters = new WeightMatrix(Tensor.of(weight.name(), weight.dtype(), new long[] {cout, patchSize}, weight.data()));

        IntStream all = IntStream.range(0, batch * patches);
        if ((long) batch * patches * cout * patchSize >= PARALLEL_THRESHOLD) {
            all = all.parallel();
        }
        all.forEach(token -> {
            int b = token / patches;
            int oy = token % patches / outWidth;
            int ox = token % patches % outWidth;
            float[] pixels = new float[patchSize];
            gatherPatch(pixels, images, b, cin, height, width, oy * stride, ox * stride, k);
            for (int c = 0; c < cout; c++) {
                float sum = filters.dot(c, pixels, 0);
                out[token * cout + c] = bias == null ? sum : sum + bias[c];
            }
        });
    }

    /**
     * Copies the k × k pixels of each channel of image {@code b} from {@code (y0, x0)} into {@code pixels} in
     * (cin, ky, kx) row-major order: one row of the im2col matrix.
     */
    static void gatherPatch(float[] pixels, float[] images, int b, int cin, int height, int width, int y0, int x0, int k) {
        int i = 0;
        for (int ci = 0; ci < cin; ci++) {
            int plane = (b * cin + ci) * height * width;
            for (int ky = 0; ky < k; ky++) {
                int row = plane + (y0 + ky) * width + x0;
                for (int kx = 0; kx < k; kx++) {
                    pixels[i++] = images[row + kx];
                }
            }
        }
    }

    /**
     * Prepends the class token to each image's patch tokens: {@code out} [batch, patches + 1, dim] gets
     * {@code cls} at token 0 and patch {@code p} of {@code tokens} [batch, patches, dim] at token {@code p + 1}.
     */
    public static void prependClassToken(float[] out, float[] tokens, float[] cls, int batch, int patches, int dim) {
        MatMul.checkLength("tokens", tokens, (long) batch * patches * dim);
        MatMul.checkLength("cls", cls, dim);
        MatMul.checkLength("out", out, (long) batch * (patches + 1) * dim);
        for (int b = 0; b < batch; b++) {
            int base = b * (patches + 1) * dim;
            System.arraycopy(cls, 0, out, base, dim);
            System.arraycopy(tokens, b * patches * dim, out, base + dim, patches * dim);
        }
    }

    /** Adds the learned positions [tokens, dim] to each image's tokens: {@code x} [batch, tokens, dim], in place. */
    public static void addPositions(float[] x, float[] positions, int batch, int tokens, int dim) {
        MatMul.checkLength("positions", positions, (long) tokens * dim);
        MatMul.checkLength("x", x, (long) batch * tokens * dim);
        for (int b = 0; b < batch; b++) {
            int base = b * tokens * dim;
            for (int i = 0; i < tokens * dim; i++) {
                x[base + i] += positions[i];
            }
        }
    }

    private static void checkWeight(Tensor weight) {
        if (weight.rank() != 4 || weight.dim(2) != weight.dim(3)) {
            throw new IllegalArgumentException("patch weight '" + weight.name() + "' has shape " + weight.shapeString()
                    + ", expected [cout, cin, k, k]");
        }
        if (weight.dtype() != DType.F32 && weight.dtype() != DType.F16 && weight.dtype() != DType.BF16) {
            throw new IllegalArgumentException("patch weight '" + weight.name() + "' is " + weight.dtype() + ", expected F32, F16 or BF16");
        }
    }
}

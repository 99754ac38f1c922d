package videollama.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static videollama.kernels.KernelChecks.assertClose;
import static videollama.kernels.KernelChecks.assertSumsClose;
import static videollama.kernels.KernelChecks.poisoned;
import static videollama.kernels.KernelChecks.randomFloats;
import static videollama.kernels.KernelChecks.readFloats;
import static videollama.kernels.KernelChecks.runOnce;
import static videollama.kernels.KernelChecks.upload;

import java.util.function.Supplier;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.kernels.reference.PatchEmbedding;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * The patch embedding against the direct convolution in double ({@link KernelChecks#patchEmbeddingReference}, the
 * definition {@link PatchEmbedding} implements), the class token and positions against their reference twin: odd
 * sizes, EVA ViT-g's and ImageBind audio's real geometries, every weight dtype, with and without bias, outputs
 * poisoned first so an unwritten element shows as NaN. Both sides read the same stored weights; the kernel's float32
 * sums are held to 1e-6 of each output's Σ|w·x| (worst measured 2.6e-7, over seeds 11 to 55 and the seed that failed
 * the older yardstick). Run by each backend's test class, and per convolution kernel where a backend has several
 * ({@link #patchEmbedding} is the op under test).
 *
 * <p>A case's work ({@link #largestCase}) is the number of values it writes.
 */
public abstract class ConvOpsContract extends DeviceOpsContract {
    protected ConvOpsContract(Supplier<? extends DeviceBackend> backend) {
        super(backend);
    }


    /** Appends the convolution under test: the backend's own here; a test of one kernel variant overrides this. */
    protected void patchEmbedding(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer images, DeviceTensor weight,
                                  DeviceBuffer bias, int batch, int height, int width, int stride) {
        backend().ops().patchEmbedding(g, name, out, images, weight, bias, batch, height, width, stride);
    }

    /** batch, cin, height, width, k, stride, cout, weight dtype, bias. */
    static Stream<Arguments> geometries() {
        Object[][] cases = {
                {1, 2, 9, 11, 3, 2, 5, DType.F32, true},
                {2, 2, 9, 11, 3, 2, 5, DType.F16, false},
                {3, 2, 10, 12, 3, 2, 5, DType.BF16, true},      // the last row and column belong to no patch
                {1, 1, 5, 5, 5, 1, 1, DType.F32, false},        // one patch, one channel
                {2, 3, 28, 42, 14, 14, 67, DType.BF16, true},   // k = s, channels past one tile
                {1, 4, 17, 13, 4, 3, 130, DType.F16, true},     // 64 taps: whole vectors, no tail
                {1, 1, 36, 46, 16, 10, 40, DType.F32, false},   // ImageBind's overlapping 16 x 16 patches, stride 10
                {2, 3, 224, 224, 14, 14, 96, DType.F16, true},  // EVA ViT-g, channels trimmed
                {1, 3, 224, 224, 14, 14, 1408, DType.F16, true}, // EVA ViT-g, full width
                {2, 1, 128, 204, 16, 10, 768, DType.F32, false}, // ImageBind audio, overlapping patches
                {2, 1, 128, 204, 16, 10, 768, DType.BF16, false},
        };
        return Arrays.stream(cases).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0} x {1}x{2}x{3}, k {4} s {5}, cout {6}, {7}, bias {8}")
    @MethodSource("geometries")
    void patchEmbeddingMatchesTheReference(int batch, int cin, int height, int width, int k, int stride, int cout, DType dtype,
                                           boolean withBias) {
        int patches = PatchEmbedding.outputSize(height, k, stride) * PatchEmbedding.outputSize(width, k, stride);
        int outputs = batch * patches * cout;
        assumeAtMost(outputs, "patch embedding");
        Tensor weight = Tensor.ofFloats("w", randomFloats(random, cout * cin * k * k), cout, cin, k, k).convertTo(dtype);
        float[] images = randomFloats(random, batch * cin * height * width);
        float[] bias = withBias ? randomFloats(random, cout) : null;
        // the direct convolution in double, each output's error relative to its Σ|w·x|: relative to the largest
        // output, a case whose few sums cancel failed on rounding alone (1.5e-5 > 5e-6 at seed -2691385816158220768)
        KernelChecks.Sums expected = KernelChecks.patchEmbeddingReference(images, weight.toFloatArray(), bias, batch,
                cin, height, width, cout, k, stride);

        DeviceBuffer out = poisoned(backend(), "out", outputs);
        TaskGraph g = backend().graph("patch-embed");
        patchEmbedding(g, "patch-embed", out, upload(backend(), "images", images),
                backend().upload(weight), withBias ? upload(backend(), "bias", bias) : null, batch, height, width, stride);
        runOnce(g);
        assertSumsClose(expected, readFloats(backend(), out, outputs), 1e-6, dtype.toString());
    }

    @Test
    void rejectsWeightsAndBuffersThatDoNotFit() {
        DeviceBuffer images = upload(backend(), "images", randomFloats(random, 2 * 9 * 11));
        DeviceBuffer out = poisoned(backend(), "out", 4 * 5 * 5);
        DeviceTensor matrix = backend().upload(Tensor.ofFloats("w", randomFloats(random, 5 * 18), 5, 18));
        DeviceTensor oblong = backend().upload(Tensor.ofFloats("w", randomFloats(random, 5 * 2 * 3 * 2), 5, 2, 3, 2));
        DeviceTensor filters = backend().upload(Tensor.ofFloats("w", randomFloats(random, 5 * 2 * 3 * 3), 5, 2, 3, 3));
        TaskGraph g = backend().graph("bad");
        assertThrows(IllegalArgumentException.class, () -> patchEmbedding(g, "matrix", out, images, matrix, null, 1, 9, 11, 2));
        assertThrows(IllegalArgumentException.class, () -> patchEmbedding(g, "oblong", out, images, oblong, null, 1, 9, 11, 2));
        assertThrows(IllegalArgumentException.class, () -> patchEmbedding(g, "two images", out, images, filters, null, 2, 9, 11, 2));
        assertThrows(IllegalArgumentException.class, () -> patchEmbedding(g, "small out", out, images, filters, null, 1, 9, 11, 1));
        assertThrows(IllegalArgumentException.class, () -> patchEmbedding(g, "tiny image", out, images, filters, null, 1, 2, 99, 1));
    }

    /** batch, patches, dim, with positions: EVA's and ImageBind's real sizes and an odd small one. */
    @ParameterizedTest(name = "{0} x {1} patches x {2}, positions {3}")
    @CsvSource({"3, 7, 13, false", "3, 7, 13, true", "2, 256, 1408, true", "2, 228, 768, true"})
    void prependClassTokenMatchesTheReference(int batch, int patches, int dim, boolean withPositions) {
        assumeAtMost((long) batch * (patches + 1) * dim, "class token");
        float[] tokens = randomFloats(random, batch * patches * dim);
        float[] cls = randomFloats(random, dim);
        float[] positions = randomFloats(random, (patches + 1) * dim);
        int outputs = batch * (patches + 1) * dim;
        float[] expected = new float[outputs];
        PatchEmbedding.prependClassToken(expected, tokens, cls, batch, patches, dim);
        if (withPositions) {
            PatchEmbedding.addPositions(expected, positions, batch, patches + 1, dim);
        }

        DeviceBuffer out = poisoned(backend(), "out", outputs);
        TaskGraph g = backend().graph("cls");
        backend().ops().prependClassToken(g, "cls", out, upload(backend(), "tokens", tokens), upload(backend(), "cls", cls),
                withPositions ? upload(backend(), "positions", positions) : null, batch, patches, dim);
        runOnce(g);
        // One float add or none per element, on both sides: exact.
        assertClose(expected, readFloats(backend(), out, outputs), 0, "class token, positions " + withPositions);
    }

    @Test
    void addPositionsAddsTheSameRowsToEveryImage() {
        int batch = 3;
        int tokens = 229;
        int dim = 35;
        assumeAtMost((long) batch * tokens * dim, "positions");
        float[] x = randomFloats(random, batch * tokens * dim);
        float[] positions = randomFloats(random, tokens * dim);
        DeviceBuffer dx = upload(backend(), "x", x);
        TaskGraph g = backend().graph("positions");
        backend().ops().addPositions(g, "positions", dx, upload(backend(), "positions", positions), batch, tokens, dim);
        runOnce(g);
        PatchEmbedding.addPositions(x, positions, batch, tokens, dim);
        assertClose(x, readFloats(backend(), dx, x.length), 0, "positions");
    }
}

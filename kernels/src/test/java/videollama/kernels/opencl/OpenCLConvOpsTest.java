package videollama.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static videollama.kernels.KernelChecks.assertClose;
import static videollama.kernels.KernelChecks.poisoned;
import static videollama.kernels.KernelChecks.randomFloats;
import static videollama.kernels.KernelChecks.readFloats;
import static videollama.kernels.KernelChecks.runOnce;
import static videollama.kernels.KernelChecks.upload;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceTensor;
import videollama.kernels.TaskGraph;
import videollama.kernels.opencl.OpenCLConvOps.Variant;
import videollama.kernels.reference.PatchEmbedding;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * The patch embedding, class token and positions in OpenCL against their reference twin
 * {@link PatchEmbedding}: both convolution kernels (tiled and wide, whatever the device) at odd sizes, at
 * EVA ViT-g's and ImageBind audio's real geometries, in every weight dtype, with and without bias, outputs
 * poisoned first so an unwritten element shows as NaN. Both sides read the same stored weights and accumulate
 * in float32, so every dtype is held to 1e-5 relative.
 */
class OpenCLConvOpsTest {
    private static OpenCLBackend backend;
    private final Random random = new Random(System.nanoTime());

    @BeforeAll
    static void open() {
        backend = (OpenCLBackend) OpenCLTestSupport.open();
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
        }
    }

    /** batch, cin, height, width, k, stride, cout, weight dtype, bias: each run with both kernels. */
    static Stream<Arguments> geometries() {
        Object[][] cases = {
                {1, 2, 9, 11, 3, 2, 5, DType.F32, true},
                {2, 2, 9, 11, 3, 2, 5, DType.F16, false},
                {3, 2, 10, 12, 3, 2, 5, DType.BF16, true},      // the last row and column belong to no patch
                {1, 1, 5, 5, 5, 1, 1, DType.F32, false},        // one patch, one channel
                {2, 3, 28, 42, 14, 14, 67, DType.BF16, true},   // k = s, channels past one tile
                {1, 4, 17, 13, 4, 3, 130, DType.F16, true},     // 64 taps: whole vectors, no tail
                {2, 3, 224, 224, 14, 14, 96, DType.F16, true},  // EVA ViT-g, channels trimmed
                {1, 3, 224, 224, 14, 14, 1408, DType.F16, true}, // EVA ViT-g, full width
                {2, 1, 128, 204, 16, 10, 768, DType.F32, false}, // ImageBind audio, overlapping patches
                {2, 1, 128, 204, 16, 10, 768, DType.BF16, false},
        };
        return Arrays.stream(Variant.values())
                .flatMap(v -> Arrays.stream(cases).map(c -> {
                    Object[] args = new Object[c.length + 1];
                    args[0] = v;
                    System.arraycopy(c, 0, args, 1, c.length);
                    return Arguments.of(args);
                }));
    }

    @ParameterizedTest(name = "{0}: {1} x {2}x{3}x{4}, k {5} s {6}, cout {7}, {8}, bias {9}")
    @MethodSource("geometries")
    void patchEmbeddingMatchesTheReference(Variant variant, int batch, int cin, int height, int width, int k, int stride,
                                           int cout, DType dtype, boolean withBias) {
        Tensor weight = Tensor.ofFloats("w", randomFloats(random, cout * cin * k * k), cout, cin, k, k).convertTo(dtype);
        float[] images = randomFloats(random, batch * cin * height * width);
        float[] bias = withBias ? randomFloats(random, cout) : null;
        int patches = PatchEmbedding.outputSize(height, k, stride) * PatchEmbedding.outputSize(width, k, stride);
        int outputs = batch * patches * cout;
        float[] expected = new float[outputs];
        PatchEmbedding.patchEmbed(expected, images, weight, bias, batch, height, width, stride);

        DeviceBuffer out = poisoned(backend, "out", outputs);
        TaskGraph g = backend.graph("patch-embed");
        new OpenCLConvOps(backend, variant).patchEmbedding(g, "patch-embed", out, upload(backend, "images", images),
                backend.upload(weight), withBias ? upload(backend, "bias", bias) : null, batch, height, width, stride);
        runOnce(g);
        assertClose(expected, readFloats(backend, out, outputs), 1e-5, variant + " " + dtype);
    }

    @Test
    void theDeviceKindPicksTheVariant() {
        Variant expected = backend.info().isCpu() && !"0".equals(System.getenv("VIDEOLLAMA_OPENCL_WIDE")) ? Variant.WIDE : Variant.TILED;
        assertEquals(expected, new OpenCLConvOps(backend).variant());
    }

    @Test
    void rejectsWeightsAndBuffersThatDoNotFit() {
        OpenCLConvOps ops = new OpenCLConvOps(backend);
        DeviceBuffer images = upload(backend, "images", randomFloats(random, 2 * 9 * 11));
        DeviceBuffer out = poisoned(backend, "out", 4 * 5 * 5);
        DeviceTensor matrix = backend.upload(Tensor.ofFloats("w", randomFloats(random, 5 * 18), 5, 18));
        DeviceTensor oblong = backend.upload(Tensor.ofFloats("w", randomFloats(random, 5 * 2 * 3 * 2), 5, 2, 3, 2));
        DeviceTensor filters = backend.upload(Tensor.ofFloats("w", randomFloats(random, 5 * 2 * 3 * 3), 5, 2, 3, 3));
        TaskGraph g = backend.graph("bad");
        assertThrows(IllegalArgumentException.class, () -> ops.patchEmbedding(g, "matrix", out, images, matrix, null, 1, 9, 11, 2));
        assertThrows(IllegalArgumentException.class, () -> ops.patchEmbedding(g, "oblong", out, images, oblong, null, 1, 9, 11, 2));
        assertThrows(IllegalArgumentException.class, () -> ops.patchEmbedding(g, "two images", out, images, filters, null, 2, 9, 11, 2));
        assertThrows(IllegalArgumentException.class, () -> ops.patchEmbedding(g, "small out", out, images, filters, null, 1, 9, 11, 1));
        assertThrows(IllegalArgumentException.class, () -> ops.patchEmbedding(g, "tiny image", out, images, filters, null, 1, 2, 99, 1));
    }

    /** batch, patches, dim, with positions: EVA's and ImageBind's real sizes and an odd small one. */
    @ParameterizedTest(name = "{0} x {1} patches x {2}, positions {3}")
    @CsvSource({"3, 7, 13, false", "3, 7, 13, true", "2, 256, 1408, true", "2, 228, 768, true"})
    void prependClassTokenMatchesTheReference(int batch, int patches, int dim, boolean withPositions) {
        float[] tokens = randomFloats(random, batch * patches * dim);
        float[] cls = randomFloats(random, dim);
        float[] positions = randomFloats(random, (patches + 1) * dim);
        int outputs = batch * (patches + 1) * dim;
        float[] expected = new float[outputs];
        PatchEmbedding.prependClassToken(expected, tokens, cls, batch, patches, dim);
        if (withPositions) {
            PatchEmbedding.addPositions(expected, positions, batch, patches + 1, dim);
        }

        DeviceBuffer out = poisoned(backend, "out", outputs);
        TaskGraph g = backend.graph("cls");
        new OpenCLConvOps(backend).prependClassToken(g, "cls", out, upload(backend, "tokens", tokens), upload(backend, "cls", cls),
                withPositions ? upload(backend, "positions", positions) : null, batch, patches, dim);
        runOnce(g);
        // One float add or none per element, on both sides: exact.
        assertClose(expected, readFloats(backend, out, outputs), 0, "class token, positions " + withPositions);
    }

    @Test
    void addPositionsAddsTheSameRowsToEveryImage() {
        int batch = 3;
        int tokens = 229;
        int dim = 35;
        float[] x = randomFloats(random, batch * tokens * dim);
        float[] positions = randomFloats(random, tokens * dim);
        DeviceBuffer dx = upload(backend, "x", x);
        TaskGraph g = backend.graph("positions");
        new OpenCLConvOps(backend).addPositions(g, "positions", dx, upload(backend, "positions", positions), batch, tokens, dim);
        runOnce(g);
        PatchEmbedding.addPositions(x, positions, batch, tokens, dim);
        assertClose(x, readFloats(backend, dx, x.length), 0, "positions");
    }
}

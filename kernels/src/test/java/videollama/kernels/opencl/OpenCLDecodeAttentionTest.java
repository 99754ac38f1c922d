package videollama.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static videollama.kernels.KernelChecks.assertClose;
import static videollama.kernels.KernelChecks.poisoned;
import static videollama.kernels.KernelChecks.randomFloats;
import static videollama.kernels.KernelChecks.readFloats;
import static videollama.kernels.KernelChecks.upload;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceOpsContract;
import videollama.kernels.GraphPlan;
import videollama.kernels.KernelChecks;
import videollama.kernels.KvCacheType;
import videollama.kernels.TaskGraph;
import videollama.kernels.TestBackend;
import videollama.kernels.opencl.OpenCLDecodeAttentionOps.Variant;
import videollama.kernels.reference.Attention;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * Each decode attention variant, forced whatever the device, against {@link Attention#causal} on fresh random
 * caches: odd head counts and widths (1 to 256), grouped-query heads, f32 and f16 caches, positions at 0, in the
 * middle and at the end of the cache, slices of a few positions (so one call merges dozens of partials) and
 * positions exactly at slice boundaries; and one built graph replayed at several positions.
 * Tolerance: 1e-5 relative with either cache (measured at most 1.2e-6 on PoCL): the reference reads the f16-rounded
 * cache too, so only the order of the float32 sums differs.
 */
class OpenCLDecodeAttentionTest extends DeviceOpsContract {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    OpenCLDecodeAttentionTest() {
        super(openCL);
    }

    /** heads, kvHeads, headDim, position, capacity, cache, slice (0: the variant's default). */
    static Stream<Arguments> shapes() {
        Object[][] shapes = {
                {4, 4, 8, 0, 5, KvCacheType.F32, 0},
                {8, 2, 16, 37, 42, KvCacheType.F32, 8},
                {6, 3, 10, 100, 105, KvCacheType.F32, 7},
                {8, 4, 8, 70, 75, KvCacheType.F16, 16},
                {32, 32, 128, 9, 14, KvCacheType.F16, 0},
                {4, 2, 64, 9, 300, KvCacheType.F32, 0},
                {4, 1, 256, 299, 300, KvCacheType.F16, 13},
                {2, 1, 40, 64, 65, KvCacheType.F32, 64},
                {2, 1, 40, 63, 65, KvCacheType.F32, 64},
                {3, 3, 88, 200, 257, KvCacheType.F16, 5},
                {7, 7, 3, 50, 51, KvCacheType.F32, 4},
                {5, 5, 1, 30, 40, KvCacheType.F32, 3},
                {2, 2, 255, 129, 140, KvCacheType.F32, 0},
                {12, 12, 64, 1023, 1024, KvCacheType.F32, 0},
                {32, 4, 256, 70, 80, KvCacheType.F16, 0},  // the widest the CPU kernel keeps in private memory
                {33, 3, 256, 20, 24, KvCacheType.F16, 0},  // too wide for it: the GPU shape
        };
        return Arrays.stream(Variant.values()).flatMap(v -> Arrays.stream(shapes).map(s -> {
            Object[] args = new Object[s.length + 1];
            args[0] = v;
            System.arraycopy(s, 0, args, 1, s.length);
            return Arguments.of(args);
        }));
    }

    private OpenCLDecodeAttentionOps forced(Variant variant, int slice) {
        return OpenCLDecodeAttentionOps.of(backend(), variant, slice);
    }

    /** A cache of {@code capacity} random rows in its storage type, and the same rows as the reference reads them. */
    private record Cache(float[] keys, float[] values, DeviceBuffer keyBuffer, DeviceBuffer valueBuffer) {}

    private Cache cache(int capacity, int kvDim, KvCacheType type) {
        DType storage = type == KvCacheType.F16 ? DType.F16 : DType.F32;
        Tensor k = Tensor.ofFloats("k", randomFloats(random, capacity * kvDim), capacity, kvDim).convertTo(storage);
        Tensor v = Tensor.ofFloats("v", randomFloats(random, capacity * kvDim), capacity, kvDim).convertTo(storage);
        return new Cache(k.toFloatArray(), v.toFloatArray(), backend().upload(k).buffer(), backend().upload(v).buffer());
    }

    @ParameterizedTest(name = "{0}: heads {1}/{2} of {3}, position {4} of {5}, {6} cache, slice {7}")
    @MethodSource("shapes")
    void matchesTheReference(Variant variant, int heads, int kvHeads, int headDim, int position, int capacity,
                             KvCacheType type, int slice) {
        int qDim = heads * headDim;
        Cache c = cache(capacity, kvHeads * headDim, type);
        float[] q = randomFloats(random, qDim);
        float[] expected = new float[qDim];
        Attention.causal(expected, q, c.keys(), c.values(), 1, position, heads, kvHeads, headDim);

        DeviceBuffer out = poisoned(backend(), "out", qDim);
        TaskGraph g = backend().graph("decode attention");
        forced(variant, slice).decodeAttention(g, "attention", out, upload(backend(), "q", q), c.keyBuffer(), c.valueBuffer(), type,
                upload(backend(), "pos", new int[] {position}), heads, kvHeads, headDim, capacity);
        KernelChecks.runOnce(g);
        assertClose(expected, readFloats(backend(), out, qDim), 1e-5, variant + " " + type);
    }

    /** One graph, built for the capacity, replayed at the first, a middle and the last position. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Variant.class)
    void oneGraphServesEveryPosition(Variant variant) {
        int heads = 6;
        int kvHeads = 2;
        int headDim = 24;
        int capacity = 77;
        int qDim = heads * headDim;
        Cache c = cache(capacity, kvHeads * headDim, KvCacheType.F32);
        float[] q = randomFloats(random, qDim);
        DeviceBuffer out = poisoned(backend(), "out", qDim);
        DeviceBuffer pos = upload(backend(), "pos", new int[] {0});
        TaskGraph g = backend().graph("decode attention");
        forced(variant, 10).decodeAttention(g, "attention", out, upload(backend(), "q", q), c.keyBuffer(), c.valueBuffer(),
                KvCacheType.F32, pos, heads, kvHeads, headDim, capacity);
        try (GraphPlan plan = g.build()) {
            for (int position : new int[] {0, 41, 9, capacity - 1, 10}) {
                backend().write(pos, MemorySegment.ofArray(new int[] {position}));
                backend().fill(out, KernelChecks.POISON);
                plan.execute();
                float[] expected = new float[qDim];
                Attention.causal(expected, q, c.keys(), c.values(), 1, position, heads, kvHeads, headDim);
                assertClose(expected, readFloats(backend(), out, qDim), 3e-6, variant + " at position " + position);
            }
        }
    }

    @Test
    void headsThatDoNotGroupAreRefused() {
        DeviceBuffer b = backend().allocate("b", 1 << 16);
        TaskGraph g = backend().graph("refused");
        assertThrows(IllegalArgumentException.class, () -> new OpenCLDecodeAttentionOps(openCL.get()).decodeAttention(
                g, "attention", b, b, b, b, KvCacheType.F32, b, 8, 3, 8, 16));
    }

}

package videollama.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static videollama.kernels.KernelChecks.assertClose;
import static videollama.kernels.KernelChecks.assertSumsClose;
import static videollama.kernels.KernelChecks.matVecReference;
import static videollama.kernels.KernelChecks.poisoned;
import static videollama.kernels.KernelChecks.randomFloats;
import static videollama.kernels.KernelChecks.readFloats;
import static videollama.kernels.KernelChecks.readInts;
import static videollama.kernels.KernelChecks.runOnce;
import static videollama.kernels.KernelChecks.swiGluReference;
import static videollama.kernels.KernelChecks.upload;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.kernels.reference.Attention;
import videollama.kernels.reference.RmsNorm;
import videollama.kernels.reference.Rope;
import videollama.kernels.reference.WeightMatrix;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * The LLaMA decode step's ops ({@link DeviceOps}: matVec and its fused q/k/v and SwiGLU forms, RMSNorm, embedding, argmax,
 * RoPE with the cache write, decode attention, device copies) against their reference twins on fresh random inputs,
 * with outputs poisoned first so an element a kernel forgets to write shows as NaN. The shapes: odd sizes (not
 * multiples of a work-group, a warp or a 16-byte load), widths that take the 128-bit load path for every dtype,
 * model-sized matrices, and attention over long caches (many slices, empty ones past the position). Each backend's
 * test class names the bounds where they differ (the order of its sums); elsewhere 1e-5 relative in float32, 1e-2
 * where fp16 storage is involved.
 */
public abstract class DecodeOpsContract extends DeviceOpsContract {
    /** Checks a matVec's output {@code W·x (+ start)} against the reference, within this backend's bound. */
    protected abstract void assertMatVecClose(Tensor w, float[] x, float[] start, float[] actual, String what);

    /**
     * The GEMVs' error relative to each output's Σ|w·x| (with silu(g)·u's propagation for the gate/up GEMV), on
     * every backend: measured up to 7.8e-8 (q/k/v) and 3.5e-8 (gate/up) over seeds 11, 22, 33 on PoCL and the CUDA
     * emulator.
     */
    protected static final double SUMS_TOLERANCE = 5e-7;

    private final double attentionF32Tolerance;

    /**
     * @param backend the backend under test, as {@link DeviceOpsContract#DeviceOpsContract} takes it
     * @param attentionF32Tolerance the relative error allowed in decode attention over a float32 cache
     */
    protected DecodeOpsContract(Supplier<? extends DeviceBackend> backend, double attentionF32Tolerance) {
        super(backend);
        this.attentionF32Tolerance = attentionF32Tolerance;
    }

    @ParameterizedTest(name = "{0} rows x {1} cols, {2}, accumulate {3}")
    @CsvSource({"1, 1, F32, false", "37, 53, F32, false", "130, 300, F16, false", "65, 1001, BF16, true", "3, 4096, F32, true",
            "19, 264, F16, true", "9, 136, BF16, false", "11, 1028, F32, false", "4096, 11008, F16, true", "32000, 4096, BF16, false"})
    void matVec(int rows, int cols, DType dtype, boolean accumulate) {
        Tensor w = Tensor.ofFloats("w", randomFloats(random, rows * cols), rows, cols).convertTo(dtype);
        float[] x = randomFloats(random, cols);
        float[] start = randomFloats(random, rows);
        DeviceTensor dw = backend().upload(w);
        DeviceBuffer out = accumulate ? upload(backend(), "out", start) : poisoned(backend(), "out", rows);
        TaskGraph g = backend().graph("matvec");
        backend().ops().matVec(g, "matvec", out, dw, upload(backend(), "x", x), accumulate);
        runOnce(g);
        assertMatVecClose(w, x, accumulate ? start : null, readFloats(backend(), out, rows), "matvec " + dtype);
    }

    @ParameterizedTest(name = "q {0}, kv {1} rows x {2} cols, {3}")
    @CsvSource({"1, 1, 1, F32", "64, 32, 64, F32", "96, 24, 97, F16", "768, 768, 33, BF16", "24, 8, 256, BF16"})
    void qkvMatVec(int qRows, int kvRows, int cols, DType dtype) {
        checkQkvMatVec(qRows, kvRows, cols, dtype);
    }

    /** The fused q/k/v projection of {@code x} by three [rows, cols] matrices stored in {@code dtype}. */
    protected void checkQkvMatVec(int qRows, int kvRows, int cols, DType dtype) {
        Tensor wq = Tensor.ofFloats("wq", randomFloats(random, qRows * cols), qRows, cols).convertTo(dtype);
        Tensor wk = Tensor.ofFloats("wk", randomFloats(random, kvRows * cols), kvRows, cols).convertTo(dtype);
        Tensor wv = Tensor.ofFloats("wv", randomFloats(random, kvRows * cols), kvRows, cols).convertTo(dtype);
        float[] x = randomFloats(random, cols);
        DeviceBuffer dq = poisoned(backend(), "q", qRows);
        DeviceBuffer dk = poisoned(backend(), "k", kvRows);
        DeviceBuffer dv = poisoned(backend(), "v", kvRows);
        TaskGraph g = backend().graph("qkv");
        backend().ops().qkvMatVec(g, "qkv", dq, dk, dv, backend().upload(wq), backend().upload(wk), backend().upload(wv), upload(backend(), "x", x));
        runOnce(g);
        assertSumsClose(matVecReference(wq, x, null), readFloats(backend(), dq, qRows), SUMS_TOLERANCE, "q " + dtype);
        assertSumsClose(matVecReference(wk, x, null), readFloats(backend(), dk, kvRows), SUMS_TOLERANCE, "k " + dtype);
        assertSumsClose(matVecReference(wv, x, null), readFloats(backend(), dv, kvRows), SUMS_TOLERANCE, "v " + dtype);
    }

    @ParameterizedTest(name = "{0} rows x {1} cols, {2}")
    @CsvSource({"1, 3, F32", "45, 77, F32", "172, 64, F16", "33, 129, BF16", "20, 512, BF16", "12, 516, F32", "11008, 4096, F16"})
    void swiGluMatVec(int rows, int cols, DType dtype) {
        Tensor gate = Tensor.ofFloats("gate", randomFloats(random, rows * cols), rows, cols).convertTo(dtype);
        Tensor up = Tensor.ofFloats("up", randomFloats(random, rows * cols), rows, cols).convertTo(dtype);
        float[] x = randomFloats(random, cols);
        DeviceBuffer out = poisoned(backend(), "out", rows);
        TaskGraph graph = backend().graph("swiglu");
        backend().ops().swiGluMatVec(graph, "swiglu", out, backend().upload(gate), backend().upload(up), upload(backend(), "x", x));
        runOnce(graph);
        // against the sums in double with the error scale their rounding carries through silu(g)·u: a row whose
        // sums cancel has a small output but not a small error (the 1 x 3 case, relative to its one output)
        assertSumsClose(swiGluReference(matVecReference(gate, x, null), matVecReference(up, x, null)),
                readFloats(backend(), out, rows), SUMS_TOLERANCE, "swiglu " + dtype);
    }

    @ParameterizedTest(name = "{0} rows x {1}")
    @CsvSource({"1, 1", "1, 64", "3, 97", "2, 5120", "1, 4096"})
    void rmsNorm(int rows, int dim) {
        float[] x = randomFloats(random, rows * dim);
        float[] w = randomFloats(random, dim);
        float[] expected = new float[rows * dim];
        RmsNorm.rmsNorm(expected, x, w, rows, 1e-5f);
        DeviceBuffer out = poisoned(backend(), "out", rows * dim);
        TaskGraph g = backend().graph("rmsnorm");
        backend().ops().rmsNorm(g, "rmsnorm", out, upload(backend(), "x", x), upload(backend(), "w", w), rows, dim, 1e-5f);
        runOnce(g);
        assertClose(expected, readFloats(backend(), out, rows * dim), 1e-6, "rmsnorm");
    }

    @Test
    void rmsNormInPlace() {
        int dim = 300;
        float[] x = randomFloats(random, 2 * dim);
        float[] w = randomFloats(random, dim);
        float[] expected = new float[2 * dim];
        RmsNorm.rmsNorm(expected, x, w, 2, 1e-6f);
        DeviceBuffer dx = upload(backend(), "x", x);
        TaskGraph g = backend().graph("rmsnorm");
        backend().ops().rmsNorm(g, "rmsnorm", dx, dx, upload(backend(), "w", w), 2, dim, 1e-6f);
        runOnce(g);
        assertClose(expected, readFloats(backend(), dx, 2 * dim), 1e-6, "rmsnorm in place");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"F32", "F16", "BF16"})
    void embeddingReadsTheRowOfTheIdOnTheDevice(DType dtype) {
        int vocab = 29;
        int dim = 67;
        Tensor table = Tensor.ofFloats("table", randomFloats(random, vocab * dim), vocab, dim).convertTo(dtype);
        int[] ids = {5, 17, 28};
        DeviceBuffer out = poisoned(backend(), "out", dim);
        TaskGraph g = backend().graph("embedding");
        backend().ops().embedding(g, out, backend().upload(table), upload(backend(), "ids", ids), 2);
        runOnce(g);
        float[] expected = new float[dim];
        new WeightMatrix(table).copyRow(28, expected, 0);
        assertClose(expected, readFloats(backend(), out, dim), 0, "embedding " + dtype);
    }

    @Test
    void copiesOnTheDeviceInQueueOrder() {
        DeviceCopyChecks.check(backend());
    }

    @Test
    void argmaxTakesTheFirstLargest() {
        float[] x = randomFloats(random, 32003);
        x[20011] = 50f;
        x[30000] = 50f;
        DeviceBuffer out = backend().allocate("out", 4);
        TaskGraph g = backend().graph("argmax");
        backend().ops().argmax(g, out, upload(backend(), "x", x), x.length);
        runOnce(g);
        assertEquals(20011, readInts(backend(), out, 1)[0]);
        float[] small = {-3f, -1f, -2f};
        TaskGraph g2 = backend().graph("argmax-small");
        backend().ops().argmax(g2, out, upload(backend(), "small", small), 3);
        runOnce(g2);
        assertEquals(1, readInts(backend(), out, 1)[0]);
        float[] equal = new float[5000];
        java.util.Arrays.fill(equal, 1f);
        TaskGraph g3 = backend().graph("argmax-equal");
        backend().ops().argmax(g3, out, upload(backend(), "equal", equal), equal.length);
        runOnce(g3);
        assertEquals(0, readInts(backend(), out, 1)[0]);
    }

    /**
     * RoPE with the cache write, then decode attention, for one new position after {@code start} cached ones in a
     * cache of {@code capacity}, against the reference {@link Rope} and {@link Attention#causal}. A cache of 196,608
     * positions gives the merge 12,288 partials a head, 48 KiB of dynamic shared memory: with its 128 static bytes
     * (block_sum's) it must opt in to more than 48 KiB, which the driver refuses otherwise.
     */
    @ParameterizedTest(name = "heads {0}/{1}, head {2}, position {3} of {4}, cache {5}")
    @CsvSource({"4, 4, 8, 0, 5, F32", "8, 2, 16, 37, 42, F32", "6, 3, 10, 100, 105, F32", "8, 4, 8, 70, 75, F16",
            "32, 32, 128, 9, 14, F16", "4, 2, 64, 9, 300, F32", "4, 1, 256, 290, 300, F16", "2, 1, 40, 64, 65, F32",
            "32, 8, 128, 4000, 4096, F16", "32, 32, 128, 0, 4096, F32", "1, 1, 8, 3, 196608, F32"})
    void ropeCacheWriteAndDecodeAttention(int heads, int kvHeads, int headDim, int start, int capacity, KvCacheType cacheType) {
        int qDim = heads * headDim;
        int kvDim = kvHeads * headDim;
        Rope rope = new Rope(headDim, 10000.0);
        // the cache rows before `start`, as the reference holds them (rotated keys)
        float[] keys = new float[capacity * kvDim];
        float[] values = new float[capacity * kvDim];
        float[] oldKeys = randomFloats(random, start * kvDim);
        float[] oldValues = randomFloats(random, start * kvDim);
        System.arraycopy(oldKeys, 0, keys, 0, oldKeys.length);
        System.arraycopy(oldValues, 0, values, 0, oldValues.length);
        float[] q = randomFloats(random, qDim);
        float[] k = randomFloats(random, kvDim);
        float[] v = randomFloats(random, kvDim);
        // reference
        float[] qr = q.clone();
        float[] kr = k.clone();
        rope.rotate(qr, 0, heads, start);
        rope.rotate(kr, 0, kvHeads, start);
        System.arraycopy(kr, 0, keys, start * kvDim, kvDim);
        System.arraycopy(v, 0, values, start * kvDim, kvDim);
        float[] expected = new float[qDim];
        Attention.causal(expected, qr, keys, values, 1, start, heads, kvHeads, headDim);

        // device: the old rows go into the cache in its storage type
        DeviceBuffer keyCache = backend().upload(Tensor.ofFloats("k", keys, capacity, kvDim).convertTo(dtypeOf(cacheType))).buffer();
        DeviceBuffer valueCache = backend().upload(Tensor.ofFloats("v", values, capacity, kvDim).convertTo(dtypeOf(cacheType))).buffer();
        DeviceBuffer dq = upload(backend(), "q", q);
        DeviceBuffer dk = upload(backend(), "kvec", k);
        DeviceBuffer out = poisoned(backend(), "out", qDim);
        DeviceBuffer table = upload(backend(), "cossin", rope.table(capacity));
        TaskGraph g = backend().graph("attention");
        backend().ops().ropeAndCacheWrite(g, "rope", dq, dk, upload(backend(), "vvec", v), keyCache, valueCache, cacheType,
                table, capacity, upload(backend(), "pos", new int[] {start}), heads, kvHeads, headDim);
        backend().ops().decodeAttention(g, "attention", out, dq, keyCache, valueCache, cacheType,
                upload(backend(), "pos2", new int[] {start}), heads, kvHeads, headDim, capacity);
        runOnce(g);
        double tolerance = cacheType == KvCacheType.F32 ? attentionF32Tolerance : 3e-3;
        assertClose(qr, readFloats(backend(), dq, qDim), 5e-7, "rotated q");
        assertClose(kr, readFloats(backend(), dk, kvDim), 5e-7, "rotated k");
        assertClose(expected, readFloats(backend(), out, qDim), tolerance, "attention " + cacheType);
    }

    private static DType dtypeOf(KvCacheType t) {
        return t == KvCacheType.F16 ? DType.F16 : DType.F32;
    }
}

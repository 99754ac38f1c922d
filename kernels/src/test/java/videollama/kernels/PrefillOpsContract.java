package videollama.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static videollama.kernels.KernelChecks.POISON;
import static videollama.kernels.KernelChecks.assertClose;
import static videollama.kernels.KernelChecks.poisoned;
import static videollama.kernels.KernelChecks.randomFloats;
import static videollama.kernels.KernelChecks.readFloats;
import static videollama.kernels.KernelChecks.runOnce;
import static videollama.kernels.KernelChecks.upload;

import java.util.function.Supplier;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import videollama.kernels.reference.Activations;
import videollama.kernels.reference.Attention;
import videollama.kernels.reference.Rope;

/**
 * The ops that batched LLaMA prefill adds to the decode ones: RoPE with the KV-cache write of many rows (then causal
 * attention over the cache, as the session's prefill runs it), and the element-wise SwiGLU, against their reference
 * twins on fresh random inputs, odd sizes, poisoned outputs. Run by each backend's test class.
 *
 * <p>A case's work ({@link #largestCase}) is its number of attention scores (rows · keys · heads), or of elements
 * for SwiGLU.
 */
public abstract class PrefillOpsContract extends DeviceOpsContract {
    protected PrefillOpsContract(Supplier<? extends DeviceBackend> backend) {
        super(backend);
    }


    /**
     * A chunk of {@code rows} rows at positions {@code start ..}: q and k rotated in place as the reference
     * {@link Rope} rotates each row at its own position, the rotated keys and the values in cache rows {@code
     * start .. start + rows - 1}, the rows before untouched (they hold earlier keys), the rows after still
     * poisoned; then causal attention over the cache read in its type, as the session's prefill runs it.
     */
    @ParameterizedTest(name = "heads {0}/{1}, head {2}, start {3}, rows {4}, cache {5}")
    @CsvSource({"4, 4, 8, 0, 5, F32", "8, 2, 16, 37, 13, F32", "6, 3, 10, 100, 7, F32", "4, 1, 8, 3, 1, F32",
            "12, 12, 64, 0, 33, F32", "8, 4, 8, 70, 3, F16", "6, 3, 10, 1, 19, F16", "32, 32, 128, 9, 17, F16"})
    void ropeCacheWriteRowsThenCausalAttention(int heads, int kvHeads, int headDim, int start, int rows, KvCacheType cacheType) {
        assumeAtMost((long) rows * (start + rows) * heads, "prefill chunk");
        int capacity = start + rows + 3;
        int qDim = heads * headDim;
        int kvDim = kvHeads * headDim;
        Rope rope = new Rope(headDim, 10000.0);
        float[] q = randomFloats(random, rows * qDim);
        float[] k = randomFloats(random, rows * kvDim);
        float[] v = randomFloats(random, rows * kvDim);
        float[] oldKeys = randomFloats(random, start * kvDim);
        float[] oldValues = randomFloats(random, start * kvDim);
        // reference: each row rotated at its position, appended to the cache after the old rows
        float[] qr = q.clone();
        float[] kr = k.clone();
        for (int r = 0; r < rows; r++) {
            rope.rotate(qr, r * qDim, heads, start + r);
            rope.rotate(kr, r * kvDim, kvHeads, start + r);
        }
        float[] keys = new float[(start + rows) * kvDim];
        float[] values = new float[(start + rows) * kvDim];
        System.arraycopy(oldKeys, 0, keys, 0, oldKeys.length);
        System.arraycopy(oldValues, 0, values, 0, oldValues.length);
        System.arraycopy(kr, 0, keys, start * kvDim, kr.length);
        System.arraycopy(v, 0, values, start * kvDim, v.length);
        float[] expected = new float[rows * qDim];
        Attention.causal(expected, qr, keys, values, rows, start, heads, kvHeads, headDim);

        // device: the whole cache poisoned, then the old rows written in the cache's storage type
        long cacheBytes = (long) capacity * kvDim * cacheType.bytes();
        DeviceBuffer keyCache = backend().allocate("key cache", cacheBytes);
        DeviceBuffer valueCache = backend().allocate("value cache", cacheBytes);
        backend().fill(keyCache, POISON);
        backend().fill(valueCache, POISON);
        if (start > 0) {
            writeCache(keyCache, oldKeys, cacheType);
            writeCache(valueCache, oldValues, cacheType);
        }
        DeviceBuffer dq = upload(backend(), "q", q);
        DeviceBuffer dk = upload(backend(), "k", k);
        DeviceBuffer out = poisoned(backend(), "out", (long) rows * qDim);
        TaskGraph g = backend().graph("prefill attention");
        backend().ops().ropeAndCacheWriteRows(g, "rope rows", dq, dk, upload(backend(), "v", v), keyCache, valueCache, cacheType,
                upload(backend(), "cos/sin", rope.table(capacity)), capacity, upload(backend(), "pos", new int[] {start}),
                rows, heads, kvHeads, headDim);
        backend().ops().attention(g, "attention", StridedRows.dense(out, qDim), StridedRows.dense(dq, qDim),
                StridedRows.dense(keyCache, kvDim), StridedRows.dense(valueCache, kvDim), cacheType,
                AttentionShape.causal(rows, start, heads, kvHeads, headDim));
        runOnce(g);

        double storage = cacheType == KvCacheType.F32 ? 5e-7 : 1e-3; // half keeps 11 bits
        assertClose(qr, readFloats(backend(), dq, rows * qDim), 1e-6, "rotated q");
        assertClose(kr, readFloats(backend(), dk, rows * kvDim), 1e-6, "rotated k");
        float[] cachedKeys = readCache(keyCache, capacity * kvDim, cacheType);
        float[] cachedValues = readCache(valueCache, capacity * kvDim, cacheType);
        assertClose(keys, java.util.Arrays.copyOf(cachedKeys, keys.length), storage, "key cache rows 0.." + (start + rows - 1));
        assertClose(values, java.util.Arrays.copyOf(cachedValues, values.length), storage, "value cache rows 0.." + (start + rows - 1));
        assertPoisonedFrom(keyCache, (long) (start + rows) * kvDim, capacity * kvDim, cacheType, "key cache");
        assertPoisonedFrom(valueCache, (long) (start + rows) * kvDim, capacity * kvDim, cacheType, "value cache");
        assertClose(expected, readFloats(backend(), out, rows * qDim), cacheType == KvCacheType.F32 ? 5e-6 : 3e-3,
                "attention " + cacheType);
        for (DeviceBuffer b : new DeviceBuffer[] {keyCache, valueCache, dq, dk, out}) {
            backend().release(b);
        }
    }

    private void writeCache(DeviceBuffer cache, float[] rows, KvCacheType type) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host;
            if (type == KvCacheType.F32) {
                host = a.allocateFrom(ValueLayout.JAVA_FLOAT, rows);
            } else {
                host = a.allocate(2L * rows.length);
                for (int i = 0; i < rows.length; i++) {
                    host.setAtIndex(ValueLayout.JAVA_SHORT, i, Float.floatToFloat16(rows[i]));
                }
            }
            backend().write(cache, host); // the first rows; the rest stays as it was
        }
    }

    private float[] readCache(DeviceBuffer cache, int elements, KvCacheType type) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate((long) elements * type.bytes());
            backend().read(cache, host);
            float[] out = new float[elements];
            for (int i = 0; i < elements; i++) {
                out[i] = type == KvCacheType.F32 ? host.getAtIndex(ValueLayout.JAVA_FLOAT, i)
                        : Float.float16ToFloat(host.getAtIndex(ValueLayout.JAVA_SHORT, i));
            }
            return out;
        }
    }

    /** Elements {@code from .. to} of a cache still hold the poison: the kernel wrote no row past the chunk. */
    private void assertPoisonedFrom(DeviceBuffer cache, long from, long to, KvCacheType type, String what) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(to * type.bytes());
            backend().read(cache, host);
            for (long i = from; i < to; i++) {
                int bits = type == KvCacheType.F32 ? host.getAtIndex(ValueLayout.JAVA_INT, i)
                        : host.getAtIndex(ValueLayout.JAVA_SHORT, i) & 0xffff;
                int poison = type == KvCacheType.F32 ? POISON : (i % 2 == 0 ? POISON & 0xffff : POISON >>> 16);
                assertEquals(poison, bits, what + ": element " + i + " past the chunk was written");
            }
        }
    }

    /** {@code silu(gate) · up} against {@link Activations#swiGlu}, into a third buffer and in place over gate. */
    @ParameterizedTest(name = "{0} elements")
    @ValueSource(ints = {1, 7, 1000, 3 * 2048 + 5, 13 * 5504})
    void swiGlu(int n) {
        assumeAtMost(n, "swiGlu");
        float[] gate = randomFloats(random, n);
        float[] up = randomFloats(random, n);
        for (int i = 0; i < n; i += 17) {
            gate[i] *= 20; // saturate both tails of the sigmoid now and then
        }
        float[] expected = gate.clone();
        Activations.swiGlu(expected, up, n);

        DeviceBuffer dGate = upload(backend(), "gate", gate);
        DeviceBuffer dUp = upload(backend(), "up", up);
        DeviceBuffer out = poisoned(backend(), "out", n);
        TaskGraph g = backend().graph("swiglu");
        backend().ops().swiGlu(g, "swiglu", out, dGate, dUp, n);
        runOnce(g);
        assertClose(expected, readFloats(backend(), out, n), 5e-7, "swiGlu");
        assertClose(gate, readFloats(backend(), dGate, n), 0, "gate left as it was");

        TaskGraph inPlace = backend().graph("swiglu in place");
        backend().ops().swiGlu(inPlace, "swiglu", dGate, dGate, dUp, n);
        runOnce(inPlace);
        assertClose(expected, readFloats(backend(), dGate, n), 5e-7, "swiGlu in place");
        for (DeviceBuffer b : new DeviceBuffer[] {dGate, dUp, out}) {
            backend().release(b);
        }
    }
}

package videollama.kernels;

import static videollama.kernels.KernelChecks.assertSumsClose;
import static videollama.kernels.KernelChecks.poisoned;
import static videollama.kernels.KernelChecks.randomFloats;
import static videollama.kernels.KernelChecks.readFloats;
import static videollama.kernels.KernelChecks.runOnce;
import static videollama.kernels.KernelChecks.upload;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.kernels.KernelChecks.Sums;
import videollama.kernels.reference.Q8_0;
import videollama.weights.Tensor;

/**
 * The integer-dot Q8_0 GEMVs (x quantised to Q8_0 blocks once per product, then {@code Σ qw·qx} per block in
 * integers times the two scales: llama.cpp's q8_0 × q8_0) against the same product in double: x quantised by the
 * reference op {@link Q8_0#quantizeActivations}, so device and reference round x alike and only the float additions
 * of the blocks' scaled sums differ. Tolerance as {@link Q8_0OpsContract}'s, the difference over the row's Σ|w·x̂|
 * (x̂ the quantised x) at most {@value #TOLERANCE}; the gate/up GEMV's scale carried through {@code silu(g)·u} as there.
 */
public abstract class Q8_0Int8OpsContract extends DeviceOpsContract {
    private static final double TOLERANCE = 5e-7;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    protected Q8_0Int8OpsContract(Supplier<? extends DeviceBackend> backend) {
        super(backend);
    }

    /** The integer-dot variant of the backend's Q8_0 family. */
    protected abstract Q8_0Ops int8Family();

    /** W·x̂ in double with each row's Σ|w·x̂|, x̂ = x quantised as the reference op does; start added when given. */
    static Sums int8Reference(Tensor w, float[] x, float[] start) {
        int rows = Math.toIntExact(w.dim(0));
        int cols = Math.toIntExact(w.dim(1));
        byte[] xq = new byte[cols];
        float[] xd = new float[cols / Q8_0.BLOCK];
        Q8_0.quantizeActivations(x, 0, cols, xq, xd);
        MemorySegment quants = w.data();
        MemorySegment scales = w.scales().data();
        double[] values = new double[rows];
        double[] sums = new double[rows];
        for (int r = 0; r < rows; r++) {
            values[r] = start == null ? 0 : start[r];
            sums[r] = start == null ? 0 : Math.abs(start[r]);
            for (int c = 0; c < cols; c++) {
                int b = c / Q8_0.BLOCK;
                double term = (double) Float.float16ToFloat(scales.getAtIndex(U16, (long) r * (cols / Q8_0.BLOCK) + b))
                        * xd[b] * quants.get(ValueLayout.JAVA_BYTE, (long) r * cols + c) * xq[c];
                values[r] += term;
                sums[r] += Math.abs(term);
            }
        }
        return new Sums(values, sums);
    }

    private Tensor weight(String name, int rows, int cols) {
        return Q8_0.quantize(Tensor.ofFloats(name, randomFloats(random, rows * cols), rows, cols));
    }

    @ParameterizedTest(name = "{0} x {1}, accumulate {2}")
    @CsvSource({"1, 32, false", "3, 64, true", "13, 96, false", "64, 1408, true", "172, 256, false", "96, 4096, false",
            "64, 11008, true", "4096, 128, false"})
    void matVec(int rows, int cols, boolean accumulate) {
        assumeAtMost((long) rows * cols, "matVec");
        Tensor w = weight("w", rows, cols);
        float[] x = randomFloats(random, cols);
        float[] start = accumulate ? randomFloats(random, rows) : null;
        DeviceBuffer out = accumulate ? upload(backend(), "out", start) : poisoned(backend(), "out", rows);
        TaskGraph g = backend().graph("gemv_q8_0_int8");
        int8Family().matVec(g, "gemv_q8_0_int8", out, backend().upload(w), upload(backend(), "x", x), accumulate);
        runOnce(g);
        assertSumsClose(int8Reference(w, x, start), readFloats(backend(), out, rows), TOLERANCE,
                "gemv_q8_0_int8 " + rows + " x " + cols + (accumulate ? " accumulate" : ""));
    }

    /** Two products of different widths in one graph: each quantises its own x before its GEMV reads it. */
    @ParameterizedTest(name = "{0} then {1} columns")
    @CsvSource({"256, 64", "64, 256", "128, 128"})
    void productsInOneGraphEachReadTheirOwnQuantisedInput(int first, int second) {
        Tensor w1 = weight("w1", 8, first);
        Tensor w2 = weight("w2", 8, second);
        float[] x1 = randomFloats(random, first);
        float[] x2 = randomFloats(random, second);
        DeviceBuffer out1 = poisoned(backend(), "out1", 8);
        DeviceBuffer out2 = poisoned(backend(), "out2", 8);
        TaskGraph g = backend().graph("two products");
        int8Family().matVec(g, "first", out1, backend().upload(w1), upload(backend(), "x1", x1), false);
        int8Family().matVec(g, "second", out2, backend().upload(w2), upload(backend(), "x2", x2), false);
        runOnce(g);
        assertSumsClose(int8Reference(w1, x1, null), readFloats(backend(), out1, 8), TOLERANCE, "first");
        assertSumsClose(int8Reference(w2, x2, null), readFloats(backend(), out2, 8), TOLERANCE, "second");
    }

    @ParameterizedTest(name = "{0} x {1}")
    @CsvSource({"5, 64", "172, 64", "688, 256"})
    void swiGluMatVec(int rows, int cols) {
        assumeAtMost(2L * rows * cols, "swiGluMatVec");
        Tensor gate = weight("gate", rows, cols);
        Tensor up = weight("up", rows, cols);
        float[] x = randomFloats(random, cols);
        DeviceBuffer out = poisoned(backend(), "out", rows);
        TaskGraph g = backend().graph("swiglu_gemv_q8_0_int8");
        int8Family().swiGluMatVec(g, "swiglu_gemv_q8_0_int8", out, backend().upload(gate), backend().upload(up),
                upload(backend(), "x", x));
        runOnce(g);
        assertSumsClose(KernelChecks.swiGluReference(int8Reference(gate, x, null), int8Reference(up, x, null)),
                readFloats(backend(), out, rows), TOLERANCE, "swiglu_gemv_q8_0_int8 " + rows + " x " + cols);
    }
}

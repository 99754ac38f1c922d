package videollama.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static videollama.kernels.KernelChecks.assertSumsClose;
import static videollama.kernels.KernelChecks.matVecReference;
import static videollama.kernels.KernelChecks.poisoned;
import static videollama.kernels.KernelChecks.randomFloats;
import static videollama.kernels.KernelChecks.readFloats;
import static videollama.kernels.KernelChecks.runOnce;
import static videollama.kernels.KernelChecks.upload;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.kernels.KernelChecks.Sums;
import videollama.kernels.reference.Q8_0;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * The Q8_0 ops ({@link Q8_0Ops}: {@code gemv_q8_0}, the gate/up GEMV, q/k/v, {@code linear_q8_0}) against the exact
 * product of the dequantised weights on fresh random inputs, through the op names the models call ({@code matVec},
 * {@code linear}, ...) with Q8_0 weights: the LLaMA's widths (64 to 4096, 11008 for the GEMV), the ViT-g's 1408 and
 * the Q-Former's 768, one row to 257 (EVA's tokens per frame). Tolerance: the difference over the row's Σ|w·x| (the
 * size float32 rounding grows with, {@link KernelChecks#assertSumsClose}) at most {@value #TOLERANCE} (measured at
 * most 8.2e-8 on PoCL and the CUDA emulator; the reference dot's worst-case bound at 4096 columns is (33 + 128)·2⁻²⁴
 * = 9.6e-6); the gate/up GEMV the same, its scale the two sums' Σ|w·x| carried through {@code silu(g)·u}.
 *
 * <p>A case's work ({@link #largestCase}) is its multiply-adds, what the CPU emulation of CUDA pays for.
 */
public abstract class Q8_0OpsContract extends DeviceOpsContract {
    private static final double TOLERANCE = 5e-7;

    protected Q8_0OpsContract(Supplier<? extends DeviceBackend> backend) {
        super(backend);
    }

    /** The GEMVs under test: the backend's op catalogue, which sends Q8_0 weights to its Q8_0 family. */
    protected GemvOps gemv() {
        return backend().ops();
    }

    /** The GEMM under test, as {@link #gemv}. */
    protected GemmOps gemm() {
        return backend().ops();
    }

    /** A random [rows, cols] matrix quantised, and uploaded. */
    private record Weight(Tensor q8, DeviceTensor device) {}

    private Weight weight(String name, int rows, int cols) {
        Tensor q8 = Q8_0.quantize(Tensor.ofFloats(name, randomFloats(random, rows * cols), rows, cols));
        return new Weight(q8, backend().upload(q8));
    }

    @ParameterizedTest(name = "{0} x {1}, accumulate {2}")
    @CsvSource({"1, 32, false", "3, 64, true", "13, 96, false", "64, 1408, true", "172, 64, false", "96, 4096, false",
            "64, 11008, true", "4096, 128, false"})
    void matVec(int rows, int cols, boolean accumulate) {
        assumeAtMost((long) rows * cols, "matVec");
        Weight w = weight("w", rows, cols);
        float[] x = randomFloats(random, cols);
        float[] start = accumulate ? randomFloats(random, rows) : null;
        DeviceBuffer out = accumulate ? upload(backend(), "out", start) : poisoned(backend(), "out", rows);
        TaskGraph g = backend().graph("gemv_q8_0");
        gemv().matVec(g, "gemv_q8_0", out, w.device(), upload(backend(), "x", x), accumulate);
        runOnce(g);
        assertSumsClose(matVecReference(w.q8(), x, start), readFloats(backend(), out, rows), TOLERANCE,
                "gemv_q8_0 " + rows + " x " + cols + (accumulate ? " accumulate" : ""));
    }

    @Test
    void qkvMatVecIsThreeProductsOfOneInput() {
        int d = 256;
        Weight wq = weight("wq", d, d);
        Weight wk = weight("wk", 64, d);
        Weight wv = weight("wv", 64, d);
        float[] x = randomFloats(random, d);
        DeviceBuffer xb = upload(backend(), "x", x);
        DeviceBuffer q = poisoned(backend(), "q", d);
        DeviceBuffer k = poisoned(backend(), "k", 64);
        DeviceBuffer v = poisoned(backend(), "v", 64);
        TaskGraph g = backend().graph("qkv");
        gemv().qkvMatVec(g, "qkv", q, k, v, wq.device(), wk.device(), wv.device(), xb);
        runOnce(g);
        assertSumsClose(matVecReference(wq.q8(), x, null), readFloats(backend(), q, d), TOLERANCE, "q");
        assertSumsClose(matVecReference(wk.q8(), x, null), readFloats(backend(), k, 64), TOLERANCE, "k");
        assertSumsClose(matVecReference(wv.q8(), x, null), readFloats(backend(), v, 64), TOLERANCE, "v");
    }

    @ParameterizedTest(name = "{0} x {1}")
    @CsvSource({"5, 64", "172, 64", "688, 256"})
    void swiGluMatVec(int rows, int cols) {
        assumeAtMost(2L * rows * cols, "swiGluMatVec");
        Weight gate = weight("gate", rows, cols);
        Weight up = weight("up", rows, cols);
        float[] x = randomFloats(random, cols);
        DeviceBuffer out = poisoned(backend(), "out", rows);
        TaskGraph g = backend().graph("swiglu_gemv_q8_0");
        gemv().swiGluMatVec(g, "swiglu_gemv_q8_0", out, gate.device(), up.device(), upload(backend(), "x", x));
        runOnce(g);
        assertSumsClose(KernelChecks.swiGluReference(matVecReference(gate.q8(), x, null), matVecReference(up.q8(), x, null)),
                readFloats(backend(), out, rows), TOLERANCE, "swiglu_gemv_q8_0 " + rows + " x " + cols);
    }

    /** bias: 0 none, 1 given; residual: 0 none, 1 its own buffer, 2 out itself (in place). */
    @ParameterizedTest(name = "{0} x {1} x {2}, bias {3}, residual {4}")
    @CsvSource({"1, 64, 64, 0, 0", "5, 48, 96, 1, 0", "9, 96, 64, 1, 1", "257, 96, 1408, 1, 2", "257, 1408, 768, 0, 1",
            "32, 768, 1408, 1, 0"})
    void linear(int m, int n, int k, int bias, int residual) {
        assumeAtMost((long) m * n * k, "linear");
        Weight w = weight("w", n, k);
        float[] x = randomFloats(random, m * k);
        float[] b = bias == 1 ? randomFloats(random, n) : null;
        float[] r = residual > 0 ? randomFloats(random, m * n) : null;
        DeviceBuffer rb = r != null ? upload(backend(), "residual", r) : null;
        DeviceBuffer out = residual == 2 ? rb : poisoned(backend(), "out", (long) m * n);
        TaskGraph g = backend().graph("linear_q8_0");
        gemm().linear(g, "linear_q8_0", out, upload(backend(), "x", x), w.device(), b != null ? upload(backend(), "b", b) : null,
                rb, m, n, k);
        runOnce(g);
        float[] actual = readFloats(backend(), out, m * n);
        double[] values = new double[m * n];
        double[] scales = new double[m * n];
        float[] row = new float[k];
        for (int i = 0; i < m; i++) {
            System.arraycopy(x, i * k, row, 0, k);
            float[] start = new float[n];
            for (int j = 0; j < n; j++) {
                start[j] = (b != null ? b[j] : 0) + (r != null ? r[i * n + j] : 0);
            }
            Sums s = matVecReference(w.q8(), row, start);
            System.arraycopy(s.values(), 0, values, i * n, n);
            System.arraycopy(s.scales(), 0, scales, i * n, n);
        }
        assertSumsClose(new Sums(values, scales), actual, TOLERANCE, "linear_q8_0 " + m + " x " + n + " x " + k);
    }

    @Test
    void aQ8_0WeightUploadsItsQuantsAndScales() {
        Weight w = weight("w", 4, 64);
        assertEquals(DType.Q8_0, w.device().dtype());
        assertNotNull(w.device().scales());
        assertEquals(4 * 64, w.device().buffer().bytes());
        assertEquals(4 * 2 * 2, w.device().scales().bytes());
    }

    @Test
    void theQ8_0FamilyRefusesAFloatWeight() {
        DeviceTensor floats = backend().upload(Tensor.ofFloats("w", new float[64], 2, 32));
        DeviceBuffer x = upload(backend(), "x", new float[32]);
        DeviceBuffer out = poisoned(backend(), "out", 2);
        Q8_0Ops q8 = q8Family();
        var e = assertThrows(IllegalArgumentException.class, () -> q8.matVec(backend().graph("g"), "gemv", out, floats, x, false));
        assertEquals("gemv: weight w F32 [2, 32] is not Q8_0", e.getMessage());
    }

    /** The backend's Q8_0 family class itself, called past the op catalogue's choice by dtype. */
    protected abstract Q8_0Ops q8Family();
}

package videollama.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static videollama.kernels.KernelChecks.poisoned;
import static videollama.kernels.KernelChecks.randomFloats;
import static videollama.kernels.KernelChecks.readFloats;
import static videollama.kernels.KernelChecks.runOnce;
import static videollama.kernels.KernelChecks.upload;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.kernels.DecodeOpsContract;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.KernelChecks;
import videollama.kernels.TaskGraph;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * {@link DecodeOpsContract} on CUDA, with CUDA's bounds, plus what only CUDA has: split-K matVec forced at small
 * shapes and the merge kernel's static shared memory. Run on a GPU by {@link CudaOpsTest} and on the CPU emulation
 * of the driver by {@link EmulatedCudaOpsTest}.
 */
abstract class CudaOpsContract extends DecodeOpsContract {
    /** @param backend a real CUDA device, or the CPU emulation of the driver */
    CudaOpsContract(Supplier<CudaBackend> backend) {
        super(backend, 5e-6);
    }

    @Override
    protected CudaBackend backend() {
        return (CudaBackend) super.backend();
    }

    @Override
    protected void assertMatVecClose(Tensor w, float[] x, float[] start, float[] actual, String what) {
        KernelChecks.assertSumsClose(KernelChecks.matVecReference(w, x, start), actual, 2e-7, what);
    }

    /**
     * The 7B model's q/k/v shape, its sums over 4096 columns held to the small shapes' bound (relative to each
     * output's Σ|w·x|; 1.2e-8 measured on the emulator).
     */
    @ParameterizedTest(name = "q {0}, kv {1} rows x {2} cols, {3}")
    @CsvSource({"4096, 1024, 4096, F16"})
    void modelSizedQkvMatVec(int qRows, int kvRows, int cols, DType dtype) {
        checkQkvMatVec(qRows, kvRows, cols, dtype);
    }

    /**
     * Split-K forced at small, odd shapes (the device's size picks it only for few rows of many columns): ranges that
     * take the 128-bit loads and ranges that do not, ranges that do not divide the row, many ranges per row.
     */
    @ParameterizedTest(name = "{0} rows x {1} cols in {2} ranges, {3}, accumulate {4}")
    @CsvSource({"1, 53, 3, F32, false", "37, 300, 4, F16, true", "5, 264, 2, BF16, false", "9, 1031, 5, F32, true",
            "13, 520, 7, F16, false", "3, 40, 9, BF16, true", "2, 1028, 32, F32, false", "7, 136, 2, F32, true"})
    void splitKMatVec(int rows, int cols, int slices, DType dtype, boolean accumulate) {
        Tensor w = Tensor.ofFloats("w", randomFloats(random, rows * cols), rows, cols).convertTo(dtype);
        float[] x = randomFloats(random, cols);
        float[] start = randomFloats(random, rows);
        KernelChecks.Sums expected = KernelChecks.matVecReference(w, x, accumulate ? start : null);
        CudaGemvOps ops = new CudaGemvOps(backend());
        ops.forcedSplitK = slices;
        DeviceBuffer out = accumulate ? upload(backend(), "out", start) : poisoned(backend(), "out", rows);
        TaskGraph g = backend().graph("matvec");
        ops.matVec(g, "matvec", out, backend().upload(w), upload(backend(), "x", x), accumulate);
        runOnce(g);
        KernelChecks.assertSumsClose(expected, readFloats(backend(), out, rows), 2e-7, "split-K matvec " + dtype);
    }

    /**
     * The static shared memory the driver counts for decode_attention_merge: block_sum's 32 floats. The emulator reads it
     * from the PTX as ptxas lays it out; on a GPU this is ptxas's own figure.
     */
    @Test
    void staticSharedMemoryOfTheMerge() {
        CudaBackend b = backend();
        b.lock().lock();
        try {
            b.makeCurrent();
            var merge = b.function(new videollama.kernels.KernelSource("decode_attention", "decode_attention_merge"));
            assertEquals(128, b.driver().functionAttribute(merge, CudaDriver.FunctionAttribute.SHARED_SIZE_BYTES));
        } finally {
            b.lock().unlock();
        }
    }
}

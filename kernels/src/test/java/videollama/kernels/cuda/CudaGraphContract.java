package videollama.kernels.cuda;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static videollama.kernels.KernelChecks.POISON;
import static videollama.kernels.KernelChecks.assertClose;
import static videollama.kernels.KernelChecks.poisoned;
import static videollama.kernels.KernelChecks.randomFloats;
import static videollama.kernels.KernelChecks.readFloats;
import static videollama.kernels.KernelChecks.upload;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import videollama.kernels.Cost;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceOpsContract;
import videollama.kernels.DeviceTensor;
import videollama.kernels.GraphPlan;
import videollama.kernels.KernelSource;
import videollama.kernels.Launch;
import videollama.kernels.TaskGraph;
import videollama.kernels.TaskTiming;
import videollama.kernels.Transfer;
import videollama.kernels.reference.MatMul;
import videollama.kernels.reference.RmsNorm;
import videollama.kernels.reference.WeightMatrix;
import videollama.weights.Tensor;

/**
 * The CUDA task graph as a CUDA graph: transfers at the first replay ({@code ONCE}) or at each ({@code EVERY}),
 * replays that see new host inputs, per-task timings from a profiled replay, replays from another thread, and
 * errors that name the kernel. Run on a GPU by the *Test class and on the CPU emulation of the driver by Emulated*Test.
 */
abstract class CudaGraphContract extends DeviceOpsContract {
    /** @param backend a real CUDA device, or the CPU emulation of the driver */
    CudaGraphContract(Supplier<CudaBackend> backend) {
        super(backend);
    }

    @Override
    protected CudaBackend backend() {
        return (CudaBackend) super.backend();
    }

    private static float[] matVec(Tensor w, float[] x) {
        float[] out = new float[w.toFloatArray().length / x.length];
        MatMul.matmul(out, new WeightMatrix(w), x, 1);
        return out;
    }

    @Test
    void everyTransfersEachReplayAndOnceOnlyTheFirst() {
        int rows = 70;
        int cols = 96;
        try (Arena host = Arena.ofConfined()) {
            float[] w1 = randomFloats(random, rows * cols);
            float[] x1 = randomFloats(random, cols);
            MemorySegment hostW = host.allocateFrom(JAVA_FLOAT, w1);
            MemorySegment hostX = host.allocateFrom(JAVA_FLOAT, x1);
            MemorySegment hostOut = host.allocate(JAVA_FLOAT, rows);
            DeviceBuffer w = backend().allocate("w", rows * cols * 4L);
            DeviceBuffer x = backend().allocate("x", cols * 4L);
            DeviceBuffer out = poisoned(backend(), "out", rows);
            TaskGraph g = backend().graph("transfers")
                    .transferToDevice(Transfer.ONCE, w, hostW)
                    .transferToDevice(Transfer.EVERY, x, hostX);
            backend().ops().matVec(g, "matvec", out, new DeviceTensor("w", w, videollama.weights.DType.F32, new long[] {rows, cols}), x, false);
            g.transferToHost(out, hostOut);
            Tensor tw1 = Tensor.ofFloats("w", w1, rows, cols);
            try (GraphPlan plan = g.build()) {
                plan.execute();
                assertClose(matVec(tw1, x1), hostOut.toArray(JAVA_FLOAT), 2e-6, "first replay");
                // new host values: x is copied again, w (ONCE) is not
                float[] x2 = randomFloats(random, cols);
                MemorySegment.copy(x2, 0, hostX, JAVA_FLOAT, 0, cols);
                MemorySegment.copy(randomFloats(random, rows * cols), 0, hostW, JAVA_FLOAT, 0, rows * cols);
                plan.execute();
                assertClose(matVec(tw1, x2), hostOut.toArray(JAVA_FLOAT), 2e-6, "second replay");
            }
        }
    }

    @Test
    void copiesOnTheDeviceInStreamOrder() {
        videollama.kernels.DeviceCopyChecks.check(backend());
    }

    /** A graph of one RMSNorm of random x and weight of width {@code dim} into a poisoned out, and what out must hold. */
    record NormGraph(TaskGraph graph, DeviceBuffer out, float[] expected) {}

    NormGraph normGraph(String name, int dim) {
        float[] x = randomFloats(random, dim);
        float[] w = randomFloats(random, dim);
        float[] expected = new float[dim];
        RmsNorm.rmsNorm(expected, x, w, 1, 1e-5f);
        DeviceBuffer out = poisoned(backend(), "out", dim);
        TaskGraph g = backend().graph(name);
        backend().ops().rmsNorm(g, "norm", out, upload(backend(), "x", x), upload(backend(), "w", w), 1, dim, 1e-5f);
        return new NormGraph(g, out, expected);
    }

    @Test
    void aReplayWithoutHostOutputsStillRunsItsTasks() {
        NormGraph n = normGraph("no outputs", 131);
        try (GraphPlan plan = n.graph().build()) {
            plan.execute();
            assertClose(n.expected(), readFloats(backend(), n.out(), 131), 1e-6, "rmsnorm");
        }
    }

    @Test
    void aProfiledReplayTimesEachTaskAndComputesTheSame() {
        int rows = 300;
        int cols = 512;
        float[] x = randomFloats(random, cols);
        float[] norm = randomFloats(random, cols);
        Tensor w = Tensor.ofFloats("w", randomFloats(random, rows * cols), rows, cols);
        float[] normed = new float[cols];
        RmsNorm.rmsNorm(normed, x, norm, 1, 1e-5f);
        DeviceBuffer dx = upload(backend(), "x", x);
        DeviceBuffer xb = poisoned(backend(), "xb", cols);
        DeviceBuffer out = poisoned(backend(), "out", rows);
        TaskGraph g = backend().graph("profiled");
        backend().ops().rmsNorm(g, "layer 0 norm", xb, dx, upload(backend(), "norm", norm), 1, cols, 1e-5f);
        backend().ops().matVec(g, "layer 0 matvec", out, backend().upload(w), xb, false);
        try (GraphPlan plan = g.build()) {
            List<TaskTiming> timings = plan.executeProfiled();
            assertEquals(List.of("layer 0 norm", "layer 0 matvec"), timings.stream().map(TaskTiming::task).toList());
            assertTrue(timings.stream().allMatch(t -> t.nanos() >= 0), timings.toString());
            assertTrue(timings.get(1).cost().bytes() >= rows * cols * 4L);
            assertClose(matVec(w, normed), readFloats(backend(), out, rows), 5e-6, "profiled");
            backend().fill(out, POISON);
            plan.execute();
            assertClose(matVec(w, normed), readFloats(backend(), out, rows), 5e-6, "replayed after profiling");
        }
    }

    @Test
    void anotherThreadCanReplayAPlan() throws Exception {
        NormGraph n = normGraph("threads", 64);
        try (GraphPlan plan = n.graph().build()) {
            CompletableFuture.runAsync(plan::execute).get();
            float[] actual = CompletableFuture.supplyAsync(() -> readFloats(backend(), n.out(), 64)).get();
            assertClose(n.expected(), actual, 2e-6, "from another thread");
        }
    }

    @Test
    void aMissingKernelIsAnErrorNamingIt() {
        TaskGraph g = backend().graph("missing");
        g.task("nothing", new KernelSource("gemv", "no_such_kernel"), Launch.groups(1, 32), Cost.NONE);
        CudaException e = assertThrows(CudaException.class, g::build);
        assertTrue(e.getMessage().contains("no_such_kernel"), e.getMessage());
        // the stream is usable afterwards
        DeviceBuffer b = upload(backend(), "after", new float[] {1, 2, 3});
        assertArrayEquals(new float[] {1, 2, 3}, readFloats(backend(), b, 3));
    }

    @Test
    void buildOptionsAreRefused() {
        TaskGraph g = backend().graph("options");
        g.task("matvec", new KernelSource("gemv", "matvec_f32", "-DWEIGHT_F16"), Launch.groups(1, 32), Cost.NONE);
        assertThrows(IllegalArgumentException.class, g::build);
    }

    @Test
    void theDeviceIsDescribed() {
        assertTrue(backend().info().computeUnits() > 0);
        assertTrue(backend().info().globalMemoryBytes() > 0);
        assertTrue(backend().info().localMemoryBytes() >= 48 * 1024);
        assertTrue(backend().memoryBandwidthGBs() > 0);
        assertTrue(backend().device().contains("compute capability"), backend().device());
    }
}

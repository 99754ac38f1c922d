package videollama.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import videollama.kernels.Cost;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceInfo;
import videollama.kernels.DeviceTensor;
import videollama.kernels.GraphPlan;
import videollama.kernels.KernelSource;
import videollama.kernels.Launch;
import videollama.kernels.TaskGraph;
import videollama.kernels.Transfer;
import videollama.kernels.cuda.CudaGemmOps.Tile;
import videollama.kernels.cuda.RecordingGraph.Recorded;
import videollama.weights.DType;

/**
 * The GEMM tasks against the committed gemm.ptx, without a GPU: every entry point the op can name exists with the
 * parameters the task passes, each launch has exactly the threads its kernel is written for (its
 * {@code __launch_bounds__}, which a GPU enforces and the kernels' indexing assumes), the grid covers the output,
 * and the tile choice at the shapes the op serves on an H100.
 */
class CudaGemmKernelsTest {
    private static final DeviceInfo H100 = new DeviceInfo("CUDA 13.0 driver", "test device", "NVIDIA", "compute capability 9.0", false,
            132, 80L << 30, 80L << 30, 48 * 1024, 1024, 1980, true, true);
    private static final String PTX = CommittedPtx.text("gemm");

    private long next = 0x10000;

    private DeviceBuffer buffer(long bytes) {
        CudaBuffer b = new CudaBuffer("b", bytes, next);
        next += (bytes + 255) / 256 * 256;
        return b;
    }

    private Recorded record(CudaGemmOps ops, DType dtype, int m, int n, int k, boolean bias) {
        RecordingGraph g = new RecordingGraph();
        DeviceTensor w = new DeviceTensor("w", buffer((long) n * k * dtype.byteSize()), dtype, new long[] {n, k});
        ops.linear(g, "linear", buffer(4L * m * n), buffer(4L * m * k), w, bias ? buffer(4L * n) : null, null, m, n, k);
        assertEquals(1, g.tasks.size());
        return g.tasks.getFirst();
    }

    /** The {@code .maxntid} of an entry point: the block size its {@code __launch_bounds__} fixes. */
    private static int maxThreads(String entry) {
        Matcher m = Pattern.compile("\\.entry " + entry + "\\([^)]*\\)\\s*\\.maxntid (\\d+), 1, 1").matcher(PTX);
        assertTrue(m.find(), entry + " has no .maxntid in gemm.ptx (give it __launch_bounds__)");
        return Integer.parseInt(m.group(1));
    }

    @Test
    void everyTaskMatchesItsEntryPointAndCoversTheOutput() {
        Ptx ptx = Ptx.parse(PTX);
        int[][] shapes = {{1, 1, 1}, {37, 53, 19}, {2056, 4224, 1408}, {256, 768, 1408}, {130, 97, 300}};
        for (Tile tile : Tile.values()) {
            CudaGemmOps ops = new CudaGemmOps(H100, tile);
            for (DType dtype : List.of(DType.F32, DType.F16, DType.BF16)) {
                for (int[] s : shapes) {
                    Recorded t = record(ops, dtype, s[0], s[1], s[2], s[0] % 2 == 0);
                    String entry = t.kernel().entry();
                    assertEquals("gemm", t.kernel().program());
                    assertEquals("", t.kernel().options());
                    assertEquals(List.of("u64", "u64", "u64", "u64", "u64", "u32", "u32", "u32", "u32", "u32"), ptx.entries().get(entry), entry);
                    assertEquals(10, t.args().length);
                    LaunchShape shape = LaunchShape.of(t.launch(), H100.maxWorkGroupSize(), entry);
                    assertEquals(maxThreads(entry), shape.blockX(), entry + ": block size");
                    assertEquals(1, shape.blockY() * shape.blockZ());
                    assertEquals((s[1] + tile.n - 1) / tile.n, shape.gridX(), entry + ": blocks along N");
                    assertEquals((s[0] + tile.m - 1) / tile.m, shape.gridY(), entry + ": blocks along M");
                    assertEquals(2L * s[0] * s[1] * s[2], t.cost().flops());
                }
            }
        }
    }

    @Test
    void theCostIsTheOpenCLOpsCost() {
        Recorded t = record(new CudaGemmOps(H100, null), DType.BF16, 2056, 1408, 1408, true);
        assertEquals(1408L * 1408 * 2 + 4L * 2056 * 1408 + 4L * 2056 * 1408 + 4L * 1408, t.cost().bytes());
        assertEquals(2L * 2056 * 1408 * 1408, t.cost().flops());
    }

    @Test
    void largeTilesWhenTheyFillTheMultiprocessors() {
        CudaGemmOps ops = new CudaGemmOps(H100, null);
        assertEquals(Tile.LARGE, ops.tileFor(2056, 1408));   // ViT-g proj over 8 frames: 17 x 11 tiles
        assertEquals(Tile.LARGE, ops.tileFor(2056, 6144));   // fc1
        assertEquals(Tile.SMALL, ops.tileFor(256, 768));     // a Q-Former layer: 2 x 6 large tiles on 132 SMs
        assertEquals(Tile.SMALL, ops.tileFor(1, 4096));
        assertEquals(Tile.LARGE, ops.tileFor(512, 11008));   // LLaMA-7B prefill, MLP
        assertEquals("linear_f16_128x128", record(ops, DType.F16, 2056, 4224, 1408, false).kernel().entry());
        assertEquals("linear_f32_64x64", record(ops, DType.F32, 256, 768, 768, false).kernel().entry());
    }

    @Test
    void theEnvironmentMayForceATile() {
        assertNull(CudaGemmOps.tileFromEnvironment(null));
        assertNull(CudaGemmOps.tileFromEnvironment(" "));
        assertEquals(Tile.SMALL, CudaGemmOps.tileFromEnvironment("64x64"));
        assertEquals(Tile.LARGE, CudaGemmOps.tileFromEnvironment("128x128"));
        assertThrows(IllegalArgumentException.class, () -> CudaGemmOps.tileFromEnvironment("96x96"));
        assertEquals(Tile.SMALL, new CudaGemmOps(H100, Tile.SMALL).tileFor(4096, 4096));
    }

    @Test
    void otherWeightTypesAreRefused() {
        RecordingGraph g = new RecordingGraph();
        DeviceTensor w = new DeviceTensor("w", buffer(64), DType.I32, new long[] {4, 4});
        assertThrows(IllegalArgumentException.class,
                () -> new CudaGemmOps(H100, null).linear(g, "ints", buffer(64), buffer(64), w, null, null, 4, 4, 4));
        assertTrue(g.tasks.isEmpty());
    }
}

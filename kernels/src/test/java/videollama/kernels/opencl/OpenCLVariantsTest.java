package videollama.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.kernels.TestBackend;
import videollama.kernels.opencl.OpenCLConvOps.Variant;

/**
 * Which kernel variant an OpenCL op family picks on this device, and the sizes a variant derives from it; each
 * variant's results are checked by its op family's contract ({@link OpenCLConvOpsTest}, {@link OpenCLWideConvOpsTest},
 * {@link OpenCLAttentionOpsTest}, {@link OpenCLRowAttentionOpsTest}) or, each variant forced, by
 * {@link OpenCLDecodeAttentionTest} and {@link OpenCLMatVecTest}.
 */
class OpenCLVariantsTest {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    /** Whether this device gets the CPU kernels: a CPU, unless {@code VIDEOLLAMA_OPENCL_WIDE=0} asks for the GPU ones. */
    private static boolean cpuKernels() {
        return openCL.get().info().isCpu() && !"0".equals(System.getenv("VIDEOLLAMA_OPENCL_WIDE"));
    }

    @Test
    void theDeviceKindPicksTheConvVariant() {
        assertEquals(cpuKernels() ? Variant.WIDE : Variant.TILED, new OpenCLConvOps(openCL.get()).variant());
    }

    @Test
    void theDeviceKindPicksTheDecodeAttentionVariant() {
        assertEquals(cpuKernels() ? OpenCLDecodeAttentionOps.Variant.ROWS : OpenCLDecodeAttentionOps.Variant.SLICES,
                new OpenCLDecodeAttentionOps(openCL.get()).variant());
    }

    /** A GPU splits the columns of a matrix too short to fill it ({@link OpenCLGemvOps#slicesFor}); a CPU never does. */
    @Test
    void theDeviceKindPicksTheMatVecVariant() {
        OpenCLGemvOps ops = new OpenCLGemvOps(openCL.get());
        int units = openCL.get().info().computeUnits();
        assertEquals(cpuKernels() ? OpenCLGemvOps.Variant.WIDE4 : OpenCLGemvOps.Variant.ROWS, ops.variantFor(32 * units, 4096));
        assertEquals(cpuKernels() ? OpenCLGemvOps.Variant.WIDE4 : OpenCLGemvOps.Variant.SPLIT_K, ops.variantFor(1, 4096));
    }

    @Test
    void theFlashKernelStaysWithinItsLocalMemoryForHeadsUpTo128() {
        OpenCLAttentionOps ops = new OpenCLAttentionOps(openCL.get(), OpenCLAttentionOps.Variant.FLASH);
        for (int headDim : new int[] {8, 64, 88, 128}) {
            int blockK = ops.blockKeys(16, headDim);
            assertTrue(blockK >= 8, headDim + ": tiles of " + blockK + " keys");
            assertTrue(OpenCLAttentionOps.localMemoryBytes(16, blockK, headDim) <= OpenCLAttentionOps.LOCAL_MEMORY_BUDGET);
        }
    }

    @ParameterizedTest(name = "{0} queries: tiles of {1}")
    @CsvSource({"1, 1", "5, 8", "8, 8", "257, 16"})
    void theFlashKernelTilesQueriesByTheirCount(int queries, int block) {
        assertEquals(block, OpenCLAttentionOps.blockQueries(queries));
    }

    @ParameterizedTest(name = "head of {0}: {1}")
    @CsvSource({"88, BLOCKED", "12, BLOCKED", "5, ROWS"})
    void cpusGetTheBlockedAttentionKernelWhenAHeadHoldsAFloat8(int headDim, OpenCLAttentionOps.Variant variant) {
        assertEquals(variant, OpenCLAttentionOps.cpuVariant(headDim));
    }
}

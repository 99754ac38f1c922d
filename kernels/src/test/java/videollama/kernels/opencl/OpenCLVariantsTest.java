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
 * {@link OpenCLAttentionOpsTest}, {@link OpenCLRowAttentionOpsTest}).
 */
class OpenCLVariantsTest {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    @Test
    void theDeviceKindPicksTheConvVariant() {
        Variant expected = openCL.get().info().isCpu() && !"0".equals(System.getenv("VIDEOLLAMA_OPENCL_WIDE")) ? Variant.WIDE : Variant.TILED;
        assertEquals(expected, new OpenCLConvOps(openCL.get()).variant());
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

package videollama.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.AttentionOpsContract;
import videollama.kernels.AttentionShape;
import videollama.kernels.KvCacheType;
import videollama.kernels.StridedRows;
import videollama.kernels.TaskGraph;
import videollama.kernels.TestBackend;

/**
 * {@link AttentionOpsContract} on OpenCL's flash kernel (the GPU variant, run on whatever device there is; the row
 * kernel for CPUs is {@link OpenCLRowAttentionOpsTest}), and the flash kernel's local-memory sizing.
 */
class OpenCLAttentionOpsTest extends AttentionOpsContract {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    @Override
    protected OpenCLBackend backend() {
        return openCL.get();
    }

    @Override
    protected void attention(TaskGraph g, String name, StridedRows out, StridedRows q, StridedRows k, StridedRows v,
                             KvCacheType kvType, AttentionShape shape) {
        new OpenCLAttentionOps(backend(), false).attention(g, name, out, q, k, v, kvType, shape);
    }

    @Test
    void theFlashKernelStaysWithinItsLocalMemoryForHeadsUpTo128() {
        OpenCLAttentionOps ops = new OpenCLAttentionOps(backend(), false);
        for (int headDim : new int[] {8, 64, 88, 128}) {
            int blockK = ops.blockKeys(16, headDim);
            assertTrue(blockK >= 8, headDim + ": tiles of " + blockK + " keys");
            assertTrue(OpenCLAttentionOps.localMemoryBytes(16, blockK, headDim) <= OpenCLAttentionOps.LOCAL_MEMORY_BUDGET);
        }
        assertEquals(1, OpenCLAttentionOps.blockQueries(1));
        assertEquals(8, OpenCLAttentionOps.blockQueries(5));
        assertEquals(8, OpenCLAttentionOps.blockQueries(8));
        assertEquals(16, OpenCLAttentionOps.blockQueries(257));
    }
}

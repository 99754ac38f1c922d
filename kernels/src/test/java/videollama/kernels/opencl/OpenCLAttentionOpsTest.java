package videollama.kernels.opencl;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.AttentionOpsContract;
import videollama.kernels.AttentionShape;
import videollama.kernels.KvCacheType;
import videollama.kernels.StridedRows;
import videollama.kernels.TaskGraph;
import videollama.kernels.TestBackend;

/**
 * {@link AttentionOpsContract} on OpenCL's flash kernel (the GPU variant, run on whatever device there is; the CPU
 * kernels are {@link OpenCLRowAttentionOpsTest} and {@link OpenCLBlockedAttentionOpsTest}); the flash kernel's local-memory sizing is in
 * {@link OpenCLVariantsTest}.
 */
class OpenCLAttentionOpsTest extends AttentionOpsContract {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    OpenCLAttentionOpsTest() {
        super(openCL);
    }

    @Override
    protected void attention(TaskGraph g, String name, StridedRows out, StridedRows q, StridedRows k, StridedRows v,
                             KvCacheType kvType, AttentionShape shape) {
        new OpenCLAttentionOps(openCL.get(), variant()).attention(g, name, out, q, k, v, kvType, shape);
    }

    /** The kernel under test: the flash kernel here, a CPU variant in the subclasses. */
    OpenCLAttentionOps.Variant variant() {
        return OpenCLAttentionOps.Variant.FLASH;
    }
}

package videollama.kernels.opencl;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.AttentionOpsContract;
import videollama.kernels.AttentionShape;
import videollama.kernels.KvCacheType;
import videollama.kernels.StridedRows;
import videollama.kernels.TaskGraph;
import videollama.kernels.TestBackend;

/** {@link AttentionOpsContract} on OpenCL's row kernel (the CPU variant: a work-item per query, head and set). */
class OpenCLRowAttentionOpsTest extends AttentionOpsContract {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    @Override
    protected OpenCLBackend backend() {
        return openCL.get();
    }

    @Override
    protected void attention(TaskGraph g, String name, StridedRows out, StridedRows q, StridedRows k, StridedRows v,
                             KvCacheType kvType, AttentionShape shape) {
        new OpenCLAttentionOps(backend(), true).attention(g, name, out, q, k, v, kvType, shape);
    }
}

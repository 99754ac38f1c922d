package videollama.kernels.opencl;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import videollama.kernels.AttentionOpsContract;
import videollama.kernels.AttentionShape;
import videollama.kernels.DeviceBackend;
import videollama.kernels.KvCacheType;
import videollama.kernels.StridedRows;
import videollama.kernels.TaskGraph;

/** {@link AttentionOpsContract} on OpenCL's row kernel (the CPU variant: a work-item per query, head and set). */
class OpenCLRowAttentionOpsTest extends AttentionOpsContract {
    private static OpenCLBackend backend;

    @BeforeAll
    static void open() {
        backend = (OpenCLBackend) OpenCLTestSupport.open();
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
        }
    }

    @Override
    protected DeviceBackend backend() {
        return backend;
    }

    @Override
    protected void attention(TaskGraph g, String name, StridedRows out, StridedRows q, StridedRows k, StridedRows v,
                             KvCacheType kvType, AttentionShape shape) {
        new OpenCLAttentionOps(backend, true).attention(g, name, out, q, k, v, kvType, shape);
    }
}

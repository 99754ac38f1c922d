package videollama.kernels.opencl;

/** {@link OpenCLAttentionOpsTest}'s contract on OpenCL's row kernel (the CPU variant: a work-item per query, head and set). */
class OpenCLRowAttentionOpsTest extends OpenCLAttentionOpsTest {
    @Override
    boolean rowKernel() {
        return true;
    }
}

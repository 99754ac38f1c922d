package videollama.kernels.opencl;

/** {@link OpenCLAttentionOpsTest}'s contract on OpenCL's row kernel (variant 2, the CPUs' baseline: a work-item per query, head and set). */
class OpenCLRowAttentionOpsTest extends OpenCLAttentionOpsTest {
    @Override
    OpenCLAttentionOps.Variant variant() {
        return OpenCLAttentionOps.Variant.ROWS;
    }
}

package videollama.kernels.opencl;

/**
 * {@link OpenCLAttentionOpsTest}'s contract on OpenCL's blocked kernel (variant 3, the CPUs' choice: a work-item per
 * block of 4 queries, head and set). Its shapes cover what the kernel clamps: query counts that leave a short last
 * block (1, 5, 13, 19, 37, 229, 257), key counts that leave a short last tile (257 = 10 · 24 + 17), causal blocks
 * whose queries see different numbers of keys, head widths with a rest past the last float8 (5: none whole; 33: four
 * and one), and the f16 cache read a float8 at a time.
 */
class OpenCLBlockedAttentionOpsTest extends OpenCLAttentionOpsTest {
    @Override
    OpenCLAttentionOps.Variant variant() {
        return OpenCLAttentionOps.Variant.BLOCKED;
    }
}

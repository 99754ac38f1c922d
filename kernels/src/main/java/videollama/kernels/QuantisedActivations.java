package videollama.kernels;

import videollama.kernels.reference.Q8_0;

/**
 * The input x of the integer-dot GEMVs over Q8_0 weights, quantised to Q8_0 blocks by a task before each product
 * ({@code quantize_q8_0_activations} of q8_0.cl / q8_0.cu, a work-item per block): its quants and float scales live
 * in workspaces, one pair per width, reused by every product of that width.
 */
public final class QuantisedActivations {
    private final Workspaces workspaces;
    private final KernelSource kernel;
    private final int quantBytes;
    private final int group;

    /**
     * @param kernel     the backend's {@code quantize_q8_0_activations}
     * @param quantBytes bytes a quant as the backend's GEMVs read it
     * @param group      work-items (one per block) per group
     */
    public QuantisedActivations(DeviceBackend backend, KernelSource kernel, int quantBytes, int group) {
        this.workspaces = new Workspaces(backend);
        this.kernel = kernel;
        this.quantBytes = quantBytes;
        this.group = group;
    }

    /** Adds the task that quantises x ({@code cols} wide); returns its quants and scales. */
    public DeviceBuffer[] quantise(TaskGraph g, String name, DeviceBuffer x, int cols) {
        int blocks = cols / Q8_0.BLOCK;
        DeviceBuffer quants = workspaces.get("x quants " + cols, (long) quantBytes * cols);
        DeviceBuffer scales = workspaces.get("x scales " + cols, 4L * blocks);
        g.task(name + " quantise x", kernel, Launch.items(blocks, group),
                new Cost((quantBytes + 4L) * cols + 4L * blocks, 3L * cols), quants, scales, x, blocks);
        return new DeviceBuffer[] {quants, scales};
    }
}

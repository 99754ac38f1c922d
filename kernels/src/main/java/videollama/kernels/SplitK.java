package videollama.kernels;

/**
 * How a split-K GEMV of one backend cuts rows into column ranges, so that few rows still fill the device: a group
 * (a CUDA warp, an OpenCL work-group) per range, {@code groupsPerUnit} of them per SM or compute unit wanted, each
 * range at least {@code minColumns} wide, at most {@code maxSlices} of them; a second small task adds the partials.
 * The numbers are each backend's (CudaGemvOps, OpenCLGemvOps say why); the rule is the same.
 */
public record SplitK(int groupsPerUnit, int minColumns, int maxSlices) {

    /**
     * Column ranges per row for {@code rows} rows of {@code cols} on a device of {@code units} SMs or compute units:
     * 1 (a group per whole row) when the rows alone fill half the device or more, since the second task and the
     * partials' round trip would then cost more than the occupancy gains; below 2, no split.
     */
    public int slices(int rows, int cols, int units) {
        long fill = (long) groupsPerUnit * units;
        if (2L * rows > fill) {
            return 1;
        }
        long wanted = (fill + rows - 1) / rows;
        return (int) Math.min(Math.min(wanted, cols / minColumns), maxSlices);
    }
}

package videollama.kernels;

/**
 * What a device is and can do, as the kernels' variant choice and the profiler need it.
 *
 * @param isCpu           a CPU device (PoCL): kernels shaped for wide vectors instead of many threads
 * @param fp16Arithmetic  half-precision arithmetic ({@code cl_khr_fp16}); storage via vload_half works anyway
 * @param subgroups       sub-group (warp) operations
 */
public record DeviceInfo(String platform, String name, String vendor, String version, boolean isCpu, int computeUnits,
                         long globalMemoryBytes, long maxAllocationBytes, long localMemoryBytes, long maxWorkGroupSize,
                         int clockMHz, boolean fp16Arithmetic, boolean subgroups) {

    /** The largest power-of-two work-group of at most {@code most} items this device accepts. */
    public int groupSize(int most) {
        return (int) Math.min(most, Long.highestOneBit(maxWorkGroupSize));
    }
}

package videollama.kernels;

/** What a task must at least move and compute, for the profiler's achieved GB/s and GFLOP/s. */
public record Cost(long bytes, long flops) {
    public static final Cost NONE = new Cost(0, 0);
}

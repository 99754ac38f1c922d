package videollama.kernels;

/** One task's device time in one replay, with its cost. */
public record TaskTiming(String task, long nanos, Cost cost) {
    public double gigabytesPerSecond() {
        return nanos == 0 ? 0 : cost.bytes() / (double) nanos;
    }

    public double gigaflopsPerSecond() {
        return nanos == 0 ? 0 : cost.flops() / (double) nanos;
    }
}

package videollama.benchmarks;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the measured calls moved and computed, as JMH secondary results. JMH divides these counters by the
 * iteration's time like the primary score, so in the default throughput mode (calls/s) the rows
 * {@code <benchmark>:gigabytes} and {@code <benchmark>:gigaflop} read as GB/s and GFLOP/s, each with its own
 * error. The bytes are what a call must at least move (every weight once, the input, the output), the same
 * count as the op's {@link videollama.kernels.Cost}, so achieved GB/s compares with the memory bandwidth.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Traffic {
    /** Gigabytes (1e9 bytes) moved; per second in the output. */
    public double gigabytes;
    /** Billions of floating-point operations (a multiply-add is two); per second in the output. */
    public double gigaflop;

    @Setup(Level.Iteration)
    public void reset() {
        gigabytes = 0;
        gigaflop = 0;
    }

    /** Counts one call of {@code bytes} and {@code flops}. */
    public void add(long bytes, long flops) {
        gigabytes += bytes * 1e-9;
        gigaflop += flops * 1e-9;
    }
}

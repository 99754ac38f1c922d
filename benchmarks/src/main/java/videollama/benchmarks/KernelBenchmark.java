package videollama.benchmarks;

import static videollama.benchmarks.BenchSupport.check;
import static videollama.benchmarks.BenchSupport.poison;
import static videollama.benchmarks.BenchSupport.readFloats;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import videollama.kernels.Cost;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.GraphPlan;

/**
 * What every kernel benchmark shares: the JMH settings, a reference output computed in plain Java, and the check
 * that each device plan, run on poisoned outputs, reproduces it before anything is timed. A subclass states its
 * shapes and variants ({@code @Param}s), builds either the reference case ({@link #hostOut}) or the device case
 * ({@link #device}, {@link #out}, {@link #plans}) in {@link #build}, and times {@link #call} in its
 * {@code @Benchmark} method.
 *
 * <p>A call runs the next plan, so that a benchmark with several plans (one per cold copy of its weights or cache)
 * cycles through them.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class KernelBenchmark extends ForkedBenchmark {
    /** What the reference computes for this case, the results one after another: every variant is checked against it. */
    protected float[] expected;
    protected Cost cost;
    /** Relative error a device variant may have against {@link #expected}. */
    protected double tolerance = 1e-5;
    /** The reference variant's outputs, of which the first {@link #results()} are compared; null on a device. */
    protected float[][] hostOut;
    protected DeviceBackend device;
    /** The device outputs, each compared whole. */
    protected DeviceBuffer[] out;
    protected GraphPlan[] plans;
    private int next;

    /** Fills {@link #expected} and {@link #cost}, then the reference case or the device case. */
    protected abstract void build();

    /** One call of the reference variant on its next copy of the inputs, into {@link #hostOut}. */
    protected abstract void runReference();

    /** The case, for an error message: its variant and parameters. */
    protected abstract String describe();

    /** How many of {@link #hostOut} are results (the rest is scratch). */
    protected int results() {
        return hostOut.length;
    }

    @Setup(Level.Trial)
    public void setup() {
        build();
        if (device == null) {
            return;
        }
        for (GraphPlan plan : plans) {
            poisonOutput();
            plan.execute();
            check(describe(), expected, result(), tolerance);
        }
    }

    /** One timed call, counted in {@code traffic}; returns when it is done. */
    protected final Object call(Traffic traffic) {
        traffic.add(cost.bytes(), cost.flops());
        if (device == null) {
            runReference();
            return hostOut;
        }
        plans[next++ % plans.length].execute();
        device.finish();
        return out;
    }

    /** The results of the last call, read back, one after another. */
    float[] result() {
        if (device == null) {
            return concat(Arrays.copyOf(hostOut, results()));
        }
        float[][] read = new float[out.length][];
        for (int i = 0; i < out.length; i++) {
            read[i] = readFloats(device, out[i], (int) (out[i].bytes() / 4));
        }
        return concat(read);
    }

    /** Poisons the outputs, so that a check sees what the next call writes. */
    void poisonOutput() {
        if (device == null) {
            for (float[] o : hostOut) {
                Arrays.fill(o, Float.NaN);
            }
        } else {
            for (DeviceBuffer b : out) {
                poison(device, b);
            }
        }
    }

    float[] expected() {
        return expected;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (plans != null) {
            BenchSupport.close(plans);
        }
        BenchSupport.close(device);
    }

    /** The arrays one after another. */
    static float[] concat(float[]... parts) {
        float[] all = new float[Arrays.stream(parts).mapToInt(p -> p.length).sum()];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}

package videollama.benchmarks;

import static videollama.benchmarks.BenchSupport.check;
import static videollama.benchmarks.BenchSupport.copiesFor;
import static videollama.benchmarks.BenchSupport.poison;
import static videollama.benchmarks.BenchSupport.readFloats;

import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.function.ObjIntConsumer;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import videollama.kernels.Cost;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.GraphPlan;
import videollama.kernels.TaskGraph;

/**
 * What every kernel benchmark shares: the JMH settings, a reference output computed in plain Java, and the check
 * that each device plan, run on poisoned outputs, reproduces it before anything is timed. A subclass states its
 * shapes and variants ({@code @Param}s), builds either the reference case ({@link #hostOut}, {@link #reference}) or
 * the device case ({@link #device}, {@link #out}, {@link #plans}) in {@link #build}, and times {@link #call} in its
 * {@code @Benchmark} method.
 *
 * <p>A benchmark of a memory-bound op keeps {@link #copies} of its weights or cache that together exceed the caches
 * ({@link BenchSupport#COLD_BYTES}), as in decode, where every matrix is read once per token; a call runs the next
 * plan (one per copy, {@link #plan}), or the reference on its {@link #next} copy, so that GB/s is memory bandwidth,
 * not cache bandwidth.
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
    /** The reference variant's timed call, on its next copy of the inputs, into {@link #hostOut}; null on a device. */
    protected Runnable reference;
    protected DeviceBackend device;
    /** The device outputs, each compared whole. */
    protected DeviceBuffer[] out;
    protected GraphPlan[] plans;
    /** How much the cold copies take together; the smoke tests make it small. */
    long coldBytes = BenchSupport.COLD_BYTES;
    private int calls;

    /** Fills {@link #expected} and {@link #cost}, then the reference case or the device case. */
    protected abstract void build();

    /** How many cold copies of an input of {@code bytes} to cycle through: at least one. */
    protected final int copies(long bytes) {
        return copiesFor(bytes, coldBytes);
    }

    /** The next of {@code copies}, cycling through them call after call. */
    protected final <T> T next(T[] copies) {
        return copies[calls++ % copies.length];
    }

    /** {@link #plans}: one graph per copy, named {@code name} and the copy's number, given its tasks by {@code tasks}. */
    protected final void plan(int copies, String name, ObjIntConsumer<TaskGraph> tasks) {
        plans = new GraphPlan[copies];
        for (int i = 0; i < copies; i++) {
            TaskGraph g = device.graph(name + " " + i);
            tasks.accept(g, i);
            plans[i] = g.build();
        }
    }

    /** The case, for an error message: the benchmark and its {@code @Param} values, as JMH names them. */
    protected String describe() {
        StringJoiner c = new StringJoiner(" ", getClass().getSimpleName() + " ", "");
        for (Field f : getClass().getDeclaredFields()) {
            if (f.isAnnotationPresent(Param.class)) {
                try {
                    c.add(f.getName() + "=" + f.get(this));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e); // a @Param field is public, as JMH requires
                }
            }
        }
        return c.toString();
    }

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
            reference.run();
            return hostOut;
        }
        next(plans).execute();
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

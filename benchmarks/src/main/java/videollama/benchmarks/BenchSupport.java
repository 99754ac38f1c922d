package videollama.benchmarks;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import videollama.kernels.Backends;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * What every benchmark here does the same way: fresh random inputs, the check of a variant against its
 * reference twin before it is timed (the llm.c dev/cuda habit: a fast wrong kernel is worth nothing), device
 * buffers, and the copies that keep memory-bound inputs out of the CPU's caches.
 */
public final class BenchSupport {
    /**
     * A memory-bound benchmark cycles through copies of its large input (the weights, the KV cache) that
     * together take at least this much, so each call reads from memory as in a decode step, which streams every
     * weight once per token. 256 MiB is larger than the last-level cache of the CPUs and GPUs we run on.
     */
    public static final long COLD_BYTES = 256L << 20;
    /** At most this many copies, however small the input (a plan each). */
    public static final int MAX_COPIES = 256;
    /** The bit pattern written into outputs before a checked call: a NaN no kernel computes. */
    public static final int POISON = 0x7fc0dead;

    private BenchSupport() {}

    /**
     * A file or folder of the repository ({@code "testdata/video/friday.mp4"}), under {@code -Dvideollama.root} (or
     * {@code videollama.home}), else under the working folder: JMH runs the benchmarks from the repository root.
     *
     * @throws IllegalStateException if it is not there (the smoke tests skip on it outside CI)
     */
    public static Path repositoryFile(String relative) {
        String root = System.getProperty("videollama.root", System.getProperty("videollama.home", ""));
        Path file = Path.of(root).resolve(relative);
        if (!Files.exists(file)) {
            throw new IllegalStateException(file.toAbsolutePath() + ": not found; run the benchmarks from the repository root"
                    + " or pass -Dvideollama.root=<repository>");
        }
        return file;
    }

    /** A generator seeded from the clock: every run checks the kernels on other inputs. */
    public static Random freshRandom() {
        return new Random(System.nanoTime());
    }

    public static float[] randomFloats(Random random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }

    /** A [rows, cols] matrix of standard normal values in {@code dtype} (rounded once from float32). */
    public static Tensor randomMatrix(Random random, String name, DType dtype, int rows, int cols) {
        return Tensor.ofFloats(name, randomFloats(random, Math.multiplyExact(rows, cols)), rows, cols).convertTo(dtype);
    }

    /** The same tensor in memory of its own: a copy the caches have not seen. */
    public static Tensor copyOf(Tensor t) {
        MemorySegment data = Arena.ofAuto().allocate(t.data().byteSize(), Long.BYTES).copyFrom(t.data());
        return Tensor.of(t.name(), t.dtype(), t.shape(), data);
    }

    /** How many copies of an input of {@code bytes} fill {@code coldBytes}: at least 1, at most {@link #MAX_COPIES}. */
    public static int copiesFor(long bytes, long coldBytes) {
        return Math.clamp((coldBytes + bytes - 1) / bytes, 1, MAX_COPIES);
    }

    /** {@code "2048x768"} as {@code {2048, 768}}: the sizes of a {@code @Param}. */
    public static int[] sizes(String text, int count) {
        int[] sizes = Arrays.stream(text.split("x")).mapToInt(Integer::parseInt).toArray();
        if (sizes.length != count) {
            throw new IllegalArgumentException("'" + text + "': expected " + count + " sizes joined by x");
        }
        return sizes;
    }

    /** Opens a device backend by name ({@code opencl}, {@code cuda}); a missing device is an exception that says why. */
    public static DeviceBackend openDevice(String name) {
        if (!(Backends.open(name) instanceof DeviceBackend device)) {
            throw new IllegalArgumentException(name + " is not a device backend");
        }
        return device;
    }

    /** Max |actual − expected| / max |expected|; infinite if an element is not finite (left poisoned). */
    public static double relativeError(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new IllegalArgumentException(expected.length + " expected values, " + actual.length + " actual");
        }
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < expected.length; i++) {
            if (!Float.isFinite(actual[i])) {
                return Double.POSITIVE_INFINITY;
            }
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        return maxDiff / Math.max(maxRef, 1e-30);
    }

    /**
     * Throws if {@code actual} is further than {@code tolerance} from {@code expected} (relative, as in the
     * kernel tests): JMH then reports the benchmark as failed instead of timing a wrong kernel.
     */
    public static void check(String what, float[] expected, float[] actual, double tolerance) {
        double error = relativeError(expected, actual);
        if (!(error <= tolerance)) {
            throw new IllegalStateException(String.format(Locale.ROOT, "%s: relative error %.3g against the reference > %.1g",
                    what, error, tolerance));
        }
    }

    public static DeviceBuffer upload(DeviceBackend device, String name, float[] values) {
        return upload(device, name, MemorySegment.ofArray(values));
    }

    public static DeviceBuffer upload(DeviceBackend device, String name, int[] values) {
        return upload(device, name, MemorySegment.ofArray(values));
    }

    /** A new buffer holding {@code values} (at least 4 bytes, so that an empty array still gets a buffer). */
    private static DeviceBuffer upload(DeviceBackend device, String name, MemorySegment values) {
        DeviceBuffer buffer = device.allocate(name, Math.max(4, values.byteSize()));
        device.write(buffer, values);
        return buffer;
    }

    /** Fills a buffer with {@link #POISON}, so that what a kernel forgets to write shows as NaN. */
    public static void poison(DeviceBackend device, DeviceBuffer buffer) {
        device.fill(buffer, POISON);
    }

    public static float[] readFloats(DeviceBackend device, DeviceBuffer buffer, int n) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(n * 4L);
            device.read(buffer, host);
            return host.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    /**
     * Closes each resource that is not null, in order: a trial's end, the plans before the device that made them, the
     * session before the model.
     */
    public static void close(AutoCloseable... resources) {
        for (AutoCloseable resource : resources) {
            if (resource == null) {
                continue;
            }
            try {
                resource.close();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}

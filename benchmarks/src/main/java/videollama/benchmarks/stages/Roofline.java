package videollama.benchmarks.stages;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import videollama.kernels.Backend;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceTensor;
import videollama.kernels.GraphPlan;
import videollama.kernels.TaskGraph;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * The two ceilings of a roofline, measured in the same run as the kernels they judge: the memory read bandwidth and
 * the GEMM rate of the device. A kernel of arithmetic intensity I (FLOP per byte) can reach at most
 * min(gflops, readGBs · I).
 *
 * <p>Bandwidth: where the device's memory is the host's (PoCL, the reference path) every core sums a buffer 16 times
 * the last-level cache (at least 512 MiB) with eight partial sums, the way {@code benchmarks/scripts/memory_read_bandwidth.c}
 * does in C; on a GPU a device-to-device copy, counted as read plus write. The best pass is the ceiling, the median is
 * reported beside it. Compute: the device's {@code linear} op at a compute-bound shape, the best of a few calls; the
 * reference path has no compute ceiling (0).
 *
 * @param readGBs       the best pass, GB/s
 * @param readGBsMedian the median pass, GB/s
 * @param readMethod    how it was measured
 * @param gflops        the GEMM's best GFLOP/s, 0 if not measured
 * @param gflopsMethod  which GEMM, or why none
 */
public record Roofline(double readGBs, double readGBsMedian, String readMethod, double gflops, String gflopsMethod) {
    private static final int PASSES = 9;

    /** The ceiling at arithmetic intensity {@code flopPerByte}: GFLOP/s. */
    public double ceiling(double flopPerByte) {
        double memory = readGBs * flopPerByte;
        return gflops > 0 ? Math.min(gflops, memory) : memory;
    }

    public String summary() {
        return String.format(Locale.ROOT, "read %.1f GB/s (best of %d passes, median %.1f; %s)%s", readGBs, PASSES, readGBsMedian,
                readMethod, gflops > 0 ? String.format(Locale.ROOT, ", GEMM %.1f GFLOP/s (%s)", gflops, gflopsMethod) : "");
    }

    public static Roofline measure(Backend compute, Machine machine) {
        boolean hostMemory = !(compute instanceof DeviceBackend d) || d.info().isCpu();
        double[] passes = hostMemory ? hostReadPasses(machine) : deviceCopyPasses((DeviceBackend) compute);
        double[] sorted = passes.clone();
        Arrays.sort(sorted);
        String readMethod = hostMemory
                ? String.format(Locale.ROOT, "%d threads summing %d MiB of Java arrays", machine.cores(), hostProbeBytes(machine) >> 20)
                : String.format(Locale.ROOT, "device-to-device copy of %d MiB, read + write", DEVICE_COPY_BYTES >> 20);
        if (!(compute instanceof DeviceBackend device)) {
            return new Roofline(sorted[sorted.length - 1], sorted[sorted.length / 2], readMethod, 0,
                    "none: the reference path is scalar Java");
        }
        return gemm(device, sorted[sorted.length - 1], sorted[sorted.length / 2], readMethod);
    }

    // ---- memory -------------------------------------------------------------------------------------------------

    private static final long DEVICE_COPY_BYTES = 512L << 20;

    private static long hostProbeBytes(Machine machine) {
        long bytes = Math.max(512L << 20, 16 * machine.lastLevelCacheBytes());
        return bytes / (8L * CHUNK_LONGS) * (8L * CHUNK_LONGS);
    }

    /** The probe's memory: 8 MiB arrays (C2 compiles a loop over a {@code long[]} tighter than one over a segment). */
    private static final int CHUNK_LONGS = 1 << 20;

    private static double[] hostReadPasses(Machine machine) {
        return hostReadPasses(hostProbe(machine), machine.cores(), PASSES);
    }

    /** The host probe's memory for {@code machine}: 16 times its last-level cache, at least 512 MiB, every page touched. */
    public static long[][] hostProbe(Machine machine) {
        long[][] chunks = new long[(int) (hostProbeBytes(machine) / (8L * CHUNK_LONGS))][];
        for (int c = 0; c < chunks.length; c++) {
            chunks[c] = new long[CHUNK_LONGS];
            Arrays.fill(chunks[c], c); // touched, so every page is backed before the first pass
        }
        return chunks;
    }

    /**
     * {@code passes} timed sums of {@code chunks} on {@code threads} threads (after two untimed ones that compile the
     * loop), GB/s each: the host read bandwidth, for a benchmark that interleaves it with the kernels it judges.
     */
    public static double[] hostReadPasses(long[][] chunks, int threads, int passes) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            double[] gbs = new double[passes];
            for (int pass = -2; pass < passes; pass++) { // two passes to compile the loop first
                long t0 = System.nanoTime();
                List<Future<Long>> parts = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int first = t;
                    parts.add(pool.submit(() -> {
                        long sum = 0;
                        for (int c = first; c < chunks.length; c += threads) {
                            sum += sum(chunks[c]);
                        }
                        return sum;
                    }));
                }
                for (Future<Long> part : parts) {
                    part.get(); // the sum leaves the thread through its future, so the loads are not optimised away
                }
                long nanos = System.nanoTime() - t0;
                if (pass >= 0) {
                    gbs[pass] = 8.0 * CHUNK_LONGS * chunks.length / nanos;
                }
            }
            return gbs;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring the read bandwidth", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("measuring the read bandwidth", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Eight independent sums, so the loads are not serialised behind one add chain. */
    private static long sum(long[] a) {
        long s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        for (int i = 0; i + 7 < a.length; i += 8) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
            s4 += a[i + 4];
            s5 += a[i + 5];
            s6 += a[i + 6];
            s7 += a[i + 7];
        }
        return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
    }

    private static double[] deviceCopyPasses(DeviceBackend device) {
        DeviceBuffer src = device.allocate("roofline source", DEVICE_COPY_BYTES);
        DeviceBuffer dst = device.allocate("roofline target", DEVICE_COPY_BYTES);
        try {
            device.fill(src, 0);
            double[] gbs = new double[PASSES];
            for (int pass = -1; pass < PASSES; pass++) {
                long t0 = System.nanoTime();
                device.copy(src, 0, dst, 0, DEVICE_COPY_BYTES);
                device.finish();
                long nanos = System.nanoTime() - t0;
                if (pass >= 0) {
                    gbs[pass] = 2.0 * DEVICE_COPY_BYTES / nanos;
                }
            }
            return gbs;
        } finally {
            device.release(src);
            device.release(dst);
        }
    }

    // ---- compute ------------------------------------------------------------------------------------------------

    /** The device's own linear op, f32 on a CPU (256 × 2048 × 2048), f16 on a GPU (4096 × 4096 × 4096, tensor cores). */
    private static Roofline gemm(DeviceBackend device, double readGBs, double readMedian, String readMethod) {
        boolean cpu = device.info().isCpu();
        int m = cpu ? 256 : 4096;
        int n = cpu ? 2048 : 4096;
        int k = n;
        DType type = cpu ? DType.F32 : DType.F16;
        Tensor weights = Tensor.ofFloats("roofline w", new float[n * k], n, k);
        DeviceBuffer x = device.allocate("roofline x", 4L * m * k);
        DeviceBuffer out = device.allocate("roofline out", 4L * m * n);
        device.fill(x, 0);
        DeviceTensor w = device.upload(type == DType.F32 ? weights : weights.convertTo(type));
        TaskGraph g = device.graph("roofline gemm");
        device.ops().linear(g, "linear", out, x, w, null, null, m, n, k);
        GraphPlan plan = g.build();
        try {
            long best = Long.MAX_VALUE;
            for (int call = -1; call < 5; call++) {
                long t0 = System.nanoTime();
                plan.execute();
                device.finish();
                long nanos = System.nanoTime() - t0;
                if (call >= 0) {
                    best = Math.min(best, nanos);
                }
            }
            return new Roofline(readGBs, readMedian, readMethod, 2.0 * m * n * k / best,
                    String.format(Locale.ROOT, "linear %dx%dx%d %s", m, n, k, type.name().toLowerCase(Locale.ROOT)));
        } finally {
            plan.close();
            device.release(w.buffer());
            device.release(x);
            device.release(out);
        }
    }
}

package videollama.benchmarks.stages;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import videollama.kernels.Backend;
import videollama.kernels.DeviceBackend;
import videollama.kernels.Profile;
import videollama.model.videollama.BranchEncoder;
import videollama.model.videollama.StageTimes;

/**
 * What {@code bench --stage vision} ({@link VisionBench}) and {@code --stage audio} ({@link AudioBench}) share: an
 * encoder timed over one fixed input as medians after warm-up, its time split into stages ({@link StageTimes}), and
 * the report.
 */
final class BranchBench {
    private BranchBench() {}

    /**
     * The times of {@code runs} encodes of one input, the stage split and, on a device, the per-kernel profile of
     * one more encode.
     */
    record Timings(int items, long[] nanos, StageTimes split, Profile kernels) {
        double medianMillis() {
            return sorted()[nanos.length / 2] / 1e6;
        }

        long[] sorted() {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            return sorted;
        }
    }

    /** What {@code videollama bench} asks of a branch's timing: the shape's name, the runs, and the report's extras. */
    record Options(String shape, int warmup, int runs, boolean profile, double bandwidth) {}

    /**
     * Times {@code encoder} (then closes it) on {@code compute} over {@code items} inputs of {@code itemSize} standard
     * normal floats, and reports it after {@code header}: the first encode's summary is {@code firstSummary}. Returns every
     * figure printed, as the {@code --json} report of {@code stage} run by {@code command}.
     */
    static BenchReport timeAndReport(String stage, BranchEncoder<?> encoder, StageTimes.Layout layout, int itemSize, int items, int blocks,
                                     Backend compute, Options options, StepTimer steps, String firstSummary, PrintWriter out, String header,
                                     String command) {
        Machine machine = Machine.describe();
        Timings t;
        try (encoder) {
            float[] input = gaussian(Math.multiplyExact(items, itemSize), items);
            t = time(layout, StageTimes.Encode.of(p -> encoder.encode(input, items, p), encoder::profile), compute instanceof DeviceBackend,
                    blocks, items, options.warmup(), options.runs(), steps, firstSummary);
            report(out, header, options.shape(), t, options.profile(), options.bandwidth());
        }
        long[] sorted = t.sorted();
        double median = t.medianMillis();
        StageTimes split = t.split();
        BenchReport.Branch branch = new BenchReport.Branch(layout.encoder(), options.shape(), layout.itemsName(), items, blocks,
                layout.releasedBlocks(), options.warmup(), options.runs(), median, sorted[0] / 1e6, sorted[sorted.length - 1] / 1e6,
                items * 1000 / median, split.source(), split.stages(), split.blockMillis(),
                options.shape().startsWith("released-") ? split.extrapolate(median, layout.releasedBlocks()) : null);
        List<BenchReport.Kernel> kernels = options.profile() && t.kernels() != null
                ? BenchReport.kernels(t.kernels(), options.bandwidth(), machine) : List.of();
        return new BenchReport(BenchReport.SCHEMA_VERSION, stage, command, BenchReport.now(), machine,
                new BenchReport.BackendInfo(compute.name(), compute.device()), null, List.of(), null, BenchReport.memory(compute, 0),
                null, kernels, null, null, branch);
    }

    /** {@code n} standard normal floats, the same for the same seed: a benchmark's input. */
    static float[] gaussian(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble()));
        }
        return values;
    }

    /**
     * The first encode (on a device: uploads the weights and builds the graph, announced on stderr with
     * {@code firstSummary}), {@code warmup} untimed ones, {@code runs} timed ones (on the reference path also cut at
     * the encoder's end for the split), and on a device one more, profiled, for the split and the kernel table.
     */
    static Timings time(StageTimes.Layout layout, StageTimes.Encode encode, boolean device, int blocks, int items, int warmup,
                        int runs, StepTimer steps, String firstSummary) {
        steps.time("first encode" + (device ? " (uploads the weights, builds the graph)" : ""), () -> {
            encode.encode(line -> {});
            return firstSummary;
        }, summary -> summary);
        for (int i = 0; i < warmup; i++) {
            encode.encode(line -> {});
        }
        long[] nanos = new long[runs];
        StageTimes.ReferenceClock clock = new StageTimes.ReferenceClock(layout);
        for (int i = 0; i < runs; i++) {
            clock.start();
            long t0 = System.nanoTime();
            encode.encode(clock);
            nanos[i] = System.nanoTime() - t0;
            clock.stop();
        }
        if (!device) {
            return new Timings(items, nanos, clock.times(blocks, items), null);
        }
        Profile kernels = encode.profiled();
        return new Timings(items, nanos, StageTimes.ofProfile(layout, kernels, blocks, items), kernels);
    }

    /**
     * The report after {@code header}: median, min and max per input, items per second, the stage table, for a
     * {@code released-N} shape the extrapolation to the released depth, and with {@code profile} the kernel table.
     */
    static void report(PrintWriter out, String header, String shape, Timings t, boolean profile, double bandwidth) {
        long[] sorted = t.sorted();
        double median = t.medianMillis();
        StageTimes.Layout layout = t.split().layout();
        out.println(header);
        out.println(String.format(Locale.ROOT, "ms/%s  median %.1f  min %.1f  max %.1f", layout.per(t.items()), median, sorted[0] / 1e6,
                sorted[sorted.length - 1] / 1e6));
        out.println(String.format(Locale.ROOT, "%s/s  %.2f", layout.itemsName(), t.items() * 1000 / median));
        out.println();
        out.print(t.split().table());
        if (shape.startsWith("released-")) {
            out.println(t.split().releasedExtrapolation(median));
        }
        if (profile) {
            out.println();
            out.print(t.kernels() == null ? "no kernels to profile on the reference backend\n" : t.kernels().table(bandwidth));
        }
    }
}

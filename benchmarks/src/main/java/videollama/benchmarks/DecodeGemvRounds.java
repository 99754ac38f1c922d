package videollama.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.Random;
import videollama.benchmarks.stages.Machine;
import videollama.benchmarks.stages.Roofline;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceTensor;
import videollama.kernels.GemvOps;
import videollama.kernels.GraphPlan;
import videollama.kernels.TaskGraph;
import videollama.kernels.TaskTiming;
import videollama.kernels.opencl.OpenCLGemvOps;
import videollama.kernels.opencl.OpenCLQ8_0Ops;
import videollama.kernels.reference.Q8_0;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * The GEMVs of a LLaMA-7B decode step (per layer q, k, v, o 4096×4096, gate and up 11008×4096 with SiLU, down
 * 4096×11008, called as the model calls them) over a few layers of seeded random weights, bf16 against each Q8_0
 * GEMV variant of OpenCL, interleaved in rounds with the host read-bandwidth probe of {@link Roofline}: a round
 * measures the bandwidth, then runs every variant in an order that rotates from round to round, so each ratio
 * (a variant's weight GB/s over the bandwidth of its own round; bf16's time over a Q8_0 variant's, the tokens/s ratio
 * of the GEMVs) is taken under the same load. The layers' weights together exceed the last-level cache many times,
 * so every GEMV reads DRAM. These GEMVs are 97 % of a 7B decode step's bytes; the rest (attention over a short
 * context, norms, lm_head) is not here.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar videollama.benchmarks.DecodeGemvRounds [LAYERS [ROUNDS]]</pre>
 */
public final class DecodeGemvRounds {
    private static final int DIM = 4096;
    private static final int HIDDEN = 11008;

    /** One variant: its name, its layers' GEMVs as one graph, and the weight bytes the graph reads. */
    private record Variant(String name, GraphPlan plan, long bytes) {}

    private DecodeGemvRounds() {}

    public static void main(String[] args) throws IOException {
        int layers = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        Machine machine = Machine.describe();
        DeviceBackend device = BenchSupport.openDevice("opencl");
        Random random = BenchSupport.freshRandom();
        DeviceBuffer x = BenchSupport.upload(device, "x", BenchSupport.randomFloats(random, HIDDEN));
        DeviceBuffer residual = BenchSupport.upload(device, "residual", new float[DIM]);
        DeviceBuffer q = device.allocate("q", 4L * DIM);
        DeviceBuffer k = device.allocate("k", 4L * DIM);
        DeviceBuffer v = device.allocate("v", 4L * DIM);
        DeviceBuffer mlp = device.allocate("mlp", 4L * HIDDEN);
        List<DeviceTensor[]> bf16 = new ArrayList<>();
        List<DeviceTensor[]> q8 = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            Tensor[] w = layer(random, l);
            bf16.add(Arrays.stream(w).map(device::upload).toArray(DeviceTensor[]::new));
            q8.add(Arrays.stream(w).map(t -> device.upload(Q8_0.quantize(t))).toArray(DeviceTensor[]::new));
            System.err.printf(Locale.ROOT, "layer %d of %d made%n", l + 1, layers);
        }
        long elements = layers * (4L * DIM * DIM + 3L * HIDDEN * DIM);
        Gemvs gemvs = new Gemvs(device, x, residual, q, k, v, mlp);
        Variant[] variants = {
                new Variant("bf16 matvec_wide", gemvs.plan(OpenCLGemvOps.of(device, OpenCLGemvOps.Variant.WIDE, 0), bf16), 2 * elements),
                new Variant("bf16 matvec_wide4", gemvs.plan(OpenCLGemvOps.of(device, OpenCLGemvOps.Variant.WIDE4, 0), bf16), 2 * elements),
                q8Variant(gemvs, device, OpenCLQ8_0Ops.Variant.WIDE, q8, elements),
                q8Variant(gemvs, device, OpenCLQ8_0Ops.Variant.WIDE8, q8, elements),
                q8Variant(gemvs, device, OpenCLQ8_0Ops.Variant.INT8, q8, elements),
                q8Variant(gemvs, device, OpenCLQ8_0Ops.Variant.INT8_4, q8, elements)};
        long[][] probe = Roofline.hostProbe(machine);
        System.out.printf(Locale.ROOT, "%s; %d layers of LLaMA-7B GEMVs (bf16 %.2f GB, Q8_0 %.2f GB); load average before: %s%n",
                machine.summary(), layers, 2e-9 * elements, 17e-9 * elements / 16, loadAverage());
        double[][] share = new double[variants.length][rounds];
        double[][] speedup = new double[variants.length][rounds];
        for (Variant variant : variants) {
            variant.plan().execute(); // compiles, and touches every page
            device.finish();
        }
        for (int round = 0; round < rounds; round++) {
            double[] passes = Roofline.hostReadPasses(probe, machine.cores(), 3);
            double bandwidth = Arrays.stream(passes).max().orElseThrow();
            double[] seconds = new double[variants.length];
            for (int i = 0; i < variants.length; i++) {
                int at = (i + round) % variants.length;
                seconds[at] = Math.min(time(variants[at].plan(), device), time(variants[at].plan(), device));
            }
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %d: read %.1f GB/s", round + 1, bandwidth));
            for (int i = 0; i < variants.length; i++) {
                double gbs = variants[i].bytes() / seconds[i] / 1e9;
                share[i][round] = gbs / bandwidth;
                speedup[i][round] = seconds[0] / seconds[i];
                line.append(String.format(Locale.ROOT, " | %s %.1f GB/s %.0f%% %.2fx", variants[i].name(), gbs, 100 * share[i][round],
                        speedup[i][round]));
            }
            System.out.println(line + " | load " + loadAverage());
        }
        System.out.printf(Locale.ROOT, "median of %d rounds (share of the round's best read pass; tokens/s of the GEMVs against bf16):%n", rounds);
        for (int i = 0; i < variants.length; i++) {
            System.out.printf(Locale.ROOT, "  %-22s %4.0f%% of read bandwidth (range %.0f-%.0f%%), %.2fx bf16%n", variants[i].name(),
                    100 * median(share[i]), 100 * Arrays.stream(share[i]).min().orElseThrow(), 100 * Arrays.stream(share[i]).max().orElseThrow(),
                    median(speedup[i]));
        }
        System.out.println("load average after: " + loadAverage());
        System.out.println("one profiled replay each (device time of each task, summed by name; GB/s of its own bytes):");
        for (Variant variant : variants) {
            Map<String, long[]> byName = new TreeMap<>();
            for (TaskTiming t : variant.plan().executeProfiled()) {
                long[] sum = byName.computeIfAbsent(t.task(), name -> new long[2]);
                sum[0] += t.nanos();
                sum[1] += t.cost().bytes();
            }
            StringBuilder line = new StringBuilder("  " + variant.name() + ":");
            byName.forEach((name, sum) -> line.append(String.format(Locale.ROOT, " %s %.1f GB/s (%.1f ms);", name,
                    (double) sum[1] / sum[0], sum[0] * 1e-6)));
            System.out.println(line);
        }
        BenchSupport.close(Arrays.stream(variants).map(Variant::plan).toArray(AutoCloseable[]::new));
        device.close();
    }

    private static Variant q8Variant(Gemvs gemvs, DeviceBackend device, OpenCLQ8_0Ops.Variant variant, List<DeviceTensor[]> q8,
                                     long elements) {
        return new Variant("q8_0 " + variant.name().toLowerCase(Locale.ROOT), gemvs.plan(OpenCLQ8_0Ops.of(device, variant), q8),
                elements * 17 / 16);
    }

    /** A layer's q, k, v, o, gate, up, down in bf16, seeded random. */
    private static Tensor[] layer(Random random, int l) {
        String p = "layer " + l + " ";
        return new Tensor[] {
                BenchSupport.randomMatrix(random, p + "q", DType.BF16, DIM, DIM), BenchSupport.randomMatrix(random, p + "k", DType.BF16, DIM, DIM),
                BenchSupport.randomMatrix(random, p + "v", DType.BF16, DIM, DIM), BenchSupport.randomMatrix(random, p + "o", DType.BF16, DIM, DIM),
                BenchSupport.randomMatrix(random, p + "gate", DType.BF16, HIDDEN, DIM),
                BenchSupport.randomMatrix(random, p + "up", DType.BF16, HIDDEN, DIM),
                BenchSupport.randomMatrix(random, p + "down", DType.BF16, DIM, HIDDEN)};
    }

    /** The buffers the GEMVs read and write, and the graph of every layer's GEMVs through one family of ops. */
    private record Gemvs(DeviceBackend device, DeviceBuffer x, DeviceBuffer residual, DeviceBuffer q, DeviceBuffer k,
                         DeviceBuffer v, DeviceBuffer mlp) {
        GraphPlan plan(GemvOps ops, List<DeviceTensor[]> layers) {
            TaskGraph g = device.graph("7B GEMVs");
            for (DeviceTensor[] w : layers) {
                ops.qkvMatVec(g, "qkv", q, k, v, w[0], w[1], w[2], x);
                ops.matVec(g, "o", residual, w[3], q, true);
                ops.swiGluMatVec(g, "gate/up", mlp, w[4], w[5], x);
                ops.matVec(g, "down", residual, w[6], mlp, true);
            }
            return g.build();
        }
    }

    private static double time(GraphPlan plan, DeviceBackend device) {
        long t0 = System.nanoTime();
        plan.execute();
        device.finish();
        return (System.nanoTime() - t0) * 1e-9;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    static String loadAverage() {
        try {
            return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).trim().split(" "), 3));
        } catch (IOException e) {
            return "unknown";
        }
    }
}

package videollama.benchmarks;

import static videollama.benchmarks.BenchSupport.randomFloats;
import static videollama.benchmarks.BenchSupport.upload;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Random;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceTensor;
import videollama.kernels.GemmOps;
import videollama.kernels.GraphPlan;
import videollama.kernels.TaskGraph;
import videollama.kernels.opencl.OpenCLGemmOps;
import videollama.kernels.opencl.OpenCLQ8_0Ops;
import videollama.kernels.reference.Q8_0;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * A sweep of the OpenCL GEMM kernels' tiles and blocks (no JMH, no check: {@link GemmBenchmark} checks and times
 * the kernels at the tiles the op uses): the device time of profiled replays per shape and configuration, as
 * GFLOP/s of the best and the median replay. How the tile and block the op uses were chosen ({@link
 * OpenCLGemmOps#CPU_BLOCK}). From the repository root, after {@code mvnw -pl benchmarks -am package}:
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar videollama.benchmarks.GemmTileSweep \
 *     [dtype] [MxNxK ...] [-- config ...]
 * </pre>
 *
 * A config is {@code blocked:BMxBN:GROUP:PANEL_KIB}, {@code widened:BMxBN:GROUP:PANEL_KIB} (GROUP items share a
 * widening of W), {@code tiled:TMxTNxTK:IMxIN} or {@code rows}, each forced
 * through {@link OpenCLGemmOps#of}; without any, the device's default choice ({@code default}) is measured. A
 * config ending in {@code /DTYPE} (e.g. {@code blocked:4x6:8:4096/F32}) runs on weights of that dtype instead of
 * the run's, so that dtypes too are compared interleaved. The Q8_0 GEMMs of {@link OpenCLQ8_0Ops}, on the same W
 * quantised: {@code q8_0:column} ({@code linear_q8_0}) and {@code q8_0:blocked:BMxBN:GROUP:PANEL_KIB}
 * ({@code linear_q8_0_blocked}); {@code default/Q8_0} is the op's own choice for Q8_0 weights.
 */
public final class GemmTileSweep {
    private static final int ROUNDS = 3;
    private static final int REPLAYS = 3;

    private GemmTileSweep() {}

    public static void main(String[] args) {
        DType dtype = DType.F32;
        List<int[]> shapes = new ArrayList<>();
        List<String> configs = new ArrayList<>();
        boolean configPart = false;
        for (String a : args) {
            if (a.equals("--")) {
                configPart = true;
            } else if (configPart) {
                configs.add(a);
            } else if (a.matches("\\d+x\\d+x\\d+")) {
                shapes.add(ints(a));
            } else {
                dtype = DType.valueOf(a);
            }
        }
        if (shapes.isEmpty()) {
            shapes.add(new int[] {257, 1408, 1408});   // EVA ViT-g attention projection, one frame
            shapes.add(new int[] {256, 3072, 768});    // Q-Former MLP over 8 frames
            shapes.add(new int[] {64, 4096, 4096});    // a short LLaMA prefill
        }
        if (configs.isEmpty()) {
            configs.add("default");
        }
        try (DeviceBackend backend = BenchSupport.openDevice("opencl")) {
            System.out.println(backend.device() + ", weights " + dtype);
            Random random = new Random(1);
            for (int[] s : shapes) {
                sweep(backend, configs, dtype, random, s[0], s[1], s[2]);
            }
        }
    }

    /** Every configuration in turn, several rounds, for one M × N × K. */
    private static void sweep(DeviceBackend backend, List<String> configs, DType dtype, Random random, int m, int n, int k) {
        // the same random W in every dtype a configuration asks for, each uploaded once
        float[] weights = randomFloats(random, n * k);
        Map<DType, DeviceTensor> ws = new EnumMap<>(DType.class);
        for (String c : configs) {
            ws.computeIfAbsent(dtypeOf(c, dtype), d -> backend.upload(d == DType.Q8_0 ? Q8_0.quantize(Tensor.ofFloats("w", weights, n, k))
                    : Tensor.ofFloats("w", weights, n, k).convertTo(d)));
        }
        DeviceBuffer x = upload(backend, "x", randomFloats(random, m * k));
        DeviceBuffer bias = upload(backend, "bias", randomFloats(random, n));
        DeviceBuffer out = backend.allocate("out", 4L * m * n);
        // the machine may be shared, so the fastest replay of each configuration says most about the kernel, and
        // interleaving the configurations spreads the disturbances evenly
        List<GraphPlan> plans = new ArrayList<>();
        for (String c : configs) {
            TaskGraph g = backend.graph("sweep");
            ops(backend, c.split("/")[0]).linear(g, "linear", out, x, ws.get(dtypeOf(c, dtype)), bias, null, m, n, k);
            GraphPlan plan = g.build();
            plan.executeProfiled();
            plans.add(plan);
        }
        long[][] nanos = new long[configs.size()][ROUNDS * REPLAYS];
        for (int round = 0; round < ROUNDS; round++) {
            for (int c = 0; c < plans.size(); c++) {
                for (int i = 0; i < REPLAYS; i++) {
                    nanos[c][round * REPLAYS + i] = plans.get(c).executeProfiled().getFirst().nanos();
                }
            }
        }
        for (int c = 0; c < plans.size(); c++) {
            plans.get(c).close();
            long[] t = nanos[c];
            Arrays.sort(t);
            System.out.printf(Locale.ROOT, "%5d x %5d x %5d  %-24s best %9.2f ms %7.1f GFLOP/s   median %7.1f GFLOP/s%n", m, n, k,
                    configs.get(c), t[0] / 1e6, 2.0 * m * n * k / t[0], 2.0 * m * n * k / t[t.length / 2]);
        }
        backend.release(out);
        backend.release(bias);
        backend.release(x);
        ws.values().forEach(w -> backend.release(w.buffer()));
    }

    /** A config's own weight dtype ({@code config/F32}; Q8_0 for the q8_0 kernels), else the run's. */
    private static DType dtypeOf(String config, DType dtype) {
        int slash = config.indexOf('/');
        return slash >= 0 ? DType.valueOf(config.substring(slash + 1)) : config.startsWith("q8_0:") ? DType.Q8_0 : dtype;
    }

    private static GemmOps ops(DeviceBackend backend, String config) {
        String[] p = config.split(":");
        return switch (p[0]) {
            case "default" -> backend.ops();
            case "rows" -> OpenCLGemmOps.of(backend, OpenCLGemmOps.Variant.ROWS, OpenCLGemmOps.GPU_TILE, OpenCLGemmOps.CPU_BLOCK);
            case "blocked", "widened" -> OpenCLGemmOps.of(backend, p[0].equals("blocked") ? OpenCLGemmOps.Variant.BLOCKED
                    : OpenCLGemmOps.Variant.WIDENED, OpenCLGemmOps.GPU_TILE, block(p, 1));
            case "q8_0" -> p[1].equals("column") ? OpenCLQ8_0Ops.of(backend, OpenCLQ8_0Ops.GemmVariant.COLUMN, null)
                    : OpenCLQ8_0Ops.of(backend, OpenCLQ8_0Ops.GemmVariant.BLOCKED, block(p, 2));
            case "tiled" -> {
                int[] t = ints(p[1]);
                int[] item = ints(p[2]);
                yield OpenCLGemmOps.of(backend, OpenCLGemmOps.Variant.TILED,
                        new OpenCLGemmOps.Tile(t[0], t[1], t[2], item[0], item[1]), OpenCLGemmOps.CPU_BLOCK);
            }
            default -> throw new IllegalArgumentException("config " + config + " (default, rows, blocked:BMxBN:GROUP:PANEL_KIB, widened:BMxBN:GROUP:PANEL_KIB,"
                    + " tiled:TMxTNxTK:IMxIN, q8_0:column, q8_0:blocked:BMxBN:GROUP:PANEL_KIB)");
        };
    }

    /** The CPU block {@code BMxBN:GROUP:PANEL_KIB} given by the config's parts from {@code at}. */
    private static OpenCLGemmOps.Block block(String[] p, int at) {
        int[] b = ints(p[at]);
        return new OpenCLGemmOps.Block(b[0], b[1], Integer.parseInt(p[at + 1]), Long.parseLong(p[at + 2]) * 1024);
    }

    private static int[] ints(String s) {
        return Arrays.stream(s.split("x")).mapToInt(Integer::parseInt).toArray();
    }
}

package videollama.kernels.opencl;

import static videollama.kernels.KernelChecks.randomFloats;
import static videollama.kernels.KernelChecks.upload;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceTensor;
import videollama.kernels.GraphPlan;
import videollama.kernels.TaskGraph;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * Measures the GEMM kernels (no assertions; not a test): the device time of profiled replays per shape and
 * kernel configuration, as GFLOP/s of the best and the median replay. Run after {@code mvnw verify}, from the repository root:
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp kernels/target/classes:kernels/target/test-classes:weights/target/classes \
 *     videollama.kernels.opencl.GemmBench [dtype] [MxNxK ...] [-- config ...]
 * </pre>
 *
 * A config is {@code blocked:BMxBN:GROUP:PANEL_KIB}, {@code tiled:TMxTNxTK:IMxIN} or {@code rows}; without any, the
 * device's default choice is measured.
 */
public final class GemmBench {
    private static final int ROUNDS = 3;
    private static final int REPLAYS = 3;

    private GemmBench() {}

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
                shapes.add(Arrays.stream(a.split("x")).mapToInt(Integer::parseInt).toArray());
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
        try (OpenCLBackend backend = OpenCLBackend.open()) {
            System.out.println(backend.device() + ", weights " + dtype);
            Random random = new Random(1);
            for (int[] s : shapes) {
                int m = s[0];
                int n = s[1];
                int k = s[2];
                DeviceTensor w = backend.upload(Tensor.ofFloats("w", randomFloats(random, n * k), n, k).convertTo(dtype));
                DeviceBuffer x = upload(backend, "x", randomFloats(random, m * k));
                DeviceBuffer bias = upload(backend, "bias", randomFloats(random, n));
                DeviceBuffer out = backend.allocate("out", 4L * m * n);
                // every configuration in turn, several rounds: the machine may be shared, so the fastest replay
                // of each says most about the kernel, and interleaving spreads the disturbances evenly
                List<GraphPlan> plans = new ArrayList<>();
                for (String c : configs) {
                    TaskGraph g = backend.graph("bench");
                    ops(backend, c).linear(g, "linear", out, x, w, bias, null, m, n, k);
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
                backend.release(w.buffer());
            }
        }
    }

    private static OpenCLGemmOps ops(OpenCLBackend backend, String config) {
        String[] p = config.split(":");
        return switch (p[0]) {
            case "default" -> new OpenCLGemmOps(backend);
            case "rows" -> new OpenCLGemmOps(backend.info(), OpenCLGemmOps.Variant.ROWS, OpenCLGemmOps.GPU_TILE, OpenCLGemmOps.CPU_BLOCK);
            case "blocked" -> {
                int[] b = ints(p[1]);
                yield new OpenCLGemmOps(backend.info(), OpenCLGemmOps.Variant.BLOCKED, OpenCLGemmOps.GPU_TILE,
                        new OpenCLGemmOps.Block(b[0], b[1], Integer.parseInt(p[2]), Long.parseLong(p[3]) * 1024));
            }
            case "tiled" -> {
                int[] t = ints(p[1]);
                int[] item = ints(p[2]);
                yield new OpenCLGemmOps(backend.info(), OpenCLGemmOps.Variant.TILED,
                        new OpenCLGemmOps.Tile(t[0], t[1], t[2], item[0], item[1]), OpenCLGemmOps.CPU_BLOCK);
            }
            default -> throw new IllegalArgumentException("config " + config);
        };
    }

    private static int[] ints(String s) {
        return Arrays.stream(s.split("x")).mapToInt(Integer::parseInt).toArray();
    }
}

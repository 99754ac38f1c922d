package videollama.kernels.opencl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import videollama.kernels.Cost;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.GemmOps;
import videollama.kernels.DeviceInfo;
import videollama.kernels.DeviceTensor;
import videollama.kernels.KernelSource;
import videollama.kernels.KernelVariant;
import videollama.kernels.Launch;
import videollama.kernels.LocalMemory;
import videollama.kernels.OpChecks;
import videollama.kernels.TaskGraph;

/**
 * Linear layers over many rows at once (GEMM) in OpenCL C, for the ViT, the Q-Formers, ImageBind and LLaMA's
 * prefill: which kernel of {@code gemm.cl}, with which tile and grid, for this device and shape.
 */
public final class OpenCLGemmOps implements GemmOps {

    /** The kernels of gemm.cl, numbered from the baseline ({@link KernelVariant}). */
    public enum Variant implements KernelVariant {
        /** 1, GPUs: a work-group per output tile staged through local memory ({@code linear_tiled}). */
        TILED,
        /** 2, CPUs: a work-item per register block, float8 along K ({@code linear_blocked}). */
        BLOCKED,
        /** 3, GPUs with one input row: a work-group per output element ({@code linear_rows}). */
        ROWS,
        /**
         * 4, CPUs with f16 or bf16 weights: BLOCKED's register blocks, a work-group's columns of W widened to float
         * once into local memory ({@code linear_widened}). Never chosen, only forced: on PoCL it ran at 0.74-0.88× of
         * BLOCKED at 4×6 on the ViT's shapes (GemmTileSweep {@code widened:4x6:32:4096}; a group of 8 items at 0.86×
         * of 32, 16 at 0.97×), as PoCL's code for BLOCKED already widens 8 weights in one or two instructions.
         */
        WIDENED
    }

    /**
     * The GPU tile: a work-group computes {@code m × n} outputs, {@code itemM × itemN} per work-item, stepping
     * {@code k} along K; its x and W slices take {@code k · (m + 1 + n + 1)} floats of local memory.
     */
    public record Tile(int m, int n, int k, int itemM, int itemN) {
        public Tile {
            if (m % itemM != 0 || n % itemN != 0) {
                throw new IllegalArgumentException("tile " + m + "x" + n + " is not made of " + itemM + "x" + itemN + " blocks");
            }
        }

        int itemsX() {
            return n / itemN;
        }

        int itemsY() {
            return m / itemM;
        }

        long localBytes() {
            return 4L * k * (m + 1 + n + 1);
        }

        String options() {
            return "-DTILE_M=" + m + " -DTILE_N=" + n + " -DTILE_K=" + k + " -DITEM_M=" + itemM + " -DITEM_N=" + itemN;
        }
    }

    /**
     * The CPU block: {@code m × n} outputs per work-item, {@code group} work-items per work-group, and the
     * work-items ordered in panels of row blocks whose rows of x take about {@code panelBytes}: a panel's
     * work-items sweep all of N with that x in cache, so W is read from memory once per panel (gemm.cl).
     */
    public record Block(int m, int n, int group, long panelBytes) {
        String options() {
            return "-DBLOCK_M=" + m + " -DBLOCK_N=" + n;
        }

        /** How many blocks of rows make a panel. */
        int panel(int rows, int k) {
            return panel(rows, k, m);
        }

        /** WIDENED: how many groups' rows ({@code group · m} each) make a panel. */
        int groupPanel(int rows, int k) {
            return panel(rows, k, m * group);
        }

        private int panel(int rows, int k, int blockRows) {
            long blocks = (rows + blockRows - 1) / blockRows;
            return (int) Math.clamp(panelBytes / (4L * blockRows * k), 1, blocks);
        }

        /** WIDENED: the local memory of a group's n columns of W over k, widened to float, k padded to 8. */
        long widenedBytes(int k) {
            return 4L * n * ((k + 7) / 8 * 8);
        }
    }

    /**
     * 64×64 outputs per group of 16×16 items, 4×4 each, K 16 at a time: 8.3 KiB of local memory, 16
     * multiply-adds per 8 local loads, and every GPU takes 256 items per group.
     */
    public static final Tile GPU_TILE = new Tile(64, 64, 16, 4, 4);
    /** For GPUs that take fewer than 256 items per group: 32×32 outputs by 8×8 items. */
    public static final Tile SMALL_GPU_TILE = new Tile(32, 32, 16, 4, 4);

    /**
     * 3 rows × 4 columns per work-item: 12 float8 accumulators, 3 x vectors and one weight vector fill the 16
     * AVX2 registers. Measured with the benchmarks' GemmTileSweep on PoCL (2-core EPYC): 3×4 and 2×4 about 120
     * GFLOP/s at 257×1408×1408, 3×3 and 3×2 about 80, 4×3 and 4×4 about 70 (spilled). Panels of 4 MiB of x
     * (L3-sized): the ViT's qkv shape 2056×4224×1408 went from 30 GFLOP/s (no panels) and 99 (256 KiB, L2-sized)
     * to 120.
     */
    public static final Block CPU_BLOCK = new Block(3, 4, 8, 4 << 20);
    /**
     * On a CPU with AVX-512 ({@link #HOST_AVX512}), 4 rows × 6 columns: 24 accumulators, which its 32 vector registers
     * hold (with AVX2's 16 they would spill); 10 loads per 24 vector multiply-adds instead of 7 per 12.
     * GemmTileSweep, F32, interleaved in one run on the 2-core EPYC (Zen 4) under load 9-12, median GFLOP/s 3×4
     * against 4×6: 2056×768×1408 (the Q-Former's cross-attention k and v) 21.7 / 48.4, 256×768×3072 41.8 / 49.0,
     * 256×768×768 89.3 / 96.0, 64×4096×4096 30.1 / 41.3, 512×4096×4096 55.8 / 84.8. With f16 and bf16 weights on
     * the ViT's four shapes, interleaved at load 2-3 (docs/benchmarks.md): 1.05-1.10× (f16) and 1.09-1.14× (bf16),
     * and f16 at 4×6 as fast as F32 at 4×6 (PoCL widens 8 halves with one vcvtph2ps, bf16 with vpmovzxwd and a shift).
     */
    public static final Block CPU_BLOCK_AVX512 = new Block(4, 6, 8, 4 << 20);
    /**
     * Whether the host CPU has AVX-512 (the avx512f flag of Linux's /proc/cpuinfo; false where that cannot be read):
     * PoCL compiles kernels for the host, so this says how many vector registers a CPU work-item has.
     */
    static final boolean HOST_AVX512 = hostHasAvx512();
    /** One input row: a work-item per 4 outputs, as gemv.cl's wide GEMV (memory-bound: 1×8 and 1×2 no better). */
    static final Block CPU_ROW_BLOCK = new Block(1, 4, 4, 4 << 20);

    private final DeviceInfo info;
    /** Null: chosen per call from the device and M; otherwise every call uses this kernel (tests, benchmarks). */
    private final Variant forced;
    private final Tile tile;
    private final Block block;
    /** Work-group size of linear_rows: a power of two (group_sum needs one) the device accepts. */
    private final int rowGroup;

    OpenCLGemmOps(OpenCLBackend backend) {
        this(backend.info(), null, fits(GPU_TILE, backend.info()) ? GPU_TILE : SMALL_GPU_TILE, CPU_BLOCK);
    }

    /** Every call uses {@code kernel} with this tile or block, whatever the device (tests force each kernel). */
    OpenCLGemmOps(DeviceInfo info, Variant kernel, Tile tile, Block block) {
        this.info = info;
        this.forced = kernel;
        this.tile = tile;
        this.block = block;
        this.rowGroup = info.groupSize(64);
        if (!fits(tile, info)) {
            throw new IllegalArgumentException("tile " + tile + " needs " + tile.itemsX() * tile.itemsY() + " items and " + tile.localBytes()
                    + " bytes of local memory; " + info.name() + " allows " + info.maxWorkGroupSize() + " and " + info.localMemoryBytes());
        }
    }

    /**
     * GEMM with {@code variant} forced on an OpenCL device whatever its kind, with this tile (TILED) or block
     * (BLOCKED): the way benchmarks and tests pick a kernel.
     */
    public static OpenCLGemmOps of(DeviceBackend backend, Variant variant, Tile tile, Block block) {
        return new OpenCLGemmOps(OpenCLBackend.of(backend, "linear " + variant).info(), variant, tile, block);
    }

    private static boolean fits(Tile tile, DeviceInfo info) {
        return (long) tile.itemsX() * tile.itemsY() <= info.maxWorkGroupSize() && tile.localBytes() <= info.localMemoryBytes();
    }

    /** The kernel a call with {@code m} rows gets. */
    Variant kernelFor(int m) {
        if (forced != null) {
            return forced;
        }
        if (info.isCpu()) {
            return Variant.BLOCKED;
        }
        return m == 1 ? Variant.ROWS : Variant.TILED;
    }

    /**
     * {@code out[M,N] = x[M,K] · Wᵀ (+ bias) (+ residual)}: a PyTorch Linear over {@code m} rows, float32
     * accumulation, bias and residual added in the same kernel.
     *
     * @param out      float32 [m, n]; may be {@code residual} (an in-place residual add), never {@code x}
     * @param x        float32 [m, k], row-major
     * @param w        [n, k] in F32, F16 or BF16 (PyTorch's {@code Linear.weight})
     * @param bias     float32 [n], or null
     * @param residual float32 [m, n] added after the bias, or null
     */
    @Override
    public void linear(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias,
                DeviceBuffer residual, int m, int n, int k) {
        OpChecks.requireLinear(name, out, x, w, bias, residual, m, n, k);
        addTask(g, name, out, x, w, bias, residual, m, n, k, false);
    }

    /**
     * {@code out = gelu(x · Wᵀ + bias)}: the kernel {@link #linear} would take, built with {@code -DGELU}: its store
     * applies common.cl's GELU, activations.cl's bias_gelu's (the CPU kernels on eight outputs at a time, gelu_erf8).
     * Its {@link Cost} is the GEMM's.
     */
    @Override
    public void linearGelu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias,
                           int m, int n, int k) {
        OpChecks.requireLinearGelu(name, out, x, w, bias, m, n, k);
        addTask(g, name, out, x, w, bias, null, m, n, k, true);
    }

    /**
     * A GEMM program's build {@code options} with the GELU epilogue ({@code gelu}: {@code -DGELU}, common.cl's
     * store_out and store_block then store gelu(sum + bias)) or without: gemm.cl's and q8_0.cl's. The options key the
     * backend's cache of built programs, so each program is built once with and once without.
     */
    static String withEpilogue(String options, boolean gelu) {
        return gelu ? (options + " -DGELU").strip() : options;
    }

    /** The task of a checked {@link #linear}, or with {@code gelu} of {@link #linearGelu}. */
    private void addTask(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias,
                         DeviceBuffer residual, int m, int n, int k, boolean gelu) {
        Cost cost = new Cost((long) n * k * w.dtype().byteSize() + 4L * m * k + 4L * m * n
                + (bias != null ? 4L * n : 0) + (residual != null ? 4L * m * n : 0), 2L * m * n * k);
        // An absent bias or residual is never read, but OpenCL still wants a buffer there: pass out.
        Object[] args = {out, x, w.buffer(), bias != null ? bias : out, residual != null ? residual : out, m, n, k,
                bias != null ? 1 : 0, residual != null ? 1 : 0};
        String weights = withEpilogue(OpenCLOps.weightOption(w.dtype()), gelu) + " ";
        switch (kernelFor(m)) {
            case TILED -> g.task(name, new KernelSource("gemm", "linear_tiled", (weights + tile.options()).strip()),
                    new Launch(new long[] {groups(n, tile.n()) * tile.itemsX(), groups(m, tile.m()) * tile.itemsY()},
                            new long[] {tile.itemsX(), tile.itemsY()}),
                    cost, args);
            case WIDENED -> {
                Block b = block;   // only ever forced
                if (b.widenedBytes(k) > info.localMemoryBytes()) {
                    throw new IllegalArgumentException(name + ": " + b.n() + " widened rows of " + k + " weights need " + b.widenedBytes(k)
                            + " bytes of local memory; " + info.name() + " has " + info.localMemoryBytes());
                }
                long groups = groups(m, (long) b.m() * b.group()) * groups(n, b.n());
                g.task(name, new KernelSource("gemm", "linear_widened", (weights + b.options()).strip()),
                        Launch.groups(groups, b.group()),
                        cost, append(append(args, b.groupPanel(m, k)), new LocalMemory(b.widenedBytes(k))));
            }
            case BLOCKED -> {
                Block b = forced != null ? block : cpuBlock(m, CPU_BLOCK_AVX512, block);
                long blocks = groups(m, b.m()) * groups(n, b.n());
                g.task(name, new KernelSource("gemm", "linear_blocked", (weights + b.options()).strip()), Launch.items(blocks, b.group()),
                        cost, append(args, b.panel(m, k)));
            }
            case ROWS -> g.task(name, new KernelSource("gemm", "linear_rows", weights.strip()),
                    new Launch(new long[] {(long) n * rowGroup, m}, new long[] {rowGroup, 1}),
                    cost, append(args, new LocalMemory(rowGroup * 4L)));
        }
    }

    /**
     * The register block a CPU kernel takes for {@code m} rows: {@link #CPU_ROW_BLOCK} for one row, else {@code avx512}
     * on CPUs with AVX-512 ({@link #HOST_AVX512}: 32 vector registers) and {@code avx2} on the others (16).
     */
    static Block cpuBlock(int m, Block avx512, Block avx2) {
        return m == 1 ? CPU_ROW_BLOCK : HOST_AVX512 ? avx512 : avx2;
    }

    private static boolean hostHasAvx512() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("flags")).findFirst().map(l -> (l + " ").contains(" avx512f ")).orElse(false);
        } catch (IOException | UncheckedIOException | SecurityException e) {
            return false;
        }
    }

    private static Object[] append(Object[] args, Object last) {
        Object[] a = Arrays.copyOf(args, args.length + 1);
        a[args.length] = last;
        return a;
    }

    /** How many blocks of {@code size} cover {@code count}. */
    private static long groups(long count, long size) {
        return (count + size - 1) / size;
    }
}

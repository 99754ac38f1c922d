package videollama.kernels.cuda;

import videollama.kernels.Cost;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.GemmOps;
import videollama.kernels.DeviceInfo;
import videollama.kernels.DeviceTensor;
import videollama.kernels.KernelSource;
import videollama.kernels.KernelVariant;
import videollama.kernels.Launch;
import videollama.kernels.OpChecks;
import videollama.kernels.TaskGraph;
import videollama.weights.DType;

/**
 * Linear layers over many rows at once (GEMM) in CUDA C ({@code gemm.cu}), for the ViT, the Q-Formers, ImageBind and
 * LLaMA's prefill: which kernel and tile for this weight dtype and shape. F32 weights take the fp32 SIMT kernel
 * ({@code linear_f32_*}, exact to float32); F16 and BF16 weights the tensor-core kernel ({@code linear_f16_*},
 * {@code linear_bf16_*}: mma.sync with fp32 accumulation, x rounded to the weights' 16-bit type), and the same with
 * the GELU in their store ({@code linear_gelu_*}). Same parameters, semantics, checks and {@link Cost} as the OpenCL
 * ops.
 */
public final class CudaGemmOps implements GemmOps {
    /** Threads of the fp32 kernel whatever the tile ({@code SIMT_THREADS} in gemm.cu: 16 × 16, a register block each). */
    static final int SIMT_THREADS = 256;

    /**
     * The output tile of a block, {@code m × n}, and the block's threads in the tensor-core kernel (gemm.cu says why
     * these). The entry point of a dtype and tile is {@code linear_<dtype>_<m>x<n>}.
     */
    public enum Tile implements KernelVariant {
        /** 128 × 128: the model-sized shapes (the ViT, LLaMA prefill). */
        LARGE(128, 128, 256),
        /** 64 × 64: shapes with fewer large tiles than the device has SMs (the Q-Formers). */
        SMALL(64, 64, 128);

        final int m;
        final int n;
        /** Threads of the tensor-core kernel (whole warps, a sub-tile each). */
        final int mmaThreads;

        Tile(int m, int n, int mmaThreads) {
            this.m = m;
            this.n = n;
            this.mmaThreads = mmaThreads;
        }

        int threads(DType dtype) {
            return dtype == DType.F32 ? SIMT_THREADS : mmaThreads;
        }

        /** How many tiles cover an {@code m × n} output. */
        long tiles(int rows, int cols) {
            return blocks(rows, m) * blocks(cols, n);
        }

        /** {@code "128x128"}, as in the entry points' names. */
        String size() {
            return m + "x" + n;
        }

        /** The tile named {@code "128x128"} or {@code "64x64"}. */
        static Tile ofSize(String size) {
            for (Tile t : values()) {
                if (t.size().equals(size)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("no GEMM tile " + size + "; the tiles are 128x128 and 64x64");
        }
    }

    /** Names a tile every call then uses ({@code 128x128} or {@code 64x64}), to compare them; unset: chosen by shape. */
    static final String TILE_VARIABLE = "VIDEOLLAMA_CUDA_GEMM_TILE";

    /** Streaming multiprocessors: the large tile is used when its grid fills them at least once. */
    private final int multiprocessors;
    /** Null: chosen per call from the shape; otherwise every call uses this tile (tests, benchmarks). */
    private final Tile forced;

    /** The tile chosen per call from the shape, unless {@value #TILE_VARIABLE} names one (for benchmarks). */
    CudaGemmOps(DeviceInfo info) {
        this(info, tileFromEnvironment(System.getenv(TILE_VARIABLE)));
    }

    /** Every call uses {@code tile}, whatever the shape (tests force each one); null chooses per call. */
    CudaGemmOps(DeviceInfo info, Tile tile) {
        this.multiprocessors = Math.max(1, info.computeUnits());
        this.forced = tile;
    }

    static Tile tileFromEnvironment(String value) {
        return value == null || value.isBlank() ? null : Tile.ofSize(value.strip());
    }

    /** GEMM with every call on {@code tile} whatever the shape (benchmarks, tests); null: chosen by shape. */
    public static CudaGemmOps of(DeviceBackend backend, Tile tile) {
        return new CudaGemmOps(backend.info(), tile);
    }

    /**
     * The tile an {@code m × n} output gets: 128 × 128 when those tiles give every SM at least one block, 64 × 64
     * otherwise (four times the blocks: a 256 × 768 Q-Former layer is 12 large tiles on an H100's 132 SMs, 48 small).
     */
    Tile tileFor(int m, int n) {
        if (forced != null) {
            return forced;
        }
        return Tile.LARGE.tiles(m, n) >= multiprocessors ? Tile.LARGE : Tile.SMALL;
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
        addTask(g, name, "linear_", out, x, w, bias, residual, m, n, k);
    }

    /**
     * {@code out = gelu(x · Wᵀ + bias)}: the kernel {@link #linear} would take with the GELU in its store
     * ({@code linear_gelu_<dtype>_<tile>}, common.cuh's gelu_erf as activations.cu's bias_gelu). Its {@link Cost} is
     * the GEMM's.
     */
    @Override
    public void linearGelu(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias,
                           int m, int n, int k) {
        OpChecks.requireLinearGelu(name, out, x, w, bias, m, n, k);
        addTask(g, name, "linear_gelu_", out, x, w, bias, null, m, n, k);
    }

    /** The task of a checked {@link #linear} on the entry point {@code prefix<dtype>_<tile>}. */
    private void addTask(TaskGraph g, String name, String prefix, DeviceBuffer out, DeviceBuffer x, DeviceTensor w,
                         DeviceBuffer bias, DeviceBuffer residual, int m, int n, int k) {
        OpChecks.floatWeight(w.dtype()); // F32, F16 or BF16
        Cost cost = new Cost((long) n * k * w.dtype().byteSize() + 4L * m * k + 4L * m * n
                + (bias != null ? 4L * n : 0) + (residual != null ? 4L * m * n : 0), 2L * m * n * k);
        Tile tile = tileFor(m, n);
        int threads = tile.threads(w.dtype());
        String entry = prefix + OpChecks.floatWeight(w.dtype()) + "_" + tile.size();
        // An absent bias or residual is never read, but the kernel still takes a pointer there: pass out.
        g.task(name, new KernelSource("gemm", entry),
                new Launch(new long[] {blocks(n, tile.n) * threads, blocks(m, tile.m)}, new long[] {threads, 1}),
                cost, out, x, w.buffer(), bias != null ? bias : out, residual != null ? residual : out, m, n, k,
                bias != null ? 1 : 0, residual != null ? 1 : 0);
    }

    /** How many blocks of {@code size} cover {@code count}. */
    private static long blocks(long count, long size) {
        return (count + size - 1) / size;
    }
}

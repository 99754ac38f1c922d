// Linear layers over many input rows (GEMM), for the ViT, the Q-Formers, ImageBind and LLaMA's prefill:
// out[m, n] = Σ_k x[m, k] · W[n, k] + bias[n] + residual[m, n], x [M, K] float32 row-major, W [N, K] in PyTorch's
// Linear layout (both operands run along K). The same op as OpenCL's gemm.cl: the epilogue adds the bias and then
// the residual in fp32 where the sum is stored; has_bias / has_residual say whether to read them (an absent one is
// replaced by some other buffer, never read); out may be residual (each element is read, then written, by the
// same thread), never x.
//
// The op linearGelu (an MLP's first layer) stores gelu(sum + bias) instead, common.cuh's gelu_erf, the function
// activations.cu's bias_gelu applies: entry points linear_gelu_<dtype>_<BM>x<BN>, the same kernels with the GELU
// switched on at compile time.
//
// Two kernels, each in two tile sizes (entry points linear_<dtype>_<BM>x<BN>, picked by CudaGemmOps):
//   linear_simt  F32 weights: fp32 FMAs on the CUDA cores, a register block per thread. Exact to float32.
//   linear_mma   F16 / BF16 weights: tensor cores (mma.sync m16n8k16, fp32 accumulation, mma.cuh). x is rounded
//                to the weights' 16-bit type (to nearest even) as it is staged into shared memory.
//
// The sizes are set for the H100 (SXM: 132 SMs; per SM 64K registers, 228 KiB of shared memory, 48 KiB of it
// per block without opting in, 128 fp32 FMAs per clock and, through mma.sync, up to about one m16n8k16 per
// clock; 50 MB of L2, 3.35 TB/s of HBM) and the shapes the op serves: EVA ViT-g (M = 8 frames x 257 = 2056,
// K = 1408 or 6144, N = 1408 to 6144), LLaMA prefill (M <= 512, K = 4096, N = 4096 / 11008), the Q-Formers
// (M = 256, K = 768 / 1408). All are compute-bound: at 128x128 tiles a block does 2·128·128 FLOPs per 128 + 128
// operands it loads per step of K.
//
// Both kernels stage global -> shared through registers, double-buffered (double_buffered_k_loop): the loads for
// step k+1 are issued before the math of step k and written to the other shared buffer after it, so their latency
// hides behind the math with one __syncthreads per step. (No cp.async: x must be converted on the way, and the
// emulator that tests these kernels on the CPU runs plain loads. A cp.async pipeline for W is a later step, to be
// measured.)
//
// Edges: tiles are zero-filled past M, N and K (both operands, so a product there is exactly 0), stores are
// guarded. Rows are read 16 bytes at a time when K allows it (K % 4 == 0 for fp32, K % 8 == 0 for the 16-bit
// kernel: every row then starts 16-byte aligned), element by element otherwise.
#include "common.cuh"
#include "mma.cuh"

// Four consecutive floats of row `row`, from column k: zero past `rows` and past K.
__device__ __forceinline__ float4 load_row4(const float* __restrict__ p, int rows, int K, int row, int k, bool vector) {
    float4 v;
    v.x = v.y = v.z = v.w = 0.0f;
    if (row < rows) {
        const float* r = p + (size_t)row * K;
        if (vector) {
            if (k < K) {
                v = *reinterpret_cast<const float4*>(r + k); // K % 4 == 0: in or out as a whole, 16-byte aligned
            }
        } else {
            v.x = k < K ? r[k] : 0.0f;
            v.y = k + 1 < K ? r[k + 1] : 0.0f;
            v.z = k + 2 < K ? r[k + 2] : 0.0f;
            v.w = k + 3 < K ? r[k + 3] : 0.0f;
        }
    }
    return v;
}

// ---- the K loop both kernels share --------------------------------------------------------------------------
//
// Each step of K stages a slice of BM rows of x and BN rows of W, cut into chunks of consecutive elements of a row:
// chunk c of an operand is row c / CHUNKS_PER_ROW, chunk c % CHUNKS_PER_ROW of that row, and thread t stages the
// chunks t, t + THREADS, ... . for_my_chunks calls f(p, row, chunk) for the calling thread's p-th chunk.
template <int CHUNKS, int THREADS, int CHUNKS_PER_ROW, typename F>
__device__ __forceinline__ void for_my_chunks(F f) {
#pragma unroll
    for (int p = 0; p < CHUNKS; p++) {
        int c = threadIdx.x + p * THREADS;
        f(p, c / CHUNKS_PER_ROW, c % CHUNKS_PER_ROW);
    }
}

// The double-buffered loop over K in steps of BK. Per step each thread moves its chunks of the block's x slice and
// W slice global -> registers -> shared: read_x(row, k) / read_w(row, k) read the chunk at column k of the slice's
// row `row`, write_x(buf, row, chunk, v) / write_w(...) put it into shared buffer buf, math(buf) multiplies out of
// buffer buf. The reads for step k+1 are issued before the math of step k and written after it.
template <int BK, int THREADS, int CHUNKS_PER_ROW, int X_CHUNKS, int W_CHUNKS, typename ReadX, typename ReadW,
          typename WriteX, typename WriteW, typename Math>
__device__ __forceinline__ void double_buffered_k_loop(int K, ReadX read_x, ReadW read_w, WriteX write_x, WriteW write_w,
                                                       Math math) {
    constexpr int ELEMENTS = BK / CHUNKS_PER_ROW; // per chunk
    decltype(read_x(0, 0)) xr[X_CHUNKS];
    decltype(read_w(0, 0)) wr[W_CHUNKS];
    auto load = [&](int k0) {
        for_my_chunks<X_CHUNKS, THREADS, CHUNKS_PER_ROW>([&](int p, int r, int q) { xr[p] = read_x(r, k0 + q * ELEMENTS); });
        for_my_chunks<W_CHUNKS, THREADS, CHUNKS_PER_ROW>([&](int p, int r, int q) { wr[p] = read_w(r, k0 + q * ELEMENTS); });
    };
    auto store = [&](int buf) {
        for_my_chunks<X_CHUNKS, THREADS, CHUNKS_PER_ROW>([&](int p, int r, int q) { write_x(buf, r, q, xr[p]); });
        for_my_chunks<W_CHUNKS, THREADS, CHUNKS_PER_ROW>([&](int p, int r, int q) { write_w(buf, r, q, wr[p]); });
    };
    load(0);
    store(0);
    __syncthreads();
    for (int k0 = 0, buf = 0; k0 < K; k0 += BK, buf ^= 1) {
        bool more = k0 + BK < K;
        if (more) {
            load(k0 + BK); // in flight during the math below
        }
        math(buf);
        if (more) {
            store(buf ^ 1); // the other buffer: nobody reads it in this step
        }
        // buf ^ 1 is complete for the next step, and everyone is done reading buf before the next step refills it
        __syncthreads();
    }
}

// ---- F32 weights: tiled SIMT GEMM --------------------------------------------------------------------------
//
// A block of 256 threads (16 x 16) computes a BM x BN tile of out, K advancing SIMT_BK = 16 at a time; thread
// (tx, ty) = (tid % 16, tid / 16) owns the rows gm·64 + ty·4 + {0..3} and the columns gn·64 + tx·4 + {0..3} of
// the tile (gm < BM/64, gn < BN/64): a (BM/16) x (BN/16) register block in groups of 4, so that its operands
// are float4 reads of shared memory. The shared tiles hold x and W transposed, [k][row], rows padded by 4 floats
// (keeps the float4 alignment, halves the conflicts of the transposing stores).
//
// 128 x 128 (8 x 8 per thread): per k a warp issues 64 FFMAs against 4 LDS.128 (the x reads are broadcasts: a
// warp spans two ty), so shared memory is about 40 % busy while the FMA pipes are full; 128 registers (the
// __launch_bounds__ cap; ptxas spills nothing) and 2 x 2 x 16 x 132 floats = 33 KiB of shared memory, so two
// blocks (16 warps) fit on an SM. 64 x 64 (4 x 4 per
// thread) is for shapes with fewer 128 x 128 tiles than SMs (the Q-Formers: 2 x 6 tiles on 132 SMs), where more,
// smaller blocks beat a better ratio.
#define SIMT_THREADS 256
#define SIMT_BK 16
#define SIMT_PAD 4

// v's four floats down column `row` of a [k][row] tile, from row k on: the transposing store.
template <int ROW>
__device__ __forceinline__ void store_column4(float (*tile)[ROW], int k, int row, float4 v) {
    tile[k][row] = v.x;
    tile[k + 1][row] = v.y;
    tile[k + 2][row] = v.z;
    tile[k + 3][row] = v.w;
}

// A thread's operands for one k: the float4s of a shared row at first, first + 64, ..., unpacked.
template <int G>
__device__ __forceinline__ void read_groups4(float (&dst)[G * 4], const float* row, int first) {
#pragma unroll
    for (int g = 0; g < G; g++) {
        float4 v = *reinterpret_cast<const float4*>(&row[g * 64 + first]);
        dst[g * 4] = v.x;
        dst[g * 4 + 1] = v.y;
        dst[g * 4 + 2] = v.z;
        dst[g * 4 + 3] = v.w;
    }
}

template <int BM, int BN, bool GELU>
__device__ __forceinline__ void linear_simt(float* out, const float* __restrict__ x, const float* __restrict__ w,
                                            const float* bias, const float* residual, int M, int N, int K,
                                            int has_bias, int has_residual) {
    constexpr int GM = BM / 64;                           // groups of 4 rows per thread, 64 rows apart
    constexpr int GN = BN / 64;
    constexpr int CHUNKS_PER_ROW = SIMT_BK / 4;           // float4 chunks in a row of a K step
    constexpr int X_CHUNKS = BM * CHUNKS_PER_ROW / SIMT_THREADS; // chunks each thread stages per step
    constexpr int W_CHUNKS = BN * CHUNKS_PER_ROW / SIMT_THREADS;
    __align__(16) __shared__ float xs[2][SIMT_BK][BM + SIMT_PAD];
    __align__(16) __shared__ float ws[2][SIMT_BK][BN + SIMT_PAD];

    int tid = threadIdx.x;
    int tx = tid % 16;
    int ty = tid / 16;
    int m0 = blockIdx.y * BM;
    int n0 = blockIdx.x * BN;
    bool vector = (K & 3) == 0;

    float acc[GM * 4][GN * 4] = {};

    // Chunk c of a step is row c / CHUNKS_PER_ROW, columns (c % CHUNKS_PER_ROW)·4..+3: four consecutive threads
    // read one row's 64 bytes, so a warp's loads are whole 32-byte sectors.
    double_buffered_k_loop<SIMT_BK, SIMT_THREADS, CHUNKS_PER_ROW, X_CHUNKS, W_CHUNKS>(K,
        [&](int r, int k) { return load_row4(x, M, K, m0 + r, k, vector); },
        [&](int r, int k) { return load_row4(w, N, K, n0 + r, k, vector); },
        [&](int buf, int r, int q, float4 v) { store_column4(xs[buf], q * 4, r, v); },
        [&](int buf, int r, int q, float4 v) { store_column4(ws[buf], q * 4, r, v); },
        [&](int buf) {
#pragma unroll
            for (int k = 0; k < SIMT_BK; k++) {
                float a[GM * 4];
                float b[GN * 4];
                read_groups4<GM>(a, xs[buf][k], ty * 4);
                read_groups4<GN>(b, ws[buf][k], tx * 4);
#pragma unroll
                for (int i = 0; i < GM * 4; i++) {
#pragma unroll
                    for (int j = 0; j < GN * 4; j++) {
                        acc[i][j] += a[i] * b[j];
                    }
                }
            }
        });

#pragma unroll
    for (int i = 0; i < GM * 4; i++) {
        int m = m0 + (i / 4) * 64 + ty * 4 + i % 4;
#pragma unroll
        for (int j = 0; j < GN * 4; j++) {
            int n = n0 + (j / 4) * 64 + tx * 4 + j % 4;
            if (m < M && n < N) {
                store_out<GELU>(out, bias, residual, has_bias, has_residual, N, m, n, acc[i][j]);
            }
        }
    }
}

// ---- F16 / BF16 weights: tensor cores ------------------------------------------------------------------------
//
// A block of WARPS_M x WARPS_N warps computes a BM x BN tile of out, K advancing MMA_BK = 32 at a time (two
// m16n8k16 steps per barrier). Warp (wm, wn) owns the (BM/WARPS_M) x (BN/WARPS_N) sub-tile at (wm·WM, wn·WN):
// MT x NT mma tiles of 16 x 8, each with its 4 fp32 accumulators per lane. Shared memory holds both operands as
// 32-bit words of two 16-bit elements, [row][k/2], the layout of the A and B fragments (mma.cuh): a fragment
// register is one 32-bit load. Rows are padded from 16 to 20 words, so the 8 rows x 4 words a fragment load
// touches fall in 32 different banks. (ldmatrix would load the same bytes in fewer instructions; it is left out
// because the CPU emulator would need it too.)
//
// 128 x 128 with 2 x 4 warps of 64 x 32: per k16 a warp loads 4·4 A and 4·2 B registers (3 KiB across the warp)
// for 16 mmas, 192 bytes per mma against the SM's 128 bytes per clock: shared memory allows about 2/3 of an mma
// per clock, about what mma.sync reaches on an H100 anyway (wgmma is the way past it). 64 accumulators, 24
// fragment and 16 staging registers: 126 in all (ptxas), so two blocks (16 warps) fit on an SM; shared memory
// 2 stages x 256 rows x 80 bytes = 40 KiB, under the 48 KiB that needs no opt-in. 64 x 64 with 2 x 2 warps of
// 32 x 32 is for shapes with fewer 128 x 128 tiles than SMs, as for the fp32 kernel.
// The likely limit to measure first: per step a 128 x 128 block reads 16 KiB of x (fp32) and 8 KiB of W from L2
// for 1 MFLOP, 43 FLOP per byte; at 600 TFLOP/s that is 14 TB/s of L2 reads. Converting x to 16 bits once, in
// its own pass, or 128 x 256 tiles, would raise that ratio.
#define MMA_BK 32
#define MMA_ROW_WORDS (MMA_BK / 2 + 4)

// Eight consecutive 16-bit weights of row `row` from column k as four packed words: zero past `rows` and K.
__device__ __forceinline__ uint4 load_w8(const unsigned short* __restrict__ w, int rows, int K, int row, int k, bool vector) {
    uint4 v;
    v.x = v.y = v.z = v.w = 0u;
    if (row < rows) {
        const unsigned short* r = w + (size_t)row * K;
        if (vector) {
            if (k < K) {
                v = __ldg(reinterpret_cast<const uint4*>(r + k)); // K % 8 == 0: in or out as a whole, 16-byte aligned
            }
        } else {
            unsigned int e[8];
#pragma unroll
            for (int i = 0; i < 8; i++) {
                e[i] = k + i < K ? r[k + i] : 0u;
            }
            v.x = e[0] | (e[1] << 16);
            v.y = e[2] | (e[3] << 16);
            v.z = e[4] | (e[5] << 16);
            v.w = e[6] | (e[7] << 16);
        }
    }
    return v;
}

// Eight consecutive floats of x from column k, rounded to T and packed as four words: zero past M and K.
template <typename T>
__device__ __forceinline__ uint4 load_x8(const float* __restrict__ x, int M, int K, int row, int k, bool vector) {
    float4 lo = load_row4(x, M, K, row, k, vector);
    float4 hi = load_row4(x, M, K, row, k + 4, vector);
    uint4 v;
    v.x = pack2<T>(lo.x, lo.y);
    v.y = pack2<T>(lo.z, lo.w);
    v.z = pack2<T>(hi.x, hi.y);
    v.w = pack2<T>(hi.z, hi.w);
    return v;
}

template <typename T, int BM, int BN, int WARPS_M, int WARPS_N, bool GELU>
__device__ __forceinline__ void linear_mma(float* out, const float* __restrict__ x, const unsigned short* __restrict__ w,
                                           const float* bias, const float* residual, int M, int N, int K,
                                           int has_bias, int has_residual) {
    constexpr int THREADS = 32 * WARPS_M * WARPS_N;
    constexpr int WM = BM / WARPS_M;                  // the warp's sub-tile
    constexpr int WN = BN / WARPS_N;
    constexpr int MT = WM / 16;                       // its mma tiles
    constexpr int NT = WN / 8;
    constexpr int CHUNKS_PER_ROW = MMA_BK / 8;        // 8-element chunks in a row of a K step
    constexpr int X_CHUNKS = BM * CHUNKS_PER_ROW / THREADS;
    constexpr int W_CHUNKS = BN * CHUNKS_PER_ROW / THREADS;
    __align__(16) __shared__ unsigned int xs[2][BM][MMA_ROW_WORDS];
    __align__(16) __shared__ unsigned int ws[2][BN][MMA_ROW_WORDS];

    int tid = threadIdx.x;
    int warp = tid / 32;
    int lane = tid % 32;
    int group = lane >> 2;                            // the fragments' groupID
    int quad = lane & 3;                              // and threadID_in_group
    int wm0 = (warp / WARPS_N) * WM;
    int wn0 = (warp % WARPS_N) * WN;
    int m0 = blockIdx.y * BM;
    int n0 = blockIdx.x * BN;
    bool vector = (K & 7) == 0;

    float acc[MT][NT][4] = {};

    // Chunk c of a step is row c / CHUNKS_PER_ROW, columns (c % CHUNKS_PER_ROW)·8..+7: four consecutive threads
    // read one row's 128 bytes of x (64 of W), written to shared memory as they are.
    double_buffered_k_loop<MMA_BK, THREADS, CHUNKS_PER_ROW, X_CHUNKS, W_CHUNKS>(K,
        [&](int r, int k) { return load_x8<T>(x, M, K, m0 + r, k, vector); },
        [&](int r, int k) { return load_w8(w, N, K, n0 + r, k, vector); },
        [&](int buf, int r, int q, uint4 v) { *reinterpret_cast<uint4*>(&xs[buf][r][q * 4]) = v; },
        [&](int buf, int r, int q, uint4 v) { *reinterpret_cast<uint4*>(&ws[buf][r][q * 4]) = v; },
        [&](int buf) {
#pragma unroll
            for (int ks = 0; ks < MMA_BK / 16; ks++) {
                int kw = ks * 8 + quad;                   // the word of k = ks·16 + 2·threadID_in_group
                unsigned int a[MT][4];
                unsigned int b[NT][2];
#pragma unroll
                for (int i = 0; i < MT; i++) {
                    int r = wm0 + i * 16 + group;
                    a[i][0] = xs[buf][r][kw];             // A[g][2t, 2t+1]
                    a[i][1] = xs[buf][r + 8][kw];         // A[g+8][2t, 2t+1]
                    a[i][2] = xs[buf][r][kw + 4];         // A[g][2t+8, 2t+9]
                    a[i][3] = xs[buf][r + 8][kw + 4];     // A[g+8][2t+8, 2t+9]
                }
#pragma unroll
                for (int j = 0; j < NT; j++) {
                    int c = wn0 + j * 8 + group;
                    b[j][0] = ws[buf][c][kw];             // B[2t, 2t+1][g] = W[n0 + c][k]
                    b[j][1] = ws[buf][c][kw + 4];         // B[2t+8, 2t+9][g]
                }
#pragma unroll
                for (int i = 0; i < MT; i++) {
#pragma unroll
                    for (int j = 0; j < NT; j++) {
                        mma_m16n8k16<T>(acc[i][j], a[i], b[j]);
                    }
                }
            }
        });

    // accumulator e of tile (i, j) is out[row g (+8 for e >= 2)][column 2t + (e & 1)] of that 16 x 8 tile
#pragma unroll
    for (int i = 0; i < MT; i++) {
#pragma unroll
        for (int j = 0; j < NT; j++) {
#pragma unroll
            for (int e = 0; e < 4; e++) {
                int m = m0 + wm0 + i * 16 + group + (e >> 1) * 8;
                int n = n0 + wn0 + j * 8 + quad * 2 + (e & 1);
                if (m < M && n < N) {
                    store_out<GELU>(out, bias, residual, has_bias, has_residual, N, m, n, acc[i][j][e]);
                }
            }
        }
    }
}

// ---- entry points: one per epilogue, weight dtype and tile; grid (ceil(N / BN), ceil(M / BM)) -----------------

#define LINEAR_PARAMS(W) float* out, const float* x, const W* w, const float* bias, const float* residual, \
                         int M, int N, int K, int has_bias, int has_residual
#define LINEAR_ARGS out, x, w, bias, residual, M, N, K, has_bias, has_residual
#define LINEAR_ARGS_16 out, x, reinterpret_cast<const unsigned short*>(w), bias, residual, M, N, K, has_bias, has_residual

// NAME_<dtype>_<tile> for every dtype and tile, GELU on or off.
#define LINEAR_ENTRIES(NAME, GELU)                                                                                      \
extern "C" __global__ void __launch_bounds__(SIMT_THREADS, 2) NAME##_f32_128x128(LINEAR_PARAMS(float)) {               \
    linear_simt<128, 128, GELU>(LINEAR_ARGS);                                                                           \
}                                                                                                                       \
extern "C" __global__ void __launch_bounds__(SIMT_THREADS) NAME##_f32_64x64(LINEAR_PARAMS(float)) {                    \
    linear_simt<64, 64, GELU>(LINEAR_ARGS);                                                                             \
}                                                                                                                       \
extern "C" __global__ void __launch_bounds__(256, 2) NAME##_f16_128x128(LINEAR_PARAMS(__half)) {                       \
    linear_mma<__half, 128, 128, 2, 4, GELU>(LINEAR_ARGS_16);                                                           \
}                                                                                                                       \
extern "C" __global__ void __launch_bounds__(128) NAME##_f16_64x64(LINEAR_PARAMS(__half)) {                            \
    linear_mma<__half, 64, 64, 2, 2, GELU>(LINEAR_ARGS_16);                                                             \
}                                                                                                                       \
extern "C" __global__ void __launch_bounds__(256, 2) NAME##_bf16_128x128(LINEAR_PARAMS(__nv_bfloat16)) {               \
    linear_mma<__nv_bfloat16, 128, 128, 2, 4, GELU>(LINEAR_ARGS_16);                                                    \
}                                                                                                                       \
extern "C" __global__ void __launch_bounds__(128) NAME##_bf16_64x64(LINEAR_PARAMS(__nv_bfloat16)) {                    \
    linear_mma<__nv_bfloat16, 64, 64, 2, 2, GELU>(LINEAR_ARGS_16);                                                      \
}

LINEAR_ENTRIES(linear, false)
LINEAR_ENTRIES(linear_gelu, true)

// Products with Q8_0 weights (docs/design.md section 2): a matrix [rows, cols] is its int8 quants q, row-major, and
// one fp16 scale d per block of 32 along a row, scales [rows, cols / 32]; W[r, c] = q[r, c] · d[r, c / 32]. Each
// block's Σ q·x is taken in fp32 and then multiplied by its scale, as the reference (Q8_0.java) and q8_0.cl do;
// activations, accumulation and outputs are fp32. A row of whole blocks starts 32-byte aligned (buffers from
// cuMemAlloc are 256-byte aligned), so a block is two 128-bit loads and its 32 floats of x eight more.
#include "common.cuh"

#define QBLOCK 32

// The four signed bytes of a 32-bit word (the first in the low 8 bits), widened, dotted with four floats.
__device__ __forceinline__ float q8_word_dot(unsigned int w, float4 a) {
    return (float)((int)(w << 24) >> 24) * a.x + (float)((int)(w << 16) >> 24) * a.y
         + (float)((int)(w << 8) >> 24) * a.z + (float)((int)w >> 24) * a.w;
}

// Σ q[j]·x[j] over one block of 32.
__device__ __forceinline__ float q8_block_dot(const signed char* __restrict__ q, const float* __restrict__ x) {
    const uint4* c = reinterpret_cast<const uint4*>(q);
    uint4 lo = __ldg(c);
    uint4 hi = __ldg(c + 1);
    const float4* xv = reinterpret_cast<const float4*>(x);
    return q8_word_dot(lo.x, xv[0]) + q8_word_dot(lo.y, xv[1]) + q8_word_dot(lo.z, xv[2]) + q8_word_dot(lo.w, xv[3])
         + q8_word_dot(hi.x, xv[4]) + q8_word_dot(hi.y, xv[5]) + q8_word_dot(hi.z, xv[6]) + q8_word_dot(hi.w, xv[7]);
}

// W[row,:]·x for the calling warp: lane l takes blocks l, l + 32, ... (a warp step reads 1 KiB of the row in one
// go), then the lanes' sums meet in a shuffle tree; every lane gets the result.
__device__ __forceinline__ float q8_warp_row_dot(const signed char* __restrict__ q, const __half* __restrict__ scales,
                                                 const float* __restrict__ x, int row, int cols) {
    int blocks = cols / QBLOCK;
    const signed char* qr = q + (size_t)row * cols;
    const __half* dr = scales + (size_t)row * blocks;
    float sum = 0.0f;
    for (int b = threadIdx.x & 31; b < blocks; b += 32) {
        sum += __half2float(dr[b]) * q8_block_dot(qr + b * QBLOCK, x + b * QBLOCK);
    }
    return warp_sum(sum);
}

// A warp per row: out[row] = W[row,:]·x, or out[row] += W[row,:]·x when accumulate (the residual add, fused).
extern "C" __global__ void gemv_q8_0(float* out, const signed char* q, const __half* scales, const float* x,
                                     int rows, int cols, int accumulate) {
    int row = global_warp();
    if (row >= rows) {
        return; // the whole warp leaves together
    }
    float sum = q8_warp_row_dot(q, scales, x, row, cols);
    if ((threadIdx.x & 31) == 0) {
        out[row] = accumulate ? out[row] + sum : sum;
    }
}

// A warp per row of LLaMA's MLP middle on Q8_0 gate and up: out[row] = silu(G[row,:]·x) · (U[row,:]·x).
extern "C" __global__ void swiglu_gemv_q8_0(float* out, const signed char* gq, const __half* gd, const signed char* uq,
                                            const __half* ud, const float* x, int rows, int cols) {
    int row = global_warp();
    if (row >= rows) {
        return;
    }
    float g = q8_warp_row_dot(gq, gd, x, row, cols);
    float u = q8_warp_row_dot(uq, ud, x, row, cols);
    if ((threadIdx.x & 31) == 0) {
        out[row] = g / (1.0f + expf(-g)) * u;
    }
}

// ---- Integer block dot over a quantised activation (-Dvideollama.q8_0.activations=q8_0): llama.cpp's q8_0 × q8_0 ----
// x is quantised once per product into Q8_0 blocks (d = max|x| / 127 in fp32, q = round(x / d), halves away from
// zero, as Q8_0.quantizeActivations); a block's Σ qw·qx is then 8 dp4a (four int8 products and their sum a
// instruction, sm_61 and later), exact in int32, and meets the two scales in one float multiply.

// A thread per block of 32: xq[block] = round(x / d), xd[block] = d.
extern "C" __global__ void quantize_q8_0_activations(signed char* xq, float* xd, const float* x, int blocks) {
    int b = blockIdx.x * blockDim.x + threadIdx.x;
    if (b >= blocks) {
        return;
    }
    const float* xb = x + b * QBLOCK;
    float amax = 0.0f;
    for (int j = 0; j < QBLOCK; j++) {
        amax = fmaxf(amax, fabsf(xb[j]));
    }
    float d = amax / 127.0f;
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    for (int j = 0; j < QBLOCK; j++) {
        xq[b * QBLOCK + j] = (signed char)roundf(xb[j] * id);
    }
    xd[b] = d;
}

// W[row,:]·x̂ for the calling warp over the quantised x: lane l takes blocks l, l + 32, ..., each two 128-bit loads
// of W and two of xq, 8 dp4a; the lanes' sums meet in a shuffle tree.
__device__ __forceinline__ float q8_warp_row_idot(const signed char* __restrict__ q, const __half* __restrict__ scales,
                                                  const signed char* __restrict__ xq, const float* __restrict__ xd,
                                                  int row, int cols) {
    int blocks = cols / QBLOCK;
    const signed char* qr = q + (size_t)row * cols;
    const __half* dr = scales + (size_t)row * blocks;
    float sum = 0.0f;
    for (int b = threadIdx.x & 31; b < blocks; b += 32) {
        const uint4* w = reinterpret_cast<const uint4*>(qr + b * QBLOCK);
        const uint4* a = reinterpret_cast<const uint4*>(xq + b * QBLOCK);
        uint4 w0 = __ldg(w), w1 = __ldg(w + 1), a0 = __ldg(a), a1 = __ldg(a + 1);
        int dot = __dp4a((int)w0.x, (int)a0.x, 0);
        dot = __dp4a((int)w0.y, (int)a0.y, dot);
        dot = __dp4a((int)w0.z, (int)a0.z, dot);
        dot = __dp4a((int)w0.w, (int)a0.w, dot);
        dot = __dp4a((int)w1.x, (int)a1.x, dot);
        dot = __dp4a((int)w1.y, (int)a1.y, dot);
        dot = __dp4a((int)w1.z, (int)a1.z, dot);
        dot = __dp4a((int)w1.w, (int)a1.w, dot);
        sum += __half2float(dr[b]) * xd[b] * (float)dot;
    }
    return warp_sum(sum);
}

// A warp per row: out[row] = W[row,:]·x̂, or out[row] += W[row,:]·x̂ when accumulate.
extern "C" __global__ void gemv_q8_0_dp4a(float* out, const signed char* q, const __half* scales, const signed char* xq,
                                          const float* xd, int rows, int cols, int accumulate) {
    int row = global_warp();
    if (row >= rows) {
        return;
    }
    float sum = q8_warp_row_idot(q, scales, xq, xd, row, cols);
    if ((threadIdx.x & 31) == 0) {
        out[row] = accumulate ? out[row] + sum : sum;
    }
}

// A warp per row of the MLP middle over the quantised x: out[row] = silu(G[row,:]·x̂) · (U[row,:]·x̂).
extern "C" __global__ void swiglu_gemv_q8_0_dp4a(float* out, const signed char* gq, const __half* gd,
                                                 const signed char* uq, const __half* ud, const signed char* xq,
                                                 const float* xd, int rows, int cols) {
    int row = global_warp();
    if (row >= rows) {
        return;
    }
    float g = q8_warp_row_idot(gq, gd, xq, xd, row, cols);
    float u = q8_warp_row_idot(uq, ud, xq, xd, row, cols);
    if ((threadIdx.x & 31) == 0) {
        out[row] = g / (1.0f + expf(-g)) * u;
    }
}

// out[M, N] = x[M, K]·Wᵀ (+ bias[N]) (+ residual[M, N]) with W Q8_0, for the encoders and the LLaMA's prefill. A
// thread per (block of Q8_M rows of x, one row n of W), consecutive threads taking consecutive n: each block of
// W's row is loaded and widened once, in registers, and dotted with the Q8_M rows (a first, SIMT form: no tensor
// cores, no shared-memory tiles). out may be residual (read, then written, by one thread); an absent bias or
// residual is some other buffer, never read. The store is common.cuh's store_out: with GELU (entry point
// linear_gelu_q8_0, the op linearGelu) gelu(sum + bias), as gemm.cu's linear_gelu_* kernels.
#define Q8_M 4
template <bool GELU>
__device__ __forceinline__ void linear_q8_0_kernel(float* out, const float* __restrict__ x, const signed char* __restrict__ q,
                                                   const __half* __restrict__ scales, const float* __restrict__ bias,
                                                   const float* residual, int M, int N, int K, int has_bias, int has_residual) {
    long long t = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    int m_blocks = (M + Q8_M - 1) / Q8_M;
    if (t >= (long long)m_blocks * N) {
        return;
    }
    int n = (int)(t % N);
    int m0 = (int)(t / N) * Q8_M;
    int blocks = K / QBLOCK;
    const signed char* qr = q + (size_t)n * K;
    const __half* dr = scales + (size_t)n * blocks;
    float acc[Q8_M];
#pragma unroll
    for (int i = 0; i < Q8_M; i++) {
        acc[i] = 0.0f;
    }
    for (int b = 0; b < blocks; b++) {
        float d = __half2float(dr[b]);
#pragma unroll
        for (int i = 0; i < Q8_M; i++) {
            const float* xr = x + (size_t)min(m0 + i, M - 1) * K + b * QBLOCK;
            acc[i] += d * q8_block_dot(qr + b * QBLOCK, xr);
        }
    }
#pragma unroll
    for (int i = 0; i < Q8_M; i++) {
        if (m0 + i < M) {
            store_out<GELU>(out, bias, residual, has_bias, has_residual, N, m0 + i, n, acc[i]);
        }
    }
}

#define LINEAR_Q8_0_ARGS out, x, q, scales, bias, residual, M, N, K, has_bias, has_residual
extern "C" __global__ void linear_q8_0(float* out, const float* __restrict__ x, const signed char* __restrict__ q,
                                       const __half* __restrict__ scales, const float* __restrict__ bias,
                                       const float* residual, int M, int N, int K, int has_bias, int has_residual) {
    linear_q8_0_kernel<false>(LINEAR_Q8_0_ARGS);
}

extern "C" __global__ void linear_gelu_q8_0(float* out, const float* __restrict__ x, const signed char* __restrict__ q,
                                            const __half* __restrict__ scales, const float* __restrict__ bias,
                                            const float* residual, int M, int N, int K, int has_bias, int has_residual) {
    linear_q8_0_kernel<true>(LINEAR_Q8_0_ARGS);
}

// Matrix-vector products over weights in their stored dtype (f32, f16, bf16), accumulated in fp32. One warp
// per output row: the 32 lanes stride along the row 16 bytes at a time, so each step of a warp is one
// coalesced 512-byte read of the row, and a shuffle tree adds the lanes' partial sums. A block of
// blockDim.x threads computes blockDim.x / 32 consecutive rows. For matrices with too few rows to fill the GPU,
// matVec has a split-K form (matvec_split_* then matvec_combine): a warp per range of a row's columns. Each dtype
// is its own entry point (matvec_f32, matvec_f16, matvec_bf16, ...): the driver finds kernels by name.
#include "common.cuh"

// W[row, first..last)·x[first..last) for the calling warp; every lane gets the result. A row whose width is a
// multiple of 16 bytes starts 16-byte aligned (device buffers are 256-byte aligned), so a range of it that starts
// and ends on whole 16-byte chunks is read with 128-bit loads, four in flight per lane; other rows and ranges are
// read one element per lane per step.
template <typename W>
__device__ __forceinline__ float warp_range_dot(const W* __restrict__ row, const float* __restrict__ x, int cols,
                                                int first, int last) {
    constexpr int N = Chunk<W>::ELEMENTS;
    int lane = threadIdx.x & 31;
    float sum = 0.0f;
    if (cols % N == 0 && first % N == 0 && last % N == 0) {
        const uint4* chunks = reinterpret_cast<const uint4*>(row);
        int end = last / N;
#pragma unroll 4
        for (int c = first / N + lane; c < end; c += 32) {
            sum += Chunk<W>::dot(__ldg(chunks + c), x + c * N);
        }
    } else {
        for (int c = first + lane; c < last; c += 32) {
            sum += to_float(row[c]) * x[c];
        }
    }
    return warp_sum(sum);
}

// W[row,:]·x for the calling warp; every lane gets the result.
template <typename W>
__device__ __forceinline__ float warp_row_dot(const W* __restrict__ row, const float* __restrict__ x, int cols) {
    return warp_range_dot(row, x, cols, 0, cols);
}

// Each warp: out[row] = W[row,:]·x, or out[row] += W[row,:]·x when accumulate (the residual add, fused).
template <typename W>
__device__ __forceinline__ void matvec(float* out, const W* __restrict__ w, const float* __restrict__ x,
                                       int rows, int cols, int accumulate) {
    int row = global_warp();
    if (row >= rows) {
        return; // the whole warp leaves together
    }
    float sum = warp_row_dot(w + (size_t)row * cols, x, cols);
    if ((threadIdx.x & 31) == 0) {
        out[row] = accumulate ? out[row] + sum : sum;
    }
}

// Split-K, for matrices with too few rows to fill the GPU with a warp per row: each row's columns are cut into
// `slices` ranges of `slice_cols` (a multiple of 8, so every range starts on a 16-byte chunk), and warp
// row * slices + s writes the dot product of range s into partial[row * slices + s]. matvec_combine then adds each
// row's partials in range order: deterministic, no atomics, and out[row] is read and written once, so
// accumulate (out += W·x) adds the whole product to the residual exactly as the one-warp kernel does.
template <typename W>
__device__ __forceinline__ void matvec_split(float* partial, const W* __restrict__ w, const float* __restrict__ x,
                                             int rows, int cols, int slice_cols, int slices) {
    int warp = global_warp();
    int row = warp / slices;
    if (row >= rows) {
        return; // the whole warp leaves together
    }
    int first = (warp - row * slices) * slice_cols;
    int last = min(first + slice_cols, cols);
    float sum = warp_range_dot(w + (size_t)row * cols, x, cols, first, last);
    if ((threadIdx.x & 31) == 0) {
        partial[warp] = sum;
    }
}

// Each warp: one row of LLaMA's MLP middle, out[row] = silu(G[row,:]·x) · (U[row,:]·x).
template <typename W>
__device__ __forceinline__ void swiglu_matvec(float* out, const W* __restrict__ gate, const W* __restrict__ up,
                                              const float* __restrict__ x, int rows, int cols) {
    int row = global_warp();
    if (row >= rows) {
        return;
    }
    float g = warp_row_dot(gate + (size_t)row * cols, x, cols);
    float u = warp_row_dot(up + (size_t)row * cols, x, cols);
    if ((threadIdx.x & 31) == 0) {
        out[row] = g / (1.0f + expf(-g)) * u;
    }
}

// Each warp: one row of the query, key and value projections of the same input in one launch. Warps
// [0, q_rows) compute q, the next kv_rows compute k, the last kv_rows compute v.
template <typename W>
__device__ __forceinline__ void qkv_matvec(float* q, float* k, float* v, const W* __restrict__ wq,
                                           const W* __restrict__ wk, const W* __restrict__ wv,
                                           const float* __restrict__ x, int q_rows, int kv_rows, int cols) {
    int row = global_warp();
    float* out = q;
    const W* w = wq;
    if (row >= q_rows + 2 * kv_rows) {
        return;
    } else if (row >= q_rows + kv_rows) {
        row -= q_rows + kv_rows;
        out = v;
        w = wv;
    } else if (row >= q_rows) {
        row -= q_rows;
        out = k;
        w = wk;
    }
    float sum = warp_row_dot(w + (size_t)row * cols, x, cols);
    if ((threadIdx.x & 31) == 0) {
        out[row] = sum;
    }
}

// ---- entry points, one per weight dtype ----------------------------------------------------------------------

extern "C" __global__ void matvec_f32(float* out, const float* w, const float* x, int rows, int cols, int accumulate) {
    matvec(out, w, x, rows, cols, accumulate);
}
extern "C" __global__ void matvec_f16(float* out, const __half* w, const float* x, int rows, int cols, int accumulate) {
    matvec(out, w, x, rows, cols, accumulate);
}
extern "C" __global__ void matvec_bf16(float* out, const __nv_bfloat16* w, const float* x, int rows, int cols, int accumulate) {
    matvec(out, w, x, rows, cols, accumulate);
}

extern "C" __global__ void matvec_split_f32(float* partial, const float* w, const float* x, int rows, int cols, int slice_cols,
                                            int slices) {
    matvec_split(partial, w, x, rows, cols, slice_cols, slices);
}
extern "C" __global__ void matvec_split_f16(float* partial, const __half* w, const float* x, int rows, int cols, int slice_cols,
                                            int slices) {
    matvec_split(partial, w, x, rows, cols, slice_cols, slices);
}
extern "C" __global__ void matvec_split_bf16(float* partial, const __nv_bfloat16* w, const float* x, int rows, int cols,
                                             int slice_cols, int slices) {
    matvec_split(partial, w, x, rows, cols, slice_cols, slices);
}

// A thread per row: out[row] = sum of the row's partials (in range order), or out[row] += that sum.
extern "C" __global__ void matvec_combine(float* out, const float* __restrict__ partial, int rows, int slices, int accumulate) {
    int row = blockIdx.x * blockDim.x + threadIdx.x;
    if (row >= rows) {
        return;
    }
    float sum = 0.0f;
    for (int s = 0; s < slices; s++) {
        sum += partial[(size_t)row * slices + s];
    }
    out[row] = accumulate ? out[row] + sum : sum;
}

extern "C" __global__ void swiglu_matvec_f32(float* out, const float* gate, const float* up, const float* x, int rows, int cols) {
    swiglu_matvec(out, gate, up, x, rows, cols);
}
extern "C" __global__ void swiglu_matvec_f16(float* out, const __half* gate, const __half* up, const float* x, int rows, int cols) {
    swiglu_matvec(out, gate, up, x, rows, cols);
}
extern "C" __global__ void swiglu_matvec_bf16(float* out, const __nv_bfloat16* gate, const __nv_bfloat16* up, const float* x,
                                              int rows, int cols) {
    swiglu_matvec(out, gate, up, x, rows, cols);
}

extern "C" __global__ void qkv_matvec_f32(float* q, float* k, float* v, const float* wq, const float* wk, const float* wv,
                                          const float* x, int q_rows, int kv_rows, int cols) {
    qkv_matvec(q, k, v, wq, wk, wv, x, q_rows, kv_rows, cols);
}
extern "C" __global__ void qkv_matvec_f16(float* q, float* k, float* v, const __half* wq, const __half* wk, const __half* wv,
                                          const float* x, int q_rows, int kv_rows, int cols) {
    qkv_matvec(q, k, v, wq, wk, wv, x, q_rows, kv_rows, cols);
}
extern "C" __global__ void qkv_matvec_bf16(float* q, float* k, float* v, const __nv_bfloat16* wq, const __nv_bfloat16* wk,
                                           const __nv_bfloat16* wv, const float* x, int q_rows, int kv_rows, int cols) {
    qkv_matvec(q, k, v, wq, wk, wv, x, q_rows, kv_rows, cols);
}

// The row-wise ops of the vision and audio encoders and the Q-Formers: LayerNorm (of x, or of x + residual),
// softmax over rows and L2 normalisation of rows. Activations are float32, [rows, width] row-major.
//
// One warp per row, 8 rows to a block of 256 threads. The encoders' rows are 768 to 1408 wide and come by the
// hundreds or thousands (257 tokens a frame), so each lane has some 25 to 45 elements and a row's sums need
// only shuffles: no shared memory and no __syncthreads. Lane l takes chunks l, l + 32, l + 64, ... of its row,
// a chunk being 4 floats moved by one 128-bit access where the width is a multiple of 4 (every row is then
// 16-byte aligned) and 1 float elsewhere; the warp's accesses are consecutive either way. Each pass reads the
// row again: after the first, a row of a few KB comes from L1.
//
// A lane rewrites only the elements it read itself, after the reductions, so out may be x (in place).
// nvcc's float division and sqrtf are correctly rounded (no -use_fast_math), so sum / n is the exact mean where
// the sum is exact: a constant row under the Q-Former's eps 1e-12 then has deviations of exactly 0 and comes
// out as the bias, where a mean one ulp off would leave deviations that 1/sqrt(1e-12) amplifies to 0.1.
#include "common.cuh"

// Chunk c of the LayerNorm input: x, or x + residual (formed again in each pass rather than stored).
template <int N>
__device__ __forceinline__ Floats<N> layer_norm_input(const float* x, const float* residual, int c) {
    Floats<N> a = load_floats<N>(x + c * N);
    if (residual != nullptr) {
        Floats<N> r = load_floats<N>(residual + c * N);
#pragma unroll
        for (int e = 0; e < N; e++) {
            a.v[e] += r.v[e];
        }
    }
    return a;
}

// LayerNorm of one row by one warp, two-pass: the mean, then the mean of the squared deviations from it. Unlike
// the one-pass E[x²] − E[x]², nothing cancels, so rows with a large common offset keep their variance.
template <int N>
__device__ __forceinline__ void layer_norm_row(float* o, const float* x, const float* residual, const float* weight,
                                               const float* bias, int dim, float eps) {
    int lane = threadIdx.x & 31;
    int chunks = dim / N;
    float sum = 0.0f;
    for (int c = lane; c < chunks; c += 32) {
        Floats<N> a = layer_norm_input<N>(x, residual, c);
#pragma unroll
        for (int e = 0; e < N; e++) {
            sum += a.v[e];
        }
    }
    float mean = warp_sum(sum) / dim;
    float squares = 0.0f;
    for (int c = lane; c < chunks; c += 32) {
        Floats<N> a = layer_norm_input<N>(x, residual, c);
#pragma unroll
        for (int e = 0; e < N; e++) {
            float d = a.v[e] - mean;
            squares += d * d;
        }
    }
    float inverse_std = 1.0f / sqrtf(warp_sum(squares) / dim + eps);
    for (int c = lane; c < chunks; c += 32) {
        Floats<N> a = layer_norm_input<N>(x, residual, c);
        Floats<N> w = load_floats<N>(weight + c * N);
        Floats<N> b = load_floats<N>(bias + c * N);
#pragma unroll
        for (int e = 0; e < N; e++) {
            a.v[e] = (a.v[e] - mean) * inverse_std * w.v[e] + b.v[e];
        }
        store_floats<N>(o + c * N, a);
    }
}

// LayerNorm, a warp per row: out = (x − mean) / sqrt(var + eps) · weight + bias.
extern "C" __global__ void layer_norm(float* out, const float* x, const float* weight, const float* bias, int rows,
                                      int dim, float eps) {
    int row = global_warp();
    if (row >= rows) {
        return;
    }
    size_t start = (size_t)row * dim;
    if (dim % 4 == 0) {
        layer_norm_row<4>(out + start, x + start, nullptr, weight, bias, dim, eps);
    } else {
        layer_norm_row<1>(out + start, x + start, nullptr, weight, bias, dim, eps);
    }
}

// The post-LN residual block of BERT and the Q-Former, a warp per row: out = LayerNorm(x + residual). out may be
// x or residual.
extern "C" __global__ void add_layer_norm(float* out, const float* x, const float* residual, const float* weight,
                                          const float* bias, int rows, int dim, float eps) {
    int row = global_warp();
    if (row >= rows) {
        return;
    }
    size_t start = (size_t)row * dim;
    if (dim % 4 == 0) {
        layer_norm_row<4>(out + start, x + start, residual + start, weight, bias, dim, eps);
    } else {
        layer_norm_row<1>(out + start, x + start, residual + start, weight, bias, dim, eps);
    }
}

// Softmax of one row of scale · x: the row maximum, then the exponentials of the shifted values (written out, and
// summed), then each multiplied by the inverse of the sum.
template <int N>
__device__ __forceinline__ void softmax_row(float* o, const float* x, int cols, float scale) {
    int lane = threadIdx.x & 31;
    int chunks = cols / N;
    float row_max = -INFINITY;
    for (int c = lane; c < chunks; c += 32) {
        Floats<N> a = load_floats<N>(x + c * N);
#pragma unroll
        for (int e = 0; e < N; e++) {
            row_max = fmaxf(row_max, scale * a.v[e]);
        }
    }
    row_max = warp_max(row_max);
    float sum = 0.0f;
    for (int c = lane; c < chunks; c += 32) {
        Floats<N> a = load_floats<N>(x + c * N);
#pragma unroll
        for (int e = 0; e < N; e++) {
            a.v[e] = expf(scale * a.v[e] - row_max);
            sum += a.v[e];
        }
        store_floats<N>(o + c * N, a);
    }
    float inverse = 1.0f / warp_sum(sum);
    for (int c = lane; c < chunks; c += 32) {
        Floats<N> a = load_floats<N>(o + c * N);
#pragma unroll
        for (int e = 0; e < N; e++) {
            a.v[e] *= inverse;
        }
        store_floats<N>(o + c * N, a);
    }
}

// Softmax of each row of scale · x, a warp per row.
extern "C" __global__ void softmax_rows(float* out, const float* x, int rows, int cols, float scale) {
    int row = global_warp();
    if (row >= rows) {
        return;
    }
    size_t start = (size_t)row * cols;
    if (cols % 4 == 0) {
        softmax_row<4>(out + start, x + start, cols, scale);
    } else {
        softmax_row<1>(out + start, x + start, cols, scale);
    }
}

// out = x / max(‖x‖₂, eps) · scale over one row.
template <int N>
__device__ __forceinline__ void l2_normalize_row(float* o, const float* x, int dim, float eps, float scale) {
    int lane = threadIdx.x & 31;
    int chunks = dim / N;
    float squares = 0.0f;
    for (int c = lane; c < chunks; c += 32) {
        Floats<N> a = load_floats<N>(x + c * N);
#pragma unroll
        for (int e = 0; e < N; e++) {
            squares += a.v[e] * a.v[e];
        }
    }
    float norm = fmaxf(sqrtf(warp_sum(squares)), eps);
    for (int c = lane; c < chunks; c += 32) {
        Floats<N> a = load_floats<N>(x + c * N);
#pragma unroll
        for (int e = 0; e < N; e++) {
            a.v[e] = a.v[e] / norm * scale;
        }
        store_floats<N>(o + c * N, a);
    }
}

// L2 normalisation of each row times a scale, a warp per row, as PyTorch's F.normalize followed by a constant
// logit scale (ImageBind's head).
extern "C" __global__ void l2_normalize(float* out, const float* x, int rows, int dim, float eps, float scale) {
    int row = global_warp();
    if (row >= rows) {
        return;
    }
    size_t start = (size_t)row * dim;
    if (dim % 4 == 0) {
        l2_normalize_row<4>(out + start, x + start, dim, eps, scale);
    } else {
        l2_normalize_row<1>(out + start, x + start, dim, eps, scale);
    }
}

// Element-wise kernels of the encoders and of batched prefill: the exact GELU (alone, or after a bias add; common.cuh's
// gelu_erf, which gemm.cu's fused linearGelu epilogue shares), the SwiGLU middle, and the adds. Float32. Every
// kernel may run in place (out the same buffer as an input): a thread reads its elements before it writes them, and
// no thread touches another's.
//
// Thread i takes elements 4i .. 4i + 3 as one 128-bit load per input and one 128-bit store (the buffers come from
// cuMemAlloc and 4i is a multiple of 4, so the float4s are aligned); the thread that holds the last, partial
// group of four goes element by element. Where a bias is broadcast over rows the 128-bit path also needs the
// width to be a multiple of 4, so that a group never straddles two rows and the bias float4 is aligned too.
#include "common.cuh"

// The first element of this thread's group of four (64-bit: n may be close to 2^31).
__device__ __forceinline__ long long first_of_group() {
    return 4LL * ((long long)blockIdx.x * blockDim.x + threadIdx.x);
}

template <int N>
__device__ __forceinline__ void gelu_chunk(float* out, const float* x, long long i) {
    Floats<N> a = load_floats<N>(x + i);
#pragma unroll
    for (int e = 0; e < N; e++) {
        a.v[e] = gelu_erf(a.v[e]);
    }
    store_floats<N>(out + i, a);
}

// GELU of n elements.
extern "C" __global__ void gelu(float* out, const float* x, int n) {
    long long first = first_of_group();
    if (first + 4 <= n) {
        gelu_chunk<4>(out, x, first);
    } else {
        for (long long i = first; i < n; i++) {
            gelu_chunk<1>(out, x, i);
        }
    }
}

// Elements i .. i + N − 1 of out = gelu(x + bias), c the column of element i.
template <int N>
__device__ __forceinline__ void bias_gelu_chunk(float* out, const float* x, const float* bias, long long i, int c) {
    Floats<N> a = load_floats<N>(x + i);
    Floats<N> b = load_floats<N>(bias + c);
#pragma unroll
    for (int e = 0; e < N; e++) {
        a.v[e] = gelu_erf(a.v[e] + b.v[e]);
    }
    store_floats<N>(out + i, a);
}

// GELU after a bias add, the middle of every ViT and Q-Former MLP: out = gelu(x + bias) over n = rows · width
// elements, the bias broadcast over the rows.
extern "C" __global__ void bias_gelu(float* out, const float* x, const float* bias, int width, int n) {
    long long first = first_of_group();
    if (first + 4 <= n && width % 4 == 0) {
        bias_gelu_chunk<4>(out, x, bias, first, (int)(first % width));
    } else {
        for (long long i = first; i < first + 4 && i < n; i++) {
            bias_gelu_chunk<1>(out, x, bias, i, (int)(i % width));
        }
    }
}

// out = a + b, elements i .. i + N − 1.
template <int N>
__device__ __forceinline__ void add_chunk(float* out, const float* a, const float* b, long long i, long long j) {
    Floats<N> s = load_floats<N>(a + i);
    Floats<N> t = load_floats<N>(b + j);
#pragma unroll
    for (int e = 0; e < N; e++) {
        s.v[e] += t.v[e];
    }
    store_floats<N>(out + i, s);
}

// out = a + b over n elements (the residual add where no epilogue takes it).
extern "C" __global__ void add(float* out, const float* a, const float* b, int n) {
    long long first = first_of_group();
    if (first + 4 <= n) {
        add_chunk<4>(out, a, b, first, first);
    } else {
        for (long long i = first; i < n; i++) {
            add_chunk<1>(out, a, b, i, i);
        }
    }
}

// out = x + bias over n = rows · width elements, the bias broadcast over the rows.
extern "C" __global__ void add_bias(float* out, const float* x, const float* bias, int width, int n) {
    long long first = first_of_group();
    if (first + 4 <= n && width % 4 == 0) {
        add_chunk<4>(out, x, bias, first, first % width);
    } else {
        for (long long i = first; i < first + 4 && i < n; i++) {
            add_chunk<1>(out, x, bias, i, i % width);
        }
    }
}

// Elements i .. i + N − 1 of out = silu(gate) · up.
template <int N>
__device__ __forceinline__ void swiglu_chunk(float* out, const float* gate, const float* up, long long i) {
    Floats<N> g = load_floats<N>(gate + i);
    Floats<N> u = load_floats<N>(up + i);
#pragma unroll
    for (int e = 0; e < N; e++) {
        g.v[e] = g.v[e] / (1.0f + expf(-g.v[e])) * u.v[e];
    }
    store_floats<N>(out + i, g);
}

// LLaMA's gated MLP middle after the gate and up projections of many rows: out = silu(gate) · up over n elements,
// silu(g) = g / (1 + exp(−g)) as the fused GEMV computes it. out may be gate or up.
extern "C" __global__ void swiglu(float* out, const float* gate, const float* up, int n) {
    long long first = first_of_group();
    if (first + 4 <= n) {
        swiglu_chunk<4>(out, gate, up, first);
    } else {
        for (long long i = first; i < n; i++) {
            swiglu_chunk<1>(out, gate, up, i);
        }
    }
}

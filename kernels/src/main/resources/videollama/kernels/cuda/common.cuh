// Included by every .cu file here: how weights and the key/value cache are read in their stored dtype, the exact
// GELU, and the warp and block reductions. All arithmetic is fp32; fp16 and bf16 are storage types only. Every
// kernel is launched with blockDim.x a multiple of 32 (whole warps), so the shuffles below always have 32 lanes.
#pragma once
#include <cuda_fp16.h>
#include <cuda_bf16.h>

#define FULL_MASK 0xffffffffu

// NVRTC compiles without the host's C headers, so <math.h>'s INFINITY and <climits>' INT_MAX are spelled out here
// where nothing defined them (nvcc and the CPU emulator bring both in before this file).
#ifndef INFINITY
#define INFINITY __int_as_float(0x7f800000)
#endif
#ifndef INT_MAX
#define INT_MAX 0x7fffffff
#endif

// ---- stored element <-> float --------------------------------------------------------------------------------

__device__ __forceinline__ float to_float(float v) { return v; }
__device__ __forceinline__ float to_float(__half v) { return __half2float(v); }
__device__ __forceinline__ float to_float(__nv_bfloat16 v) { return __bfloat162float(v); }

// Stores a float in a cache element: as is, or rounded to the nearest half (ties to even).
__device__ __forceinline__ void store(float* p, float v) { *p = v; }
__device__ __forceinline__ void store(__half* p, float v) { *p = __float2half_rn(v); }

// The two halves / bfloat16s packed in one 32-bit word (the first element in the low 16 bits), widened.
template <typename T> __device__ __forceinline__ float low16(unsigned int bits);
template <typename T> __device__ __forceinline__ float high16(unsigned int bits);
template <> __device__ __forceinline__ float low16<__half>(unsigned int bits) { return __half2float(__ushort_as_half((unsigned short)(bits & 0xffffu))); }
template <> __device__ __forceinline__ float high16<__half>(unsigned int bits) { return __half2float(__ushort_as_half((unsigned short)(bits >> 16))); }
template <> __device__ __forceinline__ float low16<__nv_bfloat16>(unsigned int bits) { return __uint_as_float(bits << 16); }
template <> __device__ __forceinline__ float high16<__nv_bfloat16>(unsigned int bits) { return __uint_as_float(bits & 0xffff0000u); }

// 16 bytes of weights (one 128-bit load: 8 halves or bfloat16s, or 4 floats) dotted with the matching floats of
// x. x must be 16-byte aligned, which it is when the chunk index times ELEMENTS is a multiple of 4.
template <typename W> struct Chunk {
    static constexpr int ELEMENTS = 8;
    static __device__ __forceinline__ float dot(uint4 w, const float* __restrict__ x) {
        float4 a = *reinterpret_cast<const float4*>(x);
        float4 b = *reinterpret_cast<const float4*>(x + 4);
        return low16<W>(w.x) * a.x + high16<W>(w.x) * a.y + low16<W>(w.y) * a.z + high16<W>(w.y) * a.w
             + low16<W>(w.z) * b.x + high16<W>(w.z) * b.y + low16<W>(w.w) * b.z + high16<W>(w.w) * b.w;
    }
};

template <> struct Chunk<float> {
    static constexpr int ELEMENTS = 4;
    static __device__ __forceinline__ float dot(uint4 w, const float* __restrict__ x) {
        float4 a = *reinterpret_cast<const float4*>(x);
        return __uint_as_float(w.x) * a.x + __uint_as_float(w.y) * a.y + __uint_as_float(w.z) * a.z + __uint_as_float(w.w) * a.w;
    }
};

// ---- the exact GELU, and the GEMMs' epilogue (gemm.cu, q8_0.cu) with it --------------------------------------

// 0.5·x·(1 + erf(x/√2)), written as 0.5·x·erfc(−x/√2): the same function, but for negative x the erf form subtracts
// two numbers near 1 and keeps only the absolute accuracy of erf, where erfc keeps its relative accuracy. x/√2 is
// rounded to float first, as PyTorch does.
__device__ __forceinline__ float gelu_erf(float x) {
    return 0.5f * x * erfcf(-(x * 0.70710678118654752f));
}

// gelu_erf as one function the GEMMs' stores call: inlined into each of a thread's 64 unrolled stores (gemm.cu), erfcf
// made the PTX of the GELU kernels four times that of the others (2.6 MB of gemm.ptx against 0.56), for a call that
// costs a few instructions per output after K of at least 768 steps. ptxas -v for sm_90: no spills and no stack,
// the registers of the kernels without GELU (the 64 x 64 fp32 kernel 53 instead of 48).
__device__ __noinline__ float gelu_erf_call(float x) {
    return gelu_erf(x);
}

// out[m, n] = sum + bias[n] + residual[m, n], in that order (reference/Linear.java's order); with GELU,
// gelu(sum + bias[n]) (linearGelu passes no residual).
template <bool GELU>
__device__ __forceinline__ void store_out(float* out, const float* bias, const float* residual, int has_bias, int has_residual,
                                          int N, int m, int n, float sum) {
    size_t i = (size_t)m * N + n;
    if (has_bias) {
        sum += bias[n];
    }
    if (GELU) {
        sum = gelu_erf_call(sum);
    }
    if (has_residual) {
        sum += residual[i];
    }
    out[i] = sum;
}

// ---- reductions ----------------------------------------------------------------------------------------------

// The sum over the 32 lanes of a warp, by a butterfly of shuffles: every lane gets the result.
__device__ __forceinline__ float warp_sum(float v) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(FULL_MASK, v, offset);
    }
    return v;
}

// The sum over the block: each warp adds its lanes, the warp sums meet in shared memory, and every warp adds
// those again, so every thread gets the result. The barriers also publish whatever the threads wrote to shared
// memory before the call.
__device__ __forceinline__ float block_sum(float v) {
    __shared__ float warp_sums[32];
    int lane = threadIdx.x & 31;
    v = warp_sum(v);
    if (lane == 0) {
        warp_sums[threadIdx.x >> 5] = v;
    }
    __syncthreads();
    v = lane < (int)(blockDim.x >> 5) ? warp_sums[lane] : 0.0f;
    v = warp_sum(v);
    __syncthreads(); // warp_sums is free again for the next call
    return v;
}

// The index of the warp among the block's warps, counted over the whole grid: the row a warp-per-row kernel computes.
__device__ __forceinline__ int global_warp() {
    return blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
}

// The maximum over the 32 lanes of a warp, as warp_sum.
__device__ __forceinline__ float warp_max(float v) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        v = fmaxf(v, __shfl_xor_sync(FULL_MASK, v, offset));
    }
    return v;
}

// ---- N consecutive floats moved as one load or store ---------------------------------------------------------
// Floats<4> is one 128-bit access (a float4): the pointer must be 16-byte aligned, which it is where an index that
// is a multiple of 4 meets a buffer from cuMemAlloc (256-byte aligned). Floats<1> is the scalar fallback, so one
// template serves rows of any width: the kernels pick N = 4 where the width allows it and N = 1 elsewhere.

template <int N> struct Floats {
    float v[N];
};

template <int N> __device__ __forceinline__ Floats<N> load_floats(const float* p);
template <int N> __device__ __forceinline__ void store_floats(float* p, const Floats<N>& f);

template <> __device__ __forceinline__ Floats<1> load_floats<1>(const float* p) {
    return Floats<1>{{*p}};
}
template <> __device__ __forceinline__ Floats<4> load_floats<4>(const float* p) {
    float4 a = *reinterpret_cast<const float4*>(p);
    return Floats<4>{{a.x, a.y, a.z, a.w}};
}
template <> __device__ __forceinline__ void store_floats<1>(float* p, const Floats<1>& f) {
    *p = f.v[0];
}
template <> __device__ __forceinline__ void store_floats<4>(float* p, const Floats<4>& f) {
    float4 a;
    a.x = f.v[0];
    a.y = f.v[1];
    a.z = f.v[2];
    a.w = f.v[3];
    *reinterpret_cast<float4*>(p) = a;
}

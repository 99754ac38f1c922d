// The index of the largest value, the first one on ties (as torch.argmax). One block: each thread scans a
// strided slice keeping its first maximum, then shuffles and one shared-memory step keep the larger value, or
// the smaller index when the values are equal. NaNs are never taken; all -inf (or n = 0) gives 0.
#include "common.cuh"

// Of (v, index) and the lane `offset` away, keeps the larger value or, when equal, the smaller index.
__device__ __forceinline__ void keep_best(float& v, int& index, int offset) {
    float other_v = __shfl_xor_sync(FULL_MASK, v, offset);
    int other_index = __shfl_xor_sync(FULL_MASK, index, offset);
    if (other_v > v || (other_v == v && other_index < index)) {
        v = other_v;
        index = other_index;
    }
}

extern "C" __global__ void argmax(int* out, const float* __restrict__ x, int n) {
    __shared__ float warp_value[32];
    __shared__ int warp_index[32];
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    float v = -INFINITY;
    int index = INT_MAX;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        float xi = x[i];
        if (xi > v) {
            v = xi;
            index = i;
        }
    }
    for (int offset = 16; offset > 0; offset >>= 1) {
        keep_best(v, index, offset);
    }
    if (lane == 0) {
        warp_value[warp] = v;
        warp_index[warp] = index;
    }
    __syncthreads();
    if (warp == 0) {
        bool has = lane < (int)(blockDim.x >> 5);
        v = has ? warp_value[lane] : -INFINITY;
        index = has ? warp_index[lane] : INT_MAX;
        for (int offset = 16; offset > 0; offset >>= 1) {
            keep_best(v, index, offset);
        }
        if (lane == 0) {
            out[0] = index == INT_MAX ? 0 : index;
        }
    }
}

// RMSNorm, one block per row: each thread sums the squares of a strided slice of the row, a warp-shuffle and
// shared-memory tree adds the slices, then each thread scales its slice. out may be x (in place): a thread
// only rewrites the elements it read, after the reduction.
#include "common.cuh"

extern "C" __global__ void rms_norm(float* out, const float* x, const float* __restrict__ weight, int dim, float eps) {
    const float* xr = x + (size_t)blockIdx.x * dim;
    float* o = out + (size_t)blockIdx.x * dim;
    float sum = 0.0f;
    for (int i = threadIdx.x; i < dim; i += blockDim.x) {
        sum += xr[i] * xr[i];
    }
    sum = block_sum(sum);
    float inverse_rms = 1.0f / sqrtf(sum / dim + eps);
    for (int i = threadIdx.x; i < dim; i += blockDim.x) {
        o[i] = weight[i] * (xr[i] * inverse_rms);
    }
}

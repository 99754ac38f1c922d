// Token embedding, one thread per element: out[i] = table[ids[index], i], widened to float. The id is read on
// the device, so a decode loop never sends the token back to the host to embed it.
#include "common.cuh"

template <typename W>
__device__ __forceinline__ void embedding(float* out, const W* __restrict__ table, const int* ids, int index, int dim) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < dim) {
        out[i] = to_float(table[(size_t)ids[index] * dim + i]);
    }
}

extern "C" __global__ void embedding_f32(float* out, const float* table, const int* ids, int index, int dim) {
    embedding(out, table, ids, index, dim);
}
extern "C" __global__ void embedding_f16(float* out, const __half* table, const int* ids, int index, int dim) {
    embedding(out, table, ids, index, dim);
}
extern "C" __global__ void embedding_bf16(float* out, const __nv_bfloat16* table, const int* ids, int index, int dim) {
    embedding(out, table, ids, index, dim);
}

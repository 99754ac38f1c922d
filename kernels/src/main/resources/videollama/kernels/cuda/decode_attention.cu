// Decode attention: one query row at position pos[0] against cache rows 0..pos[0], grouped-query (query head h
// reads key/value head h / (heads / kv_heads)), in two kernels (flash-decoding):
//
//  1. decode_attention_slices_*: the positions are cut into slices of `slice` consecutive positions, one slice per
//     warp. A warp makes one pass over its slice with an online softmax (running max m, running sum l, and an
//     unnormalised accumulator o) and writes its partial (m, l, o). Grid: x = query head, y = groups of
//     blockDim.x / 32 slices.
//  2. decode_attention_merge: one block per head rescales the partials of the slices that held positions to their
//     common maximum and adds them: out = sum_s e^(m_s - M) o_s / sum_s e^(m_s - M) l_s.
//
// Partials are laid out [heads][parts][2 + head_dim]: m, l, then o. Slices past pos[0] do nothing and are not
// read by the merge. The grid is sized for the cache capacity once; pos[0] is read on the device.
#include "common.cuh"

// A lane holds elements lane, lane + 32, ... of a head: head_dim <= 32 * MAX_PER_LANE.
#define MAX_PER_LANE 8

template <typename KV>
__device__ __forceinline__ void decode_attention_slice(float* partial, const float* __restrict__ q, const KV* __restrict__ key_cache,
                                                  const KV* __restrict__ value_cache, const int* pos, int heads, int kv_heads,
                                                  int head_dim, int slice, float scale) {
    int h = blockIdx.x;
    int lane = threadIdx.x & 31;
    int parts = gridDim.y * (blockDim.x >> 5);
    int part = blockIdx.y * (blockDim.x >> 5) + (threadIdx.x >> 5);
    int length = pos[0] + 1;
    int first = part * slice;
    if (first >= length) {
        return;
    }
    int last = min(first + slice, length);
    int kv_dim = kv_heads * head_dim;
    const KV* keys = key_cache + (h / (heads / kv_heads)) * head_dim;
    const KV* values = value_cache + (h / (heads / kv_heads)) * head_dim;

    float qh[MAX_PER_LANE];
    float o[MAX_PER_LANE];
#pragma unroll
    for (int j = 0; j < MAX_PER_LANE; j++) {
        int i = lane + 32 * j;
        qh[j] = i < head_dim ? q[h * head_dim + i] : 0.0f;
        o[j] = 0.0f;
    }
    float m = -INFINITY;
    float l = 0.0f;
    for (int p = first; p < last; p++) {
        const KV* key = keys + (size_t)p * kv_dim;
        const KV* value = values + (size_t)p * kv_dim;
        // the value row is loaded with the key row, so both reads are in flight together
        float kp[MAX_PER_LANE];
        float vp[MAX_PER_LANE];
#pragma unroll
        for (int j = 0; j < MAX_PER_LANE; j++) {
            int i = lane + 32 * j;
            kp[j] = i < head_dim ? to_float(key[i]) : 0.0f;
            vp[j] = i < head_dim ? to_float(value[i]) : 0.0f;
        }
        float dot = 0.0f;
#pragma unroll
        for (int j = 0; j < MAX_PER_LANE; j++) {
            dot += qh[j] * kp[j];
        }
        float score = warp_sum(dot) * scale;
        float m_new = fmaxf(m, score);
        float rescale = expf(m - m_new); // 0 at the first position, where m is -inf
        float weight = expf(score - m_new);
        l = l * rescale + weight;
#pragma unroll
        for (int j = 0; j < MAX_PER_LANE; j++) {
            o[j] = o[j] * rescale + weight * vp[j];
        }
        m = m_new;
    }
    float* out = partial + ((size_t)h * parts + part) * (2 + head_dim);
    if (lane == 0) {
        out[0] = m;
        out[1] = l;
    }
#pragma unroll
    for (int j = 0; j < MAX_PER_LANE; j++) {
        int i = lane + 32 * j;
        if (i < head_dim) {
            out[2 + i] = o[j];
        }
    }
}

extern "C" __global__ void decode_attention_slices_f32(float* partial, const float* q, const float* key_cache, const float* value_cache,
                                                 const int* pos, int heads, int kv_heads, int head_dim, int slice, float scale) {
    decode_attention_slice(partial, q, key_cache, value_cache, pos, heads, kv_heads, head_dim, slice, scale);
}
extern "C" __global__ void decode_attention_slices_f16(float* partial, const float* q, const __half* key_cache, const __half* value_cache,
                                                 const int* pos, int heads, int kv_heads, int head_dim, int slice, float scale) {
    decode_attention_slice(partial, q, key_cache, value_cache, pos, heads, kv_heads, head_dim, slice, scale);
}

// One block per head. Every thread finds the largest partial maximum M (a few hundred cached reads at most);
// the threads then share out the slices' weights e^(m_s - M) into shared memory and the sum L of e^(m_s - M) l_s;
// finally each thread adds the weighted accumulators of its own output elements. `weights_offset` is the byte
// offset of `parts` floats in the block's dynamic shared memory (a LocalMemory argument, see CudaGraph).
extern "C" __global__ void decode_attention_merge(float* out, const float* __restrict__ partial, const int* pos, int head_dim,
                                           int parts, int slice, unsigned int weights_offset) {
    extern __shared__ __align__(16) unsigned char dynamic_shared[];
    float* weights = reinterpret_cast<float*>(dynamic_shared + weights_offset);
    int h = blockIdx.x;
    int stride = 2 + head_dim;
    int used = min((pos[0] + slice) / slice, parts); // slices that held at least one position
    const float* base = partial + (size_t)h * parts * stride;
    float m = -INFINITY;
    for (int s = 0; s < used; s++) {
        m = fmaxf(m, base[(size_t)s * stride]);
    }
    float l = 0.0f;
    for (int s = threadIdx.x; s < used; s += blockDim.x) {
        float w = expf(base[(size_t)s * stride] - m);
        weights[s] = w;
        l += w * base[(size_t)s * stride + 1];
    }
    l = block_sum(l); // its barriers also publish the weights
    float inverse = 1.0f / l;
    for (int i = threadIdx.x; i < head_dim; i += blockDim.x) {
        float acc = 0.0f;
        for (int s = 0; s < used; s++) {
            acc += weights[s] * base[(size_t)s * stride + 2 + i];
        }
        out[h * head_dim + i] = acc * inverse;
    }
}

// Rotary embedding (rotate-half layout: element i pairs with i + head_dim/2) at position pos[0], fused with the
// key/value-cache write. One thread per rotated pair: first the pairs of the query heads, then those of the key
// heads; a key thread also stores its rotated pair and the matching value pair in cache row pos[0] (fp32, or
// fp16 rounded to nearest even). cos_sin holds [positions, head_dim/2] cosines, then as many sines.
// The rows variant does the same for a prefill chunk: `rows` rows at positions pos[0], pos[0] + 1, ...
#include "common.cuh"

// Rotates pair `id` of one row (q, k and v point at the row) at position p, and for a key pair writes the rotated
// key and the value pair into cache row p.
template <typename KV>
__device__ __forceinline__ void rope_pair(float* q, float* k, const float* v, KV* key_cache, KV* value_cache,
                                          const float* cos_sin, int table_positions, int p, int id,
                                          int heads, int kv_heads, int head_dim) {
    int half_dim = head_dim / 2;
    int q_pairs = heads * half_dim;
    bool is_key = id >= q_pairs;
    int pair = is_key ? id - q_pairs : id;
    int base = (pair / half_dim) * head_dim;
    int i = pair % half_dim;
    float c = cos_sin[(size_t)p * half_dim + i];
    float s = cos_sin[((size_t)table_positions + p) * half_dim + i];
    float* vec = is_key ? k : q;
    float a = vec[base + i];
    float b = vec[base + i + half_dim];
    float ra = a * c - b * s;
    float rb = b * c + a * s;
    vec[base + i] = ra;
    vec[base + i + half_dim] = rb;
    if (is_key) {
        size_t row = (size_t)p * kv_heads * head_dim + base;
        store(key_cache + row + i, ra);
        store(key_cache + row + i + half_dim, rb);
        store(value_cache + row + i, v[base + i]);
        store(value_cache + row + i + half_dim, v[base + i + half_dim]);
    }
}

// One row at position pos[0] (a decode step).
template <typename KV>
__device__ __forceinline__ void rope_cache_write(float* q, float* k, const float* v, KV* key_cache, KV* value_cache,
                                                 const float* cos_sin, int table_positions, const int* pos,
                                                 int heads, int kv_heads, int head_dim) {
    int id = blockIdx.x * blockDim.x + threadIdx.x;
    if (id >= (heads + kv_heads) * (head_dim / 2)) {
        return;
    }
    rope_pair(q, k, v, key_cache, value_cache, cos_sin, table_positions, pos[0], id, heads, kv_heads, head_dim);
}

// `rows` rows at positions pos[0] .. pos[0] + rows − 1, into those cache rows: q is [rows, heads·head_dim], k and v
// [rows, kv_heads·head_dim]. One thread per pair of every row, row after row (a 1-D grid of rows · pairs threads,
// so no grid dimension limits the chunk).
template <typename KV>
__device__ __forceinline__ void rope_cache_write_rows(float* q, float* k, const float* v, KV* key_cache, KV* value_cache,
                                                      const float* cos_sin, int table_positions, const int* pos, int rows,
                                                      int heads, int kv_heads, int head_dim) {
    int pairs = (heads + kv_heads) * (head_dim / 2);
    long long id = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (id >= (long long)rows * pairs) {
        return;
    }
    int r = (int)(id / pairs);
    size_t q_row = (size_t)r * heads * head_dim;
    size_t kv_row = (size_t)r * kv_heads * head_dim;
    rope_pair(q + q_row, k + kv_row, v + kv_row, key_cache, value_cache, cos_sin, table_positions, pos[0] + r,
              (int)(id - (long long)r * pairs), heads, kv_heads, head_dim);
}

extern "C" __global__ void rope_cache_write_f32(float* q, float* k, const float* v, float* key_cache, float* value_cache,
                                                const float* cos_sin, int table_positions, const int* pos,
                                                int heads, int kv_heads, int head_dim) {
    rope_cache_write(q, k, v, key_cache, value_cache, cos_sin, table_positions, pos, heads, kv_heads, head_dim);
}
extern "C" __global__ void rope_cache_write_f16(float* q, float* k, const float* v, __half* key_cache, __half* value_cache,
                                                const float* cos_sin, int table_positions, const int* pos,
                                                int heads, int kv_heads, int head_dim) {
    rope_cache_write(q, k, v, key_cache, value_cache, cos_sin, table_positions, pos, heads, kv_heads, head_dim);
}

extern "C" __global__ void rope_cache_write_rows_f32(float* q, float* k, const float* v, float* key_cache, float* value_cache,
                                                     const float* cos_sin, int table_positions, const int* pos, int rows,
                                                     int heads, int kv_heads, int head_dim) {
    rope_cache_write_rows(q, k, v, key_cache, value_cache, cos_sin, table_positions, pos, rows, heads, kv_heads, head_dim);
}
extern "C" __global__ void rope_cache_write_rows_f16(float* q, float* k, const float* v, __half* key_cache, __half* value_cache,
                                                     const float* cos_sin, int table_positions, const int* pos, int rows,
                                                     int heads, int kv_heads, int head_dim) {
    rope_cache_write_rows(q, k, v, key_cache, value_cache, cos_sin, table_positions, pos, rows, heads, kv_heads, head_dim);
}

// Rotary embedding (rotate-half layout: element i pairs with i + head_dim/2) at position pos[0], fused with
// the KV-cache write. One work-item per rotated pair: first the pairs of the query heads, then those of the
// key heads; a key item also stores its rotated pair and the matching value pair in cache row pos[0].
// cos_sin holds [positions, head_dim/2] cosines, then as many sines (the reference's own tables).
__kernel void rope_cache_write(__global float* q, __global float* k, __global const float* v,
                               __global kv_t* key_cache, __global kv_t* value_cache,
                               __global const float* cos_sin, int table_positions, __global const int* pos,
                               int heads, int kv_heads, int head_dim) {
    int half_dim = head_dim / 2;
    int q_pairs = heads * half_dim;
    int id = get_global_id(0);
    if (id >= q_pairs + kv_heads * half_dim) {
        return;
    }
    int p = pos[0];
    int is_key = id >= q_pairs;
    int pair = is_key ? id - q_pairs : id;
    int base = (pair / half_dim) * head_dim;
    int i = pair % half_dim;
    float c = cos_sin[p * half_dim + i];
    float s = cos_sin[(table_positions + p) * half_dim + i];
    __global float* vec = is_key ? k : q;
    float a = vec[base + i];
    float b = vec[base + i + half_dim];
    float ra = a * c - b * s;
    float rb = b * c + a * s;
    vec[base + i] = ra;
    vec[base + i + half_dim] = rb;
    if (is_key) {
        size_t row = (size_t)p * kv_heads * head_dim + base;
        STORE_KV(ra, key_cache, row + i);
        STORE_KV(rb, key_cache, row + i + half_dim);
        STORE_KV(v[base + i], value_cache, row + i);
        STORE_KV(v[base + i + half_dim], value_cache, row + i + half_dim);
    }
}

// Rotary embedding (rotate-half layout: element i pairs with i + head_dim/2) fused with the KV-cache write.
// cos_sin holds [positions, head_dim/2] cosines, then as many sines (the reference's own tables).

// Rotates pair `id` of one row at position p: ids below heads·head_dim/2 are the query heads' pairs, the rest
// the key heads'. A key pair is also stored, rotated, in cache row p, with the matching value pair.
static inline void rope_pair(__global float* q, __global float* k, __global const float* v,
                             __global kv_t* key_cache, __global kv_t* value_cache,
                             __global const float* cos_sin, int table_positions, int p, int id,
                             int heads, int kv_heads, int head_dim) {
    int half_dim = head_dim / 2;
    int q_pairs = heads * half_dim;
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

// One row at position pos[0] (a decode step). One work-item per rotated pair: first the pairs of the query
// heads, then those of the key heads; q, k and v are single rows.
__kernel void rope_cache_write(__global float* q, __global float* k, __global const float* v,
                               __global kv_t* key_cache, __global kv_t* value_cache,
                               __global const float* cos_sin, int table_positions, __global const int* pos,
                               int heads, int kv_heads, int head_dim) {
    int id = get_global_id(0);
    if (id >= (heads + kv_heads) * (head_dim / 2)) {
        return;
    }
    rope_pair(q, k, v, key_cache, value_cache, cos_sin, table_positions, pos[0], id, heads, kv_heads, head_dim);
}

// `rows` rows at positions pos[0] .. pos[0] + rows - 1 (a prefill chunk), written to those cache rows.
// q is [rows, heads·head_dim], k and v [rows, kv_heads·head_dim]. Dimension 0 is the pair within a row, as in
// rope_cache_write; dimension 1 the row.
__kernel void rope_cache_write_rows(__global float* q, __global float* k, __global const float* v,
                                    __global kv_t* key_cache, __global kv_t* value_cache,
                                    __global const float* cos_sin, int table_positions, __global const int* pos,
                                    int rows, int heads, int kv_heads, int head_dim) {
    int id = get_global_id(0);
    int r = get_global_id(1);
    if (id >= (heads + kv_heads) * (head_dim / 2) || r >= rows) {
        return;
    }
    size_t q_row = (size_t)r * heads * head_dim;
    size_t kv_row = (size_t)r * kv_heads * head_dim;
    rope_pair(q + q_row, k + kv_row, v + kv_row, key_cache, value_cache, cos_sin, table_positions, pos[0] + r, id,
              heads, kv_heads, head_dim);
}

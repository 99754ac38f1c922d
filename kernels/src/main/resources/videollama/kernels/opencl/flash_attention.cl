// Multi-row attention: out = softmax(q·kᵀ · scale, masked) · v per head, for `sets` independent sets of
// queries over keys: LLaMA prefill over the KV cache (causal), ViT / ImageBind / Q-Former self-attention, and
// Q-Former cross-attention batched over frames. The twin is reference/MultiHeadAttention.java.
//
// Layouts, counted in elements: query `i` of set `b`, head `h`, starts at
//     q[q_offset + (b·queries + i)·q_stride + h·HEAD_DIM],
// key `j` of set `b` at k[k_offset + (b·keys + j)·k_stride + kvh·HEAD_DIM] with kvh = h / (heads / kv_heads)
// (grouped-query heads); v as k, out as q. A fused qkv buffer [L, 3·width] is therefore read in place with
// offsets 0, width, 2·width and strides 3·width.
// Causal: query i sits at position query_start + i and sees keys 0 .. query_start + i only.
//
// Compile-time options: HEAD_DIM (the private arrays and the loops over a head are sized by it, so 88 works
// as well as 64 or 128); KV_F16 reads k and v as half (the f16 KV cache; q and out are always float);
// BLOCK_Q, SPLIT and BLOCK_K compile the flash kernel (GPUs), their absence the row kernel (CPUs).
// Both kernels use the online softmax: a running maximum m, a running sum l of exp(score − m) and an
// unnormalised accumulator, rescaled by exp(m_old − m_new) whenever the maximum grows, so each query visits
// every key and value once and no row of scores is ever stored whole.

// How many keys query `query` sees: all, or those up to its position.
static inline int visible_keys(int query, int keys, int causal, int query_start) {
    return causal ? min(keys, query_start + query + 1) : keys;
}

#if defined(BLOCK_Q)

// Flash attention for GPUs. One work-group per (block of BLOCK_Q queries, head, set), BLOCK_Q · SPLIT
// work-items: SPLIT items serve one query, item `part` owning head dimensions part, part + SPLIT, ... of the
// query and of the output accumulator (in registers). Keys and values stream through local memory in tiles of
// BLOCK_K rows; per tile each item writes its partial dot products to local memory, then every item of a query
// sums the SPLIT partials of each key (all SPLIT items compute the same scores, so they agree on m and l) and
// updates its share of the accumulator from the value tile.
// Local memory: (2 · BLOCK_K · HEAD_DIM + BLOCK_K · BLOCK_Q · SPLIT) floats; the op keeps it within 32 KiB.

#define GROUP_SIZE (BLOCK_Q * SPLIT)
#define DIMS_PER_ITEM ((HEAD_DIM + SPLIT - 1) / SPLIT)

__kernel __attribute__((reqd_work_group_size(GROUP_SIZE, 1, 1)))
void flash_attention(__global float* out, int out_offset, int out_stride,
                     __global const float* q, int q_offset, int q_stride,
                     __global const kv_t* k, int k_offset, int k_stride,
                     __global const kv_t* v, int v_offset, int v_stride,
                     int queries, int keys, int heads, int kv_heads, float scale, int causal, int query_start) {
    __local float k_tile[BLOCK_K * HEAD_DIM];
    __local float v_tile[BLOCK_K * HEAD_DIM];
    __local float partial[BLOCK_K * GROUP_SIZE]; // [key][query row][part]: item lid writes slot lid of each key

    int lid = get_local_id(0);
    int row = lid / SPLIT;
    int part = lid % SPLIT;
    int first = get_group_id(0) * BLOCK_Q;
    int h = get_group_id(1);
    int set = get_group_id(2);
    int query = first + row;
    bool active = query < queries; // the last block's spare rows still share the tile loads and barriers
    int kv_head = h / (heads / kv_heads);

    float qv[DIMS_PER_ITEM];
    float acc[DIMS_PER_ITEM];
    size_t q_row = q_offset + (size_t)(set * queries + query) * q_stride + h * HEAD_DIM;
    for (int t = 0; t < DIMS_PER_ITEM; t++) {
        int d = part + t * SPLIT;
        qv[t] = active && d < HEAD_DIM ? q[q_row + d] : 0.0f;
        acc[t] = 0.0f;
    }

    // The block's last query sees the most keys; tiles beyond it are skipped by the whole group.
    int block_end = visible_keys(min(first + BLOCK_Q, queries) - 1, keys, causal, query_start);
    int row_end = active ? visible_keys(query, keys, causal, query_start) : 0;
    size_t k_set = k_offset + (size_t)set * keys * k_stride + kv_head * HEAD_DIM;
    size_t v_set = v_offset + (size_t)set * keys * v_stride + kv_head * HEAD_DIM;
    float m = -INFINITY;
    float l = 0.0f;
    for (int k0 = 0; k0 < block_end; k0 += BLOCK_K) {
        int n = min(BLOCK_K, block_end - k0);
        for (int e = lid; e < n * HEAD_DIM; e += GROUP_SIZE) {
            int j = e / HEAD_DIM;
            int d = e - j * HEAD_DIM;
            k_tile[e] = LOAD_KV(k, k_set + (size_t)(k0 + j) * k_stride + d);
            v_tile[e] = LOAD_KV(v, v_set + (size_t)(k0 + j) * v_stride + d);
        }
        barrier(CLK_LOCAL_MEM_FENCE);

        for (int j = 0; j < BLOCK_K; j++) {
            if (j < n) {
                float s = 0.0f;
                for (int t = 0; t < DIMS_PER_ITEM; t++) {
                    int d = part + t * SPLIT;
                    if (d < HEAD_DIM) {
                        s += qv[t] * k_tile[j * HEAD_DIM + d];
                    }
                }
                partial[j * GROUP_SIZE + lid] = s;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);

        // This query's scores for the tile; masked keys (beyond its position, beyond the tile) are −∞.
        float scores[BLOCK_K];
        float tile_max = -INFINITY;
        for (int j = 0; j < BLOCK_K; j++) {
            float s = -INFINITY;
            if (k0 + j < row_end) {
                s = 0.0f;
                for (int p = 0; p < SPLIT; p++) {
                    s += partial[j * GROUP_SIZE + row * SPLIT + p];
                }
                s *= scale;
            }
            scores[j] = s;
            tile_max = fmax(tile_max, s);
        }
        float m_new = fmax(m, tile_max);
        if (m_new != -INFINITY) { // else no key seen yet: nothing to add, and exp(−∞ − (−∞)) would be NaN
            float correction = exp(m - m_new);
            l *= correction;
            for (int t = 0; t < DIMS_PER_ITEM; t++) {
                acc[t] *= correction;
            }
            for (int j = 0; j < BLOCK_K; j++) {
                if (k0 + j < row_end) {
                    float weight = exp(scores[j] - m_new);
                    l += weight;
                    for (int t = 0; t < DIMS_PER_ITEM; t++) {
                        int d = part + t * SPLIT;
                        if (d < HEAD_DIM) {
                            acc[t] += weight * v_tile[j * HEAD_DIM + d];
                        }
                    }
                }
            }
            m = m_new;
        }
        barrier(CLK_LOCAL_MEM_FENCE); // the next tile overwrites k_tile, v_tile and partial
    }

    if (active) {
        float inverse = 1.0f / l;
        size_t out_row = out_offset + (size_t)(set * queries + query) * out_stride + h * HEAD_DIM;
        for (int t = 0; t < DIMS_PER_ITEM; t++) {
            int d = part + t * SPLIT;
            if (d < HEAD_DIM) {
                out[out_row + d] = acc[t] * inverse;
            }
        }
    }
}

#else

// Attention for CPUs (PoCL): one work-item per (query, head, set), no local memory and no barriers. The item
// keeps its query and its accumulator in private arrays and reads keys and values straight from global memory
// (the queries of one head re-read the same rows, which the CPU's caches serve), 8 elements at a time: PoCL
// does not vectorise loops inside a work-item by itself, and 8 floats are one AVX2 register. Keys go in tiles
// of ROW_TILE so that the accumulator is rescaled once per tile rather than once per key.

#define ROW_TILE 8
#define VECTORS (HEAD_DIM / 8) // whole float8s of a head; the HEAD_DIM % 8 rest goes one by one

#if defined(KV_F16)
#define LOAD_KV8(p, i) vload_half8(0, (p) + (i))
#else
#define LOAD_KV8(p, i) vload8(0, (p) + (i))
#endif

// q · key over one head.
static inline float dot_head(const float* qv, __global const kv_t* key) {
    float8 sum = 0.0f;
    for (int c = 0; c < VECTORS; c++) {
        sum += vload8(c, qv) * LOAD_KV8(key, 8 * c);
    }
    float dot = sum8(sum);
    for (int d = 8 * VECTORS; d < HEAD_DIM; d++) {
        dot += qv[d] * LOAD_KV(key, d);
    }
    return dot;
}

// acc += weight · value over one head.
static inline void add_scaled(float* acc, float weight, __global const kv_t* value) {
    for (int c = 0; c < VECTORS; c++) {
        vstore8(vload8(c, acc) + weight * LOAD_KV8(value, 8 * c), c, acc);
    }
    for (int d = 8 * VECTORS; d < HEAD_DIM; d++) {
        acc[d] += weight * LOAD_KV(value, d);
    }
}

__kernel void attention_rows(__global float* out, int out_offset, int out_stride,
                             __global const float* q, int q_offset, int q_stride,
                             __global const kv_t* k, int k_offset, int k_stride,
                             __global const kv_t* v, int v_offset, int v_stride,
                             int queries, int keys, int heads, int kv_heads, float scale, int causal, int query_start) {
    int query = get_global_id(0);
    int h = get_global_id(1);
    int set = get_global_id(2);
    if (query >= queries) {
        return;
    }
    int kv_head = h / (heads / kv_heads);
    size_t q_row = q_offset + (size_t)(set * queries + query) * q_stride + h * HEAD_DIM;
    float qv[HEAD_DIM];
    float acc[HEAD_DIM];
    for (int d = 0; d < HEAD_DIM; d++) {
        qv[d] = q[q_row + d];
        acc[d] = 0.0f;
    }

    int end = visible_keys(query, keys, causal, query_start);
    __global const kv_t* k_set = k + k_offset + (size_t)set * keys * k_stride + kv_head * HEAD_DIM;
    __global const kv_t* v_set = v + v_offset + (size_t)set * keys * v_stride + kv_head * HEAD_DIM;
    float m = -INFINITY;
    float l = 0.0f;
    for (int k0 = 0; k0 < end; k0 += ROW_TILE) {
        int n = min(ROW_TILE, end - k0);
        float scores[ROW_TILE];
        float tile_max = -INFINITY;
        for (int j = 0; j < n; j++) {
            scores[j] = dot_head(qv, k_set + (size_t)(k0 + j) * k_stride) * scale;
            tile_max = fmax(tile_max, scores[j]);
        }
        float m_new = fmax(m, tile_max); // finite: the tile has at least one key
        float correction = exp(m - m_new);
        l *= correction;
        for (int d = 0; d < HEAD_DIM; d++) {
            acc[d] *= correction;
        }
        for (int j = 0; j < n; j++) {
            float weight = exp(scores[j] - m_new);
            l += weight;
            add_scaled(acc, weight, v_set + (size_t)(k0 + j) * v_stride);
        }
        m = m_new;
    }

    float inverse = 1.0f / l;
    size_t out_row = out_offset + (size_t)(set * queries + query) * out_stride + h * HEAD_DIM;
    for (int d = 0; d < HEAD_DIM; d++) {
        out[out_row + d] = acc[d] * inverse;
    }
}

#endif

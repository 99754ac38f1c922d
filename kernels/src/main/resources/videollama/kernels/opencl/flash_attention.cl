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

// Blocked attention for CPUs: one work-item per (block of QUERY_BLOCK queries, head, set). The row kernel
// above is load-bound: per key it loads the key, the value and its whole accumulator (a head of 88 floats is
// 11 AVX2 registers, q and the accumulator together do not fit in 16) for 2 · HEAD_DIM multiply-adds, and
// each query reads every key and value again. Here the queries of a block share every load, and the work is
// split as a GEMM's is, into register blocks, per tile of KEY_TILE keys:
//   scores   QUERY_BLOCK × KEY_BLOCK dot products at once, float8 accumulators along the head (as
//            linear_blocked in gemm.cl): QUERY_BLOCK + KEY_BLOCK loads per QUERY_BLOCK · KEY_BLOCK
//            vector multiply-adds;
//   softmax  the tile's maximum and exponentials a float8 at a time, the running maximum and sum per query
//            (the online softmax, as the kernels above), the accumulator rescaled once per tile;
//   p · v    the accumulator VALUE_BLOCK float8s of the head at a time for all the block's queries, held in
//            registers over the tile's keys: VALUE_BLOCK loads of a value row and QUERY_BLOCK broadcasts
//            per QUERY_BLOCK · VALUE_BLOCK vector multiply-adds.
// Spare queries of the last block and keys past the end of a tile are clamped to the last real one (computed,
// never stored; a clamped key's score is −∞, so its weight is 0), which keeps the inner loops free of tests.
// The HEAD_DIM % 8 rest of a head goes one element at a time.

#ifndef QUERY_BLOCK
#define QUERY_BLOCK 4
#endif
#ifndef KEY_BLOCK
#define KEY_BLOCK 3
#endif
#ifndef VALUE_BLOCK
#define VALUE_BLOCK 3
#endif
#define KEY_TILE (8 * KEY_BLOCK) // a whole number of float8s and of key blocks

// acc[b] += s · v[b] for b < n: one query's row of a register block, both products (q·kᵀ with s a float8 of the
// query, p·v with s its weight broadcast) being such rows.
static inline void add_products8(float8* acc, float8 s, const float8* v, int n) {
    #pragma unroll
    for (int b = 0; b < n; b++) {
        acc[b] += s * v[b];
    }
}

__kernel void attention_blocked(__global float* out, int out_offset, int out_stride,
                                __global const float* q, int q_offset, int q_stride,
                                __global const kv_t* k, int k_offset, int k_stride,
                                __global const kv_t* v, int v_offset, int v_stride,
                                int queries, int keys, int heads, int kv_heads, float scale, int causal, int query_start) {
    int first = get_global_id(0) * QUERY_BLOCK;
    int h = get_global_id(1);
    int set = get_global_id(2);
    if (first >= queries) {
        return;
    }
    int kv_head = h / (heads / kv_heads);
    int last = min(first + QUERY_BLOCK, queries) - 1; // the block's last real query
    float qv[QUERY_BLOCK][HEAD_DIM];
    float acc[QUERY_BLOCK][HEAD_DIM];
    float m[QUERY_BLOCK];
    float l[QUERY_BLOCK];
    int row_end[QUERY_BLOCK];
    for (int i = 0; i < QUERY_BLOCK; i++) {
        int query = min(first + i, last);
        __global const float* q_row = q + q_offset + (size_t)(set * queries + query) * q_stride + h * HEAD_DIM;
        for (int d = 0; d < HEAD_DIM; d++) {
            qv[i][d] = q_row[d];
            acc[i][d] = 0.0f;
        }
        m[i] = -INFINITY;
        l[i] = 0.0f;
        row_end[i] = visible_keys(query, keys, causal, query_start);
    }

    int end = row_end[QUERY_BLOCK - 1]; // the last query sees the most keys (all of them see key 0)
    __global const kv_t* k_set = k + k_offset + (size_t)set * keys * k_stride + kv_head * HEAD_DIM;
    __global const kv_t* v_set = v + v_offset + (size_t)set * keys * v_stride + kv_head * HEAD_DIM;
    float p[QUERY_BLOCK][KEY_TILE]; // the tile's scores, then their weights
    for (int k0 = 0; k0 < end; k0 += KEY_TILE) {
        for (int j0 = 0; j0 < KEY_TILE; j0 += KEY_BLOCK) {
            __global const kv_t* key[KEY_BLOCK];
            #pragma unroll
            for (int b = 0; b < KEY_BLOCK; b++) {
                key[b] = k_set + (size_t)min(k0 + j0 + b, end - 1) * k_stride;
            }
            float8 dot[QUERY_BLOCK][KEY_BLOCK];
            zero_float8s(&dot[0][0], QUERY_BLOCK * KEY_BLOCK);
            for (int c = 0; c < VECTORS; c++) {
                float8 kv[KEY_BLOCK];
                #pragma unroll
                for (int b = 0; b < KEY_BLOCK; b++) {
                    kv[b] = LOAD_KV8(key[b], 8 * c);
                }
                #pragma unroll
                for (int i = 0; i < QUERY_BLOCK; i++) {
                    add_products8(dot[i], vload8(c, qv[i]), kv, KEY_BLOCK);
                }
            }
            #pragma unroll
            for (int i = 0; i < QUERY_BLOCK; i++) {
                #pragma unroll
                for (int b = 0; b < KEY_BLOCK; b++) {
                    float s = sum8(dot[i][b]);
                    for (int d = 8 * VECTORS; d < HEAD_DIM; d++) {
                        s += qv[i][d] * LOAD_KV(key[b], d);
                    }
                    p[i][j0 + b] = k0 + j0 + b < row_end[i] ? s * scale : -INFINITY;
                }
            }
        }

        for (int i = 0; i < QUERY_BLOCK; i++) {
            float8 tile_max = vload8(0, p[i]);
            for (int c = 1; c < KEY_TILE / 8; c++) {
                tile_max = fmax(tile_max, vload8(c, p[i]));
            }
            float4 max4 = fmax(tile_max.lo, tile_max.hi);
            float2 max2 = fmax(max4.lo, max4.hi);
            // finite: key 0 is in the first tile and every query sees it
            float m_new = fmax(m[i], fmax(max2.x, max2.y));
            float8 sum = (float8)(0.0f);
            for (int c = 0; c < KEY_TILE / 8; c++) {
                float8 weight = exp(vload8(c, p[i]) - m_new);
                vstore8(weight, c, p[i]);
                sum += weight;
            }
            float correction = exp(m[i] - m_new);
            l[i] = l[i] * correction + sum8(sum);
            m[i] = m_new;
            for (int d = 0; d < HEAD_DIM; d++) {
                acc[i][d] *= correction;
            }
        }

        int tile_end = min(KEY_TILE, end - k0); // weights past it are 0: their keys are not read
        for (int c0 = 0; c0 < VECTORS; c0 += VALUE_BLOCK) {
            float8 a[QUERY_BLOCK][VALUE_BLOCK];
            #pragma unroll
            for (int i = 0; i < QUERY_BLOCK; i++) {
                #pragma unroll
                for (int c = 0; c < VALUE_BLOCK; c++) {
                    a[i][c] = vload8(min(c0 + c, VECTORS - 1), acc[i]);
                }
            }
            for (int j = 0; j < tile_end; j++) {
                __global const kv_t* value = v_set + (size_t)(k0 + j) * v_stride;
                float8 vv[VALUE_BLOCK];
                #pragma unroll
                for (int c = 0; c < VALUE_BLOCK; c++) {
                    vv[c] = LOAD_KV8(value, 8 * min(c0 + c, VECTORS - 1));
                }
                #pragma unroll
                for (int i = 0; i < QUERY_BLOCK; i++) {
                    add_products8(a[i], (float8)(p[i][j]), vv, VALUE_BLOCK);
                }
            }
            #pragma unroll
            for (int i = 0; i < QUERY_BLOCK; i++) {
                #pragma unroll
                for (int c = 0; c < VALUE_BLOCK; c++) {
                    if (c0 + c < VECTORS) { // the clamped repeat of the last vector is not stored
                        vstore8(a[i][c], c0 + c, acc[i]);
                    }
                }
            }
        }
        for (int j = 0; j < tile_end; j++) {
            __global const kv_t* value = v_set + (size_t)(k0 + j) * v_stride;
            for (int i = 0; i < QUERY_BLOCK; i++) {
                for (int d = 8 * VECTORS; d < HEAD_DIM; d++) {
                    acc[i][d] += p[i][j] * LOAD_KV(value, d);
                }
            }
        }
    }

    for (int i = 0; i < QUERY_BLOCK && first + i < queries; i++) {
        float inverse = 1.0f / l[i];
        __global float* out_row = out + out_offset + (size_t)(set * queries + first + i) * out_stride + h * HEAD_DIM;
        for (int d = 0; d < HEAD_DIM; d++) {
            out_row[d] = acc[i][d] * inverse;
        }
    }
}

#endif

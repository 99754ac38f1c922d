// Decode attention: the query row of position pos[0] against cache rows 0..pos[0], grouped-query (query head h
// reads key/value head h / (heads / kv_heads)), in two kernels (flash-decoding):
//
//  1. A partial kernel. The positions are cut into slices of `slice` consecutive ones; for each slice and head
//     it makes one pass over the slice with an online softmax and writes the partial (m, l, o): the largest
//     score m, the sum l of e^(score - m), and the unnormalised accumulator o = sum of e^(score - m) · value.
//  2. A merge: per head, the partials of the slices that held positions are rescaled to their common maximum M
//     and added: out = sum_s e^(m_s - M) o_s / sum_s e^(m_s - M) l_s.
//
// Two shapes of each, chosen by the device kind (OpenCLDecodeAttentionOps):
//  * GPUs (-DGROUP=...): decode_attention_slices, a work-group per (slice, head): the items score GROUP
//    positions at a time (an item per position), a local max and sum fold them into the running softmax, then
//    each item adds the weighted values of its own output elements (consecutive items read consecutive elements
//    of a value row). decode_attention_merge: a work-item per (output element, head).
//  * CPUs (-DHEADS=... -DKV_HEADS=...): decode_attention_rows, a work-item per slice for all heads at once, so
//    that each item streams whole cache rows, one contiguous block of memory per slice; a head's part of a row
//    is only HEAD_DIM elements, and an item per (slice, head) striding over rows ran at a third of the speed.
//    No local memory and no barriers (PoCL runs those slowly), float8 loads and float8 exps (8 positions at a
//    time: PoCL's scalar exp was the largest cost). decode_attention_merge_heads: a work-item per head.
//
// At the end of the file, variant 1: decode_attention_heads, the one-kernel baseline these replaced, kept so that
// benchmarks can still measure them against it (OpenCLDecodeAttentionOps.Variant.HEADS).
//
// Partials are laid out [heads][parts][2 + HEAD_DIM]: m, l, then o. The grid is sized for the cache capacity
// once and pos[0] is read on the device, so one graph serves every position: slices past pos[0] return at once
// and the merges do not read them. HEAD_DIM is a compile-time option, so the private arrays have their exact
// size and the loops over a head unroll.

// Over one head, from common.cl: dot_head_local / dot_head_global (q · key, q in local or global memory) and
// add_scaled (acc += weight · value).

// The slices that held at least one position: those the merges read.
static inline int used_slices(int position, int slice, int parts) {
    return min((position + slice) / slice, parts);
}

#if defined(HEAD_DIM)
// Where the partial of head h, slice s starts.
static inline size_t partial_index(int h, int s, int parts) {
    return ((size_t)h * parts + s) * (2 + HEAD_DIM);
}

// The largest partial maximum M over head h's used slices.
static inline float largest_partial_max(__global const float* partial, int h, int parts, int used) {
    float m = -INFINITY;
    for (int s = 0; s < used; s++) {
        m = fmax(m, partial[partial_index(h, s, parts)]);
    }
    return m;
}
#endif

// ---- GPUs -------------------------------------------------------------------------------------------------------

#if defined(GROUP)
// Output elements per item: item lid holds elements lid, lid + GROUP, ...
#define PER_ITEM ((HEAD_DIM + GROUP - 1) / GROUP)

// Grid: (parts × GROUP, heads), groups of GROUP items.
__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))
void decode_attention_slices(__global float* partial, __global const float* q, __global const kv_t* key_cache,
                             __global const kv_t* value_cache, __global const int* pos,
                             int heads, int kv_heads, int slice, float scale) {
    __local float qs[HEAD_DIM];
    __local float weights[GROUP];
    __local float scratch[GROUP];
    int part = get_group_id(0);
    int h = get_group_id(1);
    int lid = get_local_id(0);
    int length = pos[0] + 1;
    int first = part * slice;
    if (first >= length) {
        return; // the whole group leaves: a slice past the position
    }
    int last = min(first + slice, length);
    int kv_dim = kv_heads * HEAD_DIM;
    int kv_offset = (h / (heads / kv_heads)) * HEAD_DIM;
    __global const kv_t* keys = key_cache + kv_offset;
    __global const kv_t* values = value_cache + kv_offset;
    for (int i = lid; i < HEAD_DIM; i += GROUP) {
        qs[i] = q[h * HEAD_DIM + i];
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    float o[PER_ITEM];
    for (int j = 0; j < PER_ITEM; j++) {
        o[j] = 0.0f;
    }
    float m = -INFINITY;
    float l = 0.0f;
    for (int chunk = first; chunk < last; chunk += GROUP) {
        int p = chunk + lid;
        float score = -INFINITY;
        if (p < last) {
            score = dot_head_local(qs, keys + (size_t)p * kv_dim) * scale;
        }
        float m_new = fmax(m, group_max(score, scratch)); // finite: the chunk has at least one position
        float rescale = exp(m - m_new);                  // 0 at the first chunk, where m is -inf
        float weight = exp(score - m_new);               // 0 for the items past the slice
        weights[lid] = weight;
        l = l * rescale + group_sum(weight, scratch);   // its barriers also publish the weights
        int count = min(GROUP, last - chunk);
        for (int j = 0; j < PER_ITEM; j++) {
            int i = lid + GROUP * j;
            if (i < HEAD_DIM) {
                float acc = o[j] * rescale;
                __global const kv_t* value = values + (size_t)chunk * kv_dim + i;
                for (int c = 0; c < count; c++) {
                    acc += weights[c] * LOAD_KV(value, (size_t)c * kv_dim);
                }
                o[j] = acc;
            }
        }
        m = m_new;
        barrier(CLK_LOCAL_MEM_FENCE); // every item has read the weights before the next chunk writes them
    }

    __global float* out = partial + partial_index(h, part, get_num_groups(0));
    if (lid == 0) {
        out[0] = m;
        out[1] = l;
    }
    for (int j = 0; j < PER_ITEM; j++) {
        int i = lid + GROUP * j;
        if (i < HEAD_DIM) {
            out[2 + i] = o[j];
        }
    }
}

// Grid: (HEAD_DIM rounded up to the group, heads). Each item finds its head's largest partial maximum M (a few
// hundred cached reads at most) and adds the weighted partials of its element; no local memory, no barriers.
__kernel void decode_attention_merge(__global float* out, __global const float* partial, __global const int* pos,
                                     int parts, int slice) {
    int i = get_global_id(0);
    int h = get_global_id(1);
    if (i >= HEAD_DIM) {
        return;
    }
    int used = used_slices(pos[0], slice, parts);
    float m = largest_partial_max(partial, h, parts, used);
    float l = 0.0f;
    float acc = 0.0f;
    for (int s = 0; s < used; s++) {
        __global const float* p = partial + partial_index(h, s, parts);
        float weight = exp(p[0] - m);
        l += weight * p[1];
        acc += weight * p[2 + i];
    }
    out[h * HEAD_DIM + i] = acc / l;
}
#endif

// ---- CPUs -------------------------------------------------------------------------------------------------------

#if defined(HEADS)
#define KV_DIM (KV_HEADS * HEAD_DIM)
#define HEAD_GROUP (HEADS / KV_HEADS) // query heads per key/value head
#define TILE 8                        // positions per step: one float8 of scores per head

// Grid: parts work-items. The item keeps every head's accumulator (HEADS × HEAD_DIM floats) in private memory
// and goes through its slice TILE positions at a time: the scores of the tile's key rows, one rescale of each
// head's accumulator, then the tile's value rows.
__kernel void decode_attention_rows(__global float* partial, __global const float* q, __global const kv_t* key_cache,
                                    __global const kv_t* value_cache, __global const int* pos,
                                    int parts, int slice, float scale) {
    int part = get_global_id(0);
    int length = pos[0] + 1;
    int first = part * slice;
    if (part >= parts || first >= length) {
        return;
    }
    int last = min(first + slice, length);
    float acc[HEADS * HEAD_DIM];
    float m[HEADS];
    float l[HEADS];
    for (int h = 0; h < HEADS; h++) {
        m[h] = -INFINITY;
        l[h] = 0.0f;
    }
    for (int d = 0; d < HEADS * HEAD_DIM; d++) {
        acc[d] = 0.0f;
    }
    for (int p0 = first; p0 < last; p0 += TILE) {
        int n = min(TILE, last - p0);
        float scores[HEADS * TILE]; // [head][position in the tile]
        for (int t = 0; t < TILE; t++) {
            if (t >= n) {
                for (int h = 0; h < HEADS; h++) {
                    scores[h * TILE + t] = -INFINITY; // past the slice: weight 0
                }
                continue;
            }
            __global const kv_t* key = key_cache + (size_t)(p0 + t) * KV_DIM;
            for (int h = 0; h < HEADS; h++) {
                scores[h * TILE + t] = dot_head_global(q + h * HEAD_DIM, key + (h / HEAD_GROUP) * HEAD_DIM) * scale;
            }
        }
        for (int h = 0; h < HEADS; h++) {
            float8 s = vload8(h, scores);
            float4 max4 = fmax(s.lo, s.hi);
            float2 max2 = fmax(max4.lo, max4.hi);
            float m_new = fmax(m[h], fmax(max2.x, max2.y)); // finite: the tile has at least one position
            float rescale = exp(m[h] - m_new);              // 0 at the first tile, where m is -inf
            float8 weights = exp(s - m_new);
            vstore8(weights, h, scores);
            l[h] = l[h] * rescale + sum8(weights);
            m[h] = m_new;
            float* a = acc + h * HEAD_DIM;
            for (int c = 0; c < VECTORS; c++) {
                vstore8(vload8(c, a) * rescale, c, a);
            }
            for (int d = 8 * VECTORS; d < HEAD_DIM; d++) {
                a[d] *= rescale;
            }
        }
        for (int t = 0; t < n; t++) {
            __global const kv_t* value = value_cache + (size_t)(p0 + t) * KV_DIM;
            for (int h = 0; h < HEADS; h++) {
                add_scaled(acc + h * HEAD_DIM, scores[h * TILE + t], value + (h / HEAD_GROUP) * HEAD_DIM);
            }
        }
    }
    for (int h = 0; h < HEADS; h++) {
        __global float* out = partial + partial_index(h, part, parts);
        out[0] = m[h];
        out[1] = l[h];
        for (int d = 0; d < HEAD_DIM; d++) {
            out[2 + d] = acc[h * HEAD_DIM + d];
        }
    }
}

// Grid: HEADS work-items. Each slice's weight e^(m_s - M) is computed once and scales a whole partial row.
__kernel void decode_attention_merge_heads(__global float* out, __global const float* partial, __global const int* pos,
                                           int parts, int slice) {
    int h = get_global_id(0);
    if (h >= HEADS) {
        return;
    }
    int used = used_slices(pos[0], slice, parts);
    float m = largest_partial_max(partial, h, parts, used);
    float acc[HEAD_DIM] = {0};
    float l = 0.0f;
    for (int s = 0; s < used; s++) {
        __global const float* p = partial + partial_index(h, s, parts);
        float weight = exp(p[0] - m);
        l += weight * p[1];
        for (int c = 0; c < VECTORS; c++) {
            vstore8(vload8(c, acc) + weight * vload8(c, p + 2), c, acc);
        }
        for (int d = 8 * VECTORS; d < HEAD_DIM; d++) {
            acc[d] += weight * p[2 + d];
        }
    }
    for (int d = 0; d < HEAD_DIM; d++) {
        out[h * HEAD_DIM + d] = acc[d] / l;
    }
}
#endif

// ---- Variant 1, the baseline: the first kernel of this op, kept to measure the others against ------------------

// One work-group per query head, in one kernel: the items score strided positions into local memory (a float per
// position of the context, so the context is bounded by local memory), a local max and sum make the softmax,
// then each item accumulates its own output elements over all positions. Every item reads whole key rows of its
// head and the scores are written, read and rewritten in local memory; the slices above replaced it.
__kernel void decode_attention_heads(__global float* out, __global const float* q, __global const kv_t* key_cache,
                                     __global const kv_t* value_cache, __global const int* pos,
                                     int heads, int kv_heads, int head_dim,
                                     __local float* scores, __local float* scratch) {
    int h = get_group_id(0);
    int lid = get_local_id(0);
    int n = get_local_size(0);
    int length = pos[0] + 1;
    int kv_dim = kv_heads * head_dim;
    int kv_offset = (h / (heads / kv_heads)) * head_dim;
    __global const float* qh = q + h * head_dim;
    float scale = 1.0f / sqrt((float)head_dim);

    float row_max = -INFINITY;
    for (int p = lid; p < length; p += n) {
        __global const kv_t* key = key_cache + (size_t)p * kv_dim + kv_offset;
        float dot = 0.0f;
        for (int i = 0; i < head_dim; i++) {
            dot += qh[i] * LOAD_KV(key, i);
        }
        dot *= scale;
        scores[p] = dot;
        row_max = fmax(row_max, dot);
    }
    row_max = group_max(row_max, scratch);
    float sum = 0.0f;
    for (int p = lid; p < length; p += n) {
        float e = exp(scores[p] - row_max);
        scores[p] = e;
        sum += e;
    }
    sum = group_sum(sum, scratch); // its barriers also publish every item's scores
    float inverse = 1.0f / sum;
    for (int i = lid; i < head_dim; i += n) {
        float acc = 0.0f;
        for (int p = 0; p < length; p++) {
            acc += scores[p] * LOAD_KV(value_cache, (size_t)p * kv_dim + kv_offset + i);
        }
        out[h * head_dim + i] = acc * inverse;
    }
}

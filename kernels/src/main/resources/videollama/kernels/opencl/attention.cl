// Decode attention: one query row at position pos[0] against cache rows 0..pos[0]. One work-group per query
// head (grouped-query: head h reads key/value head h / (heads / kv_heads)). The items score strided
// positions into local memory, a local max and sum make the softmax, then each item accumulates its own
// output elements over all positions.
__kernel void decode_attention(__global float* out, __global const float* q, __global const kv_t* key_cache,
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

// Multi-row attention: out = softmax(q·kᵀ · scale, masked) · v per head, for `sets` independent sets of queries
// over keys: LLaMA prefill over the KV cache (causal), ViT / ImageBind / Q-Former self-attention, and Q-Former
// cross-attention batched over frames. The twin is reference/MultiHeadAttention.java.
//
// Layouts, counted in elements: query `i` of set `b`, head `h`, starts at
//     q[q_offset + (b·queries + i)·q_stride + h·head_dim],
// key `j` of set `b` at k[k_offset + (b·keys + j)·k_stride + kvh·head_dim] with kvh = h / (heads / kv_heads)
// (grouped-query heads); v as k, out as q. A fused qkv buffer [L, 3·width] is therefore read in place with
// offsets 0, width, 2·width and strides 3·width. Keys and values are float or half (the f16 KV cache); queries and
// outputs are float. Causal: query i sits at position query_start + i and sees keys 0 .. query_start + i only.
//
// Flash attention (online softmax: a running maximum m, a running sum l of exp(score − m) and an unnormalised
// accumulator, rescaled by exp(m_old − m_new) when the maximum grows), so each query reads every key and value
// once and no row of scores is ever stored. Grid: x = blocks of queries, y = head, z = set.
//
// A block serves blockDim.x / 4 queries of one head, 4 adjacent threads to a query (a quartet). The head is cut
// into float4 chunks; thread `part` of a quartet owns chunks part, part + 4, part + 8, ... of the query and of its
// output accumulator, in registers. Keys and values stream through shared memory in tiles of TILE_KEYS rows,
// stored as float and padded with zeros to the template's head capacity, so every read of a tile is a 128-bit
// shared load (and the 4 threads of a quartet read 4 consecutive float4s: no bank conflicts). Per tile each
// thread forms its partial dot products with the tile's keys and stores them in shared memory; after a barrier
// each thread adds its quartet's 4 partials of every key with one 128-bit load (so the 4 hold the same scores and
// agree on m and l), and updates its chunks of the accumulator from the value tile. That is one barrier per tile
// where shuffles would take two per key: the same work on a GPU, and far less on the CPU emulation, where every
// shuffle is a barrier of OS threads.
// Shared memory: 2 · TILE_KEYS · 16·CHUNKS floats of tiles and TILE_KEYS · 128 of partials, 24 KB at most.
//
// CHUNKS (chunks per thread) is a template parameter so that the query, the accumulator and the scores live in
// registers: head_dim <= 16·CHUNKS, one entry point per capacity (32, 64, 96, 128) and KV type. The capacity
// 96 serves EVA's heads of 88 with 8% of the work on padding.
#include "common.cuh"

#define QUARTET 4
#define TILE_KEYS 16
#define FLASH_MAX_THREADS 128 // 32 queries a block

// Calls f(t, e, d) for each element this thread holds of a head: element e of its chunk t is dimension d.
template <int CHUNKS, typename F>
__device__ __forceinline__ void for_my_dims(int part, F f) {
#pragma unroll
    for (int t = 0; t < CHUNKS; t++) {
#pragma unroll
        for (int e = 0; e < 4; e++) {
            f(t, e, 4 * (part + QUARTET * t) + e);
        }
    }
}

template <typename KV, int CHUNKS>
__device__ __forceinline__ void flash_attention(float* out, int out_offset, int out_stride,
                                                const float* q, int q_offset, int q_stride,
                                                const KV* k, int k_offset, int k_stride,
                                                const KV* v, int v_offset, int v_stride,
                                                int queries, int keys, int heads, int kv_heads, int head_dim,
                                                float scale, int causal, int query_start) {
    constexpr int ROW = CHUNKS * QUARTET; // float4s per tile row: the head padded to 16·CHUNKS floats
    __shared__ float4 k_tile[TILE_KEYS * ROW];
    __shared__ float4 v_tile[TILE_KEYS * ROW];
    __shared__ float4 partial[TILE_KEYS * FLASH_MAX_THREADS / QUARTET]; // [key][quartet]: the 4 partial dots

    int part = threadIdx.x % QUARTET;
    int quartet = threadIdx.x / QUARTET;
    int block_queries = blockDim.x / QUARTET;
    int first = blockIdx.x * block_queries;
    int query = first + quartet;
    int h = blockIdx.y;
    int set = blockIdx.z;
    int kv_head = h / (heads / kv_heads);
    // The last block's spare quartets still share the tile loads and the barriers.
    bool active = query < queries;

    // This thread's chunks of the query: dims 4c .. 4c + 3 of chunk c = part + 4t, zeros past the head.
    float qv[CHUNKS][4];
    float acc[CHUNKS][4];
    size_t q_row = q_offset + ((size_t)set * queries + query) * q_stride + (size_t)h * head_dim;
    for_my_dims<CHUNKS>(part, [&](int t, int e, int d) {
        qv[t][e] = active && d < head_dim ? q[q_row + d] : 0.0f;
        acc[t][e] = 0.0f;
    });

    // Keys this query sees, and those the block's last query sees (the most): tiles past them are skipped.
    int last = min(first + block_queries, queries) - 1;
    int block_end = causal ? min(keys, query_start + last + 1) : keys;
    int row_end = !active ? 0 : causal ? min(keys, query_start + query + 1) : keys;
    size_t k_set = k_offset + (size_t)set * keys * k_stride + (size_t)kv_head * head_dim;
    size_t v_set = v_offset + (size_t)set * keys * v_stride + (size_t)kv_head * head_dim;
    float* k_floats = reinterpret_cast<float*>(k_tile);
    float* v_floats = reinterpret_cast<float*>(v_tile);
    float* partial_floats = reinterpret_cast<float*>(partial);
    float m = -INFINITY;
    float l = 0.0f;
    for (int k0 = 0; k0 < block_end; k0 += TILE_KEYS) {
        // The tile: keys k0 .. k0 + TILE_KEYS − 1 as float, zeros past the last key and past the head.
        int n = min(TILE_KEYS, block_end - k0);
        __syncthreads(); // every thread is done with the previous tile and its partials
        for (int e = threadIdx.x; e < TILE_KEYS * ROW * 4; e += blockDim.x) {
            int j = e / (ROW * 4);
            int d = e - j * (ROW * 4);
            bool there = j < n && d < head_dim;
            k_floats[e] = there ? to_float(k[k_set + (size_t)(k0 + j) * k_stride + d]) : 0.0f;
            v_floats[e] = there ? to_float(v[v_set + (size_t)(k0 + j) * v_stride + d]) : 0.0f;
        }
        __syncthreads();

        // This thread's share of q·k for each key of the tile, then the quartet's shares added.
#pragma unroll
        for (int j = 0; j < TILE_KEYS; j++) {
            float dot = 0.0f;
#pragma unroll
            for (int t = 0; t < CHUNKS; t++) {
                float4 kk = k_tile[j * ROW + part + QUARTET * t];
                dot += qv[t][0] * kk.x + qv[t][1] * kk.y + qv[t][2] * kk.z + qv[t][3] * kk.w;
            }
            partial_floats[j * blockDim.x + threadIdx.x] = dot;
        }
        __syncthreads();
        float s[TILE_KEYS];
#pragma unroll
        for (int j = 0; j < TILE_KEYS; j++) {
            float4 shares = partial[j * block_queries + quartet];
            s[j] = (shares.x + shares.y) + (shares.z + shares.w);
        }

        // Scores of keys this query does not see (past its position, past the tile) are −∞.
        float tile_max = -INFINITY;
#pragma unroll
        for (int j = 0; j < TILE_KEYS; j++) {
            s[j] = k0 + j < row_end ? s[j] * scale : -INFINITY;
            tile_max = fmaxf(tile_max, s[j]);
        }
        float m_new = fmaxf(m, tile_max);
        // What is subtracted: 0 while the query has seen no key at all (a spare quartet), so no −∞ − (−∞) = NaN
        // appears; its weights are then exp(−∞) = 0 and it adds nothing.
        float shift = m_new == -INFINITY ? 0.0f : m_new;
        float correction = expf(m - shift);
        l *= correction;
        for_my_dims<CHUNKS>(part, [&](int t, int e, int) { acc[t][e] *= correction; });
#pragma unroll
        for (int j = 0; j < TILE_KEYS; j++) {
            float p = expf(s[j] - shift);
            l += p;
#pragma unroll
            for (int t = 0; t < CHUNKS; t++) {
                float4 vv = v_tile[j * ROW + part + QUARTET * t];
                acc[t][0] += p * vv.x;
                acc[t][1] += p * vv.y;
                acc[t][2] += p * vv.z;
                acc[t][3] += p * vv.w;
            }
        }
        m = m_new;
    }

    if (active) {
        float inverse = 1.0f / l;
        size_t out_row = out_offset + ((size_t)set * queries + query) * out_stride + (size_t)h * head_dim;
        for_my_dims<CHUNKS>(part, [&](int t, int e, int d) {
            if (d < head_dim) {
                out[out_row + d] = acc[t][e] * inverse;
            }
        });
    }
}

// One entry point per key/value type and head capacity: flash_attention_<f32|f16>_d<32|64|96|128>.
#define FLASH_ATTENTION(NAME, KV, CHUNKS)                                                                            \
    extern "C" __global__ void __launch_bounds__(FLASH_MAX_THREADS)                                                   \
    NAME(float* out, int out_offset, int out_stride, const float* q, int q_offset, int q_stride,                      \
         const KV* k, int k_offset, int k_stride, const KV* v, int v_offset, int v_stride,                            \
         int queries, int keys, int heads, int kv_heads, int head_dim, float scale, int causal, int query_start) {    \
        flash_attention<KV, CHUNKS>(out, out_offset, out_stride, q, q_offset, q_stride, k, k_offset, k_stride,        \
                                    v, v_offset, v_stride, queries, keys, heads, kv_heads, head_dim, scale, causal,   \
                                    query_start);                                                                     \
    }

FLASH_ATTENTION(flash_attention_f32_d32, float, 2)
FLASH_ATTENTION(flash_attention_f32_d64, float, 4)
FLASH_ATTENTION(flash_attention_f32_d96, float, 6)
FLASH_ATTENTION(flash_attention_f32_d128, float, 8)
FLASH_ATTENTION(flash_attention_f16_d32, __half, 2)
FLASH_ATTENTION(flash_attention_f16_d64, __half, 4)
FLASH_ATTENTION(flash_attention_f16_d96, __half, 6)
FLASH_ATTENTION(flash_attention_f16_d128, __half, 8)

#undef FLASH_ATTENTION
#undef FLASH_MAX_THREADS
#undef TILE_KEYS
#undef QUARTET

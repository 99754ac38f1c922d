// Prepended to every program. How weights and the KV cache are read in their stored dtype, the register-block
// steps and the epilogue of the GEMMs, the exact GELU (activations.cl's kernels and the GEMMs' -DGELU epilogue), the
// work-group reductions, and (for programs compiled with -DHEAD_DIM) the loops over one attention head. Only OpenCL
// C 1.2 core: half is a storage type read and written through vload_half / vstore_half, so no cl_khr_fp16 is needed
// (PoCL has none); bf16 is the upper half of a float.

// LOAD_W reads one weight as float; LOAD_W8 reads 8 consecutive ones starting at element i (8 floats are one
// AVX2 register: PoCL's CPU target warns about the ABI of wider vectors and gains nothing from them).
#if defined(WEIGHT_F16)
typedef half weight_t;
#define LOAD_W(p, i) vload_half((i), (p))
#define LOAD_W8(p, i) vload_half8(0, (p) + (i))
#elif defined(WEIGHT_BF16)
typedef ushort weight_t;
#define LOAD_W(p, i) as_float(((uint)(p)[(i)]) << 16)
#define LOAD_W8(p, i) as_float8(convert_uint8(vload8(0, (p) + (i))) << 16)
#else
typedef float weight_t;
#define LOAD_W(p, i) ((p)[(i)])
#define LOAD_W8(p, i) vload8(0, (p) + (i))
#endif

// The sum of a float8's lanes.
static inline float sum8(float8 v) {
    float4 b = v.lo + v.hi;
    float2 c = b.lo + b.hi;
    return c.x + c.y;
}

// ---- register blocks ------------------------------------------------------------------------------------------

// Zeroes the n float8s at acc: a register block of accumulators float8 acc[R][C] is zero_float8s(&acc[0][0], R * C).
static inline void zero_float8s(float8* acc, int n) {
    #pragma unroll
    for (int i = 0; i < n; i++) {
        acc[i] = (float8)(0.0f);
    }
}

// The operands of a work-item's register block for one k of a tiled GEMM: dst[i] = row[first + i · stride], i < n,
// from a row of a tile in local memory.
static inline void read_strided(float* dst, __local const float* row, int first, int stride, int n) {
    #pragma unroll
    for (int i = 0; i < n; i++) {
        dst[i] = row[first + i * stride];
    }
}

// acc[i][j] += a[i] · b[j] for a register block acc[rows][cols] passed as &acc[0][0]: one k of a tiled GEMM.
static inline void add_outer_product(float* acc, const float* a, const float* b, int rows, int cols) {
    #pragma unroll
    for (int i = 0; i < rows; i++) {
        #pragma unroll
        for (int j = 0; j < cols; j++) {
            acc[i * cols + j] += a[i] * b[j];
        }
    }
}

// ---- the exact GELU -------------------------------------------------------------------------------------------

// erfc(z) for z >= 0, relative error about 3e-7: the Chebyshev-fitted form of Numerical Recipes' erfcc (Press et
// al., 2nd ed., section 6.2; fractional error below 1.2e-7 everywhere), t·exp(-z² + P(t)) with t = 1/(1 + z/2).
// Why not the library's erfc: PoCL evaluates it element by element at about 115 ns (1.5 s for one ViT-g MLP over 8
// frames, 50 times its memory traffic), while this vectorises. exp(-z²) is taken as exp(-hi)·(1 - lo) with z² = hi +
// lo split exactly by fma, and exp(P) separately, so the tail keeps its relative accuracy (z² reaches 72 where
// gelu still has normal floats, and one rounding of z² there would cost 4e-6).
//
// The exact GELU, 0.5·x·(1 + erf(x/√2)), written as 0.5·x·erfc(−x/√2): the same function, but for negative x
// the erf form subtracts two numbers near 1 and keeps only the absolute accuracy of erf, where erfc keeps
// its relative accuracy. x/√2 is rounded to float first, as PyTorch does.
//
// GELU_FUNCTIONS(T, S) writes both for T as erfc_nonnegative##S and gelu_erf##S, the same expressions whatever T:
// for float (activations.cl's kernels, which PoCL vectorises across work-items, and the GPU GEMMs' stores) and for
// float8 (the CPU GEMMs' stores: those kernels are vectorised along K by hand, so PoCL leaves a work-item's scalar
// GELU scalar, two exp calls an element, which made the ViT's fc1 + GELU 1.5x slower than fc1 and bias_gelu apart).
#define GELU_FUNCTIONS(T, S)                                                                                        \
static inline T erfc_nonnegative##S(T z) {                                                                          \
    T t = 1.0f / (1.0f + 0.5f * z);                                                                                 \
    T p = -1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f + t * (-0.18628806f                 \
            + t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f)))))))); \
    T hi = z * z;                                                                                                   \
    T lo = fma(z, z, -hi);                                                                                          \
    return t * exp(-hi) * (1.0f - lo) * exp(p);                                                                     \
}                                                                                                                   \
static inline T gelu_erf##S(T x) {                                                                                  \
    T z = x * M_SQRT1_2_F;                                                                                          \
    T e = erfc_nonnegative##S(fabs(z));                                                                             \
    return 0.5f * x * (z > 0.0f ? 2.0f - e : e); /* erfc(-z) = 2 - erfc(z) */                                       \
}
GELU_FUNCTIONS(float, )
GELU_FUNCTIONS(float8, 8)
#undef GELU_FUNCTIONS

// ---- the CPU GEMMs' register blocks (gemm.cl's linear_blocked and linear_widened, q8_0.cl's linear_q8_0_blocked) ----

// The block shape, set by the op's options: BLOCK_M rows × BLOCK_N columns of out per work-item.
#ifndef BLOCK_M
#define BLOCK_M 3
#endif
#ifndef BLOCK_N
#define BLOCK_N 4
#endif

// Which block of out work-item t computes: its first row *m0 and column *n0; false for an item past the last block.
// Chosen for the caches, as PoCL runs the items in order of their id: the row blocks are cut into panels of `panel`
// blocks (as many rows of x as fit in a few MiB, sized by the op); consecutive items walk down one panel for the same
// columns (so those BLOCK_N rows of W stay in L1), then move to the next columns (the panel's x stays in cache); W
// comes from memory once per panel, not once per row block: 3-4x faster on the ViT's shapes than walking along N.
static inline bool panel_block(int t, int M, int N, int panel, int* m0, int* n0) {
    int m_blocks = (M + BLOCK_M - 1) / BLOCK_M;
    int n_blocks = (N + BLOCK_N - 1) / BLOCK_N;
    if (t >= m_blocks * n_blocks) {
        return false;
    }
    int p = t / (panel * n_blocks);                     // the panel
    int r = t - p * panel * n_blocks;                   // the item within it
    int height = min(panel, m_blocks - p * panel);      // the last panel may be shorter
    *m0 = (p * panel + r % height) * BLOCK_M;
    *n0 = (r / height) * BLOCK_N;
    return true;
}

// The rows of x [M, K] of a block from row m0: xr[i] = row m0 + i, a row past M clamped to the last one (computed
// again, not stored), which keeps the kernels' loops free of tests.
static inline void block_rows(__global const float** xr, __global const float* x, int m0, int M, int K) {
    #pragma unroll
    for (int i = 0; i < BLOCK_M; i++) {
        xr[i] = x + (size_t)min(m0 + i, M - 1) * K;
    }
}

// One step of 8 along K of a register block float8 acc[BLOCK_M][BLOCK_N] (passed as &acc[0][0]): xv[i] = the 8 values
// of row i of the block's x (xr) from k, loaded once for all its columns ...
static inline void load_rows8(float8* xv, __global const float** xr, int k) {
    #pragma unroll
    for (int i = 0; i < BLOCK_M; i++) {
        xv[i] = vload8(0, xr[i] + k);
    }
}

// ... and for each column j, its 8 weights wv (widened to float) multiplied into every row: acc[i][j] += xv[i] · wv.
static inline void add_column8(float8* acc, const float8* xv, float8 wv, int j) {
    #pragma unroll
    for (int i = 0; i < BLOCK_M; i++) {
        acc[i * BLOCK_N + j] += xv[i] * wv;
    }
}

// The register block's sums: each of the BLOCK_M · BLOCK_N float8 accumulators added across its lanes.
static inline void sum_lanes(float* sum, const float8* acc) {
    #pragma unroll
    for (int e = 0; e < BLOCK_M * BLOCK_N; e++) {
        sum[e] = sum8(acc[e]);
    }
}

// The GEMMs' fused epilogue: out[m, n] = sum + bias[n] + residual[m, n], in that order (as reference/Linear.java
// adds them); has_bias / has_residual say whether to read them. out may be residual: read, then written, by one item.
// Built with -DGELU (the op linearGelu, which passes no residual): gelu(sum + bias[n]) with gelu_erf above.
static inline void store_out(__global float* out, __global const float* bias, __global const float* residual,
                             int has_bias, int has_residual, int N, int m, int n, float sum) {
    size_t i = (size_t)m * N + n;
    if (has_bias) {
        sum += bias[n];
    }
#if defined(GELU)
    sum = gelu_erf(sum);
#endif
    if (has_residual) {
        sum += residual[i];
    }
    out[i] = sum;
}

// store_out of a block's sums sum[BLOCK_M][BLOCK_N] (passed as &sum[0][0]) from row m0, column n0: the rows and
// columns past M and N, computed again for a clamped last row or column, are not stored. Under -DGELU the block goes
// through gelu_erf8 eight at a time (why: the GELU section above); PoCL's float8 exp differs from the exp of its
// vectorised bias_gelu by an ulp for some arguments, so the results may differ from linear then biasGelu by a few
// ulps (OpenCLGemmOpsTest).
#define BLOCK_VECTORS ((BLOCK_M * BLOCK_N + 7) / 8)
static inline void store_block(__global float* out, __global const float* bias, __global const float* residual,
                               int has_bias, int has_residual, int M, int N, int m0, int n0, const float* sum) {
#if defined(GELU)
    float v[BLOCK_VECTORS * 8];
    #pragma unroll
    for (int e = 0; e < BLOCK_VECTORS * 8; e++) {
        int j = e % BLOCK_N;
        v[e] = e < BLOCK_M * BLOCK_N ? sum[e] : 0.0f;
        if (has_bias) {
            v[e] += bias[min(n0 + j, N - 1)];   // columns past N are computed, never stored
        }
    }
    #pragma unroll
    for (int c = 0; c < BLOCK_VECTORS; c++) {
        vstore8(gelu_erf8(vload8(c, v)), c, v);
    }
    #pragma unroll
    for (int i = 0; i < BLOCK_M && m0 + i < M; i++) {
        #pragma unroll
        for (int j = 0; j < BLOCK_N && n0 + j < N; j++) {
            size_t o = (size_t)(m0 + i) * N + n0 + j;
            out[o] = has_residual ? v[i * BLOCK_N + j] + residual[o] : v[i * BLOCK_N + j];
        }
    }
#else
    #pragma unroll
    for (int i = 0; i < BLOCK_M && m0 + i < M; i++) {
        #pragma unroll
        for (int j = 0; j < BLOCK_N && n0 + j < N; j++) {
            store_out(out, bias, residual, has_bias, has_residual, N, m0 + i, n0 + j, sum[i * BLOCK_N + j]);
        }
    }
#endif
}

// ---- the KV cache: LOAD_KV reads one key/value element as float, LOAD_KV8 8 consecutive ones from element i -------
#if defined(KV_F16)
typedef half kv_t;
#define LOAD_KV(p, i) vload_half((i), (p))
#define LOAD_KV8(p, i) vload_half8(0, (p) + (i))
#define STORE_KV(v, p, i) vstore_half_rte((v), (i), (p))
#else
typedef float kv_t;
#define LOAD_KV(p, i) ((p)[(i)])
#define LOAD_KV8(p, i) vload8(0, (p) + (i))
#define STORE_KV(v, p, i) ((p)[(i)] = (v))
#endif

// ---- work-group reductions -------------------------------------------------------------------------------------

// The sum (or, with take_max, the maximum) of one value per work-item over the work-group (a power of two in
// size), by a tree in local memory. Every item gets the result; scratch holds one float per item and is free again
// on return.
static inline float group_reduce(float v, __local float* scratch, bool take_max) {
    int lid = get_local_id(0);
    scratch[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = get_local_size(0) / 2; s > 0; s >>= 1) {
        if (lid < s) {
            scratch[lid] = take_max ? fmax(scratch[lid], scratch[lid + s]) : scratch[lid] + scratch[lid + s];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float r = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

static inline float group_sum(float v, __local float* scratch) {
    return group_reduce(v, scratch, false);
}

static inline float group_max(float v, __local float* scratch) {
    return group_reduce(v, scratch, true);
}

// Two row reductions by the whole work-group: item l takes the elements l, l + size, ... of the range (consecutive
// items read consecutive elements, so a GPU coalesces the loads) and the tree adds the items' sums.
// dot(w[first..last), x[first..last)), the weights in their stored dtype:
static inline float group_dot(__global const weight_t* w, __global const float* x, int first, int last,
                              __local float* scratch) {
    float sum = 0.0f;
    for (int c = first + get_local_id(0); c < last; c += get_local_size(0)) {
        sum += LOAD_W(w, c) * x[c];
    }
    return group_sum(sum, scratch);
}

// and Σ x[i]² over a row of n floats.
static inline float group_sum_squares(__global const float* x, int n, __local float* scratch) {
    float sum = 0.0f;
    for (int i = get_local_id(0); i < n; i += get_local_size(0)) {
        sum += x[i] * x[i];
    }
    return group_sum(sum, scratch);
}

// ---- one attention head, for the attention programs (compiled with -DHEAD_DIM) --------------------------------
#if defined(HEAD_DIM)
#define VECTORS (HEAD_DIM / 8) // whole float8s of a head; the HEAD_DIM % 8 rest goes one by one

// q · key over one head, float8 at a time. OpenCL C 1.2 has no generic address space, so DOT_HEAD writes this one
// function once for each space the kernels keep q in: dot_head (private), dot_head_local, dot_head_global.
#define DOT_HEAD(NAME, SPACE)                                                                                       \
static inline float NAME(SPACE const float* q, __global const kv_t* key) {                                          \
    float8 sum = 0.0f;                                                                                              \
    for (int c = 0; c < VECTORS; c++) {                                                                             \
        sum += vload8(c, q) * LOAD_KV8(key, 8 * c);                                                                 \
    }                                                                                                               \
    float dot = sum8(sum);                                                                                          \
    for (int d = 8 * VECTORS; d < HEAD_DIM; d++) {                                                                  \
        dot += q[d] * LOAD_KV(key, d);                                                                              \
    }                                                                                                               \
    return dot;                                                                                                     \
}
DOT_HEAD(dot_head, __private)
DOT_HEAD(dot_head_local, __local)
DOT_HEAD(dot_head_global, __global)
#undef DOT_HEAD

// acc += weight · value over one head.
static inline void add_scaled(float* acc, float weight, __global const kv_t* value) {
    for (int c = 0; c < VECTORS; c++) {
        vstore8(vload8(c, acc) + weight * LOAD_KV8(value, 8 * c), c, acc);
    }
    for (int d = 8 * VECTORS; d < HEAD_DIM; d++) {
        acc[d] += weight * LOAD_KV(value, d);
    }
}
#endif

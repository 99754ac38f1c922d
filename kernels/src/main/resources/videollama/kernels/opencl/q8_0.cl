// Products with Q8_0 weights (docs/design.md section 2): a matrix [rows, cols] is its int8 quants q, row-major, and
// one fp16 scale d per block of 32 along a row, scales [rows, cols / 32]; W[r, c] = q[r, c] · d[r, c / 32].
// Each block's Σ q·x is taken in float32 and then multiplied by its scale, as the reference (Q8_0.java) does; only
// the order of the additions differs (the CPU kernels keep 8 lanes of scaled block sums apart until a row ends).
// Activations, accumulation and outputs are float32.

#define QBLOCK 32

// Row `row` of a Q8_0 matrix [rows, cols]: its quants q, and its `blocks` fp16 scales d.
typedef struct {
    __global const char* q;
    __global const half* d;
    int blocks;
} q8_row;

static inline q8_row q8_row_of(__global const char* q, __global const half* scales, int row, int cols) {
    int blocks = cols / QBLOCK;
    q8_row r = {q + (size_t)row * cols, scales + (size_t)row * blocks, blocks};
    return r;
}

// Σ q[j]·x[j] over one block of 32 as 8 lanes: four 8-wide int8 loads widened to float.
static inline float8 q8_block_dot8(__global const char* q, __global const float* x) {
    float8 a = convert_float8(vload8(0, q)) * vload8(0, x);
    a += convert_float8(vload8(1, q)) * vload8(1, x);
    a += convert_float8(vload8(2, q)) * vload8(2, x);
    a += convert_float8(vload8(3, q)) * vload8(3, x);
    return a;
}

// The block's Σ q[j]·x[j] as one float.
static inline float q8_block_dot(__global const char* q, __global const float* x) {
    return sum8(q8_block_dot8(q, x));
}

// dot(W[row, :], x) over a whole row, block after block. The lanes are scaled and kept apart until the end (one
// horizontal sum a row, not one a block: on a CPU that sum cost as much as the block's loads).
static inline float q8_row_dot(__global const char* q, __global const half* scales, __global const float* x,
                               int row, int cols) {
    q8_row r = q8_row_of(q, scales, row, cols);
    float8 sum = (float8)(0.0f);
    for (int b = 0; b < r.blocks; b++) {
        sum += vload_half(b, r.d) * q8_block_dot8(r.q + b * QBLOCK, x + b * QBLOCK);
    }
    return sum8(sum);
}

// GPUs: a work-group per row, its items taking every n-th block (neighbouring items read neighbouring 32 bytes),
// a local tree adding their partial sums. out[row] = W[row,:]·x, or out[row] += W[row,:]·x when accumulate.
__kernel void gemv_q8_0(__global float* out, __global const char* q, __global const half* scales,
                        __global const float* x, int cols, int accumulate, __local float* scratch) {
    int row = get_group_id(0);
    int lid = get_local_id(0);
    int n = get_local_size(0);
    q8_row r = q8_row_of(q, scales, row, cols);
    float sum = 0.0f;
    for (int b = lid; b < r.blocks; b += n) {
        sum += vload_half(b, r.d) * q8_block_dot(r.q + b * QBLOCK, x + b * QBLOCK);
    }
    sum = group_sum(sum, scratch);
    if (lid == 0) {
        out[row] = accumulate ? out[row] + sum : sum;
    }
}

// CPUs (PoCL): a work-item per row, one straight loop over its blocks, no local memory and no barriers: the GEMV and
// the gate/up GEMV with SiLU over one row dot (q8_row_dot for variant 2, q8_row_dot_scales8 for variant 3 below).
#define Q8_WIDE_KERNELS(SUFFIX, ROW_DOT)                                                                            \
__kernel void gemv_q8_0_##SUFFIX(__global float* out, __global const char* q, __global const half* scales,         \
                                 __global const float* x, int rows, int cols, int accumulate) {                   \
    int row = get_global_id(0);                                                                                     \
    if (row >= rows) {                                                                                              \
        return;                                                                                                     \
    }                                                                                                               \
    float sum = ROW_DOT(q, scales, x, row, cols);                                                                   \
    out[row] = accumulate ? out[row] + sum : sum;                                                                   \
}                                                                                                                   \
__kernel void swiglu_gemv_q8_0_##SUFFIX(__global float* out, __global const char* gq, __global const half* gd,    \
                                        __global const char* uq, __global const half* ud,                         \
                                        __global const float* x, int rows, int cols) {                            \
    int row = get_global_id(0);                                                                                     \
    if (row >= rows) {                                                                                              \
        return;                                                                                                     \
    }                                                                                                               \
    float g = ROW_DOT(gq, gd, x, row, cols);                                                                        \
    float u = ROW_DOT(uq, ud, x, row, cols);                                                                        \
    out[row] = g / (1.0f + exp(-g)) * u;                                                                            \
}

Q8_WIDE_KERNELS(wide, q8_row_dot)

// ---- CPU GEMVs, second form (variant 3, WIDE8): the scales 8 blocks at a time ----
// PoCL turns a scalar vload_half into ~18 scalar integer instructions (its library's bit-by-bit fp16 decode; the
// generated code of gemv_q8_0_wide shows no vcvtph2ps), as many as the block's four 8-wide int8 widenings and FMAs
// together; vload_half8 becomes one vcvtph2ps. Same sums in the same order as q8_row_dot, so the same results.
static inline float q8_row_dot_scales8(__global const char* q, __global const half* scales, __global const float* x,
                                       int row, int cols) {
    q8_row r = q8_row_of(q, scales, row, cols);
    float8 sum = (float8)(0.0f);
    int b = 0;
    for (; b + 8 <= r.blocks; b += 8) {
        float8 d = vload_half8(0, r.d + b);
        __global const char* qb = r.q + b * QBLOCK;
        __global const float* xb = x + b * QBLOCK;
        sum += d.s0 * q8_block_dot8(qb, xb);
        sum += d.s1 * q8_block_dot8(qb + QBLOCK, xb + QBLOCK);
        sum += d.s2 * q8_block_dot8(qb + 2 * QBLOCK, xb + 2 * QBLOCK);
        sum += d.s3 * q8_block_dot8(qb + 3 * QBLOCK, xb + 3 * QBLOCK);
        sum += d.s4 * q8_block_dot8(qb + 4 * QBLOCK, xb + 4 * QBLOCK);
        sum += d.s5 * q8_block_dot8(qb + 5 * QBLOCK, xb + 5 * QBLOCK);
        sum += d.s6 * q8_block_dot8(qb + 6 * QBLOCK, xb + 6 * QBLOCK);
        sum += d.s7 * q8_block_dot8(qb + 7 * QBLOCK, xb + 7 * QBLOCK);
    }
    for (; b < r.blocks; b++) {
        sum += vload_half(b, r.d) * q8_block_dot8(r.q + b * QBLOCK, x + b * QBLOCK);
    }
    return sum8(sum);
}

Q8_WIDE_KERNELS(wide8, q8_row_dot_scales8)

// ---- Integer block dot over a quantised activation (variant 4, INT8): llama.cpp's q8_0 × q8_0 ----
// x is quantised once per product into Q8_0 blocks (Q8_0.quantizeActivations: d = max|x| / 127 in float32, q =
// round(x / d) halves away from zero); each block's Σ qw·qx is then exact in integers and meets the two scales in
// one float multiply. The quants of x are stored widened to short (the multiplies are 16-bit: 8 KiB for x at 4096
// columns, in L1), so only W's bytes are widened in the loop.

// A work-item per block of 32: xq[block] = round(x / d), xd[block] = d.
__kernel void quantize_q8_0_activations(__global short* xq, __global float* xd, __global const float* x, int blocks) {
    int b = get_global_id(0);
    if (b >= blocks) {
        return;
    }
    __global const float* xb = x + b * QBLOCK;
    float amax = 0.0f;
    for (int j = 0; j < QBLOCK; j++) {
        amax = fmax(amax, fabs(xb[j]));
    }
    float d = amax / 127.0f;
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    for (int j = 0; j < QBLOCK; j++) {
        xq[b * QBLOCK + j] = (short)round(xb[j] * id);
    }
    xd[b] = d;
}

// A block's Σ qw·qx as 8 int lanes: the two halves' products in 16 bits (each at most 127², and one sum of two at
// most 2·127² < 2¹⁵, so nothing overflows), then widened and added. (Written as pmaddwd's even/odd pairs, LLVM 15
// made 32-bit multiplies and shuffles of it instead, twice the instructions.)
static inline int8 q8_block_idot8(__global const char* q, __global const short* xq) {
    short16 p = convert_short16(vload16(0, q)) * vload16(0, xq) + convert_short16(vload16(1, q)) * vload16(1, xq);
    return convert_int8(p.lo) + convert_int8(p.hi);
}

// dot(W[row,:], x) over the quantised x: each block's 8 int lanes converted and multiplied by dw·dx (8 blocks' scales
// at a time, as in q8_row_dot_scales8), kept in 8 float lanes until the row ends.
static inline float q8_row_idot(__global const char* q, __global const half* scales, __global const short* xq,
                                __global const float* xd, int row, int cols) {
    q8_row r = q8_row_of(q, scales, row, cols);
    float8 sum = (float8)(0.0f);
    int b = 0;
    for (; b + 8 <= r.blocks; b += 8) {
        float8 d = vload_half8(0, r.d + b) * vload8(0, xd + b);
        __global const char* qb = r.q + b * QBLOCK;
        __global const short* xb = xq + b * QBLOCK;
        sum += d.s0 * convert_float8(q8_block_idot8(qb, xb));
        sum += d.s1 * convert_float8(q8_block_idot8(qb + QBLOCK, xb + QBLOCK));
        sum += d.s2 * convert_float8(q8_block_idot8(qb + 2 * QBLOCK, xb + 2 * QBLOCK));
        sum += d.s3 * convert_float8(q8_block_idot8(qb + 3 * QBLOCK, xb + 3 * QBLOCK));
        sum += d.s4 * convert_float8(q8_block_idot8(qb + 4 * QBLOCK, xb + 4 * QBLOCK));
        sum += d.s5 * convert_float8(q8_block_idot8(qb + 5 * QBLOCK, xb + 5 * QBLOCK));
        sum += d.s6 * convert_float8(q8_block_idot8(qb + 6 * QBLOCK, xb + 6 * QBLOCK));
        sum += d.s7 * convert_float8(q8_block_idot8(qb + 7 * QBLOCK, xb + 7 * QBLOCK));
    }
    for (; b < r.blocks; b++) {
        sum += vload_half(b, r.d) * xd[b] * convert_float8(q8_block_idot8(r.q + b * QBLOCK, xq + b * QBLOCK));
    }
    return sum8(sum);
}

// CPUs (PoCL): a work-item per row over the quantised x.
__kernel void gemv_q8_0_int8(__global float* out, __global const char* q, __global const half* scales,
                             __global const short* xq, __global const float* xd, int rows, int cols, int accumulate) {
    int row = get_global_id(0);
    if (row >= rows) {
        return;
    }
    float sum = q8_row_idot(q, scales, xq, xd, row, cols);
    out[row] = accumulate ? out[row] + sum : sum;
}

__kernel void swiglu_gemv_q8_0_int8(__global float* out, __global const char* gq, __global const half* gd,
                                    __global const char* uq, __global const half* ud, __global const short* xq,
                                    __global const float* xd, int rows, int cols) {
    int row = get_global_id(0);
    if (row >= rows) {
        return;
    }
    float g = q8_row_idot(gq, gd, xq, xd, row, cols);
    float u = q8_row_idot(uq, ud, xq, xd, row, cols);
    out[row] = g / (1.0f + exp(-g)) * u;
}

// CPUs (variant 6, INT8_4): INT8's product, a work-item per 4 rows, each block of the quantised x loaded once for the
// 4 rows (as gemv.cl's matvec_wide4: down_proj's x, 22 KiB of shorts, shares L1 with the weights streaming through
// it). Each row's sums are q8_row_idot's, in its order, so the results are INT8's exactly.
#define INT8_ROWS 4
__kernel void gemv_q8_0_int8_4(__global float* out, __global const char* q, __global const half* scales,
                               __global const short* xq, __global const float* xd, int rows, int cols, int accumulate) {
    int first = get_global_id(0) * INT8_ROWS;
    if (first >= rows) {
        return;
    }
    if (first + INT8_ROWS > rows) { // the last item of a row count that is not a multiple of 4
        for (int row = first; row < rows; row++) {
            float sum = q8_row_idot(q, scales, xq, xd, row, cols);
            out[row] = accumulate ? out[row] + sum : sum;
        }
        return;
    }
    int blocks = cols / QBLOCK;
    __global const char* qr = q + (size_t)first * cols;
    __global const half* dr = scales + (size_t)first * blocks;
    float8 sum[INT8_ROWS];
    #pragma unroll
    for (int i = 0; i < INT8_ROWS; i++) {
        sum[i] = (float8)(0.0f);
    }
    int b = 0;
    for (; b + 8 <= blocks; b += 8) {
        float8 dx = vload8(0, xd + b);
        float d[INT8_ROWS][8];
        #pragma unroll
        for (int i = 0; i < INT8_ROWS; i++) {
            vstore8(vload_half8(0, dr + (size_t)i * blocks + b) * dx, 0, d[i]);
        }
        #pragma unroll
        for (int j = 0; j < 8; j++) {
            __global const short* xb = xq + (b + j) * QBLOCK;
            short16 x0 = vload16(0, xb);
            short16 x1 = vload16(1, xb);
            #pragma unroll
            for (int i = 0; i < INT8_ROWS; i++) {
                __global const char* qb = qr + (size_t)i * cols + (b + j) * QBLOCK;
                short16 p = convert_short16(vload16(0, qb)) * x0 + convert_short16(vload16(1, qb)) * x1;
                sum[i] += d[i][j] * convert_float8(convert_int8(p.lo) + convert_int8(p.hi));
            }
        }
    }
    #pragma unroll
    for (int i = 0; i < INT8_ROWS; i++) {
        for (int t = b; t < blocks; t++) {
            sum[i] += vload_half(t, dr + (size_t)i * blocks) * xd[t]
                    * convert_float8(q8_block_idot8(qr + (size_t)i * cols + t * QBLOCK, xq + t * QBLOCK));
        }
        int row = first + i;
        float s = sum8(sum[i]);
        out[row] = accumulate ? out[row] + s : s;
    }
}

// GPUs (variant 5, ROWS_INT8): a work-group per row over the quantised x, its items taking every n-th block, each
// block's exact integer sum meeting the two scales in one multiply (as the reference), a local tree at the end.
static inline float q8_group_row_idot(__global const char* q, __global const half* scales, __global const short* xq,
                                      __global const float* xd, int row, int cols, __local float* scratch) {
    q8_row r = q8_row_of(q, scales, row, cols);
    float sum = 0.0f;
    for (int b = get_local_id(0); b < r.blocks; b += get_local_size(0)) {
        int8 p = q8_block_idot8(r.q + b * QBLOCK, xq + b * QBLOCK);
        int4 h = p.lo + p.hi;
        int2 t = h.lo + h.hi;
        sum += vload_half(b, r.d) * xd[b] * (float)(t.x + t.y);
    }
    return group_sum(sum, scratch);
}

__kernel void gemv_q8_0_int8_rows(__global float* out, __global const char* q, __global const half* scales,
                                  __global const short* xq, __global const float* xd, int cols, int accumulate,
                                  __local float* scratch) {
    int row = get_group_id(0);
    float sum = q8_group_row_idot(q, scales, xq, xd, row, cols, scratch);
    if (get_local_id(0) == 0) {
        out[row] = accumulate ? out[row] + sum : sum;
    }
}

__kernel void swiglu_gemv_q8_0_int8_rows(__global float* out, __global const char* gq, __global const half* gd,
                                         __global const char* uq, __global const half* ud, __global const short* xq,
                                         __global const float* xd, int cols, __local float* scratch) {
    int row = get_group_id(0);
    float g = q8_group_row_idot(gq, gd, xq, xd, row, cols, scratch);
    float u = q8_group_row_idot(uq, ud, xq, xd, row, cols, scratch);
    if (get_local_id(0) == 0) {
        out[row] = g / (1.0f + exp(-g)) * u;
    }
}

// LLaMA's MLP middle on Q8_0 gate and up: out[row] = silu(G[row,:]·x) · (U[row,:]·x), a work-group per row.
__kernel void swiglu_gemv_q8_0(__global float* out, __global const char* gq, __global const half* gd,
                               __global const char* uq, __global const half* ud, __global const float* x,
                               int cols, __local float* scratch) {
    int row = get_group_id(0);
    int lid = get_local_id(0);
    int n = get_local_size(0);
    int blocks = cols / QBLOCK;
    size_t first = (size_t)row * cols;
    size_t firstScale = (size_t)row * blocks;
    float g = 0.0f;
    float u = 0.0f;
    for (int b = lid; b < blocks; b += n) {
        __global const float* xb = x + b * QBLOCK;
        g += vload_half(firstScale + b, gd) * q8_block_dot(gq + first + b * QBLOCK, xb);
        u += vload_half(firstScale + b, ud) * q8_block_dot(uq + first + b * QBLOCK, xb);
    }
    g = group_sum(g, scratch);
    u = group_sum(u, scratch);
    if (lid == 0) {
        out[row] = g / (1.0f + exp(-g)) * u;
    }
}

// ---- GEMM: out[M, N] = x[M, K]·Wᵀ (+ bias[N]) (+ residual[M, N]), for the encoders and the LLaMA's prefill ----

// A work-item per (block of Q8_M rows of x, one row n of W): each block of W's row is loaded and widened once
// and multiplied into the Q8_M rows, its Σ q·x per row scaled and kept in 8 lanes as in the CPU GEMV. Consecutive items take
// consecutive n for the same rows of x, so those rows stay in cache while W streams past. The dequantisation
// happens in registers, tile by tile: no float copy of W is ever made. out may be residual (read, then
// written, by one item); absent bias/residual are some other buffer, never read. Both GEMMs store through
// common.cl's store_out / store_block: built with -DGELU (the op linearGelu) they store gelu(sum + bias) instead.
#ifndef Q8_M
#define Q8_M 8
#endif
__kernel void linear_q8_0(__global float* out, __global const float* x, __global const char* q,
                          __global const half* scales, __global const float* bias, __global const float* residual,
                          int M, int N, int K, int has_bias, int has_residual) {
    int t = get_global_id(0);
    int m_blocks = (M + Q8_M - 1) / Q8_M;
    if (t >= m_blocks * N) {
        return;
    }
    int n = t % N;
    int m0 = (t / N) * Q8_M;
    q8_row r = q8_row_of(q, scales, n, K);
    float8 acc[Q8_M];
    #pragma unroll
    for (int i = 0; i < Q8_M; i++) {
        acc[i] = (float8)(0.0f);
    }
    for (int b = 0; b < r.blocks; b++) {
        int k = b * QBLOCK;
        float8 w0 = convert_float8(vload8(0, r.q + k));
        float8 w1 = convert_float8(vload8(1, r.q + k));
        float8 w2 = convert_float8(vload8(2, r.q + k));
        float8 w3 = convert_float8(vload8(3, r.q + k));
        float d = vload_half(b, r.d);
        #pragma unroll
        for (int i = 0; i < Q8_M; i++) {
            __global const float* xr = x + (size_t)min(m0 + i, M - 1) * K + k;
            float8 a = w0 * vload8(0, xr) + w1 * vload8(1, xr) + w2 * vload8(2, xr) + w3 * vload8(3, xr);
            acc[i] += d * a;
        }
    }
    #pragma unroll
    for (int i = 0; i < Q8_M && m0 + i < M; i++) {
        store_out(out, bias, residual, has_bias, has_residual, N, m0 + i, n, sum8(acc[i]));
    }
}

// CPUs (GEMM variant 2, BLOCKED): gemm.cl's linear_blocked over Q8_0 weights. Each work-item computes a BLOCK_M ×
// BLOCK_N block of out, its blocks in linear_blocked's panel order (common.cl's panel_block), with BLOCK_M · BLOCK_N
// float8 accumulators. Each 8 quants of W are widened to float and multiplied by their block's scale in registers:
// q·d, an int8 (8 significant bits) times an fp16 value (11), has at most 19, so it is exactly the dequantised weight
// and the sums are linear_blocked's over the dequantised matrix, bit for bit (the same products in the same order).
// linear_q8_0 above loads each x vector once per weight vector (8 rows × 1 column); here each is loaded once per
// BLOCK_N columns and each widened weight serves BLOCK_M rows. The scales of 8 blocks at a time are read with one
// vload_half8 (one vcvtph2ps; a scalar vload_half is ~18 instructions on PoCL, see WIDE8) into a private array
// that the loop broadcasts from: BLOCK_N float8s more in registers would not fit beside 4 × 6 accumulators.
__kernel void linear_q8_0_blocked(__global float* out, __global const float* x, __global const char* q,
                                  __global const half* scales, __global const float* bias,
                                  __global const float* residual, int M, int N, int K, int has_bias, int has_residual,
                                  int panel) {
    int m0;
    int n0;
    if (!panel_block(get_global_id(0), M, N, panel, &m0, &n0)) {
        return;
    }
    int blocks = K / QBLOCK;
    __global const float* xr[BLOCK_M];
    __global const char* wq[BLOCK_N];
    __global const half* wd[BLOCK_N];
    block_rows(xr, x, m0, M, K);
    #pragma unroll
    for (int j = 0; j < BLOCK_N; j++) {
        q8_row r = q8_row_of(q, scales, min(n0 + j, N - 1), K);
        wq[j] = r.q;
        wd[j] = r.d;
    }
    float8 acc[BLOCK_M][BLOCK_N];
    zero_float8s(&acc[0][0], BLOCK_M * BLOCK_N);
    float d[BLOCK_N][8];
    for (int b0 = 0; b0 < blocks; b0 += 8) {
        int count = min(8, blocks - b0);
        #pragma unroll
        for (int j = 0; j < BLOCK_N; j++) {
            if (count == 8) {
                vstore8(vload_half8(0, wd[j] + b0), 0, d[j]);
            } else {
                for (int s = 0; s < count; s++) {
                    d[j][s] = vload_half(b0 + s, wd[j]);
                }
            }
        }
        for (int s = 0; s < count; s++) {
            #pragma unroll
            for (int c = 0; c < QBLOCK / 8; c++) {
                int k = (b0 + s) * QBLOCK + 8 * c;
                float8 xv[BLOCK_M];
                load_rows8(xv, xr, k);
                #pragma unroll
                for (int j = 0; j < BLOCK_N; j++) {
                    add_column8(&acc[0][0], xv, convert_float8(vload8(0, wq[j] + k)) * d[j][s], j);
                }
            }
        }
    }
    float sum[BLOCK_M][BLOCK_N];
    sum_lanes(&sum[0][0], &acc[0][0]);
    store_block(out, bias, residual, has_bias, has_residual, M, N, m0, n0, &sum[0][0]);
}

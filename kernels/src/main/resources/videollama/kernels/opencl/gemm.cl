// Linear layers over many input rows (GEMM): out[m, n] = Σ_k x[m, k] · W[n, k] + bias[n] + residual[m, n],
// with x [M, K] float32 row-major and W [N, K] in PyTorch's Linear layout, stored as float, f16 or bf16
// (-DWEIGHT_F16 / -DWEIGHT_BF16, see common.cl). Accumulation in float32. Both operands run along K, so every
// dot product reads two contiguous rows.
//
// The epilogue is fused: the bias and the residual are added where the sum is stored, in that order
// (sum + bias + residual, as reference/Linear.java does). has_bias / has_residual say whether to read them;
// when one is absent the op passes some other buffer in its place, never read. out may be residual (the
// transformer's "x = x + proj(...)"): each element is read and then written by the same work-item. Built with
// -DGELU (the op linearGelu, an MLP's first layer), every kernel stores gelu(sum + bias) instead, with common.cl's
// GELU, the one activations.cl's bias_gelu applies: linear then biasGelu's numbers (bit for bit in the GPU kernels,
// within a few ulps in the CPU ones, see common.cl's store_block), without writing the hidden layer and reading it
// back (2056 × 6144 floats a ViT-g block over 8 frames).
//
// Four kernels, picked by OpenCLGemmOps from the device and the shape (linear_widened only when forced):
//   linear_tiled   GPUs: a work-group per output tile, x and W tiles staged through local memory.
//   linear_blocked CPUs (PoCL): a work-item per small output block, float8 along K, no local memory.
//   linear_rows    GPUs when M is 1 (a decode step): a work-group per output element, like gemv.cl.
//   linear_widened CPUs with f16 or bf16 weights: linear_blocked's register blocks, reading a group's
//                  columns of W widened to float once into local memory (a measured, slower baseline).

// The epilogue shared by the kernels is common.cl's store_out: out[m, n] = sum + bias[n] + residual[m, n], or with
// -DGELU gelu(sum + bias[n]); the CPU kernels store a whole block with common.cl's store_block.

// ---- GPU: tiles in local memory, a register block per work-item --------------------------------------------

// The tile shape, set by the op's options: a work-group computes TILE_M × TILE_N outputs with
// (TILE_N / ITEM_N) × (TILE_M / ITEM_M) work-items, each ITEM_M × ITEM_N of them; K advances TILE_K at a time.
#ifndef TILE_M
#define TILE_M 64
#endif
#ifndef TILE_N
#define TILE_N 64
#endif
#ifndef TILE_K
#define TILE_K 16
#endif
#ifndef ITEM_M
#define ITEM_M 4
#endif
#ifndef ITEM_N
#define ITEM_N 4
#endif
#define ITEMS_X (TILE_N / ITEM_N)
#define ITEMS_Y (TILE_M / ITEM_M)
#define ITEMS (ITEMS_X * ITEMS_Y)

// Each work-item (tx, ty) owns rows m0 + ty + i·ITEMS_Y and columns n0 + tx + j·ITEMS_X of its group's tile:
// spread out rather than adjacent, so neighbouring items store neighbouring columns (coalesced) and read
// neighbouring local words (no bank conflicts). Per step of K the whole group first copies a TILE_K-wide
// slice of its TILE_M rows of x and TILE_N rows of W into local memory, transposed to [k][row] and widened to
// float, zero-filled past M, N and K so the inner loop needs no tests; then each item does
// TILE_K · ITEM_M · ITEM_N multiply-adds out of local memory into registers. The rows are padded by one
// word so that the transposing stores do not all hit one bank.
__kernel __attribute__((reqd_work_group_size(ITEMS_X, ITEMS_Y, 1)))
void linear_tiled(__global float* out, __global const float* x, __global const weight_t* w,
                  __global const float* bias, __global const float* residual,
                  int M, int N, int K, int has_bias, int has_residual) {
    __local float xs[TILE_K][TILE_M + 1];
    __local float ws[TILE_K][TILE_N + 1];
    int tx = get_local_id(0);
    int ty = get_local_id(1);
    int lid = ty * ITEMS_X + tx;
    int n0 = get_group_id(0) * TILE_N;
    int m0 = get_group_id(1) * TILE_M;

    float acc[ITEM_M][ITEM_N] = {0};
    for (int k0 = 0; k0 < K; k0 += TILE_K) {
        // consecutive items read consecutive k of one row: TILE_K floats in a row per load
        for (int e = lid; e < TILE_M * TILE_K; e += ITEMS) {
            int r = e / TILE_K;
            int c = e % TILE_K;
            int m = m0 + r;
            int k = k0 + c;
            xs[c][r] = (m < M && k < K) ? x[(size_t)m * K + k] : 0.0f;
        }
        for (int e = lid; e < TILE_N * TILE_K; e += ITEMS) {
            int r = e / TILE_K;
            int c = e % TILE_K;
            int n = n0 + r;
            int k = k0 + c;
            ws[c][r] = (n < N && k < K) ? LOAD_W(w, (size_t)n * K + k) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int k = 0; k < TILE_K; k++) {
            float a[ITEM_M];
            float b[ITEM_N];
            read_strided(a, xs[k], ty, ITEMS_Y, ITEM_M);
            read_strided(b, ws[k], tx, ITEMS_X, ITEM_N);
            add_outer_product(&acc[0][0], a, b, ITEM_M, ITEM_N);
        }
        // the next slice overwrites the tiles: everyone must be done reading them
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    #pragma unroll
    for (int i = 0; i < ITEM_M; i++) {
        int m = m0 + ty + i * ITEMS_Y;
        #pragma unroll
        for (int j = 0; j < ITEM_N; j++) {
            int n = n0 + tx + j * ITEMS_X;
            if (m < M && n < N) {
                store_out(out, bias, residual, has_bias, has_residual, N, m, n, acc[i][j]);
            }
        }
    }
}

// ---- CPU (PoCL): a register block per work-item, 8-wide vectors along K ------------------------------------

// The block shape (BLOCK_M rows × BLOCK_N columns of out per work-item), the order of the blocks and the store of
// a block are common.cl's, shared with q8_0.cl's linear_q8_0_blocked.

// Each work-item computes one BLOCK_M × BLOCK_N block of out: BLOCK_M · BLOCK_N dot products at once, each a
// float8 accumulator whose lanes are eight interleaved partial sums over K. Per 8 steps of K it loads
// BLOCK_M + BLOCK_N vectors and does BLOCK_M · BLOCK_N vector multiply-adds, all in registers (16 AVX2
// registers: 3×4 leaves exactly room for the loads; 4×3 spills and runs at half the speed; on AVX-512 CPUs
// the op takes 4×6 for every weight dtype, which their 32 registers hold and whose fewer loads per multiply-add
// pay). No local memory and no barriers: PoCL runs each work-item as one straight loop. Rows past M and
// columns past N are clamped to the last one (computed again, not stored), which keeps the loop free of tests.
// Which block a work-item gets is chosen for the caches (common.cl's panel_block: panels of row blocks).
__kernel void linear_blocked(__global float* out, __global const float* x, __global const weight_t* w,
                             __global const float* bias, __global const float* residual,
                             int M, int N, int K, int has_bias, int has_residual, int panel) {
    int m0;
    int n0;
    if (!panel_block(get_global_id(0), M, N, panel, &m0, &n0)) {
        return;
    }
    __global const float* xr[BLOCK_M];
    __global const weight_t* wr[BLOCK_N];
    block_rows(xr, x, m0, M, K);
    #pragma unroll
    for (int j = 0; j < BLOCK_N; j++) {
        wr[j] = w + (size_t)min(n0 + j, N - 1) * K;
    }
    float8 acc[BLOCK_M][BLOCK_N];
    zero_float8s(&acc[0][0], BLOCK_M * BLOCK_N);
    int k = 0;
    for (; k + 8 <= K; k += 8) {
        float8 xv[BLOCK_M];
        load_rows8(xv, xr, k);
        #pragma unroll
        for (int j = 0; j < BLOCK_N; j++) {
            add_column8(&acc[0][0], xv, LOAD_W8(wr[j], k), j);
        }
    }
    float sum[BLOCK_M][BLOCK_N];
    sum_lanes(&sum[0][0], &acc[0][0]);
    for (; k < K; k++) {
        #pragma unroll
        for (int i = 0; i < BLOCK_M; i++) {
            float xk = xr[i][k];
            #pragma unroll
            for (int j = 0; j < BLOCK_N; j++) {
                sum[i][j] += xk * LOAD_W(wr[j], k);
            }
        }
    }
    store_block(out, bias, residual, has_bias, has_residual, M, N, m0, n0, &sum[0][0]);
}

// ---- CPU (PoCL), f16 and bf16 weights: a group's columns of W widened once --------------------------------

// linear_blocked widens every weight vector again for each block of BLOCK_M rows: a 2056-row GEMM converts each
// f16 weight about 700 times. This kernel tested whether that is what kept f16 weights below the float32 rate;
// it is not (PoCL turns vload_half8 into one vcvtph2ps, and bf16 into a widening load and a shift), and this
// kernel runs at 0.74-0.88 of linear_blocked on the ViT's shapes, so it is kept as a forced-only baseline
// (OpenCLGemmOps.Variant.WIDENED). Here a work-group of G items shares BLOCK_N
// columns: first its items widen those columns over all of K into local memory (once per G · BLOCK_M rows),
// then each item computes a BLOCK_M × BLOCK_N block as linear_blocked does, reading float8s of the widened
// weights. The local copy is laid out [K / 8][BLOCK_N][8] (the last 8 zero-padded), so each step of 8 along K
// reads BLOCK_N float8s that lie next to each other. Groups are ordered in panels as linear_blocked's items:
// consecutive groups walk down a panel of rows for the same columns, then move to the next columns.
__kernel void linear_widened(__global float* out, __global const float* x, __global const weight_t* w,
                             __global const float* bias, __global const float* residual,
                             int M, int N, int K, int has_bias, int has_residual, int panel, __local float* wl) {
    int items = get_local_size(0);
    int lid = get_local_id(0);
    int rows = items * BLOCK_M;                         // rows of x per group
    int m_groups = (M + rows - 1) / rows;
    int n_blocks = (N + BLOCK_N - 1) / BLOCK_N;
    int t = get_group_id(0);
    int p = t / (panel * n_blocks);
    int r = t - p * panel * n_blocks;
    int height = min(panel, m_groups - p * panel);
    int m0 = (p * panel + r % height) * rows + lid * BLOCK_M;
    int n0 = (r / height) * BLOCK_N;

    int k8 = K / 8;                                     // whole steps of 8
    int chunks = (K + 7) / 8;
    for (int e = lid; e < k8 * BLOCK_N; e += items) {
        int c = e / BLOCK_N;
        int j = e - c * BLOCK_N;
        vstore8(LOAD_W8(w + (size_t)min(n0 + j, N - 1) * K, c * 8), c * BLOCK_N + j, wl);
    }
    for (int e = lid; e < (chunks - k8) * BLOCK_N * 8; e += items) {
        int j = e / 8;
        int lane = e - j * 8;
        int k = k8 * 8 + lane;
        wl[(k8 * BLOCK_N + j) * 8 + lane] = k < K ? LOAD_W(w + (size_t)min(n0 + j, N - 1) * K, k) : 0.0f;
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    __global const float* xr[BLOCK_M];
    block_rows(xr, x, m0, M, K);
    float8 acc[BLOCK_M][BLOCK_N];
    zero_float8s(&acc[0][0], BLOCK_M * BLOCK_N);
    for (int c = 0; c < k8; c++) {
        float8 xv[BLOCK_M];
        load_rows8(xv, xr, 8 * c);
        #pragma unroll
        for (int j = 0; j < BLOCK_N; j++) {
            add_column8(&acc[0][0], xv, vload8(c * BLOCK_N + j, wl), j);
        }
    }
    float sum[BLOCK_M][BLOCK_N];
    sum_lanes(&sum[0][0], &acc[0][0]);
    for (int k = k8 * 8; k < K; k++) {
        #pragma unroll
        for (int i = 0; i < BLOCK_M; i++) {
            float xk = xr[i][k];
            #pragma unroll
            for (int j = 0; j < BLOCK_N; j++) {
                sum[i][j] += xk * wl[(k8 * BLOCK_N + j) * 8 + (k - k8 * 8)];
            }
        }
    }
    store_block(out, bias, residual, has_bias, has_residual, M, N, m0, n0, &sum[0][0]);
}

// ---- GPU, one input row (M = 1): a work-group per output element -------------------------------------------

// Group (n, m) computes out[m, n]: its items stride along K (consecutive items read consecutive weights, so
// the loads coalesce) and a local tree adds their partial sums (common.cl's group_dot, as matvec in gemv.cl).
// A tile of 64 rows would leave 63 of them empty when M is 1.
__kernel void linear_rows(__global float* out, __global const float* x, __global const weight_t* w,
                          __global const float* bias, __global const float* residual,
                          int M, int N, int K, int has_bias, int has_residual, __local float* scratch) {
    int n = get_group_id(0);
    int m = get_group_id(1);
    float sum = group_dot(w + (size_t)n * K, x + (size_t)m * K, 0, K, scratch);
    if (get_local_id(0) == 0) {
        store_out(out, bias, residual, has_bias, has_residual, N, m, n, sum);
    }
}

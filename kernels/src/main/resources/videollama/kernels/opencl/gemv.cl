// Matrix-vector products over weights in their stored dtype (-DWEIGHT_F16 / -DWEIGHT_BF16 / float),
// accumulated in float32. One work-group per output row: the items stride along the row (consecutive items
// read consecutive weights, so a GPU coalesces the loads) and a local tree adds their partial sums (common.cl's
// group_dot).

// out[row] = W[row,:]·x, or out[row] += W[row,:]·x when accumulate (the residual add, fused).
__kernel void matvec(__global float* out, __global const weight_t* w, __global const float* x,
                     int cols, int accumulate, __local float* scratch) {
    int row = get_group_id(0);
    float sum = group_dot(w + (size_t)row * cols, x, 0, cols, scratch);
    if (get_local_id(0) == 0) {
        out[row] = accumulate ? out[row] + sum : sum;
    }
}

// Split-K, for GPUs given too few rows to fill them with a work-group per row: each row's columns are cut into
// `slices` ranges of `slice_cols`, and work-group row * slices + s writes the dot product of range s into
// partial[row * slices + s]. matvec_combine then adds each row's partials in range order: deterministic, no float
// atomics (OpenCL 1.2 has none), and out[row] is read and written once, so accumulate (out += W·x) adds the whole
// product to the residual exactly as matvec does.
__kernel void matvec_split(__global float* partial, __global const weight_t* w, __global const float* x,
                           int cols, int slice_cols, int slices, __local float* scratch) {
    int group = get_group_id(0);
    int row = group / slices;
    int first = (group - row * slices) * slice_cols;
    int last = min(first + slice_cols, cols);
    float sum = group_dot(w + (size_t)row * cols, x, first, last, scratch);
    if (get_local_id(0) == 0) {
        partial[group] = sum;
    }
}

// A work-item per row: out[row] = the sum of the row's partials (in range order), or out[row] += that sum.
__kernel void matvec_combine(__global float* out, __global const float* partial, int rows, int slices, int accumulate) {
    int row = get_global_id(0);
    if (row >= rows) {
        return;
    }
    float sum = 0.0f;
    for (int s = 0; s < slices; s++) {
        sum += partial[(size_t)row * slices + s];
    }
    out[row] = accumulate ? out[row] + sum : sum;
}

// LLaMA's MLP middle: out[row] = silu(G[row,:]·x) · (U[row,:]·x), both rows read in the same pass.
__kernel void swiglu_matvec(__global float* out, __global const weight_t* gate, __global const weight_t* up,
                            __global const float* x, int cols, __local float* scratch) {
    int row = get_group_id(0);
    int lid = get_local_id(0);
    int n = get_local_size(0);
    __global const weight_t* gr = gate + (size_t)row * cols;
    __global const weight_t* ur = up + (size_t)row * cols;
    float g = 0.0f;
    float u = 0.0f;
    for (int c = lid; c < cols; c += n) {
        float xc = x[c];
        g += LOAD_W(gr, c) * xc;
        u += LOAD_W(ur, c) * xc;
    }
    g = group_sum(g, scratch);
    u = group_sum(u, scratch);
    if (lid == 0) {
        out[row] = g / (1.0f + exp(-g)) * u;
    }
}

// ---- CPU-shaped variants (PoCL): one work-item per output row, 8-wide vector loads along the row, no local
// memory and no barriers, so each row is one straight loop the compiler keeps in vector registers.

// dot(W[row,:], x) with two 8-wide accumulators (two independent add chains) and a scalar tail.
static inline float row_dot_wide(__global const weight_t* wr, __global const float* x, int cols) {
    float8 a0 = (float8)(0.0f);
    float8 a1 = (float8)(0.0f);
    int c = 0;
    for (; c + 16 <= cols; c += 16) {
        a0 += LOAD_W8(wr, c) * vload8(0, x + c);
        a1 += LOAD_W8(wr, c + 8) * vload8(0, x + c + 8);
    }
    for (; c + 8 <= cols; c += 8) {
        a0 += LOAD_W8(wr, c) * vload8(0, x + c);
    }
    float sum = sum8(a0 + a1);
    for (; c < cols; c++) {
        sum += LOAD_W(wr, c) * x[c];
    }
    return sum;
}

__kernel void matvec_wide(__global float* out, __global const weight_t* w, __global const float* x,
                          int rows, int cols, int accumulate) {
    int row = get_global_id(0);
    if (row >= rows) {
        return;
    }
    float sum = row_dot_wide(w + (size_t)row * cols, x, cols);
    out[row] = accumulate ? out[row] + sum : sum;
}

// Variant 4 (CPUs): a work-item per 4 rows, each x chunk loaded once for the 4 rows. matvec_wide reads x once per
// row: where x outgrows L1 (down_proj's 11008 floats are 43 KiB, a core's L1 32 KiB) every row re-reads it from L2
// beside its weights, and PoCL's work-group loop runs the items of a group one after another, so nothing else shares
// those loads. Each row keeps row_dot_wide's two accumulators and order, so the results are matvec_wide's exactly.
#define WIDE_ROWS 4
__kernel void matvec_wide4(__global float* out, __global const weight_t* w, __global const float* x,
                           int rows, int cols, int accumulate) {
    int first = get_global_id(0) * WIDE_ROWS;
    if (first >= rows) {
        return;
    }
    if (first + WIDE_ROWS > rows) { // the last item of a row count that is not a multiple of 4
        for (int row = first; row < rows; row++) {
            float sum = row_dot_wide(w + (size_t)row * cols, x, cols);
            out[row] = accumulate ? out[row] + sum : sum;
        }
        return;
    }
    __global const weight_t* wr = w + (size_t)first * cols;
    float8 a0[WIDE_ROWS];
    float8 a1[WIDE_ROWS];
    #pragma unroll
    for (int i = 0; i < WIDE_ROWS; i++) {
        a0[i] = (float8)(0.0f);
        a1[i] = (float8)(0.0f);
    }
    int c = 0;
    for (; c + 16 <= cols; c += 16) {
        float8 x0 = vload8(0, x + c);
        float8 x1 = vload8(0, x + c + 8);
        #pragma unroll
        for (int i = 0; i < WIDE_ROWS; i++) {
            a0[i] += LOAD_W8(wr + (size_t)i * cols, c) * x0;
            a1[i] += LOAD_W8(wr + (size_t)i * cols, c + 8) * x1;
        }
    }
    for (; c + 8 <= cols; c += 8) {
        float8 x0 = vload8(0, x + c);
        #pragma unroll
        for (int i = 0; i < WIDE_ROWS; i++) {
            a0[i] += LOAD_W8(wr + (size_t)i * cols, c) * x0;
        }
    }
    #pragma unroll
    for (int i = 0; i < WIDE_ROWS; i++) {
        float sum = sum8(a0[i] + a1[i]);
        for (int t = c; t < cols; t++) {
            sum += LOAD_W(wr + (size_t)i * cols, t) * x[t];
        }
        int row = first + i;
        out[row] = accumulate ? out[row] + sum : sum;
    }
}

__kernel void swiglu_matvec_wide(__global float* out, __global const weight_t* gate, __global const weight_t* up,
                                 __global const float* x, int rows, int cols) {
    int row = get_global_id(0);
    if (row >= rows) {
        return;
    }
    float g = row_dot_wide(gate + (size_t)row * cols, x, cols);
    float u = row_dot_wide(up + (size_t)row * cols, x, cols);
    out[row] = g / (1.0f + exp(-g)) * u;
}

// Q, K and V projections of one input in one launch: rows [0, q_rows) of the grid compute q, the next
// kv_rows compute k, the last kv_rows compute v. One launch instead of three; the input stays in cache.
__kernel void qkv_matvec(__global float* q, __global float* k, __global float* v,
                         __global const weight_t* wq, __global const weight_t* wk, __global const weight_t* wv,
                         __global const float* x, int q_rows, int kv_rows, int cols, __local float* scratch) {
    int row = get_group_id(0);
    __global float* out = q;
    __global const weight_t* w = wq;
    if (row >= q_rows + kv_rows) {
        row -= q_rows + kv_rows;
        out = v;
        w = wv;
    } else if (row >= q_rows) {
        row -= q_rows;
        out = k;
        w = wk;
    }
    float sum = group_dot(w + (size_t)row * cols, x, 0, cols, scratch);
    if (get_local_id(0) == 0) {
        out[row] = sum;
    }
}

__kernel void qkv_matvec_wide(__global float* q, __global float* k, __global float* v,
                              __global const weight_t* wq, __global const weight_t* wk, __global const weight_t* wv,
                              __global const float* x, int q_rows, int kv_rows, int cols) {
    int row = get_global_id(0);
    if (row >= q_rows + 2 * kv_rows) {
        return;
    }
    if (row < q_rows) {
        q[row] = row_dot_wide(wq + (size_t)row * cols, x, cols);
    } else if (row < q_rows + kv_rows) {
        row -= q_rows;
        k[row] = row_dot_wide(wk + (size_t)row * cols, x, cols);
    } else {
        row -= q_rows + kv_rows;
        v[row] = row_dot_wide(wv + (size_t)row * cols, x, cols);
    }
}

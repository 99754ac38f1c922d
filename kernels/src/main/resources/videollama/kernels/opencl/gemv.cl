// Matrix-vector products over weights in their stored dtype (-DWEIGHT_F16 / -DWEIGHT_BF16 / float),
// accumulated in float32. One work-group per output row: the items stride along the row (consecutive items
// read consecutive weights, so a GPU coalesces the loads) and a local tree adds their partial sums.

// out[row] = W[row,:]·x, or out[row] += W[row,:]·x when accumulate (the residual add, fused).
__kernel void matvec(__global float* out, __global const weight_t* w, __global const float* x,
                     int cols, int accumulate, __local float* scratch) {
    int row = get_group_id(0);
    int lid = get_local_id(0);
    int n = get_local_size(0);
    __global const weight_t* wr = w + (size_t)row * cols;
    float sum = 0.0f;
    for (int c = lid; c < cols; c += n) {
        sum += LOAD_W(wr, c) * x[c];
    }
    sum = group_sum(sum, scratch);
    if (lid == 0) {
        out[row] = accumulate ? out[row] + sum : sum;
    }
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

// Element-wise kernels of the encoders and of batched prefill: the exact GELU (alone, or after a bias add; common.cl's
// gelu_erf, which gemm.cl's fused linearGelu epilogue shares), the SwiGLU middle, and the adds. Float32, one
// work-item per element; every kernel may run in place (out the same buffer as an input): an item reads its
// elements before it writes them, and no item touches another's.

// LLaMA's gated MLP middle after the gate and up projections of many rows: out[i] = silu(gate[i]) · up[i],
// silu(g) = g / (1 + exp(−g)) as the GEMV's fused form computes it. One work-item per element; out may be
// gate or up (each item reads its two inputs before it writes).
__kernel void swiglu(__global float* out, __global const float* gate, __global const float* up, int n) {
    int i = get_global_id(0);
    if (i >= n) {
        return;
    }
    float g = gate[i];
    out[i] = g / (1.0f + exp(-g)) * up[i];
}

// GELU of n elements, one work-item per element.
__kernel void gelu(__global float* out, __global const float* x, int n) {
    int i = get_global_id(0);
    if (i < n) {
        out[i] = gelu_erf(x[i]);
    }
}

// GELU after a bias add, the middle of every ViT and Q-Former MLP: out = gelu(x + bias), bias broadcast over
// the rows. Work-item (c, r) does column c of row r.
__kernel void bias_gelu(__global float* out, __global const float* x, __global const float* bias, int width) {
    int c = get_global_id(0);
    if (c < width) {
        size_t i = get_global_id(1) * (size_t) width + c;
        out[i] = gelu_erf(x[i] + bias[c]);
    }
}

// out = a + b over n elements, one work-item per element (the residual add where no epilogue takes it).
__kernel void add(__global float* out, __global const float* a, __global const float* b, int n) {
    int i = get_global_id(0);
    if (i < n) {
        out[i] = a[i] + b[i];
    }
}

// out = x + bias, bias broadcast over the rows. Work-item (c, r) does column c of row r.
__kernel void add_bias(__global float* out, __global const float* x, __global const float* bias, int width) {
    int c = get_global_id(0);
    if (c < width) {
        size_t i = get_global_id(1) * (size_t) width + c;
        out[i] = x[i] + bias[c];
    }
}

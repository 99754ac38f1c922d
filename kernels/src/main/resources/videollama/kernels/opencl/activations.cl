// Element-wise activations of the batched paths.

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

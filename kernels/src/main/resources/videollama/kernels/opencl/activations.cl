// Element-wise kernels of the encoders and of batched prefill: the exact GELU (alone, or after a bias add), the
// SwiGLU middle, and the adds. Float32, one work-item per element; every kernel may run in place (out the same
// buffer as an input): an item reads its elements before it writes them, and no item touches another's.

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

// erfc(z) for z >= 0, relative error about 3e-7: the Chebyshev-fitted form of Numerical Recipes' erfcc (Press et
// al., 2nd ed., section 6.2; fractional error below 1.2e-7 everywhere), t·exp(-z² + P(t)) with t = 1/(1 + z/2).
// Why not the library's erfc: PoCL evaluates it element by element at about 115 ns (1.5 s for one ViT-g MLP over 8
// frames, 50 times its memory traffic), while this vectorises. exp(-z²) is taken as exp(-hi)·(1 - lo) with z² = hi +
// lo split exactly by fma, and exp(P) separately, so the tail keeps its relative accuracy (z² reaches 72 where
// gelu still has normal floats, and one rounding of z² there would cost 4e-6).
static inline float erfc_nonnegative(float z) {
    float t = 1.0f / (1.0f + 0.5f * z);
    float p = -1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f + t * (-0.18628806f
            + t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f))))))));
    float hi = z * z;
    float lo = fma(z, z, -hi);
    return t * exp(-hi) * (1.0f - lo) * exp(p);
}

// The exact GELU, 0.5·x·(1 + erf(x/√2)), written as 0.5·x·erfc(−x/√2): the same function, but for negative x
// the erf form subtracts two numbers near 1 and keeps only the absolute accuracy of erf, where erfc keeps
// its relative accuracy. x/√2 is rounded to float first, as PyTorch does.
static inline float gelu_erf(float x) {
    float z = x * M_SQRT1_2_F;
    float e = erfc_nonnegative(fabs(z));
    return 0.5f * x * (z > 0.0f ? 2.0f - e : e); // erfc(-z) = 2 - erfc(z)
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

// The row-wise and element-wise ops of the vision and audio encoders and the Q-Formers: LayerNorm (of x, or of
// x + residual), the exact GELU (alone, or after a bias add), softmax over rows, L2 normalisation of rows, and
// the adds. Activations are float32, [rows, width] row-major.
//
// Row kernels run one work-group per row: work-item l handles the elements l, l + n, l + 2n, … of its row (n
// the group size, a power of two) in every pass, and the local tree of common.cl combines the items' partial
// sums between passes. No item ever touches another item's elements, so out may be x (in place).
// Element-wise kernels run one work-item per element and may run in place too.

// The mean of n values from their float sum: sum / n rounded correctly even where `/` is not (OpenCL C lets it
// be 2.5 ulp off, and GPUs take that liberty). One correction step: the residual sum − q·n is exact by fma
// and small, so q + residual / n lands on the correctly rounded quotient. This matters for a constant row
// under eps 1e-12 (the Q-Former): a mean one ulp off leaves deviations of 1e-7 that 1/sqrt(1e-12) amplifies
// to 0.1, where the exact mean leaves zeros and the output is the bias.
static inline float mean_of(float sum, int n) {
    float q = sum / n;
    return q + fma(-q, (float) n, sum) / n;
}

// Element i of the LayerNorm input: x[i], or x[i] + residual[i] when the residual is there. The sum is formed
// again in each pass rather than stored, so the fused kernel needs no scratch row.
static inline float ln_input(__global const float* x, __global const float* residual, int i) {
    return residual ? x[i] + residual[i] : x[i];
}

// LayerNorm of one row, two-pass: the mean first, then the mean of the squared deviations from it. Two reads
// of a row that fits in cache cost less than a Welford merge in the tree (three values per item and a
// division per merge), and unlike the one-pass E[x²] − E[x]² nothing cancels, so rows with a large common
// offset keep their variance.
static inline void layer_norm_row(__global float* o, __global const float* x, __global const float* residual,
                                  __global const float* weight, __global const float* bias, int dim, float eps,
                                  __local float* scratch) {
    int lid = get_local_id(0);
    int n = get_local_size(0);
    float sum = 0.0f;
    for (int i = lid; i < dim; i += n) {
        sum += ln_input(x, residual, i);
    }
    float mean = mean_of(group_sum(sum, scratch), dim);
    float squares = 0.0f;
    for (int i = lid; i < dim; i += n) {
        float d = ln_input(x, residual, i) - mean;
        squares += d * d;
    }
    float variance = group_sum(squares, scratch) / dim;
    float inverse_std = 1.0f / sqrt(variance + eps);
    for (int i = lid; i < dim; i += n) {
        o[i] = (ln_input(x, residual, i) - mean) * inverse_std * weight[i] + bias[i];
    }
}

// LayerNorm, one work-group per row: out = (x − mean) / sqrt(var + eps) · weight + bias.
__kernel void layer_norm(__global float* out, __global const float* x, __global const float* weight,
                         __global const float* bias, int dim, float eps, __local float* scratch) {
    size_t row = get_group_id(0) * (size_t) dim;
    layer_norm_row(out + row, x + row, 0, weight, bias, dim, eps, scratch);
}

// The post-LN residual block of BERT and the Q-Former, one work-group per row: out = LayerNorm(x + residual).
// out may be x or residual.
__kernel void add_layer_norm(__global float* out, __global const float* x, __global const float* residual,
                             __global const float* weight, __global const float* bias, int dim, float eps,
                             __local float* scratch) {
    size_t row = get_group_id(0) * (size_t) dim;
    layer_norm_row(out + row, x + row, residual + row, weight, bias, dim, eps, scratch);
}

// Softmax of each row of scale · x, one work-group per row: the row maximum, then the exponentials of the
// shifted values (written out, and summed), then each divided by the sum (as a multiply by its inverse).
__kernel void softmax_rows(__global float* out, __global const float* x, int cols, float scale,
                           __local float* scratch) {
    size_t row = get_group_id(0) * (size_t) cols;
    __global const float* xr = x + row;
    __global float* o = out + row;
    int lid = get_local_id(0);
    int n = get_local_size(0);
    float row_max = -INFINITY;
    for (int i = lid; i < cols; i += n) {
        row_max = fmax(row_max, scale * xr[i]);
    }
    row_max = group_max(row_max, scratch);
    float sum = 0.0f;
    for (int i = lid; i < cols; i += n) {
        float e = exp(scale * xr[i] - row_max);
        o[i] = e;
        sum += e;
    }
    float inverse = 1.0f / group_sum(sum, scratch);
    for (int i = lid; i < cols; i += n) {
        o[i] *= inverse;
    }
}

// L2 normalisation of each row times a scale, one work-group per row, as PyTorch's F.normalize followed by a
// constant logit scale (ImageBind's head): out = x / max(‖x‖₂, eps) · scale.
__kernel void l2_normalize(__global float* out, __global const float* x, int dim, float eps, float scale,
                           __local float* scratch) {
    size_t row = get_group_id(0) * (size_t) dim;
    __global const float* xr = x + row;
    __global float* o = out + row;
    int lid = get_local_id(0);
    int n = get_local_size(0);
    float squares = 0.0f;
    for (int i = lid; i < dim; i += n) {
        squares += xr[i] * xr[i];
    }
    float norm = fmax(sqrt(group_sum(squares, scratch)), eps);
    for (int i = lid; i < dim; i += n) {
        o[i] = xr[i] / norm * scale;
    }
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

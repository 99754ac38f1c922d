// The row-wise ops of the vision and audio encoders and the Q-Formers: LayerNorm (of x, or of x + residual),
// softmax over rows, L2 normalisation of rows (the element-wise ones are in activations.cl, as on CUDA).
// Activations are float32, [rows, width] row-major.
//
// Row kernels run one work-group per row: work-item l handles the elements l, l + n, l + 2n, … of its row (n
// the group size, a power of two) in every pass, and the local tree of common.cl combines the items' partial
// sums between passes. No item ever touches another item's elements, so out may be x (in place).

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
    float norm = fmax(sqrt(group_sum_squares(xr, dim, scratch)), eps);
    for (int i = get_local_id(0); i < dim; i += get_local_size(0)) {
        o[i] = xr[i] / norm * scale;
    }
}

// RMSNorm, one work-group per row: each item sums the squares of a strided slice of the row, a local tree
// adds the slices, then each item scales its slice. out may be x (in place).
__kernel void rms_norm(__global float* out, __global const float* x, __global const float* weight,
                       int dim, float eps, __local float* scratch) {
    int row = get_group_id(0);
    int lid = get_local_id(0);
    int n = get_local_size(0);
    __global const float* xr = x + (size_t)row * dim;
    __global float* o = out + (size_t)row * dim;
    float sum = 0.0f;
    for (int i = lid; i < dim; i += n) {
        sum += xr[i] * xr[i];
    }
    sum = group_sum(sum, scratch);
    float inverse_rms = 1.0f / sqrt(sum / dim + eps);
    for (int i = lid; i < dim; i += n) {
        o[i] = weight[i] * (xr[i] * inverse_rms);
    }
}

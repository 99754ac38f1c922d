// RMSNorm, one work-group per row: the group sums the squares of the row (common.cl's
// group_sum_squares), then each item scales its slice. out may be x (in place).
__kernel void rms_norm(__global float* out, __global const float* x, __global const float* weight,
                       int dim, float eps, __local float* scratch) {
    int row = get_group_id(0);
    __global const float* xr = x + (size_t)row * dim;
    __global float* o = out + (size_t)row * dim;
    float inverse_rms = 1.0f / sqrt(group_sum_squares(xr, dim, scratch) / dim + eps);
    for (int i = get_local_id(0); i < dim; i += get_local_size(0)) {
        o[i] = weight[i] * (xr[i] * inverse_rms);
    }
}

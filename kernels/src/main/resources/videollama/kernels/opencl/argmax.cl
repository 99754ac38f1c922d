// The index of the largest value, the first one on ties (as torch.argmax). One work-group: each item scans
// a strided slice, then a local tree keeps the larger value, or the smaller index when values are equal.
__kernel void argmax(__global int* out, __global const float* x, int n,
                     __local float* best_value, __local int* best_index) {
    int lid = get_local_id(0);
    int size = get_local_size(0);
    float v = -INFINITY;
    int index = 0x7fffffff;
    for (int i = lid; i < n; i += size) {
        if (x[i] > v) {
            v = x[i];
            index = i;
        }
    }
    best_value[lid] = v;
    best_index[lid] = index;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = size / 2; s > 0; s >>= 1) {
        if (lid < s) {
            float ov = best_value[lid + s];
            int oi = best_index[lid + s];
            if (ov > best_value[lid] || (ov == best_value[lid] && oi < best_index[lid])) {
                best_value[lid] = ov;
                best_index[lid] = oi;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) {
        out[0] = best_index[0] == 0x7fffffff ? 0 : best_index[0];
    }
}

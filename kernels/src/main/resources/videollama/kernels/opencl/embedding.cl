// One work-item per element: out[i] = table[ids[index], i], widened to float. The id is read on the device,
// so a decode loop never sends the token back to the host to embed it.
__kernel void embedding(__global float* out, __global const weight_t* table, __global const int* ids,
                        int index, int dim) {
    int i = get_global_id(0);
    if (i >= dim) {
        return;
    }
    out[i] = LOAD_W(table, (size_t)ids[index] * dim + i);
}

// Prepended to every program. How weights and the KV cache are read in their stored dtype, and the
// work-group reductions. Only OpenCL C 1.2 core: half is a storage type read and written through
// vload_half / vstore_half, so no cl_khr_fp16 is needed (PoCL has none); bf16 is the upper half of a float.

// LOAD_W reads one weight as float; LOAD_W8 reads 8 consecutive ones starting at element i (8 floats are one
// AVX2 register: PoCL's CPU target warns about the ABI of wider vectors and gains nothing from them).
#if defined(WEIGHT_F16)
typedef half weight_t;
#define LOAD_W(p, i) vload_half((i), (p))
#define LOAD_W8(p, i) vload_half8(0, (p) + (i))
#elif defined(WEIGHT_BF16)
typedef ushort weight_t;
#define LOAD_W(p, i) as_float(((uint)(p)[(i)]) << 16)
#define LOAD_W8(p, i) as_float8(convert_uint8(vload8(0, (p) + (i))) << 16)
#else
typedef float weight_t;
#define LOAD_W(p, i) ((p)[(i)])
#define LOAD_W8(p, i) vload8(0, (p) + (i))
#endif

// The sum of a float8's lanes.
static inline float sum8(float8 v) {
    float4 b = v.lo + v.hi;
    float2 c = b.lo + b.hi;
    return c.x + c.y;
}

#if defined(KV_F16)
typedef half kv_t;
#define LOAD_KV(p, i) vload_half((i), (p))
#define STORE_KV(v, p, i) vstore_half_rte((v), (i), (p))
#else
typedef float kv_t;
#define LOAD_KV(p, i) ((p)[(i)])
#define STORE_KV(v, p, i) ((p)[(i)] = (v))
#endif

// The sum of one value per work-item over the work-group (a power of two in size), by a tree in local
// memory. Every item gets the result; scratch holds one float per item and is free again on return.
static inline float group_sum(float v, __local float* scratch) {
    int lid = get_local_id(0);
    scratch[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = get_local_size(0) / 2; s > 0; s >>= 1) {
        if (lid < s) {
            scratch[lid] += scratch[lid + s];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float r = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

// The maximum over the work-group, as group_sum.
static inline float group_max(float v, __local float* scratch) {
    int lid = get_local_id(0);
    scratch[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = get_local_size(0) / 2; s > 0; s >>= 1) {
        if (lid < s) {
            scratch[lid] = fmax(scratch[lid], scratch[lid + s]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float r = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

// The stem of a vision transformer: a Conv2d with a square kernel, stride s, no padding, whose output is read as
// tokens [batch, patches, cout] (reference: PatchEmbedding.java), then the class token and the positions.
//
// The convolution is a GEMM in disguise: out[patch, c] = Σ_k pixels(patch)[k] · w[c, k] (+ bias[c]), where
// pixels(patch) is the patch's im2col row of K = cin·ksize·ksize values in (cin, ky, kx) order and w [cout, K] is
// the weight as it lies in memory. Nobody writes the im2col matrix: the block gathers its patches straight from
// the images into shared memory. Accumulation is float32; weights are read in their stored dtype.
//
// Sizes are ints: the Java side checks that images, weights and outputs have fewer than 2^31 elements.
#include "common.cuh"

// A block of 16 × 16 threads computes a tile of 64 patches × 64 channels, each thread a 4 × 4 register block:
// patches 4·ty .. 4·ty + 3 of the tile (one 128-bit shared load per tap) and channels tx, tx + 16, tx + 32, tx + 48
// (so consecutive threads store consecutive channels and the stores coalesce). Per step of PE_TAPS taps the block
// stages the tile's im2col block and weight block in shared memory (2 × 16 × 68 floats = 8.7 KB), transposed so
// that a tap's 64 values are contiguous; the rows are padded to 68 floats to keep them 16-byte aligned.
#define PE_SIDE 16
#define PE_BLOCK 4
#define PE_TILE (PE_SIDE * PE_BLOCK)
#define PE_TAPS 16
#define PE_THREADS (PE_SIDE * PE_SIDE)
#define PE_ROW (PE_TILE + 4)
// Each thread loads tap kk = tid % PE_TAPS of tile rows tid / PE_TAPS + PE_LOAD_STRIDE·i, i < PE_LOAD_PASSES.
#define PE_LOAD_STRIDE (PE_THREADS / PE_TAPS)
#define PE_LOAD_PASSES (PE_TILE / PE_LOAD_STRIDE)

// Where a patch's first pixel lies (the patch's top-left corner in its image), and where tap k lies relative to
// it: split so that each is computed once per tile row or per tap.
__device__ __forceinline__ int patch_origin(int patch, int patches_per_image, int out_w, int channels, int height,
                                            int width, int stride) {
    int b = patch / patches_per_image;
    int p = patch - b * patches_per_image;
    int oy = p / out_w;
    int ox = p - oy * out_w;
    return b * channels * height * width + oy * stride * width + ox * stride;
}

__device__ __forceinline__ int tap_offset(int k, int ksize, int height, int width) {
    int area = ksize * ksize;
    int cin = k / area;
    int r = k - cin * area;
    int ky = r / ksize;
    int kx = r - ky * ksize;
    return cin * height * width + ky * width + kx;
}

// Grid: x = tiles of patches, y = tiles of channels.
template <typename W>
__device__ __forceinline__ void patch_embed(float* out, const float* images, const W* w, const float* bias, int has_bias,
                                            int channels, int height, int width, int ksize, int stride, int out_w,
                                            int patches_per_image, int total_patches, int cout) {
    __align__(16) __shared__ float patch_tile[PE_TAPS][PE_ROW];
    __align__(16) __shared__ float weight_tile[PE_TAPS][PE_ROW];

    int tx = threadIdx.x % PE_SIDE;
    int ty = threadIdx.x / PE_SIDE;
    int first_patch = blockIdx.x * PE_TILE;
    int first_channel = blockIdx.y * PE_TILE;
    int taps = channels * ksize * ksize;

    // The rows this thread loads are the same at every step: find their patches' corners once.
    int load_k = threadIdx.x % PE_TAPS;
    int load_row = threadIdx.x / PE_TAPS;
    int origin[PE_LOAD_PASSES];
#pragma unroll
    for (int i = 0; i < PE_LOAD_PASSES; i++) {
        int patch = first_patch + load_row + PE_LOAD_STRIDE * i;
        origin[i] = patch < total_patches ? patch_origin(patch, patches_per_image, out_w, channels, height, width, stride) : -1;
    }

    float acc[PE_BLOCK][PE_BLOCK];
#pragma unroll
    for (int i = 0; i < PE_BLOCK; i++) {
#pragma unroll
        for (int j = 0; j < PE_BLOCK; j++) {
            acc[i][j] = 0.0f;
        }
    }

    for (int k0 = 0; k0 < taps; k0 += PE_TAPS) {
        int k = k0 + load_k;
        int tap = k < taps ? tap_offset(k, ksize, height, width) : 0;
#pragma unroll
        for (int i = 0; i < PE_LOAD_PASSES; i++) {
            int row = load_row + PE_LOAD_STRIDE * i;
            int c = first_channel + row;
            patch_tile[load_k][row] = k < taps && origin[i] >= 0 ? images[origin[i] + tap] : 0.0f;
            weight_tile[load_k][row] = k < taps && c < cout ? to_float(w[(size_t)c * taps + k]) : 0.0f;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < PE_TAPS; kk++) {
            float4 a = *reinterpret_cast<const float4*>(&patch_tile[kk][PE_BLOCK * ty]);
            float pa[PE_BLOCK] = {a.x, a.y, a.z, a.w};
            float pb[PE_BLOCK];
#pragma unroll
            for (int j = 0; j < PE_BLOCK; j++) {
                pb[j] = weight_tile[kk][tx + PE_SIDE * j];
            }
#pragma unroll
            for (int i = 0; i < PE_BLOCK; i++) {
#pragma unroll
                for (int j = 0; j < PE_BLOCK; j++) {
                    acc[i][j] += pa[i] * pb[j];
                }
            }
        }
        __syncthreads(); // the next step overwrites both tiles
    }

#pragma unroll
    for (int i = 0; i < PE_BLOCK; i++) {
        int patch = first_patch + PE_BLOCK * ty + i;
#pragma unroll
        for (int j = 0; j < PE_BLOCK; j++) {
            int c = first_channel + tx + PE_SIDE * j;
            if (patch < total_patches && c < cout) {
                out[(size_t)patch * cout + c] = has_bias ? acc[i][j] + bias[c] : acc[i][j];
            }
        }
    }
}

#define PATCH_EMBED(NAME, W)                                                                                          \
    extern "C" __global__ void __launch_bounds__(PE_THREADS)                                                          \
    NAME(float* out, const float* images, const W* w, const float* bias, int has_bias, int channels, int height,      \
         int width, int ksize, int stride, int out_w, int patches_per_image, int total_patches, int cout) {           \
        patch_embed(out, images, w, bias, has_bias, channels, height, width, ksize, stride, out_w, patches_per_image, \
                    total_patches, cout);                                                                             \
    }

PATCH_EMBED(patch_embed_f32, float)
PATCH_EMBED(patch_embed_f16, __half)
PATCH_EMBED(patch_embed_bf16, __nv_bfloat16)

// ---- Class token and positions, one thread per output element.

// out [batch, patches + 1, dim]: token 0 of each image is cls, token t ≥ 1 is patch t − 1 of `patches`
// [batch, patches, dim]; with add_positions, positions [patches + 1, dim] row t is added to token t (EVA:
// cat(cls, patches) + pos_embed in one pass).
extern "C" __global__ void class_token(float* out, const float* patches, const float* cls, const float* positions,
                                       int add_positions, int batch, int patch_count, int dim) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    int tokens = patch_count + 1;
    if (i >= (long long)batch * tokens * dim) {
        return;
    }
    int b = (int)(i / ((long long)tokens * dim));
    int t = (int)(i / dim - (long long)b * tokens);
    int d = (int)(i % dim);
    float v = t == 0 ? cls[d] : patches[((size_t)b * patch_count + t - 1) * dim + d];
    out[i] = add_positions ? v + positions[(size_t)t * dim + d] : v;
}

// x [batch, tokens, dim] += positions [tokens, dim], in place.
extern "C" __global__ void add_positions(float* x, const float* positions, int batch, int tokens, int dim) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    long long per_image = (long long)tokens * dim;
    if (i >= batch * per_image) {
        return;
    }
    x[i] += positions[i % per_image];
}

#undef PATCH_EMBED
#undef PE_LOAD_PASSES
#undef PE_LOAD_STRIDE
#undef PE_ROW
#undef PE_THREADS
#undef PE_TAPS
#undef PE_TILE
#undef PE_BLOCK
#undef PE_SIDE

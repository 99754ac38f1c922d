// The stem of a vision transformer: a Conv2d with a square kernel, stride s, no padding, whose output is read as
// tokens [batch, patches, cout] (reference: PatchEmbedding.java), then the class token and the positions.
//
// The convolution is a GEMM in disguise: out[patch, c] = Σ_k pixels(patch)[k] · w[c, k] (+ bias[c]), where
// pixels(patch) is the patch's im2col row of K = cin·ksize·ksize values in (cin, ky, kx) order and w [cout, K]
// is the weight as it lies in memory. Nobody writes the im2col matrix: the kernels gather patches straight from
// the images into local memory. Accumulation is float32; weights are read in their stored dtype (common.cl).
//
// Sizes are ints: the Java side checks that images, weights and outputs have fewer than 2^31 elements.

// Where pixel k of a patch lies in an image, split in two so that each is computed once per row or column of a
// tile: the patch's top-left corner (depends only on the patch) plus the tap's offset (depends only on k).
static inline int patch_origin(int patch, int patches_per_image, int out_w, int channels, int height, int width,
                               int stride) {
    int b = patch / patches_per_image;
    int p = patch - b * patches_per_image;
    int oy = p / out_w;
    int ox = p - oy * out_w;
    return b * channels * height * width + oy * stride * width + ox * stride;
}

static inline int tap_offset(int k, int ksize, int height, int width) {
    int area = ksize * ksize;
    int cin = k / area;
    int r = k - cin * area;
    int ky = r / ksize;
    int kx = r - ky * ksize;
    return cin * height * width + ky * width + kx;
}

// ---- GPU: a tiled GEMM (TILE × TILE outputs per work-group, TILE_K taps at a time through local memory).
//
// GROUP_SIDE × GROUP_SIDE work-items; each computes a 4 × 4 block of outputs: patches ty + GROUP_SIDE·i and
// channels tx + GROUP_SIDE·j of the tile (strided, so consecutive items write consecutive channels and the
// stores coalesce). Per step of TILE_K taps the group stages the tile's im2col block (TILE patches × TILE_K) and
// weight block (TILE channels × TILE_K) in local memory: 2 × 16 × 65 floats = 8.3 KB at GROUP_SIDE 16. Each
// output's sum runs over k in order, as the reference's.
#ifndef GROUP_SIDE
#define GROUP_SIDE 16
#endif
#define BLOCK 4
#define TILE (GROUP_SIDE * BLOCK)
#define TILE_K 16
#define THREADS (GROUP_SIDE * GROUP_SIDE)
// Each item loads tap column kk = lid % TILE_K of tile rows lid / TILE_K + LOAD_STRIDE·i, i < LOAD_PASSES.
#define LOAD_STRIDE (THREADS / TILE_K)
#define LOAD_PASSES (TILE / LOAD_STRIDE)

__kernel __attribute__((reqd_work_group_size(GROUP_SIDE, GROUP_SIDE, 1)))
void patch_embed_tiled(__global float* out, __global const float* images, __global const weight_t* w,
                       __global const float* bias, int has_bias,
                       int channels, int height, int width, int ksize, int stride, int out_w,
                       int patches_per_image, int total_patches, int cout) {
    // +1: the loads write a column of each tile, the padding spreads it over the banks
    __local float patch_tile[TILE_K][TILE + 1];
    __local float weight_tile[TILE_K][TILE + 1];

    int tx = get_local_id(0);
    int ty = get_local_id(1);
    int lid = ty * GROUP_SIDE + tx;
    int first_channel = get_group_id(0) * TILE;
    int first_patch = get_group_id(1) * TILE;
    int taps = channels * ksize * ksize;

    // The rows this item loads are the same at every step: find their patches' corners once.
    int load_k = lid % TILE_K;
    int load_row = lid / TILE_K;
    int origin[LOAD_PASSES];
    for (int i = 0; i < LOAD_PASSES; i++) {
        int patch = first_patch + load_row + LOAD_STRIDE * i;
        origin[i] = patch < total_patches
                ? patch_origin(patch, patches_per_image, out_w, channels, height, width, stride) : -1;
    }

    float acc[BLOCK][BLOCK] = {0};

    for (int k0 = 0; k0 < taps; k0 += TILE_K) {
        int k = k0 + load_k;
        int tap = k < taps ? tap_offset(k, ksize, height, width) : 0;
        for (int i = 0; i < LOAD_PASSES; i++) {
            int row = load_row + LOAD_STRIDE * i;
            int c = first_channel + row;
            patch_tile[load_k][row] = (k < taps && origin[i] >= 0) ? images[origin[i] + tap] : 0.0f;
            weight_tile[load_k][row] = (k < taps && c < cout) ? LOAD_W(w, c * taps + k) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < TILE_K; kk++) {
            float a[BLOCK];
            float b[BLOCK];
            read_strided(a, patch_tile[kk], ty, GROUP_SIDE, BLOCK);
            read_strided(b, weight_tile[kk], tx, GROUP_SIDE, BLOCK);
            add_outer_product(&acc[0][0], a, b, BLOCK, BLOCK);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    for (int i = 0; i < BLOCK; i++) {
        int patch = first_patch + ty + GROUP_SIDE * i;
        for (int j = 0; j < BLOCK; j++) {
            int c = first_channel + tx + GROUP_SIDE * j;
            if (patch < total_patches && c < cout) {
                out[patch * cout + c] = has_bias ? acc[i][j] + bias[c] : acc[i][j];
            }
        }
    }
}

// ---- CPU (PoCL): WIDE_PATCHES patches per work-group, staged in local memory, against every output channel.
//
// The group first copies its patches' im2col rows into `staged` (WIDE_PATCHES × K floats, zeros past the last
// patch: 9.4 KB for EVA), one run of ksize contiguous pixels per (patch, cin, ky). Then each work-item takes
// channel pairs lid, lid + size, ... and computes them for all the group's patches as 8-wide dot products
// along K: a register block of 4 patches × 2 channels (8 float8 accumulators, each weight vector loaded once
// for 4 patches). The patches are gathered once for all cout channels, so the gather costs next to nothing.
#define WIDE_PATCHES 4

__kernel void patch_embed_wide(__global float* out, __global const float* images, __global const weight_t* w,
                               __global const float* bias, int has_bias,
                               int channels, int height, int width, int ksize, int stride, int out_w,
                               int patches_per_image, int total_patches, int cout, __local float* staged) {
    int taps = channels * ksize * ksize;
    int runs = channels * ksize; // runs of ksize pixels per patch, in (cin, ky) order
    int first_patch = get_group_id(0) * WIDE_PATCHES;
    for (int i = get_local_id(0); i < WIDE_PATCHES * runs; i += get_local_size(0)) {
        int j = i / runs;
        int run = i - j * runs;
        int patch = first_patch + j;
        __local float* dst = staged + j * taps + run * ksize;
        if (patch < total_patches) {
            int cin = run / ksize;
            int ky = run - cin * ksize;
            __global const float* src = images + patch_origin(patch, patches_per_image, out_w, channels, height, width, stride)
                    + (cin * height + ky) * width;
            for (int kx = 0; kx < ksize; kx++) {
                dst[kx] = src[kx];
            }
        } else {
            for (int kx = 0; kx < ksize; kx++) {
                dst[kx] = 0.0f;
            }
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    __local const float* x0 = staged;
    __local const float* x1 = staged + taps;
    __local const float* x2 = staged + 2 * taps;
    __local const float* x3 = staged + 3 * taps;
    for (int c0 = 2 * get_local_id(0); c0 < cout; c0 += 2 * get_local_size(0)) {
        // An odd last channel computes its own row twice and stores it once.
        int c1 = min(c0 + 1, cout - 1);
        __global const weight_t* w0 = w + c0 * taps;
        __global const weight_t* w1 = w + c1 * taps;
        float8 a00 = (float8)(0.0f), a01 = (float8)(0.0f), a10 = (float8)(0.0f), a11 = (float8)(0.0f);
        float8 a20 = (float8)(0.0f), a21 = (float8)(0.0f), a30 = (float8)(0.0f), a31 = (float8)(0.0f);
        int k = 0;
        for (; k + 8 <= taps; k += 8) {
            float8 v0 = LOAD_W8(w0, k);
            float8 v1 = LOAD_W8(w1, k);
            float8 p = vload8(0, x0 + k);
            a00 += p * v0;
            a01 += p * v1;
            p = vload8(0, x1 + k);
            a10 += p * v0;
            a11 += p * v1;
            p = vload8(0, x2 + k);
            a20 += p * v0;
            a21 += p * v1;
            p = vload8(0, x3 + k);
            a30 += p * v0;
            a31 += p * v1;
        }
        float s[WIDE_PATCHES][2] = {{sum8(a00), sum8(a01)}, {sum8(a10), sum8(a11)},
                                    {sum8(a20), sum8(a21)}, {sum8(a30), sum8(a31)}};
        for (; k < taps; k++) {
            float v0 = LOAD_W(w0, k);
            float v1 = LOAD_W(w1, k);
            for (int j = 0; j < WIDE_PATCHES; j++) {
                s[j][0] += staged[j * taps + k] * v0;
                s[j][1] += staged[j * taps + k] * v1;
            }
        }
        float b0 = has_bias ? bias[c0] : 0.0f;
        float b1 = has_bias ? bias[c1] : 0.0f;
        for (int j = 0; j < WIDE_PATCHES; j++) {
            int patch = first_patch + j;
            if (patch < total_patches) {
                out[patch * cout + c0] = s[j][0] + b0;
                if (c1 != c0) {
                    out[patch * cout + c1] = s[j][1] + b1;
                }
            }
        }
    }
}

// ---- Class token and positions, one work-item per output element.

// out [batch, patches + 1, dim]: token 0 of each image is cls, token t ≥ 1 is patch t − 1 of `patches`
// [batch, patches, dim]; with add_positions, positions [patches + 1, dim] row t is added to token t
// (EVA: cat(cls, patches) + pos_embed in one pass).
__kernel void class_token(__global float* out, __global const float* patches, __global const float* cls,
                          __global const float* positions, int add_positions, int batch, int patch_count, int dim) {
    int i = get_global_id(0);
    int tokens = patch_count + 1;
    if (i >= batch * tokens * dim) {
        return;
    }
    int b = i / (tokens * dim);
    int t = i / dim - b * tokens;
    int d = i - (b * tokens + t) * dim;
    float v = t == 0 ? cls[d] : patches[(b * patch_count + t - 1) * dim + d];
    out[i] = add_positions ? v + positions[t * dim + d] : v;
}

// x [batch, tokens, dim] += positions [tokens, dim], in place.
__kernel void add_positions(__global float* x, __global const float* positions, int batch, int tokens, int dim) {
    int i = get_global_id(0);
    int per_image = tokens * dim;
    if (i >= batch * per_image) {
        return;
    }
    x[i] += positions[i % per_image];
}

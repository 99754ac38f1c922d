// The emulator's stand-in for the kernels' mma.cuh (CudaEmulator copies it over the real one, whose inline PTX
// g++ cannot compile): the same two functions, computed on the CPU from the PTX ISA's description.
//
// mma_m16n8k16 is warp-collective, as on the GPU: each lane publishes its fragment registers, the warp meets at
// its barrier, and lane 0 rebuilds the whole 16x16 A and 16x8 B from the 32 lanes' registers with the documented
// fragment layout ("Matrix Fragments for mma.m16n8k16 with floating point type"), written here as the ISA states
// it, element by element, independently of how gemm.cu fills the registers: a kernel that loads its fragments in
// another layout gets a wrong product and fails its test. After a second barrier each lane adds its own four
// elements of A·B to its accumulators, which are laid out as the ISA's C/D fragment. (One lane rebuilds A and B
// for the warp, not each lane for itself: widening 16-bit floats is a library call on the CPU, and 32 rebuilds per
// product made the emulated tensor-core GEMM seven times slower.) The products of two 16-bit floats are
// exact in float; the 16 of a dot product are summed in double and rounded once (the GPU's internal order and
// precision are unspecified: the tests allow for that).
//
// pack2 rounds to nearest even as the GPU's cvt.rn does: _Float16's conversion for half, the carry trick for bf16.
#pragma once

// One launch runs at a time and blocks run in turn, so one slot per thread (or warp) of a block is enough.
inline unsigned int emu_mma_fragments[1024][6]; // a0..a3 (4 registers of A), b0, b1 (2 of B)
inline float emu_mma_a[32][16][16];              // per warp: A and B as lane 0 rebuilt them
inline float emu_mma_b[32][16][8];

template <typename T> inline float emu_widen(unsigned int bits16);
template <> inline float emu_widen<__half>(unsigned int bits16) { return __half2float(__ushort_as_half((unsigned short)bits16)); }
template <> inline float emu_widen<__nv_bfloat16>(unsigned int bits16) { return __uint_as_float(bits16 << 16); }

// Element i (0..7 of A, 0..3 of B) of a lane's fragment: the 16-bit half of register i / 2, lower index low.
inline unsigned int emu_element(const unsigned int* registers, int i) {
    return (registers[i / 2] >> (16 * (i & 1))) & 0xffffu;
}

template <typename T>
inline void mma_m16n8k16(float (&acc)[4], const unsigned int (&a)[4], const unsigned int (&b)[2]) {
    int t = threadIdx.x;
    int warp = t / 32;
    unsigned int* mine = emu_mma_fragments[t];
    for (int r = 0; r < 4; r++) mine[r] = a[r];
    for (int r = 0; r < 2; r++) mine[4 + r] = b[r];
    emu_block->warps[warp]->arrive_and_wait();

    float (&A)[16][16] = emu_mma_a[warp];
    float (&B)[16][8] = emu_mma_b[warp];
    if (t % 32 == 0) {
        for (int lane = 0; lane < 32; lane++) {
            const unsigned int* f = emu_mma_fragments[warp * 32 + lane];
            int groupID = lane >> 2;
            int threadID_in_group = lane % 4;
            for (int i = 0; i < 8; i++) {
                int row = (i < 2 || (i >= 4 && i < 6)) ? groupID : groupID + 8;
                int col = threadID_in_group * 2 + (i & 0x1) + (i >= 4 ? 8 : 0);
                A[row][col] = emu_widen<T>(emu_element(f, i));
            }
            for (int i = 0; i < 4; i++) {
                int row = threadID_in_group * 2 + (i & 0x1) + (i >= 2 ? 8 : 0);
                int col = groupID;
                B[row][col] = emu_widen<T>(emu_element(f + 4, i));
            }
        }
    }
    emu_block->warps[warp]->arrive_and_wait(); // A and B are rebuilt

    int lane = t % 32;
    int groupID = lane >> 2;
    int threadID_in_group = lane % 4;
    for (int i = 0; i < 4; i++) {
        int row = i < 2 ? groupID : groupID + 8;
        int col = threadID_in_group * 2 + (i & 0x1);
        double dot = 0;
        for (int k = 0; k < 16; k++) dot += (double)A[row][k] * B[k][col];
        acc[i] = (float)((double)acc[i] + dot);
    }
    emu_block->warps[warp]->arrive_and_wait(); // the slots, A and B may be refilled by the next call
}

template <typename T> inline unsigned int emu_round(float v);
template <> inline unsigned int emu_round<__half>(float v) {
    _Float16 h = (_Float16)v; // round to nearest even, as cvt.rn.f16.f32
    unsigned short bits;
    std::memcpy(&bits, &h, 2);
    return bits;
}
template <> inline unsigned int emu_round<__nv_bfloat16>(float v) {
    unsigned int u;
    std::memcpy(&u, &v, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return 0x7fffu; // NaN: the canonical one, as __float2bfloat16_rn
    return (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;      // round to nearest, ties to the even upper half
}

template <typename T>
inline unsigned int pack2(float lo, float hi) {
    return emu_round<T>(lo) | (emu_round<T>(hi) << 16);
}

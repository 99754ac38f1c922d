// The tensor-core instruction behind gemm.cu's 16-bit kernels, and the float -> 16-bit packing that feeds it.
// Kept apart in this small header because the CPU emulator cannot run inline PTX: the emulator compiles the
// kernels against its own mma.cuh (kernels/src/test/resources/.../emulator/mma.cuh), which implements the same
// two functions from the PTX ISA's description, fragment layout included. Keep the two in step.
//
// mma.sync.aligned.m16n8k16.row.col.f32.{f16,bf16}.{f16,bf16}.f32 (sm_80+, PTX 7.0+): one warp computes
// D[16x8] = A[16x16] · B[16x8] + C[16x8], A and B in 16-bit floats, C and D in fp32. Each of the 32 lanes holds
// a fragment of every matrix in registers; with groupID = lane >> 2 and threadID_in_group = lane % 4 (PTX ISA,
// "Matrix Fragments for mma.m16n8k16 with floating point type"):
//   A: 4 .b32 registers, two elements each (the lower-indexed one in the low 16 bits), elements a0..a7:
//        row = groupID for a0, a1, a4, a5; groupID + 8 for a2, a3, a6, a7
//        col = threadID_in_group * 2 + (i & 1), + 8 for a4..a7
//      so a[0] = A[g][2t, 2t+1], a[1] = A[g+8][2t, 2t+1], a[2] = A[g][2t+8, 2t+9], a[3] = A[g+8][2t+8, 2t+9]
//   B: 2 .b32 registers, elements b0..b3: row (k) = threadID_in_group * 2 + (i & 1), + 8 for b2, b3; col = groupID
//      so b[0] = B[2t, 2t+1][g], b[1] = B[2t+8, 2t+9][g]: two consecutive k of column g ("col" layout)
//   C, D: 4 floats c0..c3: row = groupID for c0, c1, groupID + 8 for c2, c3; col = threadID_in_group * 2 + (i & 1)
#pragma once
#include <cuda_fp16.h>
#include <cuda_bf16.h>

// acc += A·B for the warp's 16x8 tile: every lane of the warp must call it together (it is .sync.aligned).
template <typename T>
__device__ __forceinline__ void mma_m16n8k16(float (&acc)[4], const unsigned int (&a)[4], const unsigned int (&b)[2]);

template <>
__device__ __forceinline__ void mma_m16n8k16<__half>(float (&acc)[4], const unsigned int (&a)[4], const unsigned int (&b)[2]) {
    asm("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
        : "+f"(acc[0]), "+f"(acc[1]), "+f"(acc[2]), "+f"(acc[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

template <>
__device__ __forceinline__ void mma_m16n8k16<__nv_bfloat16>(float (&acc)[4], const unsigned int (&a)[4], const unsigned int (&b)[2]) {
    asm("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
        : "+f"(acc[0]), "+f"(acc[1]), "+f"(acc[2]), "+f"(acc[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

// Two floats rounded to the 16-bit type T (to nearest, ties to even) and packed in one register as the
// fragments want them: lo in the low 16 bits.
template <typename T>
__device__ __forceinline__ unsigned int pack2(float lo, float hi);

template <>
__device__ __forceinline__ unsigned int pack2<__half>(float lo, float hi) {
    return (unsigned int)__half_as_ushort(__float2half_rn(lo)) | ((unsigned int)__half_as_ushort(__float2half_rn(hi)) << 16);
}

template <>
__device__ __forceinline__ unsigned int pack2<__nv_bfloat16>(float lo, float hi) {
    return (unsigned int)__bfloat16_as_ushort(__float2bfloat16_rn(lo))
         | ((unsigned int)__bfloat16_as_ushort(__float2bfloat16_rn(hi)) << 16);
}

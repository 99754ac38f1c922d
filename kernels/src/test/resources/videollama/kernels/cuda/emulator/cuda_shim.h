// A tiny CPU emulation of the CUDA C subset our kernels use, so their logic can be checked where there is no
// GPU (CudaEmulatorTest): one std::thread per CUDA thread, blocks run one after another (so function-static
// __shared__ variables are per block), barriers for __syncthreads and for the warp shuffles, _Float16 for
// __half. It checks indexing, reductions and softmax arithmetic; it cannot see races the barriers here hide,
// misaligned vector loads, or performance. The dynamic shared array is emu_dynamic_shared (the test rewrites
// the kernels' `extern __shared__` line to point at it).
#pragma once
#include <barrier>
#include <cmath>
#include <cstring>
#include <cstdint>
#include <climits>
#include <thread>
#include <vector>
#include <memory>
#include <algorithm>
#include <functional>
#include <cstdio>
#include <cstdlib>

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#define __align__(n) alignas(n)
#define __launch_bounds__(...)
using std::min;
using std::max;

struct dim3 { unsigned x = 1, y = 1, z = 1; };
inline thread_local dim3 threadIdx, blockIdx, blockDim, gridDim;

struct alignas(16) uint4 { unsigned int x, y, z, w; };
struct alignas(16) float4 { float x, y, z, w; };
struct __half { _Float16 v; };
struct __nv_bfloat16 { unsigned short bits; };

inline float __half2float(__half h) { return (float)h.v; }
inline __half __float2half_rn(float f) { __half h; h.v = (_Float16)f; return h; }
inline __half __ushort_as_half(unsigned short s) { __half h; std::memcpy(&h, &s, 2); return h; }
inline float __uint_as_float(unsigned int u) { float f; std::memcpy(&f, &u, 4); return f; }
inline float __bfloat162float(__nv_bfloat16 b) { return __uint_as_float((unsigned int)b.bits << 16); }
// A GPU faults on a misaligned 128-bit load; so does the emulator.
inline uint4 __ldg(const uint4* p) {
    if (reinterpret_cast<uintptr_t>(p) % 16 != 0) { std::fprintf(stderr, "misaligned 128-bit load at %p\n", (const void*)p); std::abort(); }
    return *p;
}

struct EmuBlock {
    std::unique_ptr<std::barrier<>> block;
    std::vector<std::unique_ptr<std::barrier<>>> warps;
    std::vector<uint64_t> lanes; // one slot per thread for shuffles
};
inline thread_local EmuBlock* emu_block;
inline unsigned char emu_dynamic_shared[1 << 20];

inline void __syncthreads() { emu_block->block->arrive_and_wait(); }

template <typename T>
inline T __shfl_xor_sync(unsigned, T v, int offset) {
    int t = threadIdx.x;
    int warp = t / 32;
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof(T));
    emu_block->lanes[t] = bits;
    emu_block->warps[warp]->arrive_and_wait();
    uint64_t other = emu_block->lanes[warp * 32 + ((t % 32) ^ offset)];
    emu_block->warps[warp]->arrive_and_wait();
    T r;
    std::memcpy(&r, &other, sizeof(T));
    return r;
}

// Runs the grid: one std::thread per thread of a block, reused for every block in turn (block by block, so
// function-static __shared__ variables are per block). A thread that returns early from the kernel waits at the
// end-of-block barrier for the others.
template <typename... P, typename... A>
void emu_launch(void (*kernel)(P...), dim3 grid, dim3 block, A... args) {
    if (block.x % 32 != 0 || block.x > 1024 || block.y != 1 || block.z != 1) { std::fprintf(stderr, "bad block\n"); std::abort(); }
    EmuBlock b;
    b.block = std::make_unique<std::barrier<>>(block.x);
    for (unsigned w = 0; w < block.x / 32; w++) b.warps.push_back(std::make_unique<std::barrier<>>(32));
    b.lanes.resize(block.x);
    std::barrier<> between(block.x);
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < block.x; t++) {
        threads.emplace_back([&, t] {
            threadIdx = {t, 0, 0}; blockDim = block; gridDim = grid; emu_block = &b;
            for (unsigned bz = 0; bz < grid.z; bz++)
            for (unsigned by = 0; by < grid.y; by++)
            for (unsigned bx = 0; bx < grid.x; bx++) {
                if (t == 0) std::memset(emu_dynamic_shared, 0xAB, 65536); // garbage, as on a GPU
                between.arrive_and_wait();
                blockIdx = {bx, by, bz};
                kernel(args...);
                between.arrive_and_wait();
            }
        });
    }
    for (auto& th : threads) th.join();
}

// A tiny CPU emulation of the CUDA C subset our kernels use, so their logic can be checked where there is no
// GPU (the Emulated* tests): each CUDA thread of a block is a fiber (its own stack, ucontext), and a block's fibers
// run in turn on the launching thread until they all finish; __syncthreads and the warp shuffles are barriers at
// which a fiber yields until every thread of its block (or warp) has arrived. Blocks run one after another (so
// function-static __shared__ variables are per block), _Float16 stands in for __half. No OS thread per CUDA thread:
// a barrier costs two user-space context switches per thread instead of a round of the kernel's scheduler.
// It checks indexing, reductions and softmax arithmetic, and finds a missing barrier more often than threads
// would: a block's fibers run from the lowest thread up on even blocks and from the highest down on odd ones, so a
// read of shared memory that another thread writes in the same phase sees the old value in one order and the new
// one in the other. A barrier that some threads of the block never reach (they returned early) aborts with a
// message instead of hanging. It cannot see misaligned vector loads other than __ldg's, nor performance. The dynamic
// shared array is emu_dynamic_shared (the test rewrites the kernels' `extern __shared__` line to point at it).
#pragma once
#include <sys/mman.h>
#include <ucontext.h>
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
#define __noinline__ __attribute__((noinline))
#define __shared__ static
#define __align__(n) alignas(n)
#define __launch_bounds__(...)
using std::min;
using std::max;

struct dim3 { unsigned x = 1, y = 1, z = 1; };
// Plain globals, not thread_local: a block's fibers share the launching thread, which sets threadIdx before it
// resumes each, and one launch runs at a time (the driver's lock); thread_local in a shared library would also
// cost a __tls_get_addr call at every use.
inline dim3 threadIdx, blockIdx, blockDim, gridDim;

struct alignas(16) uint4 { unsigned int x, y, z, w; };
struct alignas(16) float4 { float x, y, z, w; };
struct __half { _Float16 v; };
struct __nv_bfloat16 { unsigned short bits; };

// Widening a _Float16 is a libgcc call where the compiler may not assume F16C; a table of all 65536 is exact and
// several times faster (the F16 GEMV, patch embedding and tensor-core emulation widen every weight they read).
inline const float* const emu_half_to_float = [] {
    static float table[65536];
    for (unsigned i = 0; i < 65536; i++) {
        unsigned short bits = (unsigned short)i;
        _Float16 h;
        std::memcpy(&h, &bits, 2);
        table[i] = (float)h;
    }
    return table;
}();
inline float __half2float(__half h) {
    unsigned short bits;
    std::memcpy(&bits, &h, 2);
    return emu_half_to_float[bits];
}
inline __half __float2half_rn(float f) { __half h; h.v = (_Float16)f; return h; }
inline __half __ushort_as_half(unsigned short s) { __half h; std::memcpy(&h, &s, 2); return h; }
inline float __uint_as_float(unsigned int u) { float f; std::memcpy(&f, &u, 4); return f; }
inline float __bfloat162float(__nv_bfloat16 b) { return __uint_as_float((unsigned int)b.bits << 16); }
// dp4a: the four signed bytes of a and of b multiplied pairwise, added to c.
inline int __dp4a(int a, int b, int c) {
    for (int i = 0; i < 4; i++) {
        c += (signed char)(a >> (8 * i)) * (signed char)(b >> (8 * i));
    }
    return c;
}
// A GPU faults on a misaligned 128-bit load; so does the emulator.
inline uint4 __ldg(const uint4* p) {
    if (reinterpret_cast<uintptr_t>(p) % 16 != 0) { std::fprintf(stderr, "misaligned 128-bit load at %p\n", (const void*)p); std::abort(); }
    return *p;
}

// A fiber's saved state and the switch between two: on x86-64 a few instructions (the callee-saved registers and
// the stack pointer; not the SSE and x87 control words, which no kernel changes; swapcontext would also make a
// system call for the signal mask at every switch, which made barriers five times dearer), elsewhere ucontext.
#if defined(__x86_64__)
struct EmuContext { void* sp = nullptr; };
extern "C" void emu_switch_stacks(void** save_sp, void* load_sp);
asm(R"(
    .text
    .globl emu_switch_stacks
    .hidden emu_switch_stacks
    .type emu_switch_stacks, @function
emu_switch_stacks:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size emu_switch_stacks, .-emu_switch_stacks
)");

// A frame as emu_switch_stacks leaves one, whose return address is entry: the first switch to it calls entry (which
// must never return) with the stack aligned as a call would leave it.
inline void emu_context_start(EmuContext& c, unsigned char* stack, size_t bytes, void (*entry)()) {
    auto* top = reinterpret_cast<uint64_t*>(reinterpret_cast<uintptr_t>(stack + bytes) & ~uintptr_t(15));
    *--top = 0;                                         // entry's own return address: none
    *--top = reinterpret_cast<uint64_t>(entry);
    for (int r = 0; r < 6; r++) *--top = 0;             // rbp, rbx, r12..r15
    c.sp = top;
}
inline void emu_context_switch(EmuContext& from, EmuContext& to) { emu_switch_stacks(&from.sp, to.sp); }
#else
struct EmuContext { ucontext_t uc; };
inline void emu_context_start(EmuContext& c, unsigned char* stack, size_t bytes, void (*entry)()) {
    getcontext(&c.uc);
    c.uc.uc_stack.ss_sp = stack;
    c.uc.uc_stack.ss_size = bytes;
    c.uc.uc_link = nullptr;
    makecontext(&c.uc, entry, 0);
}
inline void emu_context_switch(EmuContext& from, EmuContext& to) { swapcontext(&from.uc, &to.uc); }
#endif

struct EmuBarrier;

// A block's threads as fibers on one OS thread: one context and stack per thread, the stacks mapped once and reused
// for every block of every launch (one launch runs at a time: the driver holds its lock around each).
struct EmuFibers {
    static constexpr size_t STACK_BYTES = 256 * 1024;  // the kernels' frames are small; mma's A and B are 1.5 KB
    static constexpr size_t GUARD_BYTES = 4096;        // below each stack, unmapped: an overflow faults
    EmuContext scheduler;
    EmuContext contexts[1024];
    bool done[1024];
    const EmuBarrier* waiting[1024];            // the barrier a fiber waits at, or null
    unsigned long long waiting_generation[1024];       // that barrier's generation when the fiber arrived
    unsigned char* stacks = nullptr;
    unsigned current = 0;
    std::function<void()> body;                        // the kernel with its arguments

    unsigned char* stack(unsigned t) {
        if (stacks == nullptr) {
            void* p = mmap(nullptr, 1024 * (STACK_BYTES + GUARD_BYTES), PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
            if (p == MAP_FAILED) { std::fprintf(stderr, "cuda emulator: no memory for the fibers' stacks\n"); std::abort(); }
            stacks = static_cast<unsigned char*>(p);
            for (unsigned i = 0; i < 1024; i++) mprotect(stacks + i * (STACK_BYTES + GUARD_BYTES), GUARD_BYTES, PROT_NONE);
        }
        return stacks + t * (STACK_BYTES + GUARD_BYTES) + GUARD_BYTES;
    }
};
inline EmuFibers emu_fibers;

inline void emu_yield() { emu_context_switch(emu_fibers.contexts[emu_fibers.current], emu_fibers.scheduler); }

// A barrier of `expected` fibers: the last to arrive goes on; the others yield, and the scheduler resumes them
// once the generation has changed.
struct EmuBarrier {
    explicit EmuBarrier(unsigned expected) : expected(expected) {}
    void arrive_and_wait() {
        if (++arrived == expected) {
            arrived = 0;
            generation++;
            return;
        }
        emu_fibers.waiting[emu_fibers.current] = this;
        emu_fibers.waiting_generation[emu_fibers.current] = generation;
        emu_yield();
    }
    unsigned expected;
    unsigned arrived = 0;
    unsigned long long generation = 0;
};

struct EmuBlock {
    std::unique_ptr<EmuBarrier> block;
    std::vector<std::unique_ptr<EmuBarrier>> warps;
    std::vector<uint64_t> lanes; // one slot per thread for shuffles
};
inline EmuBlock* emu_block;
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

// A fiber's whole life: the kernel, then back to the scheduler for good.
inline void emu_fiber_main() {
    emu_fibers.body();
    emu_fibers.done[emu_fibers.current] = true;
    emu_yield();
    std::abort(); // a finished fiber is never resumed
}

// Runs the grid block by block on the calling thread: each block's threads start as fibers and are resumed in
// turn, each running to its next barrier or its end, until all have ended. A round that can resume none is a
// deadlock.
template <typename... P, typename... A>
void emu_launch(void (*kernel)(P...), dim3 grid, dim3 block, A... args) {
    if (block.x % 32 != 0 || block.x > 1024 || block.y != 1 || block.z != 1) { std::fprintf(stderr, "bad block\n"); std::abort(); }
    EmuBlock b;
    b.block = std::make_unique<EmuBarrier>(block.x);
    for (unsigned w = 0; w < block.x / 32; w++) b.warps.push_back(std::make_unique<EmuBarrier>(32));
    b.lanes.resize(block.x);
    EmuFibers& f = emu_fibers;
    f.body = [&] { kernel(args...); };
    emu_block = &b;
    blockDim = block;
    gridDim = grid;
    unsigned long long number = 0;
    for (unsigned bz = 0; bz < grid.z; bz++)
    for (unsigned by = 0; by < grid.y; by++)
    for (unsigned bx = 0; bx < grid.x; bx++) {
        std::memset(emu_dynamic_shared, 0xAB, 65536); // garbage, as on a GPU
        blockIdx = {bx, by, bz};
        for (unsigned t = 0; t < block.x; t++) {
            emu_context_start(f.contexts[t], f.stack(t), EmuFibers::STACK_BYTES, emu_fiber_main);
            f.done[t] = false;
            f.waiting[t] = nullptr;
        }
        bool downwards = number++ % 2 == 1;
        for (unsigned running = block.x; running > 0;) {
            unsigned resumed = 0;
            for (unsigned i = 0; i < block.x; i++) {
                unsigned t = downwards ? block.x - 1 - i : i;
                if (f.done[t] || (f.waiting[t] != nullptr && f.waiting[t]->generation == f.waiting_generation[t])) continue;
                f.waiting[t] = nullptr;
                f.current = t;
                threadIdx = {t, 0, 0};
                emu_context_switch(f.scheduler, f.contexts[t]);
                resumed++;
                if (f.done[t]) running--;
            }
            if (running > 0 && resumed == 0) {
                std::fprintf(stderr, "cuda emulator: deadlock in block (%u, %u, %u): %u threads wait at barriers that the "
                             "others (%u of them ended) never reach\n", bx, by, bz, running, block.x - running);
                std::abort();
            }
        }
    }
    f.body = nullptr;
}

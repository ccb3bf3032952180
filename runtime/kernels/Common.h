//===- Common.h - Shared helpers for the AVX-512 kernels -------*- C++ -*-===//
//
// ExecContext, the parallel-for wrapper every kernel uses, and small vector
// helpers (tail masks).
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_COMMON_H
#define ANVIL_KERNELS_COMMON_H

#include "Shapes.h"
#include "anvil/ThreadPool.h"

#include <cstdint>
#include <immintrin.h>

#define ANVIL_INLINE inline __attribute__((always_inline))

/// Full unrolling of register-tile loops, which must become straight-line
/// code for the accumulators to live in registers.
#if defined(__clang__)
#define ANVIL_UNROLL _Pragma("unroll")
#else
#define ANVIL_UNROLL _Pragma("GCC unroll 16")
#endif

namespace anvil::kernels {

/// What a kernel gets from the context: the pool, and per-thread scratch
/// (thread t owns scratch + t * scratchFloatsPerThread).
struct ExecContext {
  anvil::ThreadPool *pool;
  float *scratch;
  int64_t scratchFloatsPerThread;
};

/// Runs fn(begin, end, thread) over [0, n) on the context's pool, or inline
/// when there is no pool or too little work to be worth a fork/join. The pool
/// cuts [0, n) into contiguous chunks of at least `grain` items (a few per
/// thread) that threads claim dynamically: fn may be called several times
/// per thread, and `thread` (0 = the caller) is unique among the calls
/// running at the same time, so it selects per-thread scratch.
template <typename F>
ANVIL_INLINE void parallelFor(const ExecContext &ctx, int64_t n, F &&fn,
                              bool worthIt = true, int64_t grain = 1) {
  if (n <= 0)
    return;
  if (!ctx.pool || !worthIt || ctx.pool->numThreads() == 1) {
    fn(int64_t(0), n, 0);
    return;
  }
  ctx.pool->parallelFor(n, grain, fn);
}

/// Below this many flops (about 2-4 microseconds on one core) a kernel runs
/// on the calling thread: waking and joining workers would cost a sizeable
/// part of it, and a descheduled worker could only add latency. A compile-
/// time knob so a test build can force tiny shapes through the pool.
#ifndef ANVIL_PARALLEL_MIN_FLOPS
#define ANVIL_PARALLEL_MIN_FLOPS (int64_t(1) << 18)
#endif
constexpr int64_t kParallelMinFlops = ANVIL_PARALLEL_MIN_FLOPS;

/// ctx when `flops` of work are worth sharing out, otherwise a context
/// without the pool (thread 0's scratch), so the kernel also plans its work
/// decomposition for one thread and never wakes a worker.
ANVIL_INLINE ExecContext contextForWork(const ExecContext &ctx,
                                        int64_t flops) {
  if (flops >= kParallelMinFlops)
    return ctx;
  return ExecContext{nullptr, ctx.scratch, ctx.scratchFloatsPerThread};
}

inline int numThreads(const ExecContext &ctx) {
  return ctx.pool ? ctx.pool->numThreads() : 1;
}

inline float *threadScratch(const ExecContext &ctx, int t) {
  return ctx.scratch + t * ctx.scratchFloatsPerThread;
}

/// Mask with the low `n` of 16 lanes set (n may exceed 16).
ANVIL_INLINE __mmask16 tailMask(int64_t n) {
  return n >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << n) - 1u);
}

/// Below this many floats an elementwise kernel runs on the calling thread:
/// waking workers costs more than streaming a few hundred KiB.
constexpr int64_t kParallelElementwiseMin = 1 << 15;

} // namespace anvil::kernels

#endif // ANVIL_KERNELS_COMMON_H

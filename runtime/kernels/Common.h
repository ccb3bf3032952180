//===- Common.h - Shared helpers of the kernels ----------------*- C++ -*-===//
//
// ExecContext, the parallel-for wrapper every kernel uses, and the
// work-size thresholds below which kernels stay on the calling thread.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_COMMON_H
#define ANVIL_KERNELS_COMMON_H

#include "Shapes.h"
#include "Vec.h"
#include "anvil/ThreadPool.h"

#include <cstdint>

namespace anvil::kernels {

/// What a kernel gets from the context: the pool, and per-thread scratch
/// (thread t owns scratch + t * scratchFloatsPerThread).
struct ExecContext {
  anvil::ThreadPool *pool;
  float *scratch;
  int64_t scratchFloatsPerThread;
};

/// Below this many flops (about 2-4 microseconds on one core) a kernel runs
/// on the calling thread: waking and joining workers would cost a sizeable
/// part of it, and a descheduled worker could only add latency. A compile-
/// time knob so a test build can force tiny shapes through the pool.
#ifndef ANVIL_PARALLEL_MIN_FLOPS
#define ANVIL_PARALLEL_MIN_FLOPS (int64_t(1) << 18)
#endif
constexpr int64_t kParallelMinFlops = ANVIL_PARALLEL_MIN_FLOPS;

/// Below this many floats an elementwise kernel runs on the calling thread:
/// waking workers costs more than streaming a few hundred KiB.
constexpr int64_t kParallelElementwiseMin = 1 << 15;

inline namespace ANVIL_KERNEL_ABI {

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

namespace detail {

/// Lanes of a vector load of a row of w floats whose lane 0 is column i0
/// and lane i column i0 + i * step (step >= 1) that fall inside [0, w): a
/// range of lanes, because the columns increase.
template <class I>
ANVIL_INLINE typename I::M columnsInside(int64_t i0, int64_t w,
                                         int64_t step = 1) {
  const int64_t lo = i0 >= 0 ? 0 : ceilDiv(-i0, step);
  const int64_t hi = w - i0 <= 0 ? 0 : ceilDiv(w - i0, step);
  return I::rangeMask(lo, hi);
}

/// One vector of a row of `w` floats whose lane i is column i0 + i * SW:
/// columns outside [0, w) read as zero (masked loads never fault). Stride 1
/// is one masked load, stride 2 two loads and a permute, other strides a
/// masked gather. Lanes outside `m` are unspecified.
template <class I, int64_t SW>
ANVIL_INLINE typename I::V loadColumns(const float *row, int64_t i0,
                                       int64_t w, typename I::M m) {
  constexpr int64_t L = I::kLanes;
  if constexpr (SW == 1) {
    return I::maskzLoadu(I::maskAnd(m, columnsInside<I>(i0, w)), row + i0);
  } else if constexpr (SW == 2) {
    const typename I::V a =
        I::maskzLoadu(columnsInside<I>(i0, w), row + i0);
    const typename I::V b =
        I::maskzLoadu(columnsInside<I>(i0 + L, w), row + i0 + L);
    return I::evens(a, b);
  } else {
    return I::maskGather(I::zero(), I::maskAnd(m, columnsInside<I>(i0, w, SW)),
                         row, I::indices(int32_t(i0), int32_t(SW)));
  }
}

/// How many chunks to cut each group's output channels into. Units of work
/// are (image, group, pixel tile, channel chunk), split contiguously over T
/// threads; with few units an uneven count leaves a thread idle for a whole
/// unit, so pick the smallest chunking that makes the count a multiple of T
/// (late ResNet layers: one 7x7 tile, 512 channels -> one chunk per thread).
inline int64_t conv2dChannelChunks(int64_t base, int64_t blocks, int T) {
  if (T <= 1 || base >= 8 * T || base % T == 0)
    return 1;
  for (int64_t c = 2; c <= blocks && c <= 4 * T; ++c)
    if ((base * c) % T == 0)
      return c;
  int64_t c = ceilDiv(4 * T, base);
  return c < blocks ? c : blocks;
}

} // namespace detail

} // namespace ANVIL_KERNEL_ABI
} // namespace anvil::kernels

#endif // ANVIL_KERNELS_COMMON_H

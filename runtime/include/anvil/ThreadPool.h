//===- ThreadPool.h - Fixed-size fork/join pool for kernels ----*- C++ -*-===//
//
// The only parallel primitive generated code needs: a static, balanced split
// of [0, n) over a fixed set of threads, the calling thread included.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_THREADPOOL_H
#define ANVIL_THREADPOOL_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>

namespace anvil {

/// A fork/join pool with numThreads - 1 workers created once; the caller of
/// parallelFor runs range 0 itself. Idle workers spin for spinMicroseconds
/// (so back-to-back kernels do not pay a wake-up) and then sleep on a
/// condition variable (so an idle context does not burn a core).
///
/// Thread safety: parallelFor may be called by one thread at a time and must
/// not be called from inside fn (no nesting). Construction may throw
/// (std::system_error, std::bad_alloc); parallelFor never throws or allocates
/// itself.
class ThreadPool {
public:
  /// numThreads includes the caller; values below 1 mean 1.
  ThreadPool(int numThreads, int spinMicroseconds);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  int numThreads() const { return numThreads_; }

  /// The contiguous range [begin, end) of [0, n) that thread t of nt gets:
  /// the first n % nt threads get one extra item (oneDNN's balance211).
  static void splitRange(int64_t n, int nt, int t, int64_t &begin,
                         int64_t &end) {
    int64_t base = n / nt, extra = n % nt;
    begin = t * base + (t < extra ? t : extra);
    end = begin + base + (t < extra ? 1 : 0);
  }

  /// Splits [0, n) into one contiguous, balanced range per thread (the caller
  /// takes range 0) and calls fn(begin, end, threadIndex) for every non-empty
  /// range; returns when all are done. Never allocates: the callable is
  /// passed by address through a function pointer.
  template <typename F> void parallelFor(int64_t n, F &&fn) {
    using Fn = std::remove_reference_t<F>;
    if (n <= 0)
      return;
    if (numThreads_ == 1 || n == 1) {
      fn(int64_t(0), n, 0);
      return;
    }
    run(
        n,
        [](void *ctx, int64_t b, int64_t e, int t) {
          (*static_cast<Fn *>(ctx))(b, e, t);
        },
        const_cast<void *>(static_cast<const void *>(&fn)));
  }

private:
  using Trampoline = void (*)(void *, int64_t, int64_t, int);
  void run(int64_t n, Trampoline fn, void *ctx);
  void workerLoop(int index);
  void execute(int index);

  int numThreads_;
  int spinMicroseconds_;
  std::thread *workers_ = nullptr; // numThreads_ - 1 of them

  // The current job; written by the caller before the generation bump.
  Trampoline jobFn_ = nullptr;
  void *jobCtx_ = nullptr;
  int64_t jobN_ = 0;

  // Separate cache lines: workers poll generation_ while finishing threads
  // decrement pending_.
  alignas(64) std::atomic<uint64_t> generation_{0};
  alignas(64) std::atomic<int> pending_{0};
  alignas(64) std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
};

} // namespace anvil

#endif // ANVIL_THREADPOOL_H

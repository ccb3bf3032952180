//===- ThreadPool.h - Fixed-size fork/join pool for kernels ----*- C++ -*-===//
//
// The only parallel primitive generated code needs: [0, n) cut into a few
// contiguous, balanced chunks per thread, claimed dynamically by a fixed set
// of threads, the calling thread included.
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

/// A fork/join pool with numThreads - 1 workers created once. parallelFor
/// cuts [0, n) into up to kChunksPerThread contiguous, balanced chunks per
/// thread; the caller and whichever workers are running claim chunks with an
/// atomic counter until none is left, and the call returns when every chunk
/// is done. A worker that is descheduled or asleep when a job starts simply
/// claims nothing: the caller never waits for a thread that has not started,
/// only for chunks already being run. Idle workers spin for spinMicroseconds
/// (so back-to-back kernels do not pay a wake-up) and then sleep on a
/// condition variable (so an idle context does not burn a core).
///
/// Thread safety: parallelFor may be called by one thread at a time and must
/// not be called from inside fn (no nesting). Construction may throw
/// (std::system_error, std::bad_alloc); parallelFor never throws or allocates
/// itself.
class ThreadPool {
public:
  /// Chunks per thread when the grain allows: enough that a preempted worker
  /// holds up little work, few enough that per-chunk setup stays negligible.
  static constexpr int kChunksPerThread = 4;
  /// Upper bound on the chunks of one job (they are counted in 16 bits).
  static constexpr int64_t kMaxChunks = 4096;

  /// numThreads includes the caller; values below 1 mean 1.
  ThreadPool(int numThreads, int spinMicroseconds);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  int numThreads() const { return numThreads_; }

  /// The contiguous range [begin, end) of [0, n) that part t of nt gets:
  /// the first n % nt parts get one extra item (oneDNN's balance211).
  static void splitRange(int64_t n, int nt, int t, int64_t &begin,
                         int64_t &end) {
    int64_t base = n / nt, extra = n % nt;
    begin = t * base + (t < extra ? t : extra);
    end = begin + base + (t < extra ? 1 : 0);
  }

  /// How many chunks parallelFor(n, grain, fn) cuts [0, n) into: as many as
  /// hold at least `grain` items each (grain < 1 means 1), at most
  /// kChunksPerThread per thread; 1 (run inline on the caller) with a single
  /// thread, 0 when n <= 0.
  int64_t chunkCount(int64_t n, int64_t grain = 1) const {
    if (n <= 0)
      return 0;
    if (numThreads_ == 1)
      return 1;
    int64_t c = n / (grain < 1 ? 1 : grain);
    int64_t cap = int64_t(kChunksPerThread) * numThreads_;
    if (cap > kMaxChunks)
      cap = kMaxChunks;
    if (c > cap)
      c = cap;
    return c < 1 ? 1 : c;
  }

  /// Calls fn(begin, end, threadIndex) for every chunk of [0, n) (chunk i is
  /// splitRange(n, chunkCount(n, grain), i); chunks are non-empty and cover
  /// [0, n) exactly once) and returns when all are done. threadIndex is the
  /// index of the thread running the chunk, 0 for the caller: chunks running
  /// at the same time have different indices, so it may select per-thread
  /// scratch. One thread may run several chunks, in any order. With a single
  /// chunk fn runs inline on the caller and no worker is woken. Never
  /// allocates: the callable is passed by address through a function pointer.
  template <typename F> void parallelFor(int64_t n, int64_t grain, F &&fn) {
    using Fn = std::remove_reference_t<F>;
    const int64_t chunks = chunkCount(n, grain);
    if (chunks == 0)
      return;
    if (chunks == 1) {
      fn(int64_t(0), n, 0);
      return;
    }
    run(
        n, chunks,
        [](void *ctx, int64_t b, int64_t e, int t) {
          (*static_cast<Fn *>(ctx))(b, e, t);
        },
        const_cast<void *>(static_cast<const void *>(&fn)));
  }

  /// parallelFor with grain 1.
  template <typename F> void parallelFor(int64_t n, F &&fn) {
    parallelFor(n, 1, std::forward<F>(fn));
  }

private:
  using Trampoline = void (*)(void *, int64_t, int64_t, int);
  void run(int64_t n, int64_t chunks, Trampoline fn, void *ctx);
  void workerLoop(int index);
  int64_t claim(uint32_t epoch);
  int64_t runChunks(uint32_t epoch, int index);

  int numThreads_;
  int spinMicroseconds_;
  std::thread *workers_ = nullptr; // numThreads_ - 1 of them

  // The current job. Written by the caller only while no chunk is claimed
  // or running (before publishing claim_, after every chunk is done); read
  // by a worker only after it has claimed a chunk, so plain fields suffice.
  Trampoline jobFn_ = nullptr;
  void *jobCtx_ = nullptr;
  int64_t jobN_ = 0;
  int64_t jobChunks_ = 0;

  // Separate cache lines: spinning workers poll generation_, running threads
  // CAS claim_, finishing workers add to done_.
  //
  // generation_: the job epoch; bumped to publish a job (and at shutdown).
  // claim_: [epoch:32][next chunk:16][chunk count:16] of the current job; a
  //   worker claims only chunks of the epoch it woke for, so one that wakes
  //   late can never claim (or count) chunks of a later job.
  // done_: chunks finished by workers in the current job.
  alignas(64) std::atomic<uint64_t> generation_{0};
  alignas(64) std::atomic<uint64_t> claim_{0};
  alignas(64) std::atomic<int64_t> done_{0};
  alignas(64) std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
};

} // namespace anvil

#endif // ANVIL_THREADPOOL_H

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
/// thread, and gives each thread a contiguous home range of them (thread t
/// gets part t of a balanced split, as a static schedule would). Threads
/// claim chunks with atomic compare-and-swap, first from the front of their
/// own range, then from the back of the others'; the call returns when
/// every chunk is done. A worker that is descheduled or asleep when a job
/// starts simply claims nothing and the others take its range: the caller
/// never waits for a thread that has not started, only for chunks already
/// being run. Idle workers spin for spinMicroseconds (so back-to-back
/// kernels do not pay a wake-up), yielding every few microseconds (so on an
/// oversubscribed core they do not take time from the caller), and then
/// sleep on a condition variable (so an idle context does not burn a core).
///
/// Thread safety: parallelFor may be called by one thread at a time and must
/// not be called from inside fn (no nesting). Construction may throw
/// (std::system_error, std::bad_alloc); parallelFor never throws or allocates
/// itself.
class ThreadPool {
public:
  /// Chunks per home range when the grain allows: enough that a preempted
  /// worker holds up little work, few enough that per-chunk setup stays
  /// negligible.
  static constexpr int kChunksPerThread = 4;

  /// numThreads includes the caller; values below 1 mean 1.
  ThreadPool(int numThreads, int spinMicroseconds);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  // The members below are defined in ThreadPool.cpp, not inline: a fat
  // model library compiles this header once per target (-march=x86-64-v4,
  // -v3, ...), and the linker would keep any one of the inline copies for
  // every caller, AVX-512 code included. Only the templates, instantiated
  // with each translation unit's own lambdas, stay in the header.

  int numThreads() const;

  /// The contiguous range [begin, end) of [0, n) that part t of nt gets:
  /// the first n % nt parts get one extra item (oneDNN's balance211).
  static void splitRange(int64_t n, int nt, int t, int64_t &begin,
                         int64_t &end);

  /// How parallelFor(n, grain, fn) cuts [0, n) (grain < 1 means 1): into
  /// parts = min(numThreads, n / grain) home ranges, thread t's being part t
  /// of splitRange(n, parts, t), and each home range of len items into
  /// min(kChunksPerThread, max(1, len / grain)) chunks by splitRange again.
  /// With every thread running, thread t runs exactly its home range, as a
  /// static split would. Fewer than two parts (or one thread): a single
  /// chunk [0, n), run inline on the caller.
  int homeRanges(int64_t n, int64_t grain) const;
  /// Home range t of `parts` and the number of chunks it is cut into.
  static int64_t homeChunks(int64_t n, int64_t grain, int parts, int t,
                            int64_t &begin, int64_t &end);
  /// Total chunks of parallelFor(n, grain, fn); 0 when n <= 0.
  int64_t chunkCount(int64_t n, int64_t grain = 1) const;

  /// Calls fn(begin, end, threadIndex) for every chunk of [0, n) (see
  /// homeRanges; chunks are non-empty and cover [0, n) exactly once) and
  /// returns when all are done. threadIndex is the index of the thread
  /// running the chunk, 0 for the caller: chunks running at the same time
  /// have different indices, so it may select per-thread scratch. A thread
  /// runs its own home range front to back, then takes chunks from the back
  /// of other threads' ranges that have not been claimed yet. With a single
  /// chunk fn runs inline on the caller and no worker is woken. Every chunk
  /// runs under the caller's floating-point modes (MXCSR rounding, FTZ/DAZ,
  /// exception masks; workers adopt them per job), so results do not depend
  /// on which thread ran a chunk. Never allocates: the callable is passed by
  /// address through a function pointer.
  template <typename F> void parallelFor(int64_t n, int64_t grain, F &&fn) {
    using Fn = std::remove_reference_t<F>;
    const int parts = homeRanges(n, grain);
    if (parts == 0)
      return;
    if (parts == 1) {
      fn(int64_t(0), n, 0);
      return;
    }
    run(
        n, grain < 1 ? 1 : grain, parts,
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
  void run(int64_t n, int64_t grain, int parts, Trampoline fn, void *ctx);
  void workerLoop(int index);
  int64_t claim(int slot, bool own, uint32_t epoch);
  void runChunk(int slot, int64_t chunk, int index);
  int64_t runChunks(uint32_t epoch, int index);

  /// The unclaimed chunks [next, end) of home range t of the current job,
  /// and the job's epoch: [epoch:32][next:16][end:16]. The owner claims from
  /// the front (so with every thread running, each walks its own contiguous
  /// range, as in a static split), others steal from the back once their
  /// own range is empty. A thread claims only for the epoch it woke for, so
  /// one that wakes late can never claim (or count) chunks of a later job.
  struct alignas(64) Slot {
    std::atomic<uint64_t> word{0};
  };

  int numThreads_;
  int spinMicroseconds_;
  std::thread *workers_ = nullptr; // numThreads_ - 1 of them
  Slot *slots_ = nullptr;          // numThreads_ of them

  // The current job. Written by the caller only while no chunk is claimed
  // or running (before publishing the slots, after every chunk is done);
  // read by a thread only after it has claimed a chunk, so plain fields
  // suffice.
  Trampoline jobFn_ = nullptr;
  void *jobCtx_ = nullptr;
  int64_t jobN_ = 0;
  int64_t jobGrain_ = 1;
  int jobParts_ = 0;
  unsigned jobFpModes_ = 0; // the caller's MXCSR without its flags

  // Separate cache lines: spinning workers poll generation_, finishing
  // workers add to done_.
  //
  // generation_: the job epoch; bumped to publish a job (and at shutdown).
  // done_: chunks finished by workers in the current job.
  alignas(64) std::atomic<uint64_t> generation_{0};
  alignas(64) std::atomic<int64_t> done_{0};
  alignas(64) std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
};

} // namespace anvil

#endif // ANVIL_THREADPOOL_H

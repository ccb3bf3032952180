//===- ThreadPool.cpp - Fixed-size fork/join pool --------------*- C++ -*-===//
//
// A job is published in three steps by the caller: the descriptor (plain
// fields), then every thread's slot = [epoch][0][chunks of its home range]
// with release, then generation_ = epoch (sequentially consistent). Threads
// claim chunks by CAS on a slot (the owner takes the front chunk, a thief
// the back one), which succeeds only while the slot still names their epoch
// and has a chunk left; the CAS acquires the descriptor. A job is complete when
// every chunk is done (workers add their count to done_ with release, the
// caller reads it with acquire), so nobody waits for a worker that never
// claimed.
//
// Why a late worker cannot disturb a later job: it claims against the epoch
// it woke for, and the caller starts a new job only after every chunk of the
// previous one is done, i.e. after every slot of that epoch became empty —
// from then on its CAS fails (and a slot already rewritten for the new job
// names another epoch). A worker that did claim a chunk reads the
// descriptor after the claim and reports it done before the caller can move
// on, so its reads happen before the next job's writes.
//
// Chunks run under the caller's floating-point modes (MXCSR rounding,
// FTZ/DAZ, exception masks): the caller records them in the descriptor and
// a worker adopts them before running a chunk, so a job computes as the
// same loop on the caller alone would, whatever state the worker thread was
// started in (threads inherit their creator's, e.g. the state of whoever
// created the context).
//
// Idle workers spin (yielding every few microseconds, so on an
// oversubscribed core they do not take time from the caller) for the
// configured time, then sleep. Wake-up protocol: the caller bumps
// generation_ and then reads the sleeper count; a worker increments the
// sleeper count and then re-reads the generation under the mutex. Both use
// sequentially consistent operations, so at least one side sees the other
// and no wake-up is lost, while the common case (workers still spinning)
// never touches the mutex.
//
//===----------------------------------------------------------------------===//

#include "anvil/ThreadPool.h"

#include "FpEnv.h"

#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define ANVIL_CPU_RELAX() _mm_pause()
#else
#define ANVIL_CPU_RELAX() std::atomic_signal_fence(std::memory_order_seq_cst)
#endif

namespace anvil {

namespace {

constexpr uint64_t kNextOne = uint64_t(1) << 16;

uint64_t slotWord(uint32_t epoch, int64_t begin, int64_t end) {
  return (uint64_t(epoch) << 32) | (uint64_t(begin) << 16) | uint64_t(end);
}

} // namespace

static_assert(ThreadPool::kChunksPerThread < (1 << 16),
              "chunk indices are stored in 16 bits");

int ThreadPool::numThreads() const { return numThreads_; }

void ThreadPool::splitRange(int64_t n, int nt, int t, int64_t &begin,
                            int64_t &end) {
  int64_t base = n / nt, extra = n % nt;
  begin = t * base + (t < extra ? t : extra);
  end = begin + base + (t < extra ? 1 : 0);
}

int ThreadPool::homeRanges(int64_t n, int64_t grain) const {
  if (n <= 0)
    return 0;
  const int64_t perGrain = n / (grain < 1 ? 1 : grain);
  return perGrain >= numThreads_ ? numThreads_
         : perGrain < 1          ? 1
                                 : int(perGrain);
}

int64_t ThreadPool::homeChunks(int64_t n, int64_t grain, int parts, int t,
                               int64_t &begin, int64_t &end) {
  splitRange(n, parts, t, begin, end);
  const int64_t k = (end - begin) / (grain < 1 ? 1 : grain);
  return k > kChunksPerThread ? kChunksPerThread : k < 1 ? 1 : k;
}

int64_t ThreadPool::chunkCount(int64_t n, int64_t grain) const {
  const int parts = homeRanges(n, grain);
  if (parts <= 1)
    return parts;
  int64_t total = 0, b, e;
  for (int t = 0; t < parts; ++t)
    total += homeChunks(n, grain, parts, t, b, e);
  return total;
}

ThreadPool::ThreadPool(int numThreads, int spinMicroseconds)
    : numThreads_(numThreads < 1 ? 1 : numThreads),
      spinMicroseconds_(spinMicroseconds < 0 ? 0 : spinMicroseconds) {
  if (numThreads_ == 1)
    return;
  slots_ = new Slot[numThreads_];
  // Raw storage so a failing thread start can be unwound without running
  // std::thread destructors on joinable threads (which would terminate).
  workers_ = static_cast<std::thread *>(
      ::operator new(sizeof(std::thread) * (numThreads_ - 1)));
  int started = 0;
  try {
    for (; started < numThreads_ - 1; ++started)
      new (&workers_[started])
          std::thread([this, started] { workerLoop(started + 1); });
  } catch (...) {
    stop_.store(true);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation_.fetch_add(1);
    }
    wake_.notify_all();
    for (int i = 0; i < started; ++i) {
      workers_[i].join();
      workers_[i].~thread();
    }
    ::operator delete(workers_);
    workers_ = nullptr;
    delete[] slots_;
    throw;
  }
}

ThreadPool::~ThreadPool() {
  if (!workers_)
    return;
  stop_.store(true);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    generation_.fetch_add(1);
  }
  wake_.notify_all();
  for (int i = 0; i < numThreads_ - 1; ++i) {
    workers_[i].join();
    workers_[i].~thread();
  }
  ::operator delete(workers_);
  delete[] slots_;
}

int64_t ThreadPool::claim(int slot, bool own, uint32_t epoch) {
  std::atomic<uint64_t> &word = slots_[slot].word;
  uint64_t cur = word.load(std::memory_order_acquire);
  for (;;) {
    if (uint32_t(cur >> 32) != epoch)
      return -1; // an older or newer job: not ours
    const uint64_t next = (cur >> 16) & 0xFFFF, end = cur & 0xFFFF;
    if (next >= end)
      return -1;
    // Acquire: pairs with the caller's release store of the slot (later
    // CASes continue its release sequence), so the descriptor is visible.
    const uint64_t want = own ? cur + kNextOne : cur - 1;
    if (word.compare_exchange_weak(cur, want, std::memory_order_acquire,
                                   std::memory_order_acquire))
      return int64_t(own ? next : end - 1);
  }
}

void ThreadPool::runChunk(int slot, int64_t chunk, int index) {
  // Stable: the job cannot complete while this chunk is outstanding.
  int64_t hb, he, b, e;
  const int64_t k = homeChunks(jobN_, jobGrain_, jobParts_, slot, hb, he);
  splitRange(he - hb, int(k), int(chunk), b, e);
  if (index != 0)
    fpenv::adoptModes(jobFpModes_);
  jobFn_(jobCtx_, hb + b, hb + e, index);
}

int64_t ThreadPool::runChunks(uint32_t epoch, int index) {
  int64_t done = 0;
  for (int k = 0; k < numThreads_; ++k) {
    const int slot =
        index + k < numThreads_ ? index + k : index + k - numThreads_;
    for (int64_t i; (i = claim(slot, k == 0, epoch)) >= 0; ++done)
      runChunk(slot, i, index);
  }
  return done;
}

void ThreadPool::run(int64_t n, int64_t grain, int parts, Trampoline fn,
                     void *ctx) {
  // Only the caller (and the destructor, when idle) writes generation_.
  const uint64_t epoch = generation_.load(std::memory_order_relaxed) + 1;
  jobFn_ = fn;
  jobCtx_ = ctx;
  jobN_ = n;
  jobGrain_ = grain;
  jobParts_ = parts;
  jobFpModes_ = fpenv::get() & ~fpenv::kFlagBits;
  done_.store(0, std::memory_order_relaxed);
  int64_t chunks = 0;
  for (int t = 0; t < numThreads_; ++t) {
    int64_t k = 0, b, e;
    if (t < parts)
      k = homeChunks(n, grain, parts, t, b, e);
    chunks += k;
    slots_[t].word.store(slotWord(uint32_t(epoch), 0, k),
                         std::memory_order_release);
  }
  generation_.store(epoch); // seq_cst, pairs with a sleeper's increment
  if (sleepers_.load() > 0) {
    // Taking the mutex orders this notify after any sleeper's final check.
    { std::lock_guard<std::mutex> lock(mutex_); }
    wake_.notify_all();
  }
  const int64_t mine = runChunks(uint32_t(epoch), 0);
  // Every chunk is claimed; wait for the ones workers are still running,
  // yielding now and then so a descheduled worker sharing this core can
  // finish its chunk.
  for (unsigned spins = 0;
       done_.load(std::memory_order_acquire) != chunks - mine; ++spins) {
    ANVIL_CPU_RELAX();
    if ((spins & 255) == 255)
      std::this_thread::yield();
  }
}

void ThreadPool::workerLoop(int index) {
  using Clock = std::chrono::steady_clock;
  uint64_t seen = 0;
  for (;;) {
    // Spin for the configured time, then sleep.
    uint64_t gen = generation_.load(std::memory_order_acquire);
    if (gen == seen) {
      auto deadline =
          Clock::now() + std::chrono::microseconds(spinMicroseconds_);
      for (unsigned spins = 1;; ++spins) {
        ANVIL_CPU_RELAX();
        gen = generation_.load(std::memory_order_acquire);
        if (gen != seen)
          break;
        if ((spins & 63) == 0 && Clock::now() >= deadline)
          break;
        // Every few microseconds (512 pauses), let a thread that shares
        // this core run (on a loaded machine, often the caller itself): a
        // spinning worker must not delay the work it is waiting for. A
        // fraction of a microsecond when nothing else is runnable.
        if ((spins & 511) == 0)
          std::this_thread::yield();
      }
    }
    if (gen == seen) {
      sleepers_.fetch_add(1); // seq_cst, pairs with the caller's bump
      std::unique_lock<std::mutex> lock(mutex_);
      while ((gen = generation_.load()) == seen)
        wake_.wait(lock);
      lock.unlock();
      sleepers_.fetch_sub(1);
    }
    seen = gen;
    if (stop_.load(std::memory_order_acquire))
      return;
    // Late (the job is over, or a newer one runs): claims nothing.
    if (const int64_t done = runChunks(uint32_t(gen), index))
      done_.fetch_add(done, std::memory_order_release);
  }
}

} // namespace anvil
